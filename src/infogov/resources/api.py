"""The resources app on the REST API: the generic case endpoints of catalogue entries (/api/resources/)
and sharing requests (/api/sharing/), the shared catalogue and its tools (/api/catalogue/), the
provider's side of sharing requests, and the exchange (/api/exchange/{resource}/records, authenticated
by the grant's own token).

No ``from __future__ import annotations``: django-ninja reads the annotations at runtime.
"""

import contextlib
import datetime as dt
from typing import Any, Literal

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Query, Router, Schema, Status, UploadedFile

from infogov.core.api.cases import case_router
from infogov.core.api.schemas import CaseDetailOut, CaseItemOut, ErrorOut
from infogov.core.errors import DomainError, NotFound
from infogov.core.workflow import engine
from infogov.core.workflow.rules import RuleContext

from . import exchange, quality, selectors, services
from . import rules as R
from .choices import BaseCategory
from .payloads import RequestIn, ResourceIn
from .workflows import SHARING_WORKFLOW, WORKFLOW

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ResourceItemOut(CaseItemOut):
    catalogue_code: str
    base_category: str
    share_type: str
    update_frequency: str


class ResourceDetailOut(CaseDetailOut):
    catalogue_code: str
    provider_code: str
    summary: str
    base_category: str
    source_system: str
    update_frequency: str
    share_type: str
    share_basis: str
    open_type: str
    data_format: str
    sensitivity: str
    record_key: str
    last_loaded_at: dt.datetime | None


class SharingItemOut(CaseItemOut):
    resource_id: int
    period_end: dt.date


class SharingDetailOut(CaseDetailOut):
    resource_id: int
    purpose: str
    fields_requested: list[str]
    legal_basis: str
    period_start: dt.date
    period_end: dt.date
    consumer_system: str
    clear_text_requested: bool
    fields_granted: list[str]
    clear_text: bool
    decided_on: dt.date | None


class CreatedOut(Schema):
    id: int
    reference: str
    title: str
    state: str
    state_label: str
    url: str | None = Field(None, description="事项接口地址（办理步骤见 /api/resources/{id}/transitions/…）")


class SharingOut(Schema):
    id: int
    reference: str
    resource: int
    state: str
    state_label: str
    fields_requested: list[str]
    fields_granted: list[str]
    clear_text: bool
    period_end: dt.date
    decided_on: dt.date | None
    url: str | None = None


router = case_router(
    WORKFLOW,
    prefix="resources",
    list_schema=ResourceItemOut,
    detail_schema=ResourceDetailOut,
    search_fields=("reference", "title", "catalogue_code"),
    ordering_fields=("created_at", "updated_at", "reference", "title", "catalogue_code", "state"),
)
sharing_router = case_router(
    SHARING_WORKFLOW,
    prefix="sharing",
    list_schema=SharingItemOut,
    detail_schema=SharingDetailOut,
    search_fields=("reference", "title"),
)

# -- the shared catalogue -------------------------------------------------------------------------------

catalogue = Router()


class FieldOut(Schema):
    code: str
    name: str
    field_type: str
    description: str
    sensitivity: str
    required: bool


class EntryOut(Schema):
    id: int
    reference: str
    title: str
    catalogue_code: str
    provider: str = Field(..., description="提供单位")
    base_category: str
    base_category_label: str
    share_type: str
    share_type_label: str
    update_frequency: str
    state: str
    summary: str


class EntryDetailOut(EntryOut):
    share_basis: str
    open_type: str
    data_format: str
    record_key: str
    fields: list[FieldOut]
    users: list[str] = Field(..., description="持有授权的使用单位")
    quality: dict[str, Any] = Field(..., description="数据质量（第二十七条）")


class EntryPage(Schema):
    count: int
    items: list[EntryOut]


def _entry(r: Any) -> dict[str, Any]:
    return {
        "id": r.pk,
        "reference": r.reference,
        "title": r.title,
        "catalogue_code": r.catalogue_code,
        "provider": r.owner.name,
        "base_category": r.base_category,
        "base_category_label": r.get_base_category_display(),
        "share_type": r.share_type,
        "share_type_label": r.get_share_type_display(),
        "update_frequency": r.update_frequency,
        "state": r.state,
        "summary": r.summary,
    }


