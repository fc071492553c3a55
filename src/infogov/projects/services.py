"""Commands that change projects. Each runs in one transaction, through the workflow core
(fire / edit / create) or, for records that are not state changes, with the project row locked,
the acting rule checked and a docket event written (第三十四条). Views, the API, imports and the
demo all come through here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from infogov.core.docket import chain as docket
from infogov.core.errors import Conflict, InvalidInput, NotPermitted, RuleViolation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.obligations import obligation_open, obligations_fulfil
from infogov.core.workflow.rules import Rule, RuleContext, acts_as_competent_authority, acts_for_owner
from infogov.core.workflow.subrecords import answer_subrecords, lock_case, require_actor
from infogov.org.models import Organisation
from infogov.org.selectors import authority_of

from . import payloads as P
from . import rules as r
from .choices import ACTIVE_OPEN_STATES, FindingConclusion, ProjectState, ReviewDimension
from .models import (
    AcceptanceFiling,
    AnnualConstructionPlan,
    Disbursement,
    InspectionFinding,
    OutsourcingReview,
    ProgressReport,
    Project,
    ReviewCondition,
    ReviewFinding,
    SimilarityHit,
    Standard,
    SupervisionInspection,
)
from .workflows import PLAN_WORKFLOW

EDITABLE_FIELDS = frozenset(
    {
        "title",
        "category",
        "funding_kind",
        "budget_source",
        "special_fund",
        "funding_source",
        "budget",
        "year",
        "content",
        "systems",
        "data_resources",
        "network",
        "hosting",
        "planned_start",
        "planned_completion",
        "plan_task_ref",
        "security_plan",
        "security_level",
        "security_measures",
        "procedures_completed",
    }
)


# -- helpers ----------------------------------------------------------------------------------------


LOCK_RELATED = ("jurisdiction", "owner")


def _lock(project: Project, expected_version: int | None = None) -> Project:
    locked: Project = lock_case(project, related=LOCK_RELATED)
    if expected_version is not None and locked.version != expected_version:
        raise Conflict()
    return locked


def _require(case: Any, user: Any, *rules_: Rule) -> None:
    require_actor(case, user, rules_)


def _guard(case: Any, *rules_: Rule, payload: dict[str, Any] | None = None, user: Any = None) -> None:
    ctx = RuleContext(user=user, payload=payload or {})
    failures = [f for rl in rules_ if (f := rl.evaluate(case, ctx)) is not None]
    if failures:
        raise RuleViolation(failures)


def _touch(project: Project) -> None:
    """A record that guards depend on changed: bump the version so a decision taken on the old
    view of the project conflicts instead of passing unseen."""
    project.version += 1
    project.save(update_fields=["version", "updated_at"])


def _search_text(project: Project) -> str:
    from .selectors import tokens_for_search

    return " " + " ".join(tokens_for_search(f"{project.title} {project.content}")) + " "


# -- the register -----------------------------------------------------------------------------------


def project_create(
    *, user: Any, owner: Organisation | None = None, standards: Iterable[str] = (), **fields: Any
) -> Project:
    """Register a project as a draft of the user's organisation (its construction unit)."""
    owner = owner or user.organisation
    if owner is None or owner.pk not in user.scope.org_ids_with_role(
        "dept_staff", "authority_staff", "authority_leader"
    ):
        raise NotPermitted("只能以本单位作为建设单位登记项目", article="第四条第一款")
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput("不能设置的字段：" + "、".join(sorted(unknown)), code="readonly_field")
    with transaction.atomic():
        project = workflow.create(Project, user=user, owner=owner, jurisdiction=owner.jurisdiction, **fields)
        project.search_text = _search_text(project)
        project.save(update_fields=["search_text"])
        if standards:
            _set_standards(project, list(standards))
    return project


def _set_standards(project: Project, codes: list[str]) -> list[str]:
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


