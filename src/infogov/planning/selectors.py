"""Reads of development plans: user-first and restricted (第四条), plus the public portal's reads
of published plans and open consultations (第五条、第六条)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from infogov.core import text as text_
from infogov.core.errors import NotFound
from infogov.core.models import CaseAssignment
from infogov.core.workflow.permissions import restrict
from infogov.org.models import Jurisdiction

from . import similarity
from .choices import PUBLIC_STATES, PlanLevel, PlanState
from .models import Plan, PlanGoal, PlanTask, PlanVersion, PublicComment
from .rules import in_force_version


def search_q(text: str) -> Q:
    """The projects' search (core.text.search_q): every word of the query must be a word of the
    version's search document (services.search_document: 政务 finds 电子政务外网, 資訊化 finds 信息化),
    or the query starts its reference; a query without words falls back to reference and title
    containing it."""
    term = text_.normalise(text)[: text_.MAX_QUERY]
    if not term:
        return Q()
    return text_.search_q("search_text", term, fallback=("reference", "title")) | Q(
        reference__startswith=term.upper()
    )


def _search(qs: QuerySet[PlanVersion], text: str) -> QuerySet[PlanVersion]:
    """Chinese full text (search_q); no condition for an empty query."""
    q = search_q(text)
    return qs.filter(q) if q else qs


def _in_jurisdiction(jurisdiction: Any) -> Q:
    """A jurisdiction filter covers those below it (as the projects' list and the case pages do):
    `jurisdiction` is a Jurisdiction, its code or its id; an unknown one matches nothing."""
    if not isinstance(jurisdiction, Jurisdiction):
        key = str(jurisdiction).strip()
        jurisdiction = Jurisdiction.objects.filter(code=key[:12]).first()
        if jurisdiction is None and key.isdigit() and len(key) <= 9:
            jurisdiction = Jurisdiction.objects.filter(pk=int(key)).first()
        if jurisdiction is None:
            return Q(pk__in=[])
    return Q(jurisdiction__path__startswith=jurisdiction.path)


def _filter(
    qs: QuerySet[PlanVersion],
    *,
    q: str = "",
    level: str = "",
    jurisdiction: Any = None,
    state: str = "",
    period: str = "",
) -> QuerySet[PlanVersion]:
    if level:
        qs = qs.filter(level=level)
    if jurisdiction:
        qs = qs.filter(_in_jurisdiction(jurisdiction))
    if state:
        qs = qs.filter(state=state)
    if period:  # "2026-2030" or a single year the plan period covers
        parts = [p for p in period.replace("—", "-").replace("–", "-").split("-") if p.strip().isdigit()]
        if len(parts) == 2:
            qs = qs.filter(period_start=int(parts[0]), period_end=int(parts[1]))
        elif len(parts) == 1:
            qs = qs.filter(period_start__lte=int(parts[0]), period_end__gte=int(parts[0]))
    return _search(qs, q)


def versions_list(user: Any, **filters: Any) -> QuerySet[PlanVersion]:
    """Plan versions the user may see, newest first, with what a list row shows."""
    qs = restrict(PlanVersion.objects.all(), user).select_related("plan", "jurisdiction", "owner")
    return _filter(qs, **filters).order_by("jurisdiction__sort_order", "level", "-number", "-id")


def version_get(user: Any, pk: int) -> PlanVersion:
    v = (
        restrict(PlanVersion.objects.all(), user)
        .select_related(
            "plan__parent",
            "plan__jurisdiction",
            "jurisdiction",
            "owner",
            "supersedes",
            "approval_body",
            "filed_with",
        )
        .filter(pk=pk)
        .first()
    )
    if v is None:
        raise NotFound()
    return v


def version_content(version: PlanVersion) -> tuple[list[PlanGoal], list[PlanTask]]:
    goals = list(version.goals.all())
    tasks = list(version.tasks.select_related("responsible", "parent_task").all())
    return goals, tasks


def plan_versions(user: Any, plan: Plan) -> QuerySet[PlanVersion]:
    return restrict(PlanVersion.objects.filter(plan=plan), user).order_by("number")


def comments_for_staff(user: Any, version: PlanVersion) -> QuerySet[PublicComment]:
    version_get(user, version.pk)  # visibility
    return version.comments.select_related("goal", "task", "answered_by").order_by("created_at", "id")


def opinions_for(version: PlanVersion) -> list[Any]:
    return list(version.opinions.select_related("expert").order_by("round", "submitted_at"))


def assigned_reviews(user: Any) -> QuerySet[PlanVersion]:
    """The plans an expert is assigned to review (core CaseAssignment)."""
    from django.contrib.contenttypes.models import ContentType

    ids = CaseAssignment.objects.filter(
        user=user, case_type=ContentType.objects.get_for_model(PlanVersion)
    ).values("case_id")
    return (
        PlanVersion.objects.filter(pk__in=ids).select_related("plan", "jurisdiction", "owner").order_by("-id")
    )


def experts_assigned(version: PlanVersion) -> list[Any]:
    """The invited experts, each with the date its opinion is due (``review_due``)."""
    from django.contrib.contenttypes.models import ContentType

    found = []
    for a in CaseAssignment.objects.filter(
        case_type=ContentType.objects.get_for_model(PlanVersion), case_id=version.pk
    ).select_related("user"):
        a.user.review_due = a.due_date
        found.append(a.user)
    return found


# -- the public portal (no login) -----------------------------------------------------------------


def public_versions(**filters: Any) -> QuerySet[PlanVersion]:
    """City and local plans that were published (第五条第一款、第二款 公布实施), latest version of each."""
    qs = PlanVersion.objects.filter(
        state__in=PUBLIC_STATES, plan__level__in=(PlanLevel.CITY, PlanLevel.LOCAL)
    )
    qs = qs.select_related("plan", "jurisdiction", "owner")
    return _filter(qs, **{k: v for k, v in filters.items() if k != "state"}).order_by(
        "jurisdiction__sort_order", "-number"
    )


def public_consultations(today: Any = None) -> QuerySet[PlanVersion]:
    """Plans (of every level) under public consultation now (第六条第一款 广泛征求意见)."""
    today = today or timezone.localdate()
    return (
        PlanVersion.objects.filter(
            state=PlanState.CONSULTATION, consultation_start__lte=today, consultation_end__gte=today
        )
        .select_related("plan", "jurisdiction", "owner")
        .annotate(comment_count=Count("comments"))
        .order_by("consultation_end")
    )


# After its window a consulted version stays on the portal with the comments and their published
# answers (the public sees how its comments were answered, 第六条第一款) until the decision on it;
# city and local plans then stay as published plans (第五条), special plans leave the portal.
CONSULTED_STATES = (PlanState.CONSULTATION, PlanState.EXPERT_REVIEW, PlanState.SUBMITTED)


def public_consultations_closed() -> QuerySet[PlanVersion]:
    """Versions whose consultation is over and which await review or approval: the answers."""
    return (
        PlanVersion.objects.filter(state__in=CONSULTED_STATES[1:], consultation_end__isnull=False)
        .select_related("plan", "jurisdiction", "owner")
        .annotate(comment_count=Count("comments"))
        .order_by("-consultation_end", "-id")
    )


def public_version_get(pk: int) -> PlanVersion:
    v = (
        PlanVersion.objects.filter(pk=pk)
        .filter(
            Q(state__in=CONSULTED_STATES, consultation_start__isnull=False)
            | Q(state__in=PUBLIC_STATES, plan__level__in=(PlanLevel.CITY, PlanLevel.LOCAL))
        )
        .select_related("plan", "jurisdiction", "owner")
        .prefetch_related(
            Prefetch("goals", queryset=PlanGoal.objects.order_by("seq", "id")),
            Prefetch("tasks", queryset=PlanTask.objects.select_related("responsible").order_by("seq", "id")),
        )
        .first()
    )
    if v is None:
        raise NotFound()
    return v


def public_comments(version: PlanVersion) -> QuerySet[PublicComment]:
    """What the portal shows: comment texts (never names or contact details) and published answers."""
    return version.comments.select_related("goal", "task").only(
        "id",
        "body",
        "created_at",
        "goal__text",
        "task__text",
        "answer_status",
        "answer_text",
        "answer_published_at",
        "version_id",
        "goal_id",
        "task_id",
    )


# -- 第六条: duplicate construction and consistency ------------------------------------------------


def consistency_findings(version: PlanVersion) -> dict[str, Any]:
    """Goals/tasks repeating tasks in force in other plans of the same jurisdiction (重复建设), and
    tasks that trace to no task of the parent plan (与相关规划相衔接)."""
    goals, tasks = version_content(version)
    others = (
        PlanTask.objects.filter(
            version__state=PlanState.IN_FORCE, version__jurisdiction_id=version.jurisdiction_id
        )
        .exclude(version__plan_id=version.plan_id)
        .select_related("version")
    )
    candidates = [(f"{t.version.reference}《{t.version.title}》", t.text) for t in others]
    duplicates = []
    for kind, items in (("goal", goals), ("task", tasks)):
        for item in items:
            m = similarity.best_match(item.text, candidates)
            if m and m.score >= similarity.DUPLICATE_THRESHOLD:
                duplicates.append(
                    {
                        "kind": kind,
                        "id": item.pk,
                        "text": item.text,
                        "plan": m.other_ref,
                        "other_text": m.other_text,
                        "score": m.score,
                    }
                )
    untraced = []
    parent = in_force_version(version.plan.parent)
    if parent is not None:
        parent_items = [(f"{parent.reference}《{parent.title}》", t.text) for t in parent.tasks.all()]
        parent_items += [(f"{parent.reference}《{parent.title}》", g.text) for g in parent.goals.all()]
        for t in tasks:
            if t.parent_task_id:
                continue
            m = similarity.best_match(t.text, parent_items)
            if m is None or m.score < similarity.TRACE_THRESHOLD:
                untraced.append(
                    {
                        "id": t.pk,
                        "text": t.text,
                        "best": m.other_text if m else "",
                        "score": m.score if m else 0.0,
                    }
                )
    return {
        "checked_at": timezone.now().isoformat(timespec="seconds"),
        "parent": f"{parent.reference}《{parent.title}》" if parent else "",
        "duplicates": duplicates,
        "untraced": untraced,
    }


def version_diff(old: PlanVersion, new: PlanVersion) -> dict[str, list[dict[str, Any]]]:
    """Goals and tasks added, removed and changed between two versions (matched by their stable key)."""

    def task_row(t: PlanTask) -> dict[str, Any]:
        return {
            "任务": t.text,
            "责任单位": str(t.responsible) if t.responsible_id else "",
            "目标指标": t.indicator,
            "目标值": f"{t.target_value.normalize():f}" if t.target_value is not None else "",
            "单位": t.unit,
            "目标年度": t.target_year or "",
        }

    out: dict[str, list[dict[str, Any]]] = {"added": [], "removed": [], "changed": []}
    for kind, label, getter in (
        ("goal", "目标", lambda v: {g.key: {"目标": g.text} for g in v.goals.all()}),
        ("task", "任务", lambda v: {t.key: task_row(t) for t in v.tasks.select_related("responsible")}),
    ):
        before, after = getter(old), getter(new)
        for key in after.keys() - before.keys():
            out["added"].append({"kind": label, **after[key]})
        for key in before.keys() - after.keys():
            out["removed"].append({"kind": label, **before[key]})
        for key in before.keys() & after.keys():
            fields = [
                {"field": f, "before": before[key][f], "after": after[key][f]}
                for f in before[key]
                if before[key][f] != after[key][f]
            ]
            if fields:
                title = next(iter(after[key].values()))
                out["changed"].append({"kind": label, "title": title, "fields": fields})
        _ = kind
    return out