class CatalogueFilters(Schema):
    text: str | None = Field(None, max_length=100, description="中文检索（按词）")
    category: Literal[tuple(BaseCategory.values)] | None = Field(None, description="资源分类")  # type: ignore[valid-type]
    provider: int | None = Field(None, description="提供单位 id")
    page: int = Field(1, ge=1, le=10000)
    page_size: int = Field(50, ge=1, le=200)


@catalogue.get(
    "/", response={200: EntryPage, **ERRORS}, operation_id="catalogue_list", summary="政务信息资源目录"
)
def catalogue_list(request, filters: Query[CatalogueFilters]):
    qs = selectors.catalogue(
        request.auth, text=filters.text or "", category=filters.category or "", provider=filters.provider
    )
    start = (filters.page - 1) * filters.page_size
    items = list(qs[start : start + filters.page_size])
    return {"count": qs.count(), "items": [_entry(r) for r in items]}


@catalogue.post(
    "/",
    response={201: CreatedOut, **ERRORS},
    operation_id="catalogue_create",
    summary="编目：登记一条政务信息资源（第二十七、二十八条）",
)
def catalogue_create(request, data: ResourceIn):
    resource = services.resource_create(user=request.auth, data=data)
    return Status(201, _detail(request, resource))


def _detail(request: Any, resource: Any) -> dict[str, Any]:
    from infogov.core.api.cases import case_api_url

    return {
        "id": resource.pk,
        "reference": resource.reference,
        "title": resource.title,
        "state": resource.state,
        "state_label": WORKFLOW.label_of(resource.state),
        "url": case_api_url(request, type(resource), resource.pk),
    }


@catalogue.get(
    "/quality",
    response={200: dict[str, Any], **ERRORS},
    operation_id="catalogue_quality",
    summary="数据质量报告：按提供单位和全市（第二十七、二十八条）",
)
def catalogue_quality(request):
    return quality.report(selectors.catalogue(request.auth).filter(state="published"))


@catalogue.get(
    "/{id}",
    response={200: EntryDetailOut, **ERRORS},
    operation_id="catalogue_entry",
    summary="目录条目：信息项、使用单位和数据质量",
)
def catalogue_entry(request, id: int):
    r = selectors.catalogue_entry(request.auth, id)
    if r is None:
        raise NotFound()
    return {
        **_entry(r),
        "share_basis": r.share_basis,
        "open_type": r.open_type,
        "data_format": r.data_format,
        "record_key": r.record_key,
        "fields": [
            {
                "code": f.code,
                "name": f.name,
                "field_type": f.field_type,
                "description": f.description,
                "sensitivity": f.sensitivity,
                "required": f.required,
            }
            for f in r.fields.all()
        ],
        "users": [g.owner.name for g in selectors.users_of(r)],
        "quality": quality.figures(r).as_dict(),
    }


class RecordsIn(Schema):
    mode: Literal["upsert", "delete"] = Field(
        "upsert", description="upsert：新增或更新；delete：按记录标识删除"
    )
    records: list[dict[str, Any]] = Field(
        ..., min_length=1, max_length=10000, description="记录，键为字段代码"
    )


class LoadOut(Schema):
    resource: int
    rows: int
    last_loaded_at: dt.datetime | None


def _own_resource(request: Any, id: int) -> Any:
    r = selectors.catalogue_entry(request.auth, id)
    if r is None:
        raise NotFound()
    return r


@catalogue.post(
    "/{id}/records",
    response={200: LoadOut, **ERRORS},
    operation_id="catalogue_records",
    summary="增量更新资源数据（按记录标识新增、更新或删除，整批校验）",
)
def catalogue_records(request, id: int, data: RecordsIn):
    r = _own_resource(request, id)
    engine.reject_nul(records=data.records)
    fired = services.records_load(
        user=request.auth,
        resource=r,
        rows=data.records,
        source="接口增量",
        file_format="api",
        mode=data.mode,
        first_row=1,
    )
    return {"resource": fired.pk, "rows": len(data.records), "last_loaded_at": fired.last_loaded_at}


