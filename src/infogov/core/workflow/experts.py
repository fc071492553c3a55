"""Experts convened for a case (专家论证 of a plan, 第六条第一款; 专家评审 of a project, 第九条第二款): who is
an expert of the platform's expert pool, and the assignments that let an expert see the case and give an
opinion (``acts_as_assigned_expert``), each with its due date. Shared by every app that convenes experts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType

from infogov.core.workflow.steps import StepContext


def is_expert_of_pool(user: Any) -> bool:
    """A member of an expert pool (专家库) with the expert role."""
    from infogov.org.choices import OrganisationKind, Role

    return user.memberships.filter(role=Role.EXPERT, organisation__kind=OrganisationKind.EXPERT_POOL).exists()


def pool_refusal(
    user_ids: Iterable[int], insiders: set[int], *, insider: str = "是该事项责任单位的人员，应当回避"
) -> str | None:
    """Why the users asked for cannot be convened (not pool experts, or of the unit whose case it is), or
    None when all can: the reason a rule returns."""
    from infogov.org.models import User

    wanted = list(user_ids)
    found = {u.pk: u for u in User.objects.filter(pk__in=wanted)}
    for pk in wanted:
        expert = found.get(pk)
        if expert is None or not is_expert_of_pool(expert):
            return f"{expert or f'用户 {pk}'} 不是专家库专家"
        if pk in insiders:
            return f"专家 {expert} {insider}"
    return None


def assignments(case: Any, purpose: str) -> Any:
    from infogov.core.models import CaseAssignment

    return CaseAssignment.objects.for_case(case).filter(purpose=purpose)


def assign(
    step: StepContext, case: Any, user_ids: Iterable[int], *, purpose: str, due_date: dt.date | None = None
) -> list[Any]:
    """Assign the experts not yet assigned for `purpose` (through the step: recorded in its docket event);
    returns the new assignments."""
    from infogov.core.models import CaseAssignment

    ct = ContentType.objects.get_for_model(type(case))
    already = set(assignments(case, purpose).values_list("user_id", flat=True))
    made = []
    for pk in dict.fromkeys(user_ids):
        if pk in already:
            continue
        made.append(
            step.create(
                CaseAssignment,
                case_type=ct,
                case_id=case.pk,
                user_id=pk,
                purpose=purpose,
                jurisdiction_id=case.jurisdiction_id,
                due_date=due_date,
            )
        )
    return made
