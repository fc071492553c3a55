"""Opening the security cases (what is not a step of a workflow): registering a system, a unit's
responsibility record or a telecom filing, opening an incident, planning an inspection. Every change
after that is a declared step fired by the core engine.

system_from_procedure is this app's side of core.hooks.REGISTER_SYSTEM (named in apps.py): another
app's procedure — a project's delivery (第三十一条第一款 同步运行) — enters its system into the register
without importing this app."""

from __future__ import annotations

import datetime as dt
from typing import Any, NamedTuple

from django.db import transaction
from django.utils import timezone

from infogov.core.hooks import RegisteredSystem, SystemEntry
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.obligations import obligation_open
from infogov.core.workflow.payloads import validate
from infogov.core.workflow.rules import RuleContext
from infogov.core.workflow.values import jsonable
from infogov.org.models import Organisation
from infogov.org.selectors import authority_of, city

from . import rules as r
from .choices import SystemState
from .models import Incident, InformationSystem, Inspection, Responsibility, TelecomPlanFiling
from .payloads import IncidentOpenIn, InspectionPlanIn
from .policies import report_hours


class Opening(NamedTuple):
    """A case about to be opened, as its check found it: the unit it is opened for and the typed input."""

    owner: Organisation
    input: Any


SYSTEM_FIELDS = frozenset(
    {
        "title",
        "purpose",
        "operator_id",
        "network",
        "hosting",
        "data_categories",
        "sector",
        "critical",
        "security_officer",
        "security_contact",
        "source_project_id",
    }
)


def _own_unit(user: Any, owner: Organisation | None) -> Organisation | None:
    return owner or getattr(user, "organisation", None)


def system_register(*, user: Any, owner: Organisation | None = None, **fields: Any) -> InformationSystem:
    """登记信息系统 for the user's own unit (第三十条第一款)."""
    owner = _own_unit(user, owner)
    r.require(owner, RuleContext(user=user), r.registers_for_own_unit)
    assert owner is not None
    fields = {k: v for k, v in fields.items() if k in SYSTEM_FIELDS}
    return workflow.create(
        InformationSystem, user=user, owner=owner, jurisdiction=owner.jurisdiction, **fields
    )


def system_from_procedure(entry: SystemEntry) -> RegisteredSystem:
    """A system another procedure delivers enters the register (第三十一条第一款 同步运行), for the unit
    the acting user works for: a new entry (登记, its docket opened as system_register opens it), or
    the unit's live entry of that title, rebuilt by the project — an edit with each field's before and
    after: the source project, the purpose, the in-service date, and the level while none is
    determined (a determined level, 定级, is the register's own and stays)."""
    owner = entry.owner
    r.require(owner, RuleContext(user=entry.user), r.registers_for_own_unit)
    with transaction.atomic():
        existing = (
            InformationSystem.objects.select_for_update()
            .filter(owner_id=owner.pk, title=entry.title)
            .exclude(state=SystemState.RETIRED)
            .order_by("pk")
            .first()
        )
        facts: dict[str, Any] = {
            "purpose": entry.purpose,
            "source_project_id": entry.source_project_id,
            "in_service_since": entry.in_service_since,
        }
        if existing is None:
            case = workflow.create(
                InformationSystem,
                user=entry.user,
                comment=entry.comment,
                owner=owner,
                jurisdiction=owner.jurisdiction,
                title=entry.title,
                level=entry.level,
                **facts,
            )
            return RegisteredSystem(case.pk, case.title, created=True)
        if existing.determined_on is None:
            facts["level"] = entry.level
        changes = {
            k: {"before": jsonable(getattr(existing, k)), "after": jsonable(v)}
            for k, v in facts.items()
            if v not in (None, "") and getattr(existing, k) != v
        }
        if changes:
            workflow.edit(
                existing,
                user=entry.user,
                changes={k: facts[k] for k in changes},
                comment=entry.comment,
                citation="第三十一条第一款",
            )
        return RegisteredSystem(existing.pk, existing.title, created=False, changes=changes)


def responsibility_create(*, user: Any, owner: Organisation | None = None, title: str = "") -> Responsibility:
    """草拟本单位的信息安全保障工作责任制 (第三十条第一款)."""
    owner = _own_unit(user, owner)
    r.require(owner, RuleContext(user=user), r.registers_for_own_unit)
    assert owner is not None
    return workflow.create(
        Responsibility,
        user=user,
        owner=owner,
        jurisdiction=owner.jurisdiction,
        title=title or f"{owner.name}信息安全保障工作责任制",
    )


