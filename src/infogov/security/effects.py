"""What the security steps write besides their declared record: every write goes through the step
context (StepContext.create/update, or the case's own fields), so the docket has its before and after."""

from __future__ import annotations

import datetime as dt
from typing import Any

from infogov.core.workflow.steps import StepContext

from . import duties
from .choices import DangerStatus, matrix_level
from .models import (
    Evaluation,
    Finding,
    GradingReview,
    HiddenDanger,
    IncidentReport,
    InformationSystem,
    Risk,
    RiskAssessment,
)
from .policies import DANGER_DEFAULT_DAYS

# -- the system register (第三十条第一款) ----------------------------------------------------------


def grade(case: Any, step: StepContext) -> None:
    """定级: the matrix's level and the declared one (never lower: A30-1-GRADING)."""
    given = step.input
    case.harmed_object = given.object_harmed
    case.harm_degree = given.harm_degree
    case.matrix_level = matrix_level(given.object_harmed, given.harm_degree)
    case.level = given.declared_level
    case.grading_reasoning = given.reasoning
    case.determined_on = given.determined_on
    case.review_override = False


def review_grading(case: Any, step: StepContext) -> None:
    """专家评审: the level the experts settle, lower than the matrix only with reasons (A30-1-OVERRIDE)."""
    given = step.input
    step.create(
        GradingReview,
        system=case,
        reviewed_on=given.reviewed_on,
        experts=given.experts,
        opinion=given.opinion,
        reviewed_level=given.reviewed_level,
        override_reasons=given.override_reasons,
        recorded_by=step.user,
    )
    case.review_override = case.matrix_level is not None and given.reviewed_level < case.matrix_level
    case.level = given.reviewed_level


def file_record(case: Any, step: StepContext) -> None:
    given = step.input
    case.filed_on = given.filed_on
    case.filing_number = given.filing_number
    case.filing_organ = given.filing_organ


def evaluate(case: Any, step: StepContext) -> None:
    """等级测评: the evaluation, and each issue found as a finding with its rectification duty."""
    given = step.input
    evaluation = step.create(
        Evaluation,
        system=case,
        evaluated_on=given.evaluated_on,
        agency=given.agency,
        report_number=given.report_number,
        result=given.result,
        score=given.score,
        recorded_by=step.user,
    )
    for issue in given.issues:
        finding = step.create(
            Finding,
            system=case,
            evaluation=evaluation,
            description=issue.description,
            severity=issue.severity,
            due_date=issue.due_date,
        )
        step.open_duty(
            duties.fixed(
                finding.duty_code, "整改测评发现的问题", "第三十条第一款", case.owner, issue.due_date
            )
        )
    if case.last_evaluated_on is None or given.evaluated_on > case.last_evaluated_on:
        case.last_evaluated_on = given.evaluated_on


def rectify(case: Any, step: StepContext) -> None:
    given = step.input
    finding = Finding.objects.get(pk=given.finding_id, system=case)
    step.update(finding, rectified_on=given.rectified_on, rectification=given.rectification)
    step.close_duty(finding.duty_code)


def backup(case: Any, step: StepContext) -> None:
    given = step.input
    case.backup_scope = given.backup_scope
    case.backup_frequency = given.backup_frequency
    case.backup_location = given.backup_location
    case.last_restore_test = given.last_restore_test


def assess_risks(case: Any, step: StepContext) -> None:
    """风险评估 (GB/T 20984-2022): the assessment and its risks, each with value = likelihood × impact."""
    given = step.input
    assessment = step.create(
        RiskAssessment,
        system=case,
        assessed_on=given.assessed_on,
        assets=given.assets,
        threats=given.threats,
        vulnerabilities=given.vulnerabilities,
        existing_measures=given.existing_measures,
        recorded_by=step.user,
    )
    for r in given.risks:
        step.create(
            Risk,
            assessment=assessment,
            system=case,
            name=r.name,
            likelihood=r.likelihood,
            impact=r.impact,
            value=r.likelihood * r.impact,
            treatment=r.treatment,
            treatment_owner=r.treatment_owner,
            due_date=r.due_date,
            residual_likelihood=r.residual_likelihood,
            residual_impact=r.residual_impact,
        )


