"""Reads of projects, always scoped to the user through core.permissions.restrict (第四条)."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet, Sum

from infogov.core import text as text_
from infogov.core.errors import NotFound
from infogov.core.models import Obligation
from infogov.core.workflow.permissions import restrict

from .choices import ProjectState
from .models import AnnualConstructionPlan, Project

ORDERING = {"created_at", "updated_at", "reference", "title", "budget", "year", "state", "planned_completion"}


def tokens_for_search(text: str) -> list[str]:
    """The words a project is found by (core.text.index_words): what search_text stores, " word
    word … ", on both databases."""
    return text_.index_words(text)


def search_q(term: str) -> Q:
    """Every word of the query must be a word of the project (core.text.search_q: 政务 finds
    电子政务外网, 資訊化 finds 信息化), or the query starts its reference. A query with no words at
    all (punctuation, a lone symbol) falls back to the title and reference containing it, which no
    index serves."""
    term = text_.normalise(term)[: text_.MAX_QUERY]
    if not term:
        return Q()
    return text_.search_q("search_text", term, fallback=("reference", "title")) | Q(
        reference__startswith=term.upper()
    )


def project_list(
    user: Any,
    *,
    jurisdiction: Any = None,
    year: int | None = None,
    category: str = "",
    funding_kind: str = "",
    state: str = "",
    owner_id: int | None = None,
    q: str = "",
    ordering: str = "",
) -> QuerySet[Project]:
    qs = restrict(Project.objects.select_related("jurisdiction", "owner"), user)
    if jurisdiction is not None:
        qs = qs.filter(jurisdiction__path__startswith=jurisdiction.path)
    if year:
        qs = qs.filter(year=year)
    if category:
        qs = qs.filter(category=category)
    if funding_kind:
        qs = qs.filter(funding_kind=funding_kind)
    if state:
        qs = qs.filter(state=state)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    if q:
        qs = qs.filter(search_q(q))
    key = ordering.removeprefix("-")
    return qs.order_by(ordering, "-pk") if key in ORDERING else qs.order_by("-created_at", "-pk")


def project_get(user: Any, pk: int) -> Project:
    project = (
        restrict(Project.objects.select_related("jurisdiction", "owner", "annual_plan"), user)
        .filter(pk=pk)
        .first()
    )
    if project is None:
        raise NotFound()
    return project


def plan_list(user: Any) -> QuerySet[AnnualConstructionPlan]:
    return restrict(AnnualConstructionPlan.objects.select_related("jurisdiction", "owner"), user)


def open_plans_for(user: Any, project: Project) -> QuerySet[AnnualConstructionPlan]:
    from .choices import PlanState

    return plan_list(user).filter(jurisdiction_id=project.jurisdiction_id, state=PlanState.DRAFTING)


def overdue_obligations(user: Any, today: Any = None) -> QuerySet[Obligation]:
    """Overdue duties on the projects the user may see (for the authority's overview)."""
    ct = ContentType.objects.get_for_model(Project)
    ids = restrict(Project.objects.all(), user).values("pk")
    return (
        Obligation.objects.overdue(today)
        .filter(case_type=ct, case_id__in=ids)
        .select_related("owed_by", "jurisdiction")
        .order_by("due_date", "id")
    )


def project_summary(user: Any) -> dict[str, Any]:
    """Counts and budgets by state over the projects the user may see (the authority's overview):
    one GROUP BY, whatever the number of projects."""
    rows = list(
        restrict(Project.objects.all(), user)
        .order_by("state")
        .values("state")
        .annotate(count=Count("id"), budget=Sum("budget"))
    )
    labels = dict(ProjectState.choices)
    by_state = [{**r, "label": str(labels.get(r["state"], r["state"]))} for r in rows]
    total = {"count": sum(r["count"] for r in rows), "budget": sum((r["budget"] or 0) for r in rows)}
    return {"by_state": by_state, "total": total}


def information_systems(user: Any) -> QuerySet[Any]:
    """The register of information systems the user may see: the security app's register (第三十条),
    read through its selectors."""
    from infogov.security import selectors as register

    return register.systems(user).order_by("jurisdiction__code", "title")


def project_systems(project: Project) -> list[Any]:
    """The register entries `project` builds or rebuilds (新建或改造的系统; 三同步, 第三十一条第一款)
    with their protection status (security.selectors.ProtectionStatus)."""
    from infogov.security import selectors as register

    return register.systems_for_project(project.pk, project.owner_id, [*project.systems, project.title])


def register_links(project: Project, names: list[str]) -> dict[str, str]:
    """{system name: URL of its register entry} (security.selectors.register_links)."""
    from infogov.security import selectors as register

    return register.register_links(project.pk, project.owner_id, names)


def in_construction_fiscal(user: Any) -> QuerySet[Project]:
    from .models import ACTIVE_STATES

    return (
        restrict(Project.objects.select_related("jurisdiction", "owner"), user)
        .filter(funding_kind="fiscal", state__in=[*ACTIVE_STATES])
        .exclude(state=ProjectState.ACCEPTED)
    )
