"""第六条第一款: a plan's invited experts give their opinions by a due date — the one the inviter gives, or
the platform's default (平台规定, planning.expert_review_days) — shown on the plan's page and in the
expert's 我的待办 with the date, overdue first (the same CaseAssignment.due_date as a project's experts)."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from infogov.core.errors import RuleViolation
from infogov.core.models import CaseAssignment, DocketEvent
from infogov.core.regulation.policy import override_policy
from infogov.core.workflow import engine as wf
from infogov.core.workflow import inbox
from infogov.planning import services
from infogov.planning.choices import PlanLevel
from infogov.planning.deadlines import EXPERT_REVIEW_DAYS
from infogov.planning.models import PlanVersion
from tests.conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def _in_review(pw, level: str = PlanLevel.CITY, land=None) -> PlanVersion:
    return pw.close_consultation(pw.open_consultation(pw.draft(level, land)))


def _due(v: PlanVersion, expert) -> dt.date | None:
    return CaseAssignment.objects.for_case(v).get(user_id=expert.pk).due_date


def test_without_a_date_the_platform_default_applies_and_is_labelled(pw, client):
    v = _in_review(pw)
    with override_policy(EXPERT_REVIEW_DAYS, 9):
        services.experts_assign(version=v, user=pw.owner_user(v), experts=pw.experts[:3])
    due = _due(v, pw.experts[0])
    assert due == dt.date.today() + dt.timedelta(days=9)
    assert EXPERT_REVIEW_DAYS.note == "平台规定（依据第六条第一款设定）"
    client.force_login(pw.owner_user(v))
    page = html.unescape(client.get(f"/plans/{v.pk}/").content.decode())
    assert f"（{due:%Y-%m-%d} 前提交）" in page
    client.force_login(fresh(pw.experts[0]))
    todo = html.unescape(client.get("/").content.decode())
    assert v.reference in todo and f"{due:%Y-%m-%d}" in todo


def test_the_date_given_is_kept_and_a_past_one_is_refused(pw, client):
    v = _in_review(pw)
    owner = pw.owner_user(v)
    later = dt.date.today() + dt.timedelta(days=20)
    client.force_login(owner)
    client.post(f"/plans/{v.pk}/experts/", {"experts": [pw.experts[0].pk], "due_date": later.isoformat()})
    assert _due(v, pw.experts[0]) == later
    before = DocketEvent.objects.for_case(v).count()
    with pytest.raises(RuleViolation) as exc:
        services.experts_assign(
            version=v, user=owner, experts=[pw.experts[1]], due_date=dt.date.today() - dt.timedelta(days=1)
        )
    assert (exc.value.code, exc.value.article) == ("A6-1-EXPERT-DUE", "第六条第一款")
    assert DocketEvent.objects.for_case(v).count() == before
    assert not CaseAssignment.objects.for_case(v).filter(user_id=pw.experts[1].pk).exists()


def test_the_experts_todo_lists_the_overdue_assignment_first(pw):
    expert = pw.experts[3]  # not among the experts who reviewed the city plan
    pw.city_plan_in_force()  # the basis of the local plan below (第五条第二款)
    soon = _in_review(pw, PlanLevel.SPECIAL)
    services.experts_assign(
        version=soon,
        user=pw.owner_user(soon),
        experts=[expert],
        due_date=dt.date.today() + dt.timedelta(days=3),
    )
    late = _in_review(pw, PlanLevel.LOCAL, pw.world.yongji)
    past = dt.date.today() - dt.timedelta(days=4)
    wf.fire(  # invited ten days ago, due four days ago
        late,
        "experts_assign",
        user=pw.owner_user(late),
        payload={"experts": [expert.pk], "due_date": past.isoformat()},
        today=dt.date.today() - dt.timedelta(days=10),
    )
    inbox.forget_compiled()
    page = inbox.step_items(fresh(expert))
    mine = [(i.pk, i.due_date, i.overdue_days) for i in page.items]
    assert mine[:2] == [(late.pk, past, 4), (soon.pk, dt.date.today() + dt.timedelta(days=3), 0)]
    assert all(i.step.name == "expert_opinion" for i in page.items[:2])