def project_update(
    *,
    project: Project,
    user: Any,
    changes: dict[str, Any],
    standards: list[str] | None = None,
    comment: str = "",
    expected_version: int | None = None,
) -> Project:
    """Edit a project's content while it is a draft (after submission, the submitted version stands)."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput("不能修改的字段：" + "、".join(sorted(unknown)), code="readonly_field")
    with transaction.atomic():
        project = workflow.edit(
            project,
            user=user,
            changes=changes,
            comment=comment,
            expected_version=expected_version,
            allowed_states=[ProjectState.DRAFT],
        )
        if standards is not None:
            before = sorted(project.standards.values_list("code", flat=True))
            after = _set_standards(project, standards)
            if before != after:
                docket.record(
                    project,
                    actor=user,
                    action="standards",
                    action_label="声明执行标准",
                    from_state=project.state,
                    to_state=project.state,
                    citation="第十二条",
                    changes={"standards": {"before": before, "after": after}},
                )
        text = _search_text(project)
        if text != project.search_text:
            project.search_text = text
            project.save(update_fields=["search_text"])
    return project


def project_fire(
    *,
    project: Project,
    user: Any,
    name: str,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    expected_version: int | None = None,
    today: dt.date | None = None,
) -> Project:
    """Any declared step (the API and the pages use this for the generic transitions)."""
    return workflow.fire(
        project,
        name,
        user=user,
        comment=comment,
        payload=payload,
        expected_version=expected_version,
        today=today,
    )


# -- 第九条: annual plan, review -----------------------------------------------------------------------


def plan_create(*, user: Any, jurisdiction: Any, year: int, title: str = "") -> AnnualConstructionPlan:
    authority = authority_of(jurisdiction)
    if not user.scope.is_authority_for(jurisdiction.pk) or user.has_role("audit_admin"):
        raise NotPermitted("只有本级信息化主管部门才能编制年度建设计划", article="第九条第一款")
    if AnnualConstructionPlan.objects.filter(jurisdiction=jurisdiction, year=year).exists():
        raise Conflict(f"{jurisdiction}{year}年度建设计划已存在", code="plan_exists")
    return workflow.create(
        AnnualConstructionPlan,
        user=user,
        owner=authority,
        jurisdiction=jurisdiction,
        year=year,
        title=title or f"{jurisdiction}{year}年信息化工程项目建设年度计划",
    )


def plan_fire(
    *,
    plan: AnnualConstructionPlan,
    user: Any,
    name: str,
    comment: str = "",
    expected_version: int | None = None,
) -> AnnualConstructionPlan:
    PLAN_WORKFLOW.get(name)
    return workflow.fire(plan, name, user=user, comment=comment, expected_version=expected_version)


def project_include_in_plan(
    *, project: Project, user: Any, plan: AnnualConstructionPlan, expected_version: int | None = None
) -> Project:
    return workflow.fire(
        project, "include_in_plan", user=user, payload={"plan_id": plan.pk}, expected_version=expected_version
    )


def review_finding_record(
    *,
    project: Project,
    user: Any,
    dimension: str,
    conclusion: str,
    text: str,
    acknowledged_hits: Iterable[int] = (),
    expected_version: int | None = None,
) -> ReviewFinding:
    """One dimension's finding (第九条第二款). The resource-sharing finding answers the similar
    projects found at submission (第六条): each one listed in `acknowledged_hits` is marked answered."""
    if dimension not in ReviewDimension.values:
        raise InvalidInput(
            "评审内容须为：" + "、".join(str(d.label) for d in ReviewDimension), code="invalid_dimension"
        )
    if conclusion not in FindingConclusion.values:
        raise InvalidInput("结论须为：符合、有条件符合或不符合", code="invalid_conclusion")
    text = (text or "").strip()
    if not text:
        raise InvalidInput("请填写评审意见", code="text_required")
    with transaction.atomic():
        locked = _lock(project, expected_version)
        _require(locked, user, acts_as_competent_authority)
        if locked.state != ProjectState.PLANNED:
            raise Conflict("只有已列入年度计划、尚未作出审查意见的项目才能录入评审意见", code="wrong_state")
        acknowledged = []
        hit_ids = {int(h) for h in acknowledged_hits}
        if hit_ids and dimension != ReviewDimension.SHARING:
            raise InvalidInput("相似项目只能在“信息资源共享”评审意见中回应", code="invalid_acknowledgement")
        if hit_ids:
            hits = list(SimilarityHit.objects.filter(project=locked, pk__in=hit_ids))
            if len(hits) != len(hit_ids):
                raise InvalidInput("所回应的相似项目不属于本项目", code="invalid_acknowledgement")
            for h in hits:
                h.acknowledged, h.note = True, text
                h.save(update_fields=["acknowledged", "note"])
                acknowledged.append(h.other_label)
        finding, created = ReviewFinding.objects.update_or_create(
            project=locked,
            dimension=dimension,
            defaults={
                "conclusion": conclusion,
                "text": text,
                "recorded_by": user,
                "recorded_at": timezone.now(),
            },
        )
        _touch(locked)
        docket.record(
            locked,
            actor=user,
            action="review_finding",
            action_label="录入评审意见",
            from_state=locked.state,
            to_state=locked.state,
            citation="第九条第二款",
            comment=text,
            payload={
                "dimension": dimension,
                "conclusion": conclusion,
                "acknowledged": acknowledged,
                "replaced": not created,
            },
        )
    return finding


def project_review_decide(
    *,
    project: Project,
    user: Any,
    passed: bool,
    conditions: Iterable[Any] = (),
    comment: str = "",
    expected_version: int | None = None,
) -> Project:
    """审查意见: pass (with conditions, if any) or fail — one decision, the first one wins."""
    if passed:
        return workflow.fire(
            project,
            "review_pass",
            user=user,
            comment=comment,
            payload={"conditions": list(conditions)},
            expected_version=expected_version,
        )
    return workflow.fire(
        project, "review_fail", user=user, comment=comment, expected_version=expected_version
    )


def review_condition_answer(*, condition: ReviewCondition, user: Any, answer: str) -> ReviewCondition:
    """The construction unit reports how a condition was met; the last one fulfils the duty."""
    answer = (answer or "").strip()
    if not answer:
        raise InvalidInput("请填写落实情况", code="answer_required")
    [answered] = answer_subrecords(
        condition.project,
        ReviewCondition.objects.filter(project_id=condition.project_id),
        [condition.pk],
        user=user,
        by=(acts_for_owner,),
        fields={"answer": answer, "answered_at": timezone.now()},
        is_open=lambda c: c.answered_at is None,
        closed=Conflict("该条件已答复", code="already_answered"),
        action="condition_answer",
        action_label="答复审查条件",
        citation="第九条第二款",
        comment=answer,
        payload={"condition": condition.text},
        duty_code="review-conditions",
        duty_done=lambda p: not p.conditions.filter(answered_at__isnull=True).exists(),
        related=LOCK_RELATED,
    )
    return answered


# -- 第十一条: outsourcing review and procurement -------------------------------------------------------


def outsourcing_review_record(
    *, project: Project, user: Any, approved: bool, opinion: str
) -> OutsourcingReview:
    """第十一条第二款: the authority reviews a fiscal IT-service outsourcing project before procurement."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise InvalidInput("请填写审核意见", code="opinion_required")
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, user, acts_as_competent_authority)
        if not locked.needs_outsourcing_review:
            raise InvalidInput(
                "只有使用财政性资金的信息服务外包项目需要审核",
                code="not_outsourcing",
                article="第十一条第二款",
            )
        if locked.state not in (ProjectState.PLANNED, ProjectState.REVIEWED):
            raise Conflict("项目须已列入年度计划且尚未采购", code="wrong_state")
        review, _ = OutsourcingReview.objects.update_or_create(
            project=locked,
            defaults={
                "approved": approved,
                "opinion": opinion,
                "reviewed_by": user,
                "reviewed_at": timezone.now(),
            },
        )
        _touch(locked)
        docket.record(
            locked,
            actor=user,
            action="outsourcing_review",
            action_label="外包项目审核",
            from_state=locked.state,
            to_state=locked.state,
            citation="第十一条第二款",
            comment=opinion,
            payload={"approved": approved},
        )
    return review


