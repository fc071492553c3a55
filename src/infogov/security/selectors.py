"""Reads of the security register, restricted to what the user may see (第四条): operators their own
systems, authorities their jurisdiction and below, co-supervisors read-only, the city authority all.

Also the reads other apps use (through this module only): the projects app asks here for the systems a
project builds or rebuilds and whether their protection level is determined (三同步, 第三十一条第一款),
and for the systems' texts its duplicate-construction index compares (第六条). Its writes into the
register go through core.hooks.REGISTER_SYSTEM (services.system_from_procedure), never through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from infogov.core.models import Obligation
from infogov.core.workflow.obligations import todo_for
from infogov.core.workflow.permissions import restrict, scope_of

from .choices import HIGH_RISK, DangerStatus, IncidentState, SystemState
from .models import (
    Drill,
    EmergencyPlan,
    Finding,
    HiddenDanger,
    Incident,
    IncidentReport,
    InformationSystem,
    Inspection,
    Responsibility,
    Risk,
    TelecomPlanFiling,
)

CASE_MODELS = (InformationSystem, Incident, Inspection, Responsibility, TelecomPlanFiling)

LIVE = (SystemState.REGISTERED, SystemState.GRADED, SystemState.REVIEWED, SystemState.FILED)


def systems(user: Any) -> QuerySet[InformationSystem]:
    return restrict(InformationSystem.objects.select_related("owner", "jurisdiction"), user)


def incidents(user: Any) -> QuerySet[Incident]:
    return restrict(Incident.objects.select_related("owner", "jurisdiction"), user)


def next_duties(user: Any, limit: int = 20) -> list[Obligation]:
    """What the user's units owe next under 第三十条至第三十二条: open security obligations, overdue first."""
    types = ContentType.objects.get_for_models(*CASE_MODELS).values()
    return list(todo_for(user).filter(case_type__in=list(types))[:limit])


# -- for the projects app (三同步, 第三十一条第一款) -----------------------------------------------------


@dataclass(frozen=True)
class ProtectionStatus:
    """What a project's acceptance needs to know of a system it delivers."""

    system_id: int
    title: str
    level: int | None
    determined: bool
    filed: bool
    last_evaluated_on: dt.date | None


def systems_of_project(project_id: int) -> list[ProtectionStatus]:
    """The register entries a project delivers (系统登记的来源项目), with their protection status."""
    return _status(InformationSystem.objects.filter(source_project_id=project_id))


def systems_for_project(project_id: int, owner_id: int, titles: Iterable[str]) -> list[ProtectionStatus]:
    """The register entries a project builds or rebuilds (三同步): those its delivery registered (来源
    项目) and its unit's live entries named among its 新建或改造的系统; one query."""
    q = Q(source_project_id=project_id)
    titles = [t for t in titles if t]
    if titles:
        q |= Q(owner_id=owner_id, title__in=titles, state__in=LIVE)
    return _status(InformationSystem.objects.filter(q))


def register_links(project_id: int, owner_id: int, titles: Iterable[str]) -> dict[str, str]:
    """{title: URL of its register entry} for a project's 新建或改造的系统 that are in the register
    (its unit's live entries of that name, or those its delivery registered); one query."""
    from django.urls import reverse

    return {
        s.title: reverse("security_systems:detail", kwargs={"pk": s.system_id})
        for s in systems_for_project(project_id, owner_id, titles)
    }


def protection_status(system_ids: Any) -> list[ProtectionStatus]:
    return _status(InformationSystem.objects.filter(pk__in=list(system_ids)))


def _status(qs: QuerySet[InformationSystem]) -> list[ProtectionStatus]:
    rows = qs.order_by("pk").values_list(
        "pk", "title", "level", "determined_on", "filed_on", "last_evaluated_on"
    )
    return [
        ProtectionStatus(pk, title, level, determined is not None, filed is not None, evaluated)
        for pk, title, level, determined, filed, evaluated in rows
    ]


# -- for the projects app's duplicate-construction index (第六条) ---------------------------------------


@dataclass(frozen=True)
class SystemText:
    """What the duplicate-construction comparison reads of a register entry."""

    id: int
    jurisdiction_id: int
    title: str
    purpose: str

    @property
    def pk(self) -> int:
        return self.id

    def __str__(self) -> str:
        return self.title


_TEXT = ("pk", "jurisdiction_id", "title", "purpose")


def system_texts(
    ids: Iterable[int] | None = None,
    *,
    jurisdictions: Iterable[int] | None = None,
    exclude_project: int | None = None,
) -> list[SystemText]:
    """The entries `ids` (or all), in `jurisdictions` (None: all), less those `exclude_project`
    delivered; by key."""
    qs = InformationSystem.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    if jurisdictions is not None:
        qs = qs.filter(jurisdiction_id__in=list(jurisdictions))
    if exclude_project is not None:
        qs = qs.exclude(source_project_id=exclude_project)
    return [SystemText(*row) for row in qs.order_by("pk").values_list(*_TEXT)]


