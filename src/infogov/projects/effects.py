"""The effects of a project's and an annual plan's steps: the records a step writes, in the same
transaction as the step (workflows.py declares the steps and their duties; this module is what they do).

Case fields are set on the project (the core records their before and after); records under the case
are written through step.create / step.update, so the docket event carries every change.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from infogov.core.errors import InvalidInput, NotFound
from infogov.core.hooks import REGISTER_SYSTEM, SystemEntry
from infogov.core.workflow.engine import StepContext
from infogov.core.workflow.obligations import Duty
from infogov.org.models import Organisation
from infogov.org.selectors import authority_of

from . import payloads as P
from .choices import ReviewOpinion
from .deadlines import CONDITION_DAYS, days_after
from .models import (
    Acceptance,
    AnnualConstructionPlan,
    Disbursement,
    InspectionFinding,
    OutsourcingReview,
    ProcurementRecord,
    ProgressReport,
    Project,
    ProjectReview,
    ReviewCondition,
    ReviewFinding,
    SimilarityHit,
    Standard,
    SupervisionInspection,
    TestReport,
)
from .rules import operating_level


def _day(step: StepContext, given: dt.date | None = None) -> dt.date:
    """The date a record carries: the one given, else the day the step is taken."""
    return given or step.today or timezone.localdate()


def _create_or_update(
    step: StepContext, existing: Any, model: type, keys: dict[str, Any], **fields: Any
) -> Any:
    """One record per `keys`: change the existing one (before/after) or add it."""
    if existing is not None:
        step.update(existing, **fields)
        return existing
    return step.create(model, **keys, **fields)


def note_similar(project: Project, step: StepContext) -> dict[str, Any]:
    from .similarity import record_similar

    hits = record_similar(project)
    return {
        "similar": {
            "before": None,
            "after": [{"ref": h.other_label, "score": round(h.score, 3)} for h in hits],
        }
    }


def include_in_plan(project: Project, step: StepContext) -> None:
    project.annual_plan = AnnualConstructionPlan.objects.get(pk=step.input.plan_id)


def _decided_at(day: dt.date | None) -> dt.datetime:
    """When the review opinion was given: now, or noon of the date the step names (an act recorded later)."""
    if day is None or day == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def review_decision(opinion: str) -> Any:
    def effect(project: Project, step: StepContext) -> None:
        given: P.ReviewPassIn | None = step.input
        conditions = given.conditions if given is not None else []
        actual = ReviewOpinion.CONDITIONAL if opinion == ReviewOpinion.PASS and conditions else opinion
        _create_or_update(
            step,
            ProjectReview.objects.filter(project=project).first(),
            ProjectReview,
            {"project": project},
            opinion=actual,
            comment=step.comment,
            decided_by=step.user,
            decided_at=_decided_at(given.decided_on if given is not None else None),
        )
        default_due = days_after(CONDITION_DAYS, _day(step))  # platform policy (第九条第二款)
        common_due = given.due_date if given is not None else None  # one deadline for all, from a form
        for c in conditions:
            step.create(
                ReviewCondition,
                project=project,
                text=c.text,
                due_date=common_due or c.due_date or default_due,
            )

    return effect


def record_procurement(project: Project, step: StepContext) -> None:
    given: P.ProcurementIn = step.input
    step.create(
        ProcurementRecord,
        project=project,
        method=given.method,
        notice_number=given.notice_number,
        supplier=given.supplier,
        contract_amount=given.contract_amount,
        contract_date=_day(step, given.contract_date),
    )


def complete(project: Project, step: StepContext) -> None:
    project.completed_on = _day(step, step.input.completed_on)


def record_test(project: Project, step: StepContext) -> None:
    given: P.TestIn = step.input
    step.create(
        TestReport,
        project=project,
        tester=given.tester,
        tested_on=_day(step, given.tested_on),
        passed=given.passed,
        standards=list(given.standards),
        summary=given.summary,
    )


def record_acceptance(passed: bool) -> Any:
    def effect(project: Project, step: StepContext) -> None:
        given: P.AcceptanceIn = step.input
        step.create(
            Acceptance,
            project=project,
            held_on=_day(step, given.held_on),
            committee=list(given.committee),
            passed=passed,
            opinion=step.comment,
            security_measures_built=list(given.security_measures_built),
            security_evidence=given.security_evidence,
        )

    return effect


def register_system(project: Project, step: StepContext) -> dict[str, Any]:
    """同步运行: the delivered system enters the security register with its protection level — through
    core.hooks.REGISTER_SYSTEM, which the security app provides (this app never imports its internals);
    the register writes its own docket event, and this step's event names the entry."""
    given: P.DeliverIn = step.input
    name = given.system_name or project.title
    entry = REGISTER_SYSTEM(
        SystemEntry(
            user=step.user,
            owner=project.owner,
            title=name,
            level=operating_level(project, given),
            purpose=project.content,
            source_project_id=project.pk,
            in_service_since=_day(step),
            comment=f"{project.reference} 交付使用（第三十一条第一款 同步运行）",
        )
    )
    after = {"id": entry.id, "title": entry.title}
    return {"information_system": {"before": None, "after": after}}