def project_procurement_record(
    *,
    project: Project,
    user: Any,
    method: str,
    notice_number: str,
    supplier: str,
    contract_amount: Decimal | str,
    contract_date: dt.date | str | None = None,
    expected_version: int | None = None,
) -> Project:
    payload = {
        "method": method,
        "notice_number": notice_number,
        "supplier": supplier,
        "contract_amount": str(contract_amount),
        "contract_date": contract_date.isoformat() if isinstance(contract_date, dt.date) else contract_date,
    }
    return workflow.fire(
        project, "record_procurement", user=user, payload=payload, expected_version=expected_version
    )


# -- 第十四条: progress, funds, supervision -------------------------------------------------------------


def progress_report(
    *, project: Project, user: Any, percent: int | str, reported_on: dt.date | None = None, note: str = ""
) -> ProgressReport:
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise InvalidInput("完成比例须为 0–100 的整数", code="invalid_percent")
    if not 0 <= int(percent) <= 100:
        raise InvalidInput("完成比例须为 0–100 的整数", code="invalid_percent")
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, user, acts_for_owner)
        _guard(locked, r.in_construction_stage)
        report = ProgressReport.objects.create(
            project=locked,
            percent=percent,
            note=note.strip(),
            reported_on=reported_on or timezone.localdate(),
            reported_by=user,
        )
        docket.record(
            locked,
            actor=user,
            action="progress",
            action_label="报告建设进度",
            from_state=locked.state,
            to_state=locked.state,
            citation="第十四条",
            comment=note,
            payload={"percent": percent, "reported_on": report.reported_on.isoformat()},
        )
    return report