def iter_system_texts(chunk: int = 5000) -> Iterator[SystemText]:
    """Every entry, by key, read in chunks (an index rebuild at a province's scale)."""
    rows = InformationSystem.objects.order_by("pk").values_list(*_TEXT)
    for row in rows.iterator(chunk_size=chunk):
        yield SystemText(*row)


def system_ids_of_project(project_id: int) -> list[int]:
    return list(InformationSystem.objects.filter(source_project_id=project_id).values_list("pk", flat=True))


def system_choices(owner_id: int) -> list[tuple[int, str]]:
    """The live systems of a unit, for a project's 新建或改造的系统."""
    return list(
        InformationSystem.objects.filter(owner_id=owner_id, state__in=LIVE)
        .order_by("title")
        .values_list("pk", "title")
    )


# -- the choices of the security forms (incidents, inspections, hidden dangers) ----------------------

FORM_CHOICES_MAX = 3000  # a select beyond this is not a form an official can use: the API takes ids


def live_systems(user: Any, *, owner_id: int | None = None) -> list[tuple[int, str]]:
    """(id, "编号 名称（所属单位）") of the live systems the user may see (a unit's own, given owner_id)."""
    qs = restrict(InformationSystem.objects.filter(state__in=LIVE), user)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    rows = qs.order_by("owner__name", "reference").values_list("pk", "reference", "title", "owner__name")
    return [(pk, f"{ref} {title}（{owner}）") for pk, ref, title, owner in rows[:FORM_CHOICES_MAX]]


def register_units(user: Any) -> list[tuple[int, str]]:
    """(id, name) of the units with a live system the user may see: the units an inspection may cover."""
    qs = restrict(InformationSystem.objects.filter(state__in=LIVE), user)
    rows = qs.values_list("owner_id", "owner__name").distinct().order_by("owner__name")
    return list(rows[:FORM_CHOICES_MAX])


# -- the overview (第三十条至第三十二条) ---------------------------------------------------------------


@dataclass
class JurisdictionRow:
    name: str
    systems: int = 0
    level3: int = 0
    overdue_evaluations: int = 0
    high_risks: int = 0
    overdue_findings: int = 0
    overdue_dangers: int = 0
    open_incidents: int = 0

    @property
    def overdue_rectifications(self) -> int:
        return self.overdue_findings + self.overdue_dangers


FLAGGED_SHOWN = 50  # the overview lists this many flagged systems; the count covers them all
OPEN_INCIDENTS_SHOWN = 20
HIGH_RISKS_SHOWN = 20


@dataclass
class Overview:
    today: dt.date
    by_level: dict[str, int]
    level3_total: int
    evaluation_current: int
    evaluation_overdue: int
    evaluation_missing: int
    high_risks: list[Risk]
    high_risk_count: int
    open_incidents: list[Incident]
    open_incident_count: int
    late_reports: int
    unreported_overdue: int
    overdue_findings: int
    overdue_dangers: int
    flagged_plans: list[InformationSystem]
    flagged_count: int = 0
    rows: list[JurisdictionRow] = field(default_factory=list)

    @property
    def evaluation_share(self) -> float:
        return round(100 * self.evaluation_current / self.level3_total, 1) if self.level3_total else 100.0


def _overdue_case_ids(model: type, code: str, today: dt.date) -> QuerySet[Obligation, dict[str, Any]]:
    return (
        Obligation.objects.open()
        .filter(case_type=ContentType.objects.get_for_model(model), code=code, due_date__lt=today)
        .values("case_id")
    )


