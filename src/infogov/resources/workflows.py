"""The catalogue and the sharing procedure as declarations on the workflow core.

A resource (政务信息资源目录条目): 编目中 → 待审核 → 已发布 (the authority reviews, 第二十七条), with
Record steps for its fields, amendments of a published entry (before/after in the docket), data batches,
the authority's reminder of a stale resource and the correction loop (校核纠错, 第二十七条第一款).

A sharing request (共享申请): 无条件共享 granted on request; 有条件共享 decided by the provider within
the platform's deadline (working days); a grant can be suspended, resumed and revoked (第二十七条第二款、
第二十九条)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from infogov.core.errors import InvalidInput
from infogov.core.workflow.engine import Transition, Workflow
from infogov.core.workflow.obligations import Duty
from infogov.core.workflow.permissions import register_case_permissions
from infogov.core.workflow.rules import acts_as_competent_authority
from infogov.core.workflow.steps import Record, StepContext
from infogov.org.selectors import authority_of

from . import rules as R
from . import store
from .choices import RequestState as Q
from .choices import ResourceState as S
from .models import CorrectionReport, Resource, ResourceField, SharingRequest
from .payloads import AmendIn, AnswerIn, CorrectionIn, FieldIn, GrantIn, LoadIn
from .policy import CORRECTION_DAYS, DECISION_DAYS, REVIEW_DAYS, STALE_REMINDER_DAYS
from .workdays import add_working_days


def _working_days(policy: Any) -> Any:
    return lambda case, today: add_working_days(today, policy.on(today))


# -- duties ------------------------------------------------------------------------------------------

review_duty = Duty(
    "resource-review",
    "审核政务信息资源目录条目",
    "第二十七条第二款",
    owed_by=lambda c: authority_of(c.jurisdiction),
    owed_to=lambda c: c.owner,
    due=_working_days(REVIEW_DAYS),
)

update_duty = Duty(
    "resource-update",
    "按更新周期更新资源数据",
    "第二十七条第一款",
    owed_by=lambda c: c.owner,
    owed_to=lambda c: authority_of(c.jurisdiction),
    due=_working_days(STALE_REMINDER_DAYS),
)

decision_duty = Duty(
    "sharing-decision",
    "答复有条件共享申请",
    "第二十七条第二款",
    owed_by=lambda c: c.resource.owner,
    owed_to=lambda c: c.owner,
    due=_working_days(DECISION_DAYS),
)


# -- effects -----------------------------------------------------------------------------------------


def _search_text(resource: Resource) -> str:
    from infogov.core.text import search_column

    return search_column(resource.title, resource.summary, resource.catalogue_code, resource.provider_code)


def amend(case: Resource, ctx: StepContext) -> None:
    values = {k: v for k, v in ctx.payload.items() if v is not None}
    if "record_key" in values and values["record_key"] not in case.field_codes():
        raise InvalidInput("记录标识字段须为该资源已有的信息项", code="invalid", article="第二十七条第一款")
    if not values:
        raise InvalidInput("请至少填写一项要修改的内容", code="invalid")
    for name, value in values.items():
        setattr(case, name, value)
    case.search_text = _search_text(case)


def add_field(case: Resource, ctx: StepContext) -> None:
    data = ctx.input
    ctx.create(
        ResourceField,
        resource=case,
        code=data.code,
        name=data.name,
        field_type=data.field_type,
        description=data.description,
        sensitivity=data.field_sensitivity,
        required=data.required,
        code_list=list(data.code_list),
        position=case.fields.count() + 1,
    )
    if data.record_key or not case.record_key:
        case.record_key = data.code


def load_batch(case: Resource, ctx: StepContext) -> None:
    """The batch the service validated (store.pending) is merged in one statement; the docket keeps its
    summary (source, rows, fingerprint), never the records."""
    from django.utils import timezone

    store.merge(case, ctx.input.mode)
    case.last_loaded_at = timezone.now()


def report_error(case: Resource, ctx: StepContext) -> None:
    from infogov.core.workflow.permissions import scope_of

    orgs = scope_of(ctx.user).org_ids_with_role(*R.STAFF_ROLES)
    grant = case.requests.filter(owner_id__in=orgs, state__in=(Q.GRANTED, Q.SUSPENDED)).first()
    assert grant is not None  # the actor rule A27-1-CORRECTION-USER holds
    data = ctx.input
    report = ctx.create(
        CorrectionReport,
        resource=case,
        reporter_id=grant.owner_id,
        reported_by=ctx.user,
        record_id=data.record_id,
        field_code=data.field_code,
        problem=data.problem,
        evidence=data.evidence,
        reported_on=ctx.today or dt.date.today(),
    )
    reporter = grant.owner
    ctx.open_duty(
        Duty(
            report.duty_code,
            f"核实更正纠错报告：记录 {data.record_id[:20]} 的 {data.field_code}",
            "第二十七条第一款",
            owed_by=lambda c: c.owner,
            owed_to=lambda c: reporter,
            due=_working_days(CORRECTION_DAYS),
        )
    )


def answer_error(case: Resource, ctx: StepContext) -> None:
    data = ctx.input
    report = case.corrections.select_for_update().get(pk=data.report_id)
    ctx.update(report, outcome=data.outcome, answer=data.answer, answered_on=ctx.today or dt.date.today())
    ctx.close_duty(report.duty_code)


def grant_on_request(case: SharingRequest, ctx: StepContext) -> None:
    case.fields_granted = list(case.fields_requested)
    case.clear_text = False
    case.decided_on = ctx.today


def grant(case: SharingRequest, ctx: StepContext) -> None:
    case.fields_granted = list(ctx.input.fields or case.fields_requested)
    case.clear_text = ctx.input.clear_text
    case.decided_on = ctx.today


def refuse(case: SharingRequest, ctx: StepContext) -> None:
    case.decided_on = ctx.today


def issue_token(case: SharingRequest, ctx: StepContext) -> dict[str, Any]:
    """A new exchange token (the previous one stops working); only its digest is kept."""
    from .exchange import new_token

    plaintext, prefix, digest = new_token()
    case.token_prefix, case.token_digest = prefix, digest
    case.issued_token = plaintext  # type: ignore[attr-defined]  # shown once, never stored
    return {
        "token_prefix": {"before": None, "after": prefix},
        "token_digest": {"before": None, "after": "（已签发新令牌，摘要不记入案卷）"},
    }


# -- the resource (catalogue entry) ------------------------------------------------------------------

WORKFLOW = Workflow(
    Resource,
    states=S,
    initial=S.DRAFT,
    title="政务信息资源",
    transitions=[
        Transition(
            "submit",
            S.DRAFT,
            S.SUBMITTED,
            "提交审核",
            by=(R.acts_for_provider,),
            guards=(
                R.base_database_keyed,
                R.has_fields_and_key,
                R.share_type_has_basis,
                R.provider_may_catalogue,
                R.no_state_secret,
                R.personal_not_unconditional,
            ),
            citation="第二十七条第一款",
            opens=(review_duty,),
        ),
        Transition(
            "publish",
            S.SUBMITTED,
            S.PUBLISHED,
            "审核通过并发布",
            by=(acts_as_competent_authority,),
            guards=(R.no_state_secret, R.share_type_has_basis),
            citation="第二十七条第二款",
            closes=("resource-review",),
            confirm="发布后该资源进入共享目录，各单位可以申请共享。确定发布吗？",
        ),
        Transition(
            "return_for_revision",
            S.SUBMITTED,
            S.DRAFT,
            "退回修改",
            by=(acts_as_competent_authority,),
            citation="第二十七条第二款",
            closes=("resource-review",),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "withdraw",
            S.PUBLISHED,
            S.WITHDRAWN,
            "撤销发布",
            by=(R.acts_for_provider,),
            citation="第二十七条第一款",
            comment_required=True,
            style="danger",
            confirm="撤销后不能再申请共享该资源。确定撤销吗？",
        ),
        Record(
            name="add_field",
            label="添加信息项",
            states=(S.DRAFT,),
            by=(R.acts_for_provider,),
            guards=(R.no_state_secret, R.personal_not_unconditional),
            payload=FieldIn,
            effects=(add_field,),
            citation="第二十九条第一款",
        ),
        Record(
            name="amend",
            label="修改目录信息",
            states=(S.DRAFT, S.PUBLISHED),
            by=(R.acts_for_provider,),
            guards=(R.share_type_has_basis, R.no_state_secret, R.personal_not_unconditional),
            payload=AmendIn,
            effects=(amend,),
            citation="第二十七条第一款",
        ),
        Record(
            name="load_records",
            label="更新资源数据",
            states=(S.PUBLISHED,),
            by=(R.acts_for_provider,),
            payload=LoadIn,
            effects=(load_batch,),
            citation="第二十七条第一款",
            closes=("resource-update",),
            touch=False,
        ),
        Record(
            name="remind_stale",
            label="督促更新超期资源",
            states=(S.PUBLISHED,),
            by=(acts_as_competent_authority,),
            guards=(R.resource_is_stale,),
            citation="第二十七条第一款",
            opens=(update_duty,),
        ),
        Record(
            name="report_error",
            label="报告数据错误（校核纠错）",
            states=(S.PUBLISHED,),
            by=(R.reports_as_grantee,),
            guards=(R.correction_names_a_field,),
            payload=CorrectionIn,
            effects=(report_error,),
            citation="第二十七条第一款",
            touch=False,
        ),
        Record(
            name="answer_error",
            label="答复纠错报告",
            states=(S.PUBLISHED, S.WITHDRAWN),
            by=(R.acts_for_provider,),
            guards=(R.correction_is_open,),
            payload=AnswerIn,
            effects=(answer_error,),
            citation="第二十七条第一款",
            touch=False,
        ),
    ],
)

REQUEST_GUARDS = (
    R.resource_published,
    R.resource_shareable,
    R.fields_minimum_necessary,
    R.period_sensible,
)

SHARING_WORKFLOW = Workflow(
    SharingRequest,
    states=Q,
    initial=Q.DRAFT,
    title="信息资源共享申请",
    transitions=[
        Transition(
            "request_unconditional",
            Q.DRAFT,
            Q.GRANTED,
            "申请无条件共享（申请即授权）",
            by=(R.acts_for_consumer,),
            guards=(*REQUEST_GUARDS, R.resource_unconditional),
            effects=(grant_on_request,),
            citation="第二十七条第二款",
        ),
        Transition(
            "submit",
            Q.DRAFT,
            Q.PENDING,
            "提交有条件共享申请",
            by=(R.acts_for_consumer,),
            guards=(*REQUEST_GUARDS, R.resource_conditional),
            citation="第二十七条第二款",
            opens=(decision_duty,),
        ),
        Transition(
            "grant",
            Q.PENDING,
            Q.GRANTED,
            "同意共享",
            by=(R.acts_for_resource_provider,),
            guards=(R.grant_within_request, R.clear_text_justified, R.resource_published),
            payload=GrantIn,
            effects=(grant,),
            citation="第二十七条第二款",
            closes=("sharing-decision",),
        ),
        Transition(
            "refuse",
            Q.PENDING,
            Q.REFUSED,
            "不予共享（说明理由）",
            by=(R.acts_for_resource_provider,),
            effects=(refuse,),
            citation="第二十七条第二款",
            closes=("sharing-decision",),
            comment_required=True,
            style="danger",
        ),
        Transition(
            "suspend",
            Q.GRANTED,
            Q.SUSPENDED,
            "暂停授权",
            by=(R.acts_for_resource_provider,),
            citation="第二十九条第一款",
            comment_required=True,
            style="secondary",
        ),
        Transition(
            "resume",
            Q.SUSPENDED,
            Q.GRANTED,
            "恢复授权",
            by=(R.acts_for_resource_provider,),
            guards=(R.resource_published,),
            citation="第二十七条第二款",
        ),
        Transition(
            "revoke",
            (Q.GRANTED, Q.SUSPENDED),
            Q.REVOKED,
            "撤销授权",
            by=(R.acts_for_resource_provider,),
            citation="第二十九条第一款",
            comment_required=True,
            style="danger",
            confirm="撤销后使用单位立即不能再获取数据。确定撤销吗？",
        ),
        Record(
            name="issue_token",
            label="签发交换令牌",
            states=(Q.GRANTED,),
            by=(R.acts_for_consumer,),
            effects=(issue_token,),
            citation="第二十一条第一款",
            confirm="新令牌只显示一次，原令牌随即失效。确定签发吗？",
        ),
    ],
)

register_case_permissions(Resource)
register_case_permissions(SharingRequest)
