"""Commands on development plans (第五条至第七条). Every state change goes through core.workflow
(fire/edit/create); everything else locks the version, checks the article, writes, and records a
docket event in the same transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from infogov.core.docket import chain as docket
from infogov.core.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from infogov.core.models import CaseAssignment, Obligation
from infogov.core.workflow import engine as wf
from infogov.core.workflow.obligations import obligation_open, obligations_fulfil
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import (
    Rule,
    RuleContext,
    acts_as_assigned_expert,
    acts_for_owner,
    evaluate_all,
)
from infogov.core.workflow.subrecords import answer_subrecords
from infogov.org.models import Jurisdiction, Organisation, User
from infogov.org.selectors import authority_of, city

from . import rules as r
from .choices import ANSWER_TEMPLATES, AnswerStatus, ExpertConclusion, FindingSeverity, PlanLevel, PlanState
from .models import (
    CommentNotification,
    ExecutionReport,
    ExpertOpinion,
    Inspection,
    InspectionFinding,
    Plan,
    PlanGoal,
    PlanTask,
    PlanVersion,
    PublicComment,
    TaskProgress,
)

EXPERT_REVIEW = "plan_review"
COMMENT_RATE_LIMIT = 5  # comments per client per hour on the public page
EXECUTION_DUE = (1, 31)  # 31 January of the following year, unless the authority sets another date


def _require(
    rules_: Iterable[Rule], case: Any, *, user: Any, payload: dict | None = None, today: dt.date | None = None
) -> None:
    ctx = RuleContext(user=user, payload=payload or {})
    if today is not None:
        ctx.today = today
    failures = evaluate_all(list(rules_), case, ctx)
    if not failures:
        return
    if failures[0].code.startswith(("ROLE", "A4-")):
        f = failures[0]
        raise NotPermitted(
            f.message, code=f.code, article=f.citation, details=[x.as_dict() for x in failures]
        )
    raise RuleViolation(failures)


def _lock(version: PlanVersion) -> PlanVersion:
    try:
        return PlanVersion.objects.select_for_update().select_related("plan", "owner").get(pk=version.pk)
    except PlanVersion.DoesNotExist:
        raise NotFound() from None


def _touch(version: PlanVersion) -> None:
    """A change of the version's goals or tasks makes earlier reads stale (optimistic lock)."""
    PlanVersion.objects.filter(pk=version.pk).update(version=F("version") + 1)
    version.version += 1


def _fail(rule_: Rule) -> Any:
    from infogov.core.workflow.rules import RuleFailure

    return RuleFailure(rule_.code, rule_.citation, rule_.message)


def _failure(code: str, citation: str, message: str) -> Any:
    from infogov.core.workflow.rules import RuleFailure

    return RuleFailure(code, citation, message)


def _require_draft(version: PlanVersion, user: Any) -> None:
    """Content changes only while drafting; an approved version refuses (第六条第二款)."""
    _require([acts_for_owner], version, user=user)
    if version.is_frozen:
        raise RuleViolation([_fail(r.not_frozen)])
    if version.state != PlanState.DRAFT:
        raise RuleViolation(
            [
                _failure(
                    "P6-1-DRAFT-ONLY",
                    "第六条第一款",
                    "规划内容只能在起草阶段修改；征求意见或论证后修改须退回起草（重新征求意见、论证）",
                )
            ]
        )


# -- 第五条: the register -------------------------------------------------------------------------


def search_document(version: PlanVersion) -> str:
    from .similarity import segmenter

    jieba = segmenter()
    parts = [version.title, version.body, version.plan.parent_reference]
    parts += [g.text for g in version.goals.all()]
    parts += [f"{t.text} {t.indicator}" for t in version.tasks.all()]
    words = {w.strip().lower() for w in jieba.cut_for_search(" ".join(parts)) if w.strip()}
    return " ".join(sorted(words))


def _reindex(version: PlanVersion) -> None:
    PlanVersion.objects.filter(pk=version.pk).update(search_text=search_document(version))


