"""Reads of the security register, restricted to what the user may see (第四条): operators their own
systems, authorities their jurisdiction and below, co-supervisors read-only, the city authority all.

Also the reads other apps use (through this module only): the projects app asks here for the systems a
project delivers and whether their protection level is determined (三同步, 第三十一条第一款)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from infogov.core.models import Obligation
from infogov.core.workflow.obligations import todo_for
from infogov.core.workflow.permissions import restrict

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
    return protection_status(
        InformationSystem.objects.filter(source_project_id=project_id).values_list("pk", flat=True)
    )


def protection_status(system_ids: Any) -> list[ProtectionStatus]:
    rows = InformationSystem.objects.filter(pk__in=list(system_ids)).values_list(
        "pk", "title", "level", "determined_on", "filed_on", "last_evaluated_on"
    )
    return [
        ProtectionStatus(pk, title, level, determined is not None, filed is not None, evaluated)
        for pk, title, level, determined, filed, evaluated in rows
    ]


def system_choices(owner_id: int) -> list[tuple[int, str]]:
    """The live systems of a unit, for a project's 新建或改造的系统."""
    return list(
        InformationSystem.objects.filter(owner_id=owner_id, state__in=LIVE)
        .order_by("title")
        .values_list("pk", "title")
    )


# -- the overview (第三十条至第三十二条) ---------------------------------------------------------------


@dataclass
class JurisdictionRow:
    name: str
    systems: int = 0
    level3: int = 0
    overdue_evaluations: int = 0
    high_risks: int = 0
    overdue_rectifications: int = 0
    open_incidents: int = 0


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
    late_reports: int
    unreported_overdue: int
    overdue_findings: int
    overdue_dangers: int
    flagged_plans: list[InformationSystem]
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
    incidents, overdue rectifications, per jurisdiction. A handful of aggregate queries."""
    today = today or timezone.localdate()
    visible = restrict(InformationSystem.objects.filter(state__in=LIVE), user)
    ids = visible.values("pk")
    by_level: dict[str, int] = {}
    for level, n in visible.values_list("level").annotate(n=Count("pk")).order_by("level"):
        by_level["未定级" if level is None else f"第{'一二三四五'[level - 1]}级"] = n
    level3 = visible.filter(level__gte=3)
    overdue_eval = set(
        _overdue_case_ids(InformationSystem, "sec-evaluation", today).values_list("case_id", flat=True)
    )
    l3 = list(level3.values_list("pk", "last_evaluated_on", "jurisdiction__name"))
    missing = sum(1 for _, evaluated, _ in l3 if evaluated is None)
    overdue = sum(1 for pk, evaluated, _ in l3 if evaluated is not None and pk in overdue_eval)
    risks = Risk.objects.filter(system__in=ids, value__gte=HIGH_RISK, treated_on__isnull=True)
    findings = Finding.objects.filter(system__in=ids, rectified_on__isnull=True, due_date__lt=today)
    dangers = HiddenDanger.objects.filter(
        system__in=ids,
        deadline__lt=today,
        status__in=(DangerStatus.OPEN, DangerStatus.RETURNED, DangerStatus.ANSWERED),
    )
    open_incidents = restrict(Incident.objects.filter(state=IncidentState.HANDLING), user)
    now = timezone.now()
    result = Overview(
        today=today,
        by_level=by_level,
        level3_total=len(l3),
        evaluation_current=len(l3) - missing - overdue,
        evaluation_overdue=overdue,
        evaluation_missing=missing,
        high_risks=list(risks.select_related("system").order_by("-value", "due_date")[:20]),
        high_risk_count=risks.count(),
        open_incidents=list(open_incidents.select_related("owner").order_by("detected_at")[:20]),
        late_reports=IncidentReport.objects.filter(
            incident__in=restrict(Incident.objects.all(), user).values("pk"), late=True
        ).count(),
        unreported_overdue=open_incidents.filter(
            first_reported_at__isnull=True, report_deadline__lt=now
        ).count(),
        overdue_findings=findings.count(),
        overdue_dangers=dangers.count(),
        flagged_plans=flagged_without_plan_or_drill(visible, today)[:50],
    )
    result.rows = _per_jurisdiction(visible, l3, overdue_eval, risks, findings, dangers, open_incidents)
    return result


def flagged_without_plan_or_drill(
    visible: QuerySet[InformationSystem], today: dt.date
) -> list[InformationSystem]:
    """Level-3+ systems without an emergency plan approved, or a drill held, within the last year."""
    since = today - dt.timedelta(days=365)
    with_plan = EmergencyPlan.objects.filter(approved_on__gte=since).values("system_id")
    with_drill = Drill.objects.filter(held_on__gte=since).values("system_id")
    return list(
        visible.filter(level__gte=3)
        .filter(~Q(pk__in=with_plan) | ~Q(pk__in=with_drill))
        .select_related("owner", "jurisdiction")
        .order_by("jurisdiction__code", "title")
    )


def _per_jurisdiction(
    visible: QuerySet[InformationSystem],
    l3: list[tuple[int, Any, str]],
    overdue_eval: set[int],
    risks: QuerySet[Risk],
    findings: QuerySet[Finding],
    dangers: QuerySet[HiddenDanger],
    open_incidents: QuerySet[Incident],
) -> list[JurisdictionRow]:
    rows: dict[str, JurisdictionRow] = defaultdict(lambda: JurisdictionRow(""))

    def row(name: str) -> JurisdictionRow:
        rows[name].name = name
        return rows[name]

    for name, n in visible.values_list("jurisdiction__name").annotate(n=Count("pk")).order_by():
        row(name).systems = n
    for pk, _, name in l3:
        row(name).level3 += 1
        if pk in overdue_eval:
            row(name).overdue_evaluations += 1
    for name, n in risks.values_list("system__jurisdiction__name").annotate(n=Count("pk")).order_by():
        row(name).high_risks = n
    for qs in (findings, dangers):
        for name, n in qs.values_list("system__jurisdiction__name").annotate(n=Count("pk")).order_by():
            row(name).overdue_rectifications += n
    for name, n in open_incidents.values_list("jurisdiction__name").annotate(n=Count("pk")).order_by():
        row(name).open_incidents = n
    return sorted(rows.values(), key=lambda r: (-r.systems, r.name))