@catalogue.post(
    "/{id}/upload",
    response={200: LoadOut, **ERRORS},
    operation_id="catalogue_upload",
    summary="批量导入资源数据（CSV/GBK、Excel、NDJSON；整批校验，有错则全部不导入）",
)
def catalogue_upload(
    request, id: int, file: File[UploadedFile], mode: Form[Literal["upsert", "replace"]] = "upsert"
):
    r = _own_resource(request, id)
    fired = services.records_upload(
        user=request.auth, resource=r, upload=file, filename=file.name or "", mode=mode
    )
    return {
        "resource": fired.pk,
        "rows": services.store.record_count(fired),
        "last_loaded_at": fired.last_loaded_at,
    }


class CorrectionBody(Schema):
    record_id: str = Field(..., min_length=1, max_length=64)
    field_code: str = Field(..., max_length=40)
    problem: str = Field(..., min_length=1, max_length=5000)
    evidence: str = Field("", max_length=5000)


class CorrectionOut(Schema):
    id: int
    due_date: dt.date | None


@catalogue.post(
    "/{id}/corrections",
    response={201: CorrectionOut, **ERRORS},
    operation_id="catalogue_correction",
    summary="报告数据错误（校核纠错，第二十七条第一款）",
)
def catalogue_correction(request, id: int, data: CorrectionBody):
    r = selectors.catalogue(request.auth).filter(pk=id).first()
    if r is None:
        raise NotFound()
    fired = engine.fire(r, "report_error", user=request.auth, payload=data.dict())
    report = fired.corrections.order_by("-id").first()
    from infogov.core.models import Obligation

    duty = Obligation.objects.for_case(fired).filter(code=report.duty_code).first()
    return Status(201, {"id": report.pk, "due_date": duty.due_date if duty else None})


# -- sharing: requests, the provider's decisions, tokens ----------------------------------------------

sharing_tools = Router()


class IncomingOut(Schema):
    id: int
    reference: str
    resource: str
    consumer: str
    purpose: str
    fields_requested: list[str]
    state: str
    state_label: str


class StepBody(Schema):
    comment: str = Field("", max_length=5000)
    payload: dict[str, Any] = Field(default_factory=dict)


class ExchangeTokenOut(Schema):
    token: str = Field(..., description="交换令牌（只显示这一次）")
    exchange_url: str


@sharing_tools.post(
    "/requests",
    response={201: SharingOut, **ERRORS},
    operation_id="sharing_request",
    summary="申请共享一项资源（无条件共享申请即授权；有条件共享由提供单位答复）",
)
def sharing_request(request, data: RequestIn):
    req = services.request_create(user=request.auth, data=data)
    return Status(201, _sharing_detail(request, req))


def _sharing_detail(request: Any, req: Any) -> dict[str, Any]:
    from infogov.core.api.cases import case_api_url

    return {
        "id": req.pk,
        "reference": req.reference,
        "resource": req.resource_id,
        "state": req.state,
        "state_label": SHARING_WORKFLOW.label_of(req.state),
        "fields_requested": req.fields_requested,
        "fields_granted": req.fields_granted,
        "clear_text": req.clear_text,
        "period_end": req.period_end,
        "decided_on": req.decided_on,
        "url": case_api_url(request, type(req), req.pk),
    }


@sharing_tools.get(
    "/incoming",
    response={200: list[IncomingOut], **ERRORS},
    operation_id="sharing_incoming",
    summary="本单位提供的资源收到的共享申请",
)
def sharing_incoming(request):
    return [
        {
            "id": r.pk,
            "reference": r.reference,
            "resource": r.resource.title,
            "consumer": r.owner.name,
            "purpose": r.purpose,
            "fields_requested": r.fields_requested,
            "state": r.state,
            "state_label": SHARING_WORKFLOW.label_of(r.state),
        }
        for r in selectors.incoming_requests(request.auth)[:500]
    ]


@sharing_tools.post(
    "/incoming/{id}/steps/{name}",
    response={200: SharingOut, **ERRORS},
    operation_id="sharing_incoming_step",
    summary="提供单位办理共享申请：grant 同意、refuse 不予共享、suspend 暂停、resume 恢复、revoke 撤销",
)
def sharing_incoming_step(request, id: int, name: str, data: StepBody):
    req = selectors.incoming_requests(request.auth).filter(pk=id).first()
    if req is None:
        raise NotFound()
    if name not in ("grant", "refuse", "suspend", "resume", "revoke"):
        raise NotFound("提供单位可以办理的步骤为 grant、refuse、suspend、resume、revoke")
    fired = engine.fire(req, name, user=request.auth, comment=data.comment, payload=data.payload or None)
    return _sharing_detail(request, fired)


