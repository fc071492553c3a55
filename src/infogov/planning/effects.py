"""The effects of a plan version's steps (workflows.py declares the steps; this module is what they write).

The transitions' effects set fields of the version and return them as the docket's field-level
changes; the Record steps' effects write every record under the version through step.create /
step.update, so that the docket event of the step carries the before and after of each write.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from infogov.core import docnumbers
from infogov.core.errors import InvalidInput, NotFound
from infogov.core.workflow import engine as core_workflow
from infogov.core.workflow.engine import StepContext, snapshot
from infogov.org.models import Organisation

from . import rules as r
from .models import (
    CommentNotification,
    ExecutionReport,
    ExpertOpinion,
    Inspection,
    InspectionFinding,
    PlanGoal,
    PlanTask,
    PlanVersion,
    PublicComment,
    TaskProgress,
)

# -- effects: the fields a step sets (returned as the docket's field-level changes) ----------------


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, models.Model) else value


def _set(version: PlanVersion, **values: Any) -> dict[str, Any]:
    changes = {}
    for name, value in values.items():
        before = getattr(version, name)
        if before != value:
            changes[name] = {"before": _plain(before), "after": _plain(value)}
            setattr(version, name, value)
    return changes


def set_window(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    return _set(version, consultation_start=step.input.start, consultation_end=step.input.end)


def next_round(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    """Back to drafting: the next consultation and expert review are a new round (原编制程序)."""
    return _set(version, review_round=version.review_round + 1)


def snapshot_findings(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    from .selectors import consistency_findings

    return _set(version, findings=consistency_findings(version))


def _number(issuer: Organisation | None, kind: str, typed: str, step: StepContext) -> str:
    """The document number typed (one the issuer gave outside the platform), else the issuer's next
    number, allocated in this step's transaction (core.docnumbers: 吉市工信备〔2026〕12号)."""
    if typed or issuer is None:
        return typed
    return docnumbers.allocate(issuer, kind, step.act_date or step.today or timezone.localdate())


