"""The security app on the REST API: the generic case endpoints of each case type (list, detail, docket,
one operation per step with its typed body, attachments), the operations that open a case, and the
authority's overview with its Excel export.

No ``from __future__ import annotations``: django-ninja reads the annotations at runtime."""

import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema, Status

from infogov.core.api.cases import case_router
from infogov.core.api.schemas import CaseDetailOut, ErrorOut
from infogov.core.workflow.payloads import Text

from . import exports, selectors, services
from .payloads import IncidentOpenIn, InspectionPlanIn, RecordId, Short
from .workflows import (
    INCIDENT_WORKFLOW,
    INSPECTION_WORKFLOW,
    RESPONSIBILITY_WORKFLOW,
    SYSTEM_WORKFLOW,
    TELECOM_WORKFLOW,
)

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
TAG = ["信息安全"]


class SystemDetailOut(CaseDetailOut):
    """信息系统 as the API shows it: the register entry and its classified-protection record."""

    purpose: str
    operator_id: int | None
    network: str
    hosting: str
    data_categories: list[str] = Field(..., title="数据类别")
    sector: str
    critical: bool
    security_officer: str
    security_contact: str
    backup_scope: str
    backup_frequency: str
    backup_location: str
    last_restore_test: dt.date | None
    harmed_object: str
    harm_degree: str
    matrix_level: int | None = Field(..., title="定级矩阵等级")
    level: int | None = Field(..., title="安全保护等级")
    grading_reasoning: str
    determined_on: dt.date | None
    review_override: bool
    filing_number: str
    filing_organ: str
    filed_on: dt.date | None
    last_evaluated_on: dt.date | None
    source_project_id: int | None


router = case_router(
    SYSTEM_WORKFLOW,
    prefix="security_systems",
    detail_schema=SystemDetailOut,
    search_fields=("reference", "title", "purpose"),
    ordering_fields=("created_at", "updated_at", "reference", "title", "state", "level"),
    tags=TAG,
)
incident_router = case_router(INCIDENT_WORKFLOW, prefix="security_incidents", tags=TAG)
inspection_router = case_router(INSPECTION_WORKFLOW, prefix="security_inspections", tags=TAG)
responsibility_router = case_router(RESPONSIBILITY_WORKFLOW, prefix="security_responsibilities", tags=TAG)
telecom_router = case_router(TELECOM_WORKFLOW, prefix="security_telecom", tags=TAG)
tools = Router(tags=TAG)


class Created(Schema):
    id: int
    reference: str
    state: str
    version: int


def _created(case: Any) -> Any:
    return Status(
        201, {"id": case.pk, "reference": case.reference, "state": case.state, "version": case.version}
    )


class SystemIn(Schema):
    title: Short = Field(..., title="系统名称")
    purpose: Text = Field("", title="用途")
    operator_id: RecordId | None = Field(None, title="运行维护单位")
    network: Literal["", "egov_extranet", "egov_intranet", "internet", "dedicated"] = Field(
        "", title="承载网络"
    )
    hosting: Literal["", "own_room", "gov_cloud", "other"] = Field("", title="部署方式")
    data_categories: list[Literal["个人信息", "基础数据库数据", "重要数据"]] = Field(
        default_factory=list, title="数据类别", max_length=3
    )
    sector: Text = Field("", title="所属领域", max_length=50)
    critical: bool = Field(False, title="关键信息基础设施")
    security_officer: Text = Field("", title="安全责任人", max_length=50)
    security_contact: Text = Field("", title="安全责任人联系方式", max_length=50)


@router.post(
    "/",
    response={201: Created, **ERRORS},
    operation_id="security_systems_create",
    summary="登记信息系统（第三十条第一款）",
)
def create_system(request, data: SystemIn):
    fields = data.dict()
    fields["data_categories"] = sorted(set(fields["data_categories"]))
    if fields["operator_id"] is not None:
        from infogov.org.models import Organisation

        if not Organisation.objects.filter(pk=fields["operator_id"]).exists():
            fields["operator_id"] = None
    return _created(services.system_register(user=request.auth, **fields))


@incident_router.post(
    "/",
    response={201: Created, **ERRORS},
    operation_id="security_incidents_create",
    summary="登记网络安全事件（第三十条第二款）",
)
def create_incident(request, data: IncidentOpenIn):
    return _created(services.incident_open(user=request.auth, **data.model_dump()))


@inspection_router.post(
    "/",
    response={201: Created, **ERRORS},
    operation_id="security_inspections_create",
    summary="制定安全检查计划（第三十二条）",
)
def create_inspection(request, data: InspectionPlanIn):
    return _created(services.inspection_plan(user=request.auth, **data.model_dump()))


@responsibility_router.post(
    "/",
    response={201: Created, **ERRORS},
    operation_id="security_responsibilities_create",
    summary="草拟本单位信息安全保障工作责任制（第三十条第一款）",
)
def create_responsibility(request):
    return _created(services.responsibility_create(user=request.auth))


class TelecomIn(Schema):
    title: Short = Field(..., title="备案事项名称")


@telecom_router.post(
    "/",
    response={201: Created, **ERRORS},
    operation_id="security_telecom_create",
    summary="起草通信基础设施安全保障方案备案（第三十一条第二款）",
)
def create_telecom(request, data: TelecomIn):
    return _created(services.telecom_filing_create(user=request.auth, title=data.title))


@tools.get(
    "/overview",
    response={200: dict, **ERRORS},
    operation_id="security_overview",
    summary="信息安全总览（本人可见范围）",
)
def get_overview(request):
    return exports.overview_json(selectors.overview(request.auth))