@sharing_tools.post(
    "/{id}/token",
    response={201: ExchangeTokenOut, **ERRORS},
    operation_id="sharing_token",
    summary="签发交换令牌（只显示一次；原令牌失效）",
)
def sharing_token(request, id: int):
    req = selectors.my_requests(request.auth).filter(pk=id).first()
    if req is None:
        raise NotFound()
    token = services.token_issue(user=request.auth, grant=req)
    url = reverse("api:exchange_records", kwargs={"resource": req.resource_id})
    return Status(201, {"token": token, "exchange_url": request.build_absolute_uri(url)})


# -- the exchange -------------------------------------------------------------------------------------

exchange_router = Router()


class RecordsPage(Schema):
    resource: int
    grant: str = Field(..., description="授权编号")
    fields: list[str] = Field(..., description="授权的信息项（字段代码）")
    masked: list[str] = Field(..., description="脱敏提供的信息项")
    records: list[dict[str, Any]]
    next_cursor: str | None = Field(None, description="下一页的 cursor；为空表示没有更多")


class PullParams(Schema):
    cursor: str | None = Field(None, max_length=400)
    limit: int = Field(100, ge=1, le=exchange.PAGE_MAX)
    format: Literal["json", "csv", "ndjson"] = Field(
        "json", description="json 分页；csv、ndjson 为流式全量下载"
    )


@exchange_router.get(
    "/{resource}/records",
    auth=None,
    response={
        200: RecordsPage,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
        503: ErrorOut,
    },
    operation_id="exchange_records",
    summary="交换：按授权获取资源数据（Authorization: Bearer gx_…；只含授权信息项，个人信息脱敏）",
    description="筛选：f.<字段代码>=<值>（只能用授权的信息项）。每次获取都记入哈希链访问日志（不记录数据内容）。",
)
def exchange_records(request, resource: int, params: Query[PullParams]):
    grant = exchange.grant_for_token(request.headers.get("Authorization", ""))
    if grant is not None and grant.resource_id != resource:
        grant = None
    ip = request.META.get("REMOTE_ADDR")
    today = timezone.localdate()
    filters = [k[2:] for k in request.GET if k.startswith("f.")]
    try:
        if grant is None:
            R.require(None, RuleContext(user=None, today=today), R.holds_active_grant)
        assert grant is not None
        exchange.throttle(grant)
        pull = exchange.prepare(grant, resource, dict(request.GET.items()), today=today)
    except DomainError as exc:  # refused: logged too (who tried, with which grant, never what came back)
        exchange.log_pull(
            grant=grant, resource_id=resource, outcome=exc.code, detail={"filters": filters[:20]}, ip=ip
        )
        raise
    detail = {
        "fields": grant.fields_granted,
        "filters": sorted(pull.filters),
        "format": params.format,
        "clear_text": grant.clear_text,
    }
    masked = [f.code for f in pull.fields if f.masked and not grant.clear_text]
    if params.format == "json":
        records, cursor = exchange.page(pull, cursor=params.cursor, limit=params.limit)
        exchange.log_pull(
            grant=grant, resource_id=resource, outcome="ok", detail={**detail, "rows": len(records)}, ip=ip
        )
        return {
            "resource": resource,
            "grant": grant.reference,
            "fields": [f.code for f in pull.fields],
            "masked": masked,
            "records": records,
            "next_cursor": cursor,
        }
    exchange.log_pull(
        grant=grant,
        resource_id=resource,
        outcome="ok",
        detail={**detail, "rows": None, "stream": "start"},
        ip=ip,
    )

    def done(n: int) -> None:
        with contextlib.suppress(exchange.Unavailable):  # the start is logged; the count is what is missing
            exchange.log_pull(
                grant=grant,
                resource_id=resource,
                outcome="ok",
                detail={**detail, "rows": n, "stream": "end"},
                ip=ip,
            )

    chunks = exchange.csv_chunks(pull, done) if params.format == "csv" else exchange.ndjson_chunks(pull, done)
    response = StreamingHttpResponse(
        chunks, content_type="text/csv; charset=utf-8" if params.format == "csv" else "application/x-ndjson"
    )
    response["Content-Disposition"] = f'attachment; filename="resource-{resource}.{params.format}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