def record_approval(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    body = r.approving_body(version)
    typed = str(step.payload.get("document", ""))[:100]
    return _set(
        version,
        approved_at=timezone.now(),
        approval_body=body,
        approval_document=_number(body, docnumbers.DocumentKind.APPROVAL, typed, step),
        leader_signoff=str(step.payload.get("leader_signoff", ""))[:100],
    )


def record_publication(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    return _set(version, published_at=timezone.now())


def record_filing(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    authority = r.filing_authority(version)
    typed = str(step.payload.get("filing_number", ""))[:100]
    return _set(
        version,
        filed_at=timezone.now(),
        filed_with=authority,
        filing_number=_number(authority, docnumbers.DocumentKind.FILING, typed, step),
    )


def take_effect(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    """In force: the predecessor (if this is a change) is superseded, and the year's execution
    report falls due (第七条)."""
    changes = _set(version, in_force_at=timezone.now())
    if version.supersedes_id:
        old = PlanVersion.objects.get(pk=version.supersedes_id)
        token = r.SUCCESSOR_IN_FORCE.set(version)
        try:
            core_workflow.fire(old, "supersede", user=step.user, comment=f"由第 {version.number} 版替代")
        finally:
            r.SUCCESSOR_IN_FORCE.reset(token)
        changes["superseded_version"] = {"before": None, "after": old.pk}
    from .services import execution_obligation_open

    execution_obligation_open(version=version, year=timezone.localdate().year, event=None)
    return changes


def record_supersession(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    from .services import execution_obligations_cancel

    execution_obligations_cancel(version=version)
    return _set(version, superseded_at=timezone.now())


# -- effects of the Record steps: every write through step.create/step.update (the docket's before/after)


def _reindex(version: PlanVersion) -> None:
    """The version's search text after a change of its text, goals or tasks (derived, not docketed)."""
    from .services import search_document

    PlanVersion.objects.filter(pk=version.pk).update(search_text=search_document(version))


def _gone(step: StepContext, obj: Any) -> None:
    """Delete a record under the case, noting what it was in the step's docket event."""
    step.changes[f"{obj._meta.model_name}#{obj.pk}"] = {"before": snapshot(obj), "after": None}
    obj.delete()


def edit_draft(version: PlanVersion, step: StepContext) -> None:
    """Only the fields given change (the engine records their before and after on the case)."""
    given = step.input
    for name in given.model_fields_set:
        value = getattr(given, name)
        if value is not None:
            setattr(version, name, value)
    _reindex(version)


def add_goal(version: PlanVersion, step: StepContext) -> None:
    step.create(PlanGoal, version=version, seq=version.goals.count() + 1, text=step.input.text)
    _reindex(version)


def _task_values(version: PlanVersion, given: Any, names: Any) -> dict[str, Any]:
    """The task's fields from the input, its references checked against this plan."""
    values = {name: getattr(given, name) for name in names}
    if values.get("goal_id") and not version.goals.filter(pk=values["goal_id"]).exists():
        raise InvalidInput("所属目标不属于本规划", code="invalid_goal")
    if values.get("responsible_id") and not Organisation.objects.filter(pk=values["responsible_id"]).exists():
        raise InvalidInput("责任单位不存在", code="invalid_org")
    if values.get("parent_task_id"):
        parent_version = r.in_force_version(version.plan.parent)
        if parent_version is None or not parent_version.tasks.filter(pk=values["parent_task_id"]).exists():
            raise InvalidInput("对应的上级规划任务不属于施行中的依据规划", code="invalid_parent_task")
    return values


def _task_of(version: PlanVersion, pk: int) -> PlanTask:
    task = version.tasks.filter(pk=pk).first()
    if task is None:
        raise NotFound("该任务不存在或不属于本规划")
    return task


def add_task(version: PlanVersion, step: StepContext) -> None:
    values = _task_values(version, step.input, type(step.input).model_fields)
    step.create(PlanTask, version=version, seq=version.tasks.count() + 1, **values)
    _reindex(version)


def update_task(version: PlanVersion, step: StepContext) -> None:
    given = step.input
    task = _task_of(version, given.task_id)
    names = [n for n in given.model_fields_set if n != "task_id" and not (n == "text" and given.text is None)]
    if step.update(task, **_task_values(version, given, names)):
        _reindex(version)


def remove_task(version: PlanVersion, step: StepContext) -> None:
    _gone(step, _task_of(version, step.input.task_id))
    _reindex(version)


def create_successor(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    """因特殊情况确需变更、调整: a new version with the stated reason, copied from the version in force,
    that runs the whole procedure again (its own docket opens with its creation)."""
    reason = step.input.reason.strip()
    new = core_workflow.create(
        PlanVersion,
        user=step.user,
        comment=reason,
        plan=version.plan,
        number=version.plan.versions.count() + 1,
        level=version.level,
        title=version.title,
        jurisdiction=version.jurisdiction,
        owner=version.owner,
        period_start=version.period_start,
        period_end=version.period_end,
        body=version.body,
        change_reason=reason,
        supersedes=version,
    )
    goals: dict[int, PlanGoal] = {}
    for g in version.goals.all():
        goals[g.pk] = step.create(PlanGoal, version=new, seq=g.seq, text=g.text, key=g.key)
    for t in version.tasks.all():
        step.create(
            PlanTask,
            version=new,
            goal=goals.get(t.goal_id) if t.goal_id else None,
            seq=t.seq,
            text=t.text,
            responsible_id=t.responsible_id,
            indicator=t.indicator,
            target_value=t.target_value,
            unit=t.unit,
            target_year=t.target_year,
            parent_task_id=t.parent_task_id,
            key=t.key,
        )
    _reindex(new)
    return {"successor": {"before": None, "after": new.pk}}


def add_comment(version: PlanVersion, step: StepContext) -> None:
    given = step.input
    goal = version.goals.filter(pk=given.goal_id).first() if given.goal_id else None
    task = version.tasks.filter(pk=given.task_id).first() if given.task_id else None
    if (given.goal_id and goal is None) or (given.task_id and task is None):
        raise InvalidInput("意见针对的目标或任务不属于该规划", code="invalid_target")
    comment = step.create(
        PublicComment,
        version=version,
        goal=goal,
        task=task,
        body=given.body,
        name=given.name,
        contact=given.contact,
        client_hash=given.client,
    )
    # 个人信息 of the public: the contact details and the fingerprint stay on the comment, not in the docket
    after = step.changes[f"publiccomment#{comment.pk}"]["after"]
    after.pop("client_hash", None)
    after["contact"] = "（已留联系方式，不入案卷）" if given.contact else ""


def answer_comments(version: PlanVersion, step: StepContext) -> None:
    """A drafted answer may be redrafted until it is published."""
    given = step.input
    status, text = given.resolved()
    rows = list(
        PublicComment.objects.select_for_update()
        .filter(version=version, pk__in=given.comments, answer_published_at__isnull=True)
        .order_by("pk")
    )
    if len(rows) != len(given.comments):
        raise InvalidInput("部分意见不存在、不属于该规划或答复已公布", code="invalid_comments")
    now = timezone.now()
    for c in rows:
        step.update(c, answer_status=status, answer_text=text, answered_by=step.user, answered_at=now)


def publish_answers(version: PlanVersion, step: StepContext) -> dict[str, Any]:
    """Every drafted answer together; commenters who left contact details are notified."""
    drafted = list(
        PublicComment.objects.select_for_update()
        .filter(version=version, answer_published_at__isnull=True)
        .exclude(answer_status="")
        .order_by("pk")
    )
    now = timezone.now()
    for c in drafted:
        step.update(c, answer_published_at=now)
    notes = CommentNotification.objects.bulk_create(
        CommentNotification(
            comment=c,
            address=c.contact,
            message=f"您对《{version.title}》提出的意见已有答复（{c.get_answer_status_display()}）：{c.answer_text}",
        )
        for c in drafted
        if c.contact
    )
    return {"notified": {"before": None, "after": len(notes)}}


def save_summary(version: PlanVersion, step: StepContext) -> None:
    version.consultation_summary = step.input.summary


def assign_experts(version: PlanVersion, step: StepContext) -> None:
    from infogov.core.workflow import experts

    from .deadlines import expert_due_date
    from .services import EXPERT_REVIEW

    day = step.act_date or step.today or timezone.localdate()
    due = expert_due_date(step.input.due_date, day)  # 平台规定 when none is given
    experts.assign(step, version, step.input.experts, purpose=EXPERT_REVIEW, due_date=due)


def add_opinion(version: PlanVersion, step: StepContext) -> None:
    step.create(
        ExpertOpinion,
        version=version,
        expert=step.user,
        round=version.review_round,
        conclusion=step.input.conclusion,
        opinion=step.input.opinion,
    )


def add_execution_report(version: PlanVersion, step: StepContext) -> None:
    from infogov.core.models import Obligation

    from .deadlines import execution_due_date
    from .services import execution_code

    given = step.input
    task_ids = set(version.tasks.values_list("pk", flat=True))
    listed = [row.task_id for row in given.progress]
    if not set(listed) <= task_ids:
        raise InvalidInput("进展所列任务不属于该规划", code="invalid_task")
    if len(set(listed)) != len(listed):
        raise InvalidInput("同一任务只能填报一次进展", code="duplicate_task")
    obligation = Obligation.objects.for_case(version).filter(code=execution_code(given.year)).first()
    report = step.create(
        ExecutionReport,
        version=version,
        year=given.year,
        summary=given.summary,
        submitted_by=step.user,
        due_date=obligation.due_date if obligation else execution_due_date(given.year),
    )
    for row in given.progress:
        step.create(
            TaskProgress, report=report, task_id=row.task_id, actual_value=row.actual_value, note=row.note
        )
    # the year's duty is fulfilled by this report's docket event (its code names the year reported)
    step.close_duty(execution_code(given.year))


def add_to_sample(version: PlanVersion, step: StepContext) -> None:
    step.create(Inspection, version=version, year=step.input.year, sampled_by=step.user)


def record_inspection(version: PlanVersion, step: StepContext) -> None:
    """The inspection's findings (replacing those recorded before) and its conclusion."""
    given = step.input
    inspection = Inspection.objects.select_for_update().filter(pk=given.inspection, version=version).first()
    if inspection is None:
        raise NotFound("该检查不存在或不属于本规划")
    for old in inspection.findings.order_by("pk"):
        _gone(step, old)
    for f in given.findings:
        step.create(InspectionFinding, inspection=inspection, severity=f.severity, text=f.text)
    step.update(inspection, inspected_at=timezone.now(), inspected_by=step.user, conclusion=given.conclusion)
