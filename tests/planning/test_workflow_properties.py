"""Property: whatever sequence of steps anyone attempts, a local plan never reaches a state the
regulation forbids (第五条、第六条)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infogov.core import workflow as wf
from infogov.core.errors import DomainError
from infogov.planning import services
from infogov.planning.choices import PASSING_CONCLUSIONS, PlanLevel, PlanState
from infogov.planning.models import PlanVersion

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]

STEPS = [
    "open",
    "comment",
    "close",
    "summary",
    "answer",
    "assign",
    "opine_pass",
    "opine_fail",
    "submit",
    "approve_right",
    "approve_wrong",
    "return",
    "revise",
    "publish",
    "file_right",
    "file_wrong",
    "enact",
]
AFTER_STATES = (
    PlanState.SUBMITTED,
    PlanState.APPROVED,
    PlanState.PUBLISHED,
    PlanState.FILED,
    PlanState.IN_FORCE,
)


def _attempt(pw, v: PlanVersion, step: str) -> None:
    w = pw.world
    owner = w.yongji.authority_user
    today = dt.date.today()
    later = (v.consultation_end or today) + dt.timedelta(days=1)
    fires = {
        "close": ("close_consultation", owner, {}),
        "submit": ("submit", owner, {}),
        "approve_right": ("approve", w.yongji.approver, {}),
        "approve_wrong": ("approve", w.city.approver, {}),
        "return": ("return", w.yongji.approver, {}),
        "revise": ("revise", owner, {}),
        "publish": ("publish", owner, {}),
        "file_right": ("file", w.city.authority_user, {}),
        "file_wrong": ("file", w.yongji.authority_user, {}),
        "enact": ("enact", owner, {}),
    }
    if step == "open":
        wf.fire(
            v,
            "open_consultation",
            user=owner,
            payload={"start": today.isoformat(), "end": (today + dt.timedelta(days=7)).isoformat()},
        )
    elif step in fires:
        name, user, payload = fires[step]
        wf.fire(v, name, user=user, payload=payload, today=later, comment="理由")
    elif step == "comment":
        services.comment_submit(version=v, body="一条公众意见内容", today=v.consultation_start or today)
    elif step == "summary":
        services.consultation_summary_save(version=v, user=owner, summary="情况说明")
    elif step == "answer":
        ids = list(v.comments.values_list("pk", flat=True))
        services.comments_answer(version=v, user=owner, comment_ids=ids, template="accepted")
        services.comments_publish_answers(version=v, user=owner)
    elif step == "assign":
        services.experts_assign(version=v, user=owner, experts=pw.experts[:3])
    else:
        conclusion = "pass" if step == "opine_pass" else "fail"
        for e in pw.experts[:3]:
            with contextlib.suppress(DomainError):
                services.expert_opinion_submit(
                    version=v, user=e, conclusion=conclusion, opinion="专家论证意见"
                )


def _check_invariants(v: PlanVersion) -> None:
    if v.state in AFTER_STATES:
        opinions = list(v.opinions.filter(round=v.review_round))
        assert len(opinions) >= 3
        assert sum(op.conclusion in PASSING_CONCLUSIONS for op in opinions) * 2 > len(opinions)
        assert v.consultation_summary and not v.comments.filter(answer_published_at__isnull=True).exists()
    if v.state in AFTER_STATES[1:]:
        assert v.approval_body.name == "永吉县人民政府"
    if v.state in (PlanState.FILED, PlanState.IN_FORCE):
        assert v.published_at is not None and v.filed_with.name == "吉林市工业和信息化局"
    if v.state == PlanState.IN_FORCE:
        assert v.filed_at is not None


def test_no_sequence_reaches_a_forbidden_state(pw):
    pw.city_plan_in_force()

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(st.sampled_from(STEPS), min_size=4, max_size=24))
    def run(steps: list[str]) -> None:
        v = pw.draft(PlanLevel.LOCAL, pw.world.yongji)
        for step in steps:
            v = PlanVersion.objects.get(pk=v.pk)
            try:
                _attempt(pw, v, step)
            except DomainError:
                continue
            _check_invariants(PlanVersion.objects.get(pk=v.pk))

    run()