def plan_create(
    *,
    user: User,
    level: str,
    title: str,
    jurisdiction: Jurisdiction,
    owner: Organisation,
    period_start: int,
    period_end: int,
    parent: Plan | None = None,
    parent_reference: str = "",
    body: str = "",
) -> PlanVersion:
    """Register a plan and open its first version in drafting (第五条)."""
    if level not in PlanLevel.values:
        raise InvalidInput("规划层级无效", code="invalid_level")
    if not (2000 <= period_start <= period_end <= period_start + 15):
        raise InvalidInput("规划期无效（起始年不晚于终止年，跨度不超过15年）", code="invalid_period")
    plan = Plan(
        level=level,
        title=title,
        jurisdiction=jurisdiction,
        owner=owner,
        parent=parent,
        parent_reference=parent_reference,
    )
    if owner.pk not in scope_of(user).org_ids_with_role("dept_staff", "authority_staff", "authority_leader"):
        raise NotPermitted("只能以本单位名义编制规划", article="第五条")
    _require(
        [
            r.city_plan_owned_by_city_authority,
            r.local_plan_owned_by_local_authority,
            r.special_plan_owned_by_department,
            r.city_plan_based_on_provincial,
            r.local_plan_based_on_city_plan,
            r.special_plan_based_on_area_plan,
        ],
        plan,
        user=user,
    )
    with transaction.atomic():
        plan.save()
        version = wf.create(
            PlanVersion,
            user=user,
            plan=plan,
            number=1,
            level=level,
            title=title,
            jurisdiction=jurisdiction,
            owner=owner,
            period_start=period_start,
            period_end=period_end,
            body=body,
        )
        _reindex(version)
    return version


def version_update(
    *, version: PlanVersion, user: User, expected_version: int | None = None, **changes: Any
) -> PlanVersion:
    """Edit a draft's text (title, period, body, change reason); approved versions refuse (第六条第二款)."""
    allowed = {"title", "period_start", "period_end", "body", "change_reason"}
    unknown = set(changes) - allowed
    if unknown:
        raise InvalidInput(f"不能修改字段：{', '.join(sorted(unknown))}", code="readonly_field")
    _require_draft(version, user)
    with transaction.atomic():
        updated = wf.edit(
            version,
            user=user,
            changes=changes,
            expected_version=expected_version,
            citation="第五条",
            allowed_states=[PlanState.DRAFT],
        )
        _reindex(updated)
    return updated


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise InvalidInput(f"“{value}”不是有效的数值", code="invalid_number") from None


def goal_add(*, version: PlanVersion, user: User, text: str) -> PlanGoal:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("目标内容不能为空", code="empty")
    with transaction.atomic():
        locked = _lock(version)
        _require_draft(locked, user)
        seq = locked.goals.count() + 1
        goal = PlanGoal.objects.create(version=locked, seq=seq, text=text)
        _touch(locked)
        docket.record(
            locked,
            actor=user,
            action="goal_add",
            action_label="增加发展目标",
            from_state=locked.state,
            to_state=locked.state,
            citation="第五条",
            payload={"goal": seq, "text": text},
        )
        _reindex(locked)
    return goal


TASK_FIELDS = (
    "text",
    "goal_id",
    "responsible_id",
    "indicator",
    "target_value",
    "unit",
    "target_year",
    "parent_task_id",
)