def treat_risk(case: Any, step: StepContext) -> None:
    given = step.input
    risk = Risk.objects.get(pk=given.risk_id, system=case)
    step.update(
        risk,
        treated_on=given.treated_on,
        residual_likelihood=given.residual_likelihood,
        residual_impact=given.residual_impact,
    )


def answer_danger(case: Any, step: StepContext) -> None:
    """The owner reports the rectification of a hidden danger (第三十二条); the city authority verifies."""
    given = step.input
    danger = HiddenDanger.objects.get(pk=given.danger_id, system=case)
    step.update(danger, status=DangerStatus.ANSWERED, answer=given.answer, answered_on=given.answered_on)


# -- incidents (第三十条第二款) -------------------------------------------------------------------


def report_incident(case: Any, step: StepContext) -> None:
    """A report to the competent authority; one after the deadline stays recorded as late."""
    given = step.input
    late = case.report_deadline is not None and given.reported_at > case.report_deadline
    minutes = int((given.reported_at - case.report_deadline).total_seconds() // 60) if late else 0
    step.create(
        IncidentReport,
        incident=case,
        reported_at=given.reported_at,
        recipient=given.recipient,
        content=given.content,
        late=late,
        minutes_late=minutes,
        recorded_by=step.user,
    )
    if case.first_reported_at is None or given.reported_at < case.first_reported_at:
        case.first_reported_at = given.reported_at
    step.close_duty("sec-incident-report")


def close_incident(case: Any, step: StepContext) -> None:
    given = step.input
    case.closed_on = given.closed_on
    case.root_cause = given.root_cause
    case.lessons = given.lessons


# -- inspections (第三十二条) ---------------------------------------------------------------------


def record_danger(case: Any, step: StepContext) -> None:
    """A hidden danger on a system, with its rectification duty owed by the system's owner."""
    given = step.input
    system = InformationSystem.objects.select_related("owner").get(pk=given.system_id)
    deadline = given.deadline or given.found_on + dt.timedelta(
        days=int(DANGER_DEFAULT_DAYS.on(given.found_on))
    )
    danger = step.create(
        HiddenDanger,
        inspection=case,
        system=system,
        found_on=given.found_on,
        description=given.description,
        severity=given.severity,
        deadline=deadline,
    )
    step.open_duty(
        duties.fixed(danger.duty_code, f"整改安全隐患：{system.title}", "第三十二条", system.owner, deadline)
    )


def verify_danger(case: Any, step: StepContext) -> None:
    given = step.input
    danger = HiddenDanger.objects.get(pk=given.danger_id, inspection=case)
    verified = given.conclusion == "verified"
    step.update(
        danger,
        status=DangerStatus.VERIFIED if verified else DangerStatus.RETURNED,
        verify_comment=given.comment,
        verified_on=given.verified_on,
    )
    if verified:
        step.close_duty(danger.duty_code)


def complete_inspection(case: Any, step: StepContext) -> None:
    case.summary = step.input.summary


# -- responsibility and telecom filings ----------------------------------------------------------


def set_responsibility(case: Any, step: StepContext) -> None:
    given = step.input
    case.leader = given.leader
    case.officer = given.officer
    case.officer_contact = given.officer_contact
    case.responsibilities = given.responsibilities
    case.reviewed_on = given.reviewed_on


def submit_telecom(case: Any, step: StepContext) -> None:
    given = step.input
    case.project_name = given.project_name
    case.plan_summary = given.plan_summary
    case.submitted_on = given.submitted_on


def file_telecom(case: Any, step: StepContext) -> None:
    given = step.input
    case.filed_on = given.filed_on
    case.filing_number = given.filing_number
    case.receipt = given.receipt
