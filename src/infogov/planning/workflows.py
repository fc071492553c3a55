"""The procedure of a plan version (第五条、第六条), read side by side with the regulation:

起草 → 征求意见 → 专家论证 → 报批 → 已批准 → 已公布（全市、本辖区规划）→ 已备案（本辖区、专项规划）→ 实施中
→ 已被替代（由按原编制程序批准、备案的新版本替代，第六条第二款）.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models
from django.utils import timezone

from infogov.core.workflow import engine as core_workflow
from infogov.core.workflow.engine import StepContext, Transition, Workflow
from infogov.core.workflow.obligations import Duty, days
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import acts_for_owner

from . import rules as r
from .choices import PlanLevel
from .choices import PlanState as S
from .models import PlanVersion

# -- effects: the fields a step sets (returned as the docket's field-level changes) ----------------


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, models.Model) else value


def _set(version: PlanVersion, **values: Any) -> dict[str, Any]:
    changes = {}
    for name, value in values.items():
        before = getattr(version, name)
        if before != value:
            changes[name] = {"before": _plain(before), "after": _plain(value)}
            setattr(version, name, value)
    return changes


def set_window(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    return _set(
        version,
        consultation_start=dt.date.fromisoformat(str(step.payload["start"])),
        consultation_end=dt.date.fromisoformat(str(step.payload["end"])),
    )


def next_round(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    """Back to drafting: the next consultation and expert review are a new round (原编制程序)."""
    return _set(version, review_round=version.review_round + 1)


def snapshot_findings(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    from .selectors import consistency_findings

    return _set(version, findings=consistency_findings(version))


def record_approval(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    return _set(
        version,
        approved_at=timezone.now(),
        approval_body=r.approving_body(version),
        approval_document=str(step.payload.get("document", ""))[:100],
        leader_signoff=str(step.payload.get("leader_signoff", ""))[:100],
    )


def record_publication(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    return _set(version, published_at=timezone.now())


def record_filing(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    return _set(
        version,
        filed_at=timezone.now(),
        filed_with=r.filing_authority(version),
        filing_number=str(step.payload.get("filing_number", ""))[:100],
    )


def take_effect(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    """In force: the predecessor (if this is a change) is superseded, and the year's execution
    report falls due (第七条)."""
    changes = _set(version, in_force_at=timezone.now())
    if version.supersedes_id:
        old = PlanVersion.objects.get(pk=version.supersedes_id)
        token = r.SUCCESSOR_IN_FORCE.set(version)
        try:
            core_workflow.fire(old, "supersede", user=step.user, comment=f"由第 {version.number} 版替代")
        finally:
            r.SUCCESSOR_IN_FORCE.reset(token)
        changes["superseded_version"] = {"before": None, "after": old.pk}
    from .services import execution_obligation_open

    execution_obligation_open(version=version, year=timezone.localdate().year, event=None)
    return changes


def record_supersession(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    from .services import execution_obligations_cancel

    execution_obligations_cancel(version=version)
    return _set(version, superseded_at=timezone.now())


# -- duties ---------------------------------------------------------------------------------------

approval_duty = Duty(
    "plan-approval",
    "审批信息化发展规划",
    "第五条",
    owed_by=r.approving_body,
    owed_to=lambda v: v.owner,
    due=days(30),
)
local_filing_duty = Duty(
    "plan-filing",
    "报送规划备案",
    "第五条第二款",
    owed_by=lambda v: v.owner,
    owed_to=r.filing_authority,
    due=days(30),
    when=lambda v: v.plan.level == PlanLevel.LOCAL,
)
special_filing_duty = Duty(
    "plan-filing",
    "报送专项规划备案",
    "第五条第三款",
    owed_by=lambda v: v.owner,
    owed_to=r.filing_authority,
    due=days(30),
    when=lambda v: v.plan.level == PlanLevel.SPECIAL,
)

APPROVERS = (r.approves_city_plan, r.approves_local_plan, r.approves_special_plan)
FILING = (r.receives_local_filing, r.receives_special_filing)
BASIS = (r.city_plan_based_on_provincial, r.local_plan_based_on_city_plan, r.special_plan_based_on_area_plan)

WORKFLOW = Workflow(
    PlanVersion,
    states=S,
    initial=S.DRAFT,
    title="信息化发展规划",
    transitions=[
        Transition(
            "open_consultation",
            S.DRAFT,
            S.CONSULTATION,
            "发布征求意见",
            by=(acts_for_owner,),
            guards=(
                *BASIS,
                r.has_goals_and_measurable_tasks,
                r.change_has_reason,
                r.consultation_window_valid,
            ),
            citation="第六条第一款",
            effects=(set_window,),
        ),
        Transition(
            "close_consultation",
            S.CONSULTATION,
            S.EXPERT_REVIEW,
            "结束征求意见，组织专家论证",
            by=(acts_for_owner,),
            guards=(r.consultation_window_ended,),
            citation="第六条第一款",
        ),
        Transition(
            "revise",
            S.EXPERT_REVIEW,
            S.DRAFT,
            "退回修改",
            by=(acts_for_owner,),
            citation="第六条第一款",
            effects=(next_round,),
            comment_required=True,
            style="secondary",
        ),
        Transition(
            "submit",
            S.EXPERT_REVIEW,
            S.SUBMITTED,
            "报请批准",
            by=(acts_for_owner,),
            guards=(
                *BASIS,
                r.change_has_reason,
                r.consultation_closed,
                r.enough_experts,
                r.experts_independent,
                r.experts_majority_pass,
            ),
            citation="第六条第一款",
            effects=(snapshot_findings,),
            opens=(approval_duty,),
        ),
        Transition(
            "return",
            S.SUBMITTED,
            S.DRAFT,
            "退回",
            by=APPROVERS,
            citation="第五条",
            effects=(next_round,),
            closes=("plan-approval",),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "approve",
            S.SUBMITTED,
            S.APPROVED,
            "批准",
            by=APPROVERS,
            guards=(r.special_plan_signed_off,),
            citation="第五条",
            effects=(record_approval,),
            closes=("plan-approval",),
            opens=(special_filing_duty,),
            confirm="批准后规划内容不得擅自变更、调整（第六条第二款），确定批准吗？",
        ),
        Transition(
            "publish",
            S.APPROVED,
            S.PUBLISHED,
            "公布",
            by=(acts_for_owner,),
            guards=(r.special_plan_not_published,),
            citation="第五条",
            effects=(record_publication,),
            opens=(local_filing_duty,),
        ),
        Transition(
            "file",
            (S.APPROVED, S.PUBLISHED),
            S.FILED,
            "备案",
            by=FILING,
            guards=(r.city_plan_not_filed, r.local_plan_published_before_filing),
            citation="第五条",
            effects=(record_filing,),
            closes=("plan-filing",),
        ),
        Transition(
            "enact",
            # From 已批准 too: the button is then shown greyed with the article that is missing
            # (公布 for the city plan, 备案 for local and special plans) instead of not at all.
            (S.APPROVED, S.PUBLISHED, S.FILED),
            S.IN_FORCE,
            "施行",
            by=(acts_for_owner,),
            guards=(r.city_plan_published, r.local_plan_filed, r.special_plan_filed),
            citation="第五条",
            effects=(take_effect,),
        ),
        Transition(
            "supersede",
            S.IN_FORCE,
            S.SUPERSEDED,
            "由新版本替代",
            by=(r.superseded_by_successor,),
            citation="第六条第二款",
            effects=(record_supersession,),
            style="secondary",
        ),
    ],
)

register_case_permissions(PlanVersion)
