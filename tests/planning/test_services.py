"""Service details not covered article by article: input validation, optimistic locking, docket."""

from __future__ import annotations

import pytest

from infogov.core.errors import Conflict, InvalidInput, RuleViolation
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine as wf
from infogov.planning import services
from infogov.planning.choices import PlanLevel

pytestmark = pytest.mark.django_db


def test_task_input_is_validated(pw):
    v = pw.draft(PlanLevel.CITY)
    user = pw.owner_user(v)
    with pytest.raises(InvalidInput):
        services.task_add(version=v, user=user, text="")
    with pytest.raises(InvalidInput):
        services.task_add(version=v, user=user, text="任务", target_value="很多")
    with pytest.raises(InvalidInput):
        services.task_add(version=v, user=user, text="任务", goal_id=999999)
    with pytest.raises(RuleViolation) as exc:  # the plan period: platform policy, a rule (第五条)
        services.plan_create(
            user=user,
            level="city",
            title="x",
            jurisdiction=v.jurisdiction,
            owner=v.owner,
            period_start=2030,
            period_end=2026,
            parent_reference="省规划",
        )
    assert (exc.value.code, exc.value.article) == ("A5-PERIOD", "第五条")


def test_task_changes_are_recorded_with_before_and_after(pw):
    v = pw.draft(PlanLevel.CITY)
    task = v.tasks.first()
    services.task_update(task=task, user=pw.owner_user(v), target_value="150", unit="项")
    event = DocketEvent.objects.for_case(v).filter(action="task_update").get()
    diff = event.changes[f"plantask#{task.pk}"]
    assert diff["target_value"] == {"before": "100.00", "after": "150"}
    assert diff["unit"] == {"before": "个", "after": "项"}
    assert event.payload["task_id"] == task.pk


def test_stale_version_is_a_conflict(pw):
    v = pw.draft(PlanLevel.CITY)
    stale = v.version
    services.goal_add(version=v, user=pw.owner_user(v), text="又一个目标")
    with pytest.raises(Conflict):
        wf.fire(
            v,
            "open_consultation",
            user=pw.owner_user(v),
            expected_version=stale,
            payload={"start": "2099-01-01", "end": "2099-02-01"},
        )


def test_answers_need_reasons_unless_accepted(pw):
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    c = services.comment_submit(version=v, body="意见内容五个字以上")
    v = pw.close_consultation(v)
    with pytest.raises(RuleViolation) as exc:
        services.comments_answer(
            version=v, user=pw.owner_user(v), comment_ids=[c.pk], status="not_accepted", text="不采纳"
        )
    assert (exc.value.code, exc.value.article) == ("A6-1-ANSWER-REASON", "第六条第一款")
    with pytest.raises(RuleViolation) as exc:
        services.comments_publish_answers(version=v, user=pw.owner_user(v))
    assert (exc.value.code, exc.value.article) == ("A6-1-ANSWERS-DRAFTED", "第六条第一款")
    services.comments_answer(
        version=v, user=pw.owner_user(v), comment_ids=[c.pk], status="accepted", text="采纳"
    )
    assert services.comments_publish_answers(version=v, user=pw.owner_user(v)) == 1