def set_standards(project: Project, codes: list[str]) -> list[str]:
    """The project's declared standards (第十二条); codes not in the catalogue are refused (422). A code
    typed in another spelling ("GB18030") reads as the catalogue's ("GB 18030-2022")."""
    from .standards import canonical

    codes = canonical(codes)
    found = {s.code: s for s in Standard.objects.filter(code__in=codes)}
    missing = [c for c in codes if c not in found]
    if missing:
        raise InvalidInput(
            "标准目录中没有：" + "、".join(missing),
            code="unknown_standard",
            details=[{"loc": ["standards"], "msg": "、".join(missing)}],
        )
    project.standards.set(found.values())
    return sorted(found)


def declare_standards(project: Project, step: StepContext) -> dict[str, Any]:
    before = sorted(project.standards.values_list("code", flat=True))
    after = set_standards(project, list(step.input.standards))
    return {"standards": {"before": before, "after": after}}


def record_finding(project: Project, step: StepContext) -> None:
    """One dimension's finding; the sharing finding marks the similar projects it answers (第六条)."""
    given: P.FindingIn = step.input
    wanted = set(given.acknowledged_hits)
    hits = list(SimilarityHit.objects.filter(project=project, pk__in=wanted).order_by("pk"))
    if len(hits) != len(wanted):
        raise InvalidInput(
            "所回应的相似项目不属于本项目",
            code="invalid_acknowledgement",
            details=[{"loc": ["acknowledged_hits"], "msg": "所回应的相似项目不属于本项目"}],
        )
    for h in hits:
        step.update(h, acknowledged=True, note=given.text)
    _create_or_update(
        step,
        ReviewFinding.objects.filter(project=project, dimension=given.dimension).first(),
        ReviewFinding,
        {"project": project, "dimension": given.dimension},
        conclusion=given.conclusion,
        text=given.text,
        recorded_by=step.user,
        recorded_at=timezone.now(),
    )


def review_outsourcing(project: Project, step: StepContext) -> None:
    given: P.OutsourcingIn = step.input
    _create_or_update(
        step,
        OutsourcingReview.objects.filter(project=project).first(),
        OutsourcingReview,
        {"project": project},
        approved=given.approved,
        opinion=given.opinion,
        reviewed_by=step.user,
        reviewed_at=timezone.now(),
    )


def report_progress(project: Project, step: StepContext) -> None:
    given: P.ProgressIn = step.input
    step.create(
        ProgressReport,
        project=project,
        percent=given.percent,
        note=given.note,
        reported_on=_day(step, given.reported_on),
        reported_by=step.user,
    )


def record_disbursement(project: Project, step: StepContext) -> None:
    given: P.DisbursementIn = step.input
    step.create(
        Disbursement,
        project=project,
        amount=given.amount,
        purpose=given.purpose,
        paid_on=_day(step, given.paid_on),
        recorded_by=step.user,
    )


def _fixed_date(day: dt.date) -> Any:
    """A due rule that is a given date (a finding's rectification deadline)."""

    def due(case: Any, today: dt.date) -> dt.date:
        return day

    return due


def inspect(project: Project, step: StepContext) -> dict[str, Any]:
    """监督检查 with its co-supervisors and findings; each finding opens the construction unit's duty
    to rectify it by its deadline (its code names the finding)."""
    given: P.InspectionIn = step.input
    inspection = step.create(
        SupervisionInspection,
        project=project,
        opened_by=step.user,
        summary=given.summary,
        opened_on=_day(step, given.opened_on),
    )
    orgs = list(Organisation.objects.filter(pk__in=given.cosupervisors).order_by("pk"))
    inspection.cosupervisors.set(orgs)
    for f in given.findings:
        finding = step.create(
            InspectionFinding,
            inspection=inspection,
            project=project,
            text=f.text,
            severity=f.severity,
            due_date=f.due_date,
        )
        step.open_duty(
            Duty(
                finding.obligation_code,
                f"整改监督检查问题：{f.text[:60]}",
                "第十四条",
                owed_by=lambda c: c.owner,
                owed_to=lambda c: authority_of(c.jurisdiction),
                due=_fixed_date(f.due_date),
            )
        )
    return {"cosupervisors": {"before": [], "after": [o.name for o in orgs]}}


def rectify(project: Project, step: StepContext) -> None:
    finding = project.inspection_findings.select_for_update().filter(pk=step.input.finding_id).first()
    if finding is None:
        raise NotFound()
    step.update(finding, rectification=step.input.rectification, rectified_at=timezone.now())
    step.close_duty(finding.obligation_code)


def override_risk(project: Project, step: StepContext) -> None:
    project.risk_override = step.input.level
    project.risk_override_reason = step.input.reason
