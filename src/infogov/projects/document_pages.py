"""What the project page shows of a project's decisions as documents (第九条第二款, 第十三条第二款): the
experts convened and their opinions, the acceptance filing with its files and receipt — and which of
their forms the user is offered (the steps' rules decide when the form is sent)."""

from __future__ import annotations

from typing import Any

from infogov.core.workflow.permissions import scope_of
from infogov.org.choices import OrganisationKind, Role
from infogov.org.models import User

from .choices import MANDATORY_DIMENSIONS, ProjectState
from .deadlines import EXPERT_REVIEW_DAYS
from .models import Project


def context(user: Any, project: Project) -> dict[str, Any]:
    scope = scope_of(user)
    planned = project.state == ProjectState.PLANNED
    seats = (
        list(project.expert_reviews.select_related("expert")) if planned or hasattr(project, "review") else []
    )
    mine = next((s for s in seats if s.expert_id == user.pk and not s.settled), None) if planned else None
    can_convene = planned and scope.is_own_authority_of(project.jurisdiction_id)
    pool = []
    if can_convene:
        taken = {s.expert_id for s in seats}
        pool = [
            u
            for u in User.objects.filter(
                memberships__role=Role.EXPERT, memberships__organisation__kind=OrganisationKind.EXPERT_POOL
            )
            .distinct()
            .order_by("pk")[:100]
            if u.pk not in taken
        ]
    # one-to-one: read with the project on its page (ProjectViews.get_case), else here
    filing = project.acceptance_filing if hasattr(project, "acceptance_filing") else None
    review = project.review if hasattr(project, "review") else None
    return {
        "expert_reviews": seats,
        "cited_reviews": list(review.expert_reviews.all()) if review is not None and seats else [],
        "my_seat": mine,
        "can_convene": can_convene,
        "pool_experts": pool,
        "expert_days": EXPERT_REVIEW_DAYS.describe(),
        "expert_dimensions": [(d.value, d.label) for d in MANDATORY_DIMENSIONS],
        "filing": filing,
        "filing_files": list(filing.attachments.all()) if filing is not None else [],
    }