def overview(user: Any, *, today: dt.date | None = None) -> Overview:
    """The authority's (or the operator's) picture of its systems: levels, evaluations, high risks,
    incidents, overdue rectifications, per jurisdiction. The database aggregates: the systems are read
    once, grouped by jurisdiction and level (a row per group, never a row per system); each other figure
    is one grouped query; the lists are cut in SQL."""
    today = today or timezone.localdate()
    visible = restrict(InformationSystem.objects.filter(state__in=LIVE), user)
    level3 = Q(level__gte=3)
    overdue_any_q = level3 & Q(pk__in=_overdue_case_ids(InformationSystem, "sec-evaluation", today))
    overdue_q = overdue_any_q & Q(last_evaluated_on__isnull=False)  # never evaluated: counted as missing
    flagged_q = _flagged_q(today)
    groups = list(
        visible.values("jurisdiction_id", "level")
        .annotate(
            name=F("jurisdiction__name"),
            n=Count("pk"),
            missing=Count("pk", filter=level3 & Q(last_evaluated_on__isnull=True)),
            overdue=Count("pk", filter=overdue_q),
            overdue_any=Count("pk", filter=overdue_any_q),
            flagged=Count("pk", filter=flagged_q),
        )
        .order_by()
    )
    by_level: dict[str, int] = {}
    for g in sorted(groups, key=lambda g: (g["level"] is not None, g["level"] or 0)):
        label = "未定级" if g["level"] is None else f"第{'一二三四五'[g['level'] - 1]}级"
        by_level[label] = by_level.get(label, 0) + g["n"]
    l3 = [g for g in groups if (g["level"] or 0) >= 3]
    total, missing, overdue = (sum(g[k] for g in l3) for k in ("n", "missing", "overdue"))
    flagged_count = sum(g["flagged"] for g in l3)
    on_visible = _on_visible_systems(user)
    risks = Risk.objects.filter(on_visible, value__gte=HIGH_RISK, treated_on__isnull=True)
    findings = Finding.objects.filter(on_visible, rectified_on__isnull=True, due_date__lt=today)
    dangers = HiddenDanger.objects.filter(
        on_visible,
        deadline__lt=today,
        status__in=(DangerStatus.OPEN, DangerStatus.RETURNED, DangerStatus.ANSWERED),
    )
    open_incidents = restrict(Incident.objects.filter(state=IncidentState.HANDLING), user)
    rows = _per_jurisdiction(groups, risks, findings, dangers, open_incidents)
    flagged = visible.filter(flagged_q).select_related("owner", "jurisdiction")
    return Overview(
        today=today,
        by_level=by_level,
        level3_total=total,
        evaluation_current=total - missing - overdue,
        evaluation_overdue=overdue,
        evaluation_missing=missing,
        high_risks=list(
            risks.select_related("system").order_by("-value", "due_date", "pk")[:HIGH_RISKS_SHOWN]
        ),
        high_risk_count=sum(r.high_risks for r in rows),
        open_incidents=list(
            open_incidents.select_related("owner").order_by("detected_at", "pk")[:OPEN_INCIDENTS_SHOWN]
        ),
        open_incident_count=sum(r.open_incidents for r in rows),
        late_reports=IncidentReport.objects.filter(
            incident__in=restrict(Incident.objects.all(), user).values("pk"), late=True
        ).count(),
        unreported_overdue=open_incidents.filter(
            first_reported_at__isnull=True, report_deadline__lt=timezone.now()
        ).count(),
        overdue_findings=sum(r.overdue_findings for r in rows),
        overdue_dangers=sum(r.overdue_dangers for r in rows),
        flagged_plans=list(flagged.order_by("jurisdiction__code", "title", "pk")[:FLAGGED_SHOWN])
        if flagged_count
        else [],
        flagged_count=flagged_count,
        rows=sorted(rows, key=lambda r: (-r.systems, r.name)),
    )


def _on_visible_systems(user: Any) -> Q:
    """The live systems the user may see, as a condition on a record's `system`: the same scope as
    restrict(), joined instead of an IN (…) over the register (measured ~30 % faster at 20,000 systems)."""

    def through(q: Q) -> Q:
        out = Q()
        out.connector, out.negated = q.connector, q.negated
        for child in q.children:  # a Q, or a (lookup, value) pair
            if isinstance(child, Q):
                out.children.append(through(child))
            else:
                lookup, value = cast(tuple[str, Any], child)
                out.children.append((f"system__{lookup}", value))
        return out

    return through(scope_of(user).case_q(InformationSystem)) & Q(system__state__in=LIVE)


def _flagged_q(today: dt.date) -> Q:
    since = today - dt.timedelta(days=365)
    return Q(level__gte=3) & (
        ~Q(pk__in=EmergencyPlan.objects.filter(approved_on__gte=since).values("system_id"))
        | ~Q(pk__in=Drill.objects.filter(held_on__gte=since).values("system_id"))
    )


def flagged_without_plan_or_drill(
    visible: QuerySet[InformationSystem], today: dt.date
) -> QuerySet[InformationSystem]:
    """Level-3+ systems without an emergency plan approved, or a drill held, within the last year."""
    return visible.filter(_flagged_q(today))


def _per_jurisdiction(
    groups: list[dict[str, Any]],
    risks: QuerySet[Risk],
    findings: QuerySet[Finding],
    dangers: QuerySet[HiddenDanger],
    open_incidents: QuerySet[Incident],
) -> list[JurisdictionRow]:
    """One row per jurisdiction with systems or incidents, from the systems' groups and one grouped
    query per other figure (a row per jurisdiction comes back, never a row per record)."""
    rows: dict[int, JurisdictionRow] = {}

    def row(jid: int, name: str) -> JurisdictionRow:
        return rows.setdefault(jid, JurisdictionRow(name))

    for g in groups:
        r = row(g["jurisdiction_id"], g["name"])
        r.systems += g["n"]
        if (g["level"] or 0) >= 3:
            r.level3 += g["n"]
            r.overdue_evaluations += g["overdue_any"]  # the jurisdiction's overdue duties, first ones too
    by = ("system__jurisdiction_id", "system__jurisdiction__name")
    for jid, name, n in risks.values_list(*by).annotate(n=Count("pk")).order_by():
        row(jid, name).high_risks = n
    for jid, name, n in findings.values_list(*by).annotate(n=Count("pk")).order_by():
        row(jid, name).overdue_findings = n
    for jid, name, n in dangers.values_list(*by).annotate(n=Count("pk")).order_by():
        row(jid, name).overdue_dangers = n
    grouped = open_incidents.values_list("jurisdiction_id", "jurisdiction__name").annotate(n=Count("pk"))
    for jid, name, n in grouped.order_by():
        row(jid, name).open_incidents = n
    return list(rows.values())