def _task_values(version: PlanVersion, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in TASK_FIELDS:
        if name in data:
            values[name] = data[name]
    if "target_value" in values:
        values["target_value"] = _decimal(values["target_value"])
    if "target_year" in values and values["target_year"] in ("", None):
        values["target_year"] = None
    elif "target_year" in values:
        try:
            values["target_year"] = int(values["target_year"])
        except (TypeError, ValueError):
            raise InvalidInput("目标年度须为年份", code="invalid_year") from None
    for fk in ("goal_id", "responsible_id", "parent_task_id"):
        if fk in values and values[fk] in ("", None):
            values[fk] = None
    if values.get("goal_id") and not version.goals.filter(pk=values["goal_id"]).exists():
        raise InvalidInput("所属目标不属于本规划", code="invalid_goal")
    if values.get("responsible_id") and not Organisation.objects.filter(pk=values["responsible_id"]).exists():
        raise InvalidInput("责任单位不存在", code="invalid_org")
    if values.get("parent_task_id"):
        parent_version = r.in_force_version(version.plan.parent)
        if parent_version is None or not parent_version.tasks.filter(pk=values["parent_task_id"]).exists():
            raise InvalidInput("对应的上级规划任务不属于施行中的依据规划", code="invalid_parent_task")
    return values


def _json(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def task_add(*, version: PlanVersion, user: User, **data: Any) -> PlanTask:
    """Add a key task (第五条): task, responsible organisation, indicator (value, unit), target year."""
    with transaction.atomic():
        locked = _lock(version)
        _require_draft(locked, user)
        values = _task_values(locked, data)
        if not str(values.get("text", "")).strip():
            raise InvalidInput("任务内容不能为空", code="empty")
        task = PlanTask.objects.create(version=locked, seq=locked.tasks.count() + 1, **values)
        _touch(locked)
        docket.record(
            locked,
            actor=user,
            action="task_add",
            action_label="增加重点任务",
            from_state=locked.state,
            to_state=locked.state,
            citation="第五条",
            payload={"task": task.pk, **_json(values)},
        )
        _reindex(locked)
    return task


def task_update(*, task: PlanTask, user: User, **data: Any) -> PlanTask:
    with transaction.atomic():
        locked = _lock(task.version)
        _require_draft(locked, user)
        task = PlanTask.objects.get(pk=task.pk)
        values = _task_values(locked, data)
        diff = {}
        for name, value in values.items():
            before = getattr(task, name)
            if before != value:
                diff[name] = {
                    "before": str(before) if before is not None else None,
                    "after": str(value) if value is not None else None,
                }
                setattr(task, name, value)
        if diff:
            task.save()
            _touch(locked)
            docket.record(
                locked,
                actor=user,
                action="task_update",
                action_label="修改重点任务",
                from_state=locked.state,
                to_state=locked.state,
                citation="第五条",
                payload={"task": task.pk},
                changes=diff,
            )
            _reindex(locked)
    return task


def task_remove(*, task: PlanTask, user: User) -> None:
    with transaction.atomic():
        locked = _lock(task.version)
        _require_draft(locked, user)
        text = task.text
        PlanTask.objects.filter(pk=task.pk).delete()
        _touch(locked)
        docket.record(
            locked,
            actor=user,
            action="task_remove",
            action_label="删除重点任务",
            from_state=locked.state,
            to_state=locked.state,
            citation="第五条",
            payload={"task": task.pk, "text": text},
        )
        _reindex(locked)


# -- 第六条第二款: change control -------------------------------------------------------------------


def plan_change_request(*, version: PlanVersion, user: User, reason: str) -> PlanVersion:
    """因特殊情况确需变更、调整: a new version with the stated reason, copied from the version in force,
    that runs the whole procedure again and on entering into force supersedes the old one."""
    reason = (reason or "").strip()
    with transaction.atomic():
        old = _lock(version)
        _require([acts_for_owner], old, user=user)
        if old.state != PlanState.IN_FORCE:
            raise RuleViolation(
                [_failure("P6-2-IN-FORCE", "第六条第二款", "只能对施行中的规划提出变更、调整")]
            )
        _require([r.no_open_change], old, user=user)
        if not reason:
            raise RuleViolation([_fail(r.change_has_reason)])
        new = wf.create(
            PlanVersion,
            user=user,
            comment=reason,
            plan=old.plan,
            number=old.plan.versions.count() + 1,
            level=old.level,
            title=old.title,
            jurisdiction=old.jurisdiction,
            owner=old.owner,
            period_start=old.period_start,
            period_end=old.period_end,
            body=old.body,
            change_reason=reason,
            supersedes=old,
        )
        goal_map: dict[int, PlanGoal] = {}
        for g in old.goals.all():
            goal_map[g.pk] = PlanGoal.objects.create(version=new, seq=g.seq, text=g.text, key=g.key)
        for t in old.tasks.all():
            PlanTask.objects.create(
                version=new,
                goal=goal_map.get(t.goal_id) if t.goal_id else None,
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
        docket.record(
            old,
            actor=user,
            action="change_request",
            action_label="提出变更、调整",
            from_state=old.state,
            to_state=old.state,
            citation="第六条第二款",
            comment=reason,
            payload={"new_version": new.pk},
        )
        _reindex(new)
    return new


# -- 第六条第一款: public consultation --------------------------------------------------------------


def client_fingerprint(ip: str, user_agent: str = "") -> str:
    return hashlib.sha256(f"{ip}|{user_agent[:200]}".encode()).hexdigest()


def comment_submit(
    *,
    version: PlanVersion,
    body: str,
    goal_id: int | None = None,
    task_id: int | None = None,
    name: str = "",
    contact: str = "",
    client: str = "",
    today: dt.date | None = None,
) -> PublicComment:
    """A member of the public comments on a plan under consultation (no account needed)."""
    today = today or timezone.localdate()
    body = (body or "").strip()
    if not 5 <= len(body) <= 2000:
        raise InvalidInput("意见内容须为 5 至 2000 字", code="invalid_body")
    if version.state != PlanState.CONSULTATION or not (
        version.consultation_start
        and version.consultation_end
        and version.consultation_start <= today <= version.consultation_end
    ):
        raise RuleViolation(
            [_failure("P6-1-WINDOW-OPEN", "第六条第一款", "该规划不在征求意见期限内，不能提交意见")]
        )
    since = timezone.now() - dt.timedelta(hours=1)
    if (
        client
        and PublicComment.objects.filter(client_hash=client, created_at__gte=since).count()
        >= COMMENT_RATE_LIMIT
    ):
        raise InvalidInput("提交过于频繁，请稍后再试", code="rate_limited")
    goal = version.goals.filter(pk=goal_id).first() if goal_id else None
    task = version.tasks.filter(pk=task_id).first() if task_id else None
    if (goal_id and goal is None) or (task_id and task is None):
        raise InvalidInput("意见针对的目标或任务不属于该规划", code="invalid_target")
    with transaction.atomic():
        comment = PublicComment.objects.create(
            version=version,
            goal=goal,
            task=task,
            body=body,
            name=(name or "").strip()[:50],
            contact=(contact or "").strip()[:100],
            client_hash=client,
        )
    return comment


def _can_handle_comments(version: PlanVersion, user: User) -> None:
    _require([acts_for_owner], version, user=user)


def comments_answer(
    *,
    version: PlanVersion,
    user: User,
    comment_ids: Iterable[int],
    status: str = "",
    text: str = "",
    template: str = "",
    reason: str = "",
) -> int:
    """Draft the official answer to one or many comments, from a template or free text (not yet public)."""
    if template:
        tpl = ANSWER_TEMPLATES.get(template)
        if tpl is None:
            raise InvalidInput("答复模板不存在", code="invalid_template")
        status = tpl["status"]
        text = tpl["text"].format(reason=(reason or "").strip())
    text = (text or "").strip()
    if status not in AnswerStatus.values or not text:
        raise InvalidInput("请选择答复结论并填写答复意见", code="invalid_answer")
    if status != AnswerStatus.ACCEPTED and not (reason or "").strip() and not template and len(text) < 10:
        raise InvalidInput("部分采纳或不予采纳须说明理由", code="reason_required")
    ids = set(comment_ids)
    refused = InvalidInput("部分意见不存在、不属于该规划或答复已公布", code="invalid_comments")
    answered = answer_subrecords(
        version,
        PublicComment.objects.filter(version_id=version.pk),
        ids,
        user=user,
        by=(acts_for_owner,),
        fields={
            "answer_status": status,
            "answer_text": text,
            "answered_by": user,
            "answered_at": timezone.now(),
        },
        is_open=lambda c: c.answer_published_at is None,  # a drafted answer may be redrafted until published
        closed=refused,
        missing=refused,
        action="comments_answer",
        action_label="起草意见答复",
        citation="第六条第一款",
        payload={"comments": sorted(ids), "status": status, "text": text},
        touch=False,
        related=("plan", "owner"),
    )
    return len(answered)


def comments_publish_answers(*, version: PlanVersion, user: User) -> int:
    """Publish every drafted answer together; commenters who left contact details are notified."""
    now = timezone.now()
    with transaction.atomic():
        locked = _lock(version)
        _can_handle_comments(locked, user)
        drafted = list(
            PublicComment.objects.filter(version=locked, answer_published_at__isnull=True).exclude(
                answer_status=""
            )
        )
        if not drafted:
            raise InvalidInput("没有待公布的答复", code="nothing_to_publish")
        PublicComment.objects.filter(pk__in=[c.pk for c in drafted]).update(answer_published_at=now)
        CommentNotification.objects.bulk_create(
            CommentNotification(
                comment=c,
                address=c.contact,
                message=f"您对《{locked.title}》提出的意见已有答复（{c.get_answer_status_display()}）：{c.answer_text}",
            )
            for c in drafted
            if c.contact
        )
        docket.record(
            locked,
            actor=user,
            action="answers_publish",
            action_label="公布意见答复",
            from_state=locked.state,
            to_state=locked.state,
            citation="第六条第一款",
            payload={"comments": [c.pk for c in drafted], "notified": sum(1 for c in drafted if c.contact)},
        )
    return len(drafted)


def consultation_summary_save(*, version: PlanVersion, user: User, summary: str) -> PlanVersion:
    """征求意见情况说明: part of the record (the submission guard requires it)."""
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput("征求意见情况说明不能为空", code="empty")
    if version.state not in (PlanState.CONSULTATION, PlanState.EXPERT_REVIEW):
        raise RuleViolation(
            [
                _failure(
                    "P6-1-SUMMARY-STAGE", "第六条第一款", "只能在征求意见或专家论证阶段填写征求意见情况说明"
                )
            ]
        )
    return wf.edit(
        version,
        user=user,
        changes={"consultation_summary": summary},
        citation="第六条第一款",
        allowed_states=[PlanState.CONSULTATION, PlanState.EXPERT_REVIEW],
    )


# -- 第六条第一款: expert review ---------------------------------------------------------------------


def experts_assign(*, version: PlanVersion, user: User, experts: Iterable[User]) -> list[CaseAssignment]:
    """组织专家论证: the owner (or the competent authority) invites pool experts, none from the owner."""
    from django.contrib.contenttypes.models import ContentType

    from infogov.core.workflow.rules import acts_as_competent_authority

    with transaction.atomic():
        locked = _lock(version)
        ctx = RuleContext(user=user)
        if acts_for_owner.evaluate(locked, ctx) and acts_as_competent_authority.evaluate(locked, ctx):
            _require([acts_for_owner], locked, user=user)
        if locked.state not in (PlanState.CONSULTATION, PlanState.EXPERT_REVIEW):
            raise RuleViolation(
                [_failure("P6-1-REVIEW-STAGE", "第六条第一款", "只能在征求意见或专家论证阶段邀请专家")]
            )
        insiders = r.owner_member_ids(locked)
        ct = ContentType.objects.get_for_model(PlanVersion)
        made = []
        for expert in experts:
            if not r.is_expert_of_pool(expert):
                raise RuleViolation(
                    [_failure("P6-1-EXPERT-INDEPENDENT", "第六条第一款", f"{expert} 不是专家库专家")]
                )
            if expert.pk in insiders:
                raise RuleViolation(
                    [
                        _failure(
                            "P6-1-EXPERT-INDEPENDENT",
                            "第六条第一款",
                            f"专家 {expert} 是编制单位人员，不能参加论证",
                        )
                    ]
                )
            a, created = CaseAssignment.objects.get_or_create(
                case_type=ct,
                case_id=locked.pk,
                user=expert,
                purpose=EXPERT_REVIEW,
                defaults={"jurisdiction_id": locked.jurisdiction_id},
            )
            if created:
                made.append(a)
        if made:
            docket.record(
                locked,
                actor=user,
                action="experts_assign",
                action_label="邀请论证专家",
                from_state=locked.state,
                to_state=locked.state,
                citation="第六条第一款",
                payload={"experts": [a.user.display_name for a in made]},
            )
    return made


def expert_opinion_submit(
    *, version: PlanVersion, user: User, conclusion: str, opinion: str
) -> ExpertOpinion:
    """An assigned expert gives a conclusion and opinion for the current round."""
    opinion = (opinion or "").strip()
    if conclusion not in ExpertConclusion.values or len(opinion) < 5:
        raise InvalidInput("请选择论证结论并填写论证意见（不少于5字）", code="invalid_opinion")
    with transaction.atomic():
        locked = _lock(version)
        _require([acts_as_assigned_expert], locked, user=user)
        if locked.state != PlanState.EXPERT_REVIEW:
            raise RuleViolation([_failure("P6-1-REVIEW-STAGE", "第六条第一款", "该规划当前不在专家论证阶段")])
        try:
            with transaction.atomic():
                op = ExpertOpinion.objects.create(
                    version=locked,
                    expert=user,
                    round=locked.review_round,
                    conclusion=conclusion,
                    opinion=opinion,
                )
        except IntegrityError:
            raise InvalidInput("您已提交本轮论证意见", code="duplicate_opinion") from None
        docket.record(
            locked,
            actor=user,
            action="expert_opinion",
            action_label="提交专家论证意见",
            from_state=locked.state,
            to_state=locked.state,
            citation="第六条第一款",
            payload={"round": locked.review_round, "conclusion": conclusion, "opinion": opinion},
        )
    return op


# -- 第七条: annual execution reports --------------------------------------------------------------


def execution_code(year: int) -> str:
    return f"plan-execution-{year}"


def execution_due_date(year: int) -> dt.date:
    """The report on `year` is due on 31 January of the following year."""
    return dt.date(year + 1, *EXECUTION_DUE)


def execution_obligation_open(*, version: PlanVersion, year: int, event: Any = None) -> Obligation | None:
    """The owner of a local or special plan in force owes the city authority a report on `year` (第七条)."""
    if version.plan.level not in (PlanLevel.LOCAL, PlanLevel.SPECIAL):
        return None
    code = execution_code(year)
    if Obligation.objects.for_case(version).filter(code=code).exists():
        return None
    return obligation_open(
        case=version,
        code=code,
        title=f"报送《{version.title}》{year}年度执行情况",
        citation="第七条",
        owed_by=version.owner,
        owed_to=authority_of(city()),
        due_date=execution_due_date(year),
        event=event,
    )


def execution_obligations_open(*, year: int) -> int:
    """Run each January (management command `plan_execution_obligations`): idempotent."""
    n = 0
    versions = PlanVersion.objects.filter(
        state=PlanState.IN_FORCE, plan__level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL)
    ).select_related("plan", "owner")
    with transaction.atomic():
        for v in versions:
            if execution_obligation_open(version=v, year=year):
                n += 1
    return n


def execution_obligations_cancel(*, version: PlanVersion) -> int:
    from infogov.core.workflow.obligations import obligations_cancel

    codes = list(
        Obligation.objects.open()
        .for_case(version)
        .filter(code__startswith="plan-execution-")
        .values_list("code", flat=True)
    )
    return obligations_cancel(case=version, codes=codes)


def execution_report_submit(
    *,
    version: PlanVersion,
    user: User,
    year: int,
    progress: Iterable[dict[str, Any]],
    summary: str = "",
) -> ExecutionReport:
    """The owner reports the year's progress per task indicator; fulfils the year's obligation (第七条)."""
    with transaction.atomic():
        locked = _lock(version)
        _require([acts_for_owner, r.execution_supervised], locked, user=user)
        if ExecutionReport.objects.filter(version=locked, year=year).exists():
            raise InvalidInput(f"{year}年度执行情况已报送", code="duplicate_report")
        if not locked.period_start <= year <= locked.period_end:
            raise InvalidInput(f"{year} 年不在规划期 {locked.period} 内", code="invalid_year")
        task_ids = set(locked.tasks.values_list("pk", flat=True))
        rows = list(progress)
        for row in rows:
            if int(row.get("task_id", 0)) not in task_ids:
                raise InvalidInput("进展所列任务不属于该规划", code="invalid_task")
        obligation = Obligation.objects.for_case(locked).filter(code=execution_code(year)).first()
        report = ExecutionReport.objects.create(
            version=locked,
            year=year,
            summary=(summary or "").strip(),
            submitted_by=user,
            due_date=obligation.due_date if obligation else execution_due_date(year),
        )
        TaskProgress.objects.bulk_create(
            TaskProgress(
                report=report,
                task_id=int(row["task_id"]),
                actual_value=_decimal(row.get("actual_value")),
                note=str(row.get("note", ""))[:2000],
            )
            for row in rows
        )
        event = docket.record(
            locked,
            actor=user,
            action="execution_report",
            action_label=f"报送{year}年度执行情况",
            from_state=locked.state,
            to_state=locked.state,
            citation="第七条",
            payload={
                "year": year,
                "report": report.pk,
                "progress": [
                    {"task_id": int(x["task_id"]), "actual_value": str(x.get("actual_value", ""))}
                    for x in rows
                ],
            },
        )
        obligations_fulfil(case=locked, codes=[execution_code(year)], event=event)
    return report


# -- 第七条: inspections and scores ----------------------------------------------------------------


def _require_city_authority(user: User) -> None:
    _require([r.acts_as_city_authority], None, user=user)


def inspections_sample(
    *, user: User, year: int, share: float = 1.0, seed: int | None = None
) -> list[Inspection]:
    """The city authority draws the plans it inspects for `year` (all, or a random share)."""
    import random

    _require_city_authority(user)
    if not 0 < share <= 1:
        raise InvalidInput("抽查比例须在 0 到 1 之间", code="invalid_share")
    pool = list(
        PlanVersion.objects.filter(
            state=PlanState.IN_FORCE, plan__level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL)
        ).order_by("pk")
    )
    k = max(1, round(len(pool) * share)) if pool else 0
    chosen = random.Random(seed if seed is not None else year).sample(pool, k)
    made = []
    with transaction.atomic():
        for v in chosen:
            inspection, created = Inspection.objects.get_or_create(
                version=v, year=year, defaults={"sampled_by": user}
            )
            if created:
                made.append(inspection)
                with transaction.atomic():
                    locked = _lock(v)
                    docket.record(
                        locked,
                        actor=user,
                        action="inspection_sampled",
                        action_label="列入年度监督检查",
                        from_state=locked.state,
                        to_state=locked.state,
                        citation="第七条",
                        payload={"year": year},
                    )
    return made


def inspection_record(
    *, inspection: Inspection, user: User, findings: Iterable[dict[str, str]], conclusion: str = ""
) -> Inspection:
    _require_city_authority(user)
    rows = list(findings)
    for f in rows:
        if f.get("severity") not in FindingSeverity.values or not str(f.get("text", "")).strip():
            raise InvalidInput("每项问题须有性质（一般/严重）和描述", code="invalid_finding")
    with transaction.atomic():
        locked = _lock(inspection.version)
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        InspectionFinding.objects.filter(inspection=inspection).delete()
        InspectionFinding.objects.bulk_create(
            InspectionFinding(inspection=inspection, severity=f["severity"], text=str(f["text"]).strip())
            for f in rows
        )
        inspection.inspected_at = timezone.now()
        inspection.inspected_by = user
        inspection.conclusion = (conclusion or "").strip()
        inspection.save()
        docket.record(
            locked,
            actor=user,
            action="inspection",
            action_label="记录监督检查结果",
            from_state=locked.state,
            to_state=locked.state,
            citation="第七条",
            payload={"year": inspection.year, "findings": rows, "conclusion": inspection.conclusion},
        )
    return inspection


def scores_compute(*, user: User, year: int, today: dt.date | None = None) -> int:
    """Score every supervised plan for `year` by the published scoring sheet (assessment.SCORING_SHEET)."""
    from .assessment import score_version
    from .models import PlanScore

    _require_city_authority(user)
    versions = PlanVersion.objects.filter(
        plan__level__in=(PlanLevel.LOCAL, PlanLevel.SPECIAL),
        state__in=(PlanState.IN_FORCE, PlanState.SUPERSEDED),
        period_start__lte=year,
        period_end__gte=year,
        in_force_at__isnull=False,
    ).select_related("plan")
    n = 0
    with transaction.atomic():
        for v in versions:
            if v.state == PlanState.SUPERSEDED and v.superseded_at and v.superseded_at.year < year:
                continue
            s = score_version(v, year, today=today)
            PlanScore.objects.update_or_create(
                version=v,
                year=year,
                defaults={
                    "indicator_score": s.indicator,
                    "timeliness_score": s.timeliness,
                    "findings_score": s.findings,
                    "total": s.total,
                    "detail": s.detail,
                    "computed_by": user,
                    "computed_at": timezone.now(),
                },
            )
            n += 1
    return n
