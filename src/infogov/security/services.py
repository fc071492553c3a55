"""Opening the security cases (what is not a step of a workflow): registering a system, a unit's
responsibility record or a telecom filing, opening an incident, planning an inspection. Every change
after that is a declared step fired by the core engine."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from infogov.core.workflow import engine as workflow
from infogov.core.workflow.obligations import obligation_open
from infogov.core.workflow.rules import RuleContext
from infogov.org.models import Organisation
from infogov.org.selectors import authority_of, city

from . import rules as r
from .models import Incident, InformationSystem, Inspection, Responsibility, TelecomPlanFiling
from .policies import report_hours

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


def incident_open(
    *,
    user: Any,
    title: str,
    detected_at: dt.datetime,
    grade: str,
    critical_operator: bool = False,
    system_ids: list[int] | None = None,
    affected_data: str = "",
    measures: str = "",
    owner: Organisation | None = None,
) -> Incident:
    """登记网络安全事件 (第三十条第二款) and open the duty to report it, clocked from detection by the
    deadline policy in force on the day it was detected."""
    owner = _own_unit(user, owner)
    ids = sorted(set(system_ids or []))
    r.require(
        owner,
        RuleContext(user=user, payload={"system_ids": ids}),
        r.reports_for_own_unit,
        r.affected_systems_own,
    )
    assert owner is not None
    detected_day = timezone.localtime(detected_at).date()
    deadline = detected_at + dt.timedelta(hours=report_hours(grade, critical_operator, detected_day))
    with transaction.atomic():
        incident = workflow.create(
            Incident,
            user=user,
            owner=owner,
            jurisdiction=owner.jurisdiction,
            title=title,
            detected_at=detected_at,
            grade=grade,
            critical_operator=critical_operator,
            affected_data=affected_data,
            measures=measures,
            report_deadline=deadline,
        )
        if ids:
            incident.systems.set(ids)
        obligation_open(
            case=incident,
            code="sec-incident-report",
            title=f"报告网络安全事件（{grade}）",
            citation="第三十条第二款",
            owed_by=owner,
            owed_to=authority_of(owner.jurisdiction),
            due_date=timezone.localtime(deadline).date(),
        )
    return incident


def inspection_plan(
    *,
    user: Any,
    title: str,
    scope: str,
    sectors: str = "",
    planned_start: dt.date | None = None,
    planned_end: dt.date | None = None,
    inspectors: str = "",
) -> Inspection:
    """市信息化主管部门 plans a security inspection (第三十二条); only the city authority may."""
    r.require(None, RuleContext(user=user), r.acts_as_city_authority)
    authority = authority_of(city())
    return workflow.create(
        Inspection,
        user=user,
        owner=authority,
        jurisdiction=authority.jurisdiction,
        title=title,
        scope=scope,
        sectors=sectors,
        planned_start=planned_start,
        planned_end=planned_end,
        inspectors=inspectors,
    )