def disbursement_record(
    *, project: Project, user: Any, amount: Decimal | str, purpose: str, paid_on: dt.date | None = None
) -> Disbursement:
    amount_d = P.as_decimal(amount, "amount")
    purpose = (purpose or "").strip()
    if not purpose:
        raise InvalidInput("请填写资金用途", code="purpose_required")
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, user, acts_for_owner)
        _guard(
            locked, r.in_construction_stage, r.disbursement_within_contract, payload={"amount": str(amount_d)}
        )
        d = Disbursement.objects.create(
            project=locked,
            amount=amount_d,
            purpose=purpose[:200],
            paid_on=paid_on or timezone.localdate(),
            recorded_by=user,
        )
        docket.record(
            locked,
            actor=user,
            action="disbursement",
            action_label="登记资金支付",
            from_state=locked.state,
            to_state=locked.state,
            citation="第十四条",
            comment=purpose,
            payload={"amount": str(amount_d), "paid_on": d.paid_on.isoformat()},
        )
    return d


def inspection_open(
    *,
    project: Project,
    user: Any,
    cosupervisors: Iterable[Organisation] = (),
    summary: str = "",
    findings: Iterable[dict[str, Any]] = (),
    opened_on: dt.date | None = None,
) -> SupervisionInspection:
    """第十四条: the authority, with DRC, finance and audit, inspects completion and the use of funds;
    each finding is an obligation of the construction unit to rectify by its deadline."""
    cosup = list(cosupervisors)
    if any(not o.cosupervision for o in cosup):
        raise InvalidInput("协同监督部门须为发展改革、财政、审计等部门", code="invalid_cosupervisor")
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, user, acts_as_competent_authority)
        if not locked.is_fiscal:
            raise InvalidInput(
                "第十四条的监督检查针对使用财政性资金的项目", code="not_fiscal", article="第十四条"
            )
        if locked.state not in ACTIVE_OPEN_STATES:
            raise Conflict("项目尚未进入建设阶段，不能开展监督检查", code="wrong_state")
        inspection = SupervisionInspection.objects.create(
            project=locked,
            opened_by=user,
            summary=summary.strip(),
            opened_on=opened_on or timezone.localdate(),
        )
        inspection.cosupervisors.set(cosup)
        rows = []
        for f in findings:
            text = str(f.get("text", "")).strip()
            if not text:
                raise InvalidInput("检查问题不能为空", code="finding_required")
            due = P.as_date(f.get("due_date"), "due_date")
            rows.append(
                InspectionFinding.objects.create(
                    inspection=inspection,
                    project=locked,
                    text=text,
                    severity=f.get("severity") or "medium",
                    due_date=due,
                )
            )
        _touch(locked)
        event = docket.record(
            locked,
            actor=user,
            action="inspection",
            action_label="监督检查",
            from_state=locked.state,
            to_state=locked.state,
            citation="第十四条",
            comment=summary,
            payload={
                "cosupervisors": [o.name for o in cosup],
                "findings": [{"text": x.text, "due_date": x.due_date.isoformat()} for x in rows],
            },
        )
        for x in rows:
            obligation_open(
                case=locked,
                code=x.obligation_code,
                title=f"整改监督检查问题：{x.text[:60]}",
                citation="第十四条",
                owed_by=locked.owner,
                owed_to=authority_of(locked.jurisdiction),
                due_date=x.due_date,
                event=event,
            )
    return inspection


