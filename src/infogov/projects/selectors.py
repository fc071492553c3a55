"""Reads of projects, always scoped to the user through core.permissions.restrict (第四条)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import BooleanField, Count, F, Func, Q, QuerySet, Sum

from infogov.core.errors import NotFound
from infogov.core.models import Obligation
from infogov.core.workflow.permissions import restrict, scope_of

from .choices import ProjectState
from .models import AnnualConstructionPlan, InformationSystem, Project

_WORD = re.compile(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+")
ORDERING = {"created_at", "updated_at", "reference", "title", "budget", "year", "state", "planned_completion"}


def tokens_for_search(text: str) -> list[str]:
    """jieba search-mode words (and Latin/digit words), deduplicated: what the index stores and the
    query is cut into, on both databases (SQLite FTS5 trigram misses two-character words)."""
    from .similarity import _jieba

    seen: dict[str, None] = {}
    for w in _jieba().cut_for_search(text or ""):
        w = w.strip().lower()
        if w and _WORD.fullmatch(w):
            seen.setdefault(w, None)
    return list(seen)


class HasWords(Func):
    """True when a project's indexed words (search_text, " word word … ") include every one of
    `words`. PostgreSQL: containment of the word array, served by the GIN index on
    string_to_array(btrim(search_text), ' ') (migration 0003), so two-character words (政务, 医保)
    are found through the index; elsewhere (SQLite) one LIKE ' word ' per word."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, words: list[str]) -> None:
        super().__init__(F("search_text"))
        self.words = list(words)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        lhs, params = compiler.compile(self.source_expressions[0])
        sql = " AND ".join([f"{lhs} LIKE %s"] * len(self.words))
        return f"({sql})", [*params, *(f"% {w} %" for w in self.words)]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"string_to_array(btrim({lhs}), ' ') @> %s::text[]", [*params, self.words]


def search_q(term: str) -> Q:
    """Every word of the query must be a word of the project, or the query starts its reference.
    A query with no words at all (punctuation, a lone symbol) falls back to the title and reference
    containing it, which no index serves."""
    term = (term or "").strip()[:100]
    if not term:
        return Q()
    words = tokens_for_search(term)
    if not words:
        return Q(reference__icontains=term) | Q(title__icontains=term)
    return Q(HasWords(words)) | Q(reference__startswith=term.upper())


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


def information_systems(user: Any) -> QuerySet[InformationSystem]:
    """The register of systems: owners see theirs; authorities and governments their jurisdictions."""
    s = scope_of(user)
    q = Q(owner_id__in=s.org_ids) | Q(
        jurisdiction_id__in=s.authority_jurisdictions | s.government_jurisdictions
    )
    return InformationSystem.objects.filter(q).select_related("owner", "jurisdiction", "source_project")


def in_construction_fiscal(user: Any) -> QuerySet[Project]:
    from .models import ACTIVE_STATES

    return (
        restrict(Project.objects.select_related("jurisdiction", "owner"), user)
        .filter(funding_kind="fiscal", state__in=[*ACTIVE_STATES])
        .exclude(state=ProjectState.ACCEPTED)
    )