def telecom_filing_create(*, user: Any, title: str, owner: Organisation | None = None) -> TelecomPlanFiling:
    """A communications-infrastructure project's security-plan filing (第三十一条第二款), drafted by its
    unit."""
    owner = _own_unit(user, owner)
    r.require(owner, RuleContext(user=user), r.registers_for_own_unit)
    assert owner is not None
    return workflow.create(
        TelecomPlanFiling, user=user, owner=owner, jurisdiction=owner.jurisdiction, title=title
    )


def incident_open_check(*, user: Any, owner: Organisation | None = None, **fields: Any) -> Opening:
    """What incident_open() refuses, judged without writing (the page's "请核对" step): who may act
    (本单位), the typed input (IncidentOpenIn), the affected systems (本单位登记的) and the time."""
    owner = _own_unit(user, owner)
    r.require(owner, RuleContext(user=user), r.reports_for_own_unit)
    assert owner is not None
    typed = validate(IncidentOpenIn, fields)[0]
    assert isinstance(typed, IncidentOpenIn)
    ctx = RuleContext(user=user, payload={"system_ids": typed.system_ids}, input=typed)
    r.require(owner, ctx, r.affected_systems_own, r.detected_not_in_future)
    return Opening(owner, typed)


def incident_open(*, user: Any, owner: Organisation | None = None, **fields: Any) -> Incident:
    """登记网络安全事件 (第三十条第二款) and open the duty to report it, clocked from detection by the
    deadline policy in force on the day it was detected. `fields` are IncidentOpenIn's; the account of
    what happened (description) is the comment of the case's first docket event."""
    owner, given = incident_open_check(user=user, owner=owner, **fields)
    assert isinstance(given, IncidentOpenIn)
    detected_at = given.detected_at
    detected_day = timezone.localtime(detected_at).date()
    hours = report_hours(given.grade, given.critical_operator, detected_day)
    deadline = detected_at + dt.timedelta(hours=hours)
    with transaction.atomic():
        incident = workflow.create(
            Incident,
            user=user,
            comment=given.description,
            owner=owner,
            jurisdiction=owner.jurisdiction,
            title=given.title,
            detected_at=detected_at,
            grade=given.grade,
            critical_operator=given.critical_operator,
            affected_data=given.affected_data,
            measures=given.measures,
            report_deadline=deadline,
        )
        if given.system_ids:
            incident.systems.set(sorted(set(given.system_ids)))
        obligation_open(
            case=incident,
            code="sec-incident-report",
            title=f"报告网络安全事件（{given.grade}）",
            citation="第三十条第二款",
            owed_by=owner,
            owed_to=authority_of(owner.jurisdiction),
            due_date=timezone.localtime(deadline).date(),
        )
    return incident


def inspection_plan_check(*, user: Any, **fields: Any) -> Opening:
    """What inspection_plan() refuses, judged without writing: only 市信息化主管部门 (第三十二条), the typed
    input (InspectionPlanIn), the schedule and the inspected units and systems from the register."""
    r.require(None, RuleContext(user=user), r.acts_as_city_authority)
    typed = validate(InspectionPlanIn, fields)[0]
    assert isinstance(typed, InspectionPlanIn)
    r.require(None, RuleContext(user=user, input=typed), r.schedule_in_order, r.inspected_objects_registered)
    return Opening(authority_of(city()), typed)


def inspection_plan(*, user: Any, **fields: Any) -> Inspection:
    """市信息化主管部门 plans a security inspection (第三十二条); only the city authority may. The units and
    systems chosen from the register are written into the scope (检查对象), by reference and name."""
    authority, given = inspection_plan_check(user=user, **fields)
    assert isinstance(given, InspectionPlanIn)
    return workflow.create(
        Inspection,
        user=user,
        owner=authority,
        jurisdiction=authority.jurisdiction,
        title=given.title,
        scope=_scope_with_objects(given),
        sectors=given.sectors,
        planned_start=given.planned_start,
        planned_end=given.planned_end,
        inspectors=given.inspectors,
    )


def _scope_with_objects(given: InspectionPlanIn) -> str:
    lines = [given.scope]
    if given.unit_ids:
        names = (
            Organisation.objects.filter(pk__in=given.unit_ids).order_by("name").values_list("name", flat=True)
        )
        lines.append("被检查单位：" + "、".join(names))
    if given.system_ids:
        chosen = InformationSystem.objects.filter(pk__in=given.system_ids).order_by("reference")
        lines.append(
            "被检查的信息系统：" + "、".join(f"{s} {t}" for s, t in chosen.values_list("reference", "title"))
        )
    return "\n".join(lines)