def finding_rectify(*, finding: InspectionFinding, user: Any, rectification: str) -> InspectionFinding:
    """The construction unit reports how an inspection finding was rectified (第十四条)."""
    rectification = (rectification or "").strip()
    if not rectification:
        raise InvalidInput("请填写整改情况", code="rectification_required")
    [rectified] = answer_subrecords(
        finding.project,
        InspectionFinding.objects.filter(project_id=finding.project_id),
        [finding.pk],
        user=user,
        by=(acts_for_owner,),
        fields={"rectification": rectification, "rectified_at": timezone.now()},
        is_open=lambda f: f.rectified_at is None,
        closed=Conflict("该问题已整改", code="already_rectified"),
        action="rectify",
        action_label="报告整改情况",
        citation="第十四条",
        comment=rectification,
        payload={"finding": finding.text},
        duty_code=finding.obligation_code,
        related=LOCK_RELATED,
    )
    return rectified


def risk_override(
    *, project: Project, user: Any, level: int | None, reason: str, expected_version: int | None = None
) -> Project:
    """The authority sets (or clears, with level None) the risk rating, with a written reason."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("调整风险等级须写明理由", code="reason_required", article="第十四条")
    if level is not None and not 1 <= int(level) <= 5:
        raise InvalidInput("风险等级须为 1–5", code="invalid_level")
    if not user.scope.is_authority_for(project.jurisdiction_id):
        raise NotPermitted("只有信息化主管部门才能调整风险等级", article="第十四条")
    return workflow.edit(
        project,
        user=user,
        changes={"risk_override": level, "risk_override_reason": reason},
        comment=reason,
        citation="第十四条",
        expected_version=expected_version,
    )


# -- 第十三条: acceptance filing ------------------------------------------------------------------------


def acceptance_file(*, project: Project, user: Any) -> AcceptanceFiling:
    """第十三条第二款: a fiscal project's acceptance result is filed with the authority."""
    with transaction.atomic():
        locked = _lock(project)
        _require(locked, user, acts_for_owner)
        if not locked.is_fiscal:
            raise InvalidInput(
                "只有使用财政性资金的项目须备案验收结果", code="not_fiscal", article="第十三条第二款"
            )
        _guard(locked, r.acceptance_passed)
        if hasattr(locked, "acceptance_filing"):
            raise Conflict("验收结果已备案", code="already_filed")
        acceptance = r.latest_acceptance(locked)  # the result acceptance_passed judged, by record order
        assert acceptance is not None  # acceptance_passed above requires one
        filing = AcceptanceFiling.objects.create(project=locked, acceptance=acceptance, filed_by=user)
        event = docket.record(
            locked,
            actor=user,
            action="acceptance_filing",
            action_label="验收结果备案",
            from_state=locked.state,
            to_state=locked.state,
            citation="第十三条第二款",
            payload={"acceptance_id": acceptance.pk if acceptance else None},
        )
        obligations_fulfil(case=locked, codes=["acceptance-filing"], event=event)
    return filing
