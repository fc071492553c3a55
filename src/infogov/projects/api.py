"""Projects on the REST API: the generic case endpoints (list, detail, docket, transitions,
attachments) from core.api_cases, plus one endpoint per project record — review findings and
decision, outsourcing review, procurement, progress, disbursements, inspections, risk, similar
projects, Excel import. Handlers parse, call one service or selector, and shape the answer.

No ``from __future__ import annotations``: django-ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Self

from django.db.models import Q
from django.urls import reverse
from ninja import Field, File, FilterSchema, Router, Schema, Status, UploadedFile
from pydantic import model_validator

from infogov.core.api.cases import case_router
from infogov.core.api.schemas import CaseDetailOut, CaseItemOut, ErrorOut
from infogov.core.errors import NotFound
from infogov.core.workflow.payloads import ActDate, RequiredText, Text

from . import imports, risk, selectors, services
from .import_schemas import ImportProgressOut
from .models import InspectionFinding, Project, ReviewCondition
from .payloads import AcceptanceFilingIn
from .workflows import PLAN_WORKFLOW, PROJECT_WORKFLOW

ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class ProjectItemOut(CaseItemOut):
    category: str
    funding_kind: str
    budget: Decimal
    year: int


class ProjectDetailOut(CaseDetailOut):
    category: str
    funding_kind: str
    budget_source: str
    special_fund: str
    funding_source: str
    budget: Decimal
    year: int
    content: str
    systems: list[Any]
    data_resources: list[Any]
    network: str
    hosting: str
    planned_start: dt.date | None
    planned_completion: dt.date | None
    plan_task_ref: str
    security_plan: str
    security_level: int | None
    security_measures: list[Any]
    procedures_completed: str
    annual_plan_id: int | None
    filing_number: str
    completed_on: dt.date | None


class ProjectFilters(FilterSchema):
    search_params: ClassVar[tuple[str, ...]] = ("text",)  # a search: its count is capped (api_cases)

    year: int | None = Field(None, description="建设年度")
    category: str | None = Field(None, description="项目类别")
    funding_kind: str | None = Field(None, description="资金性质：fiscal / non_fiscal")
    owner: int | None = Field(None, description="建设单位 id")
    text: str | None = Field(None, max_length=100, description="中文全文检索（按词，分词后匹配）")

    def filter_owner(self, value: int | None) -> Q:
        return Q(owner_id=value) if value else Q()

    def filter_text(self, value: str | None) -> Q:
        return selectors.search_q(value) if value else Q()


router = case_router(
    PROJECT_WORKFLOW,
    prefix="projects",
    list_schema=ProjectItemOut,
    detail_schema=ProjectDetailOut,
    filter_schema=ProjectFilters,
    search_fields=("reference", "title", "content"),
    ordering_fields=("created_at", "updated_at", "reference", "title", "budget", "year", "state"),
    tags=["信息化工程项目"],
)

tools = Router(tags=["信息化工程项目"])


# -- inputs ------------------------------------------------------------------------------------------------


class ProjectIn(Schema):
    # text stripped and not blank, no NUL, dates in the window (core/workflow/payloads.py): the API
    # refuses what the register form refuses
    title: Annotated[RequiredText, Field(max_length=200)]
    category: str
    funding_kind: str
    budget: Decimal = Field(..., gt=0, max_digits=16, decimal_places=2)
    year: int = Field(..., ge=2015, le=2100)
    content: RequiredText
    budget_source: Annotated[Text, Field(max_length=200)] = ""
    special_fund: Annotated[Text, Field(max_length=200)] = ""
    funding_source: Annotated[Text, Field(max_length=200)] = ""
    systems: list[str] = []
    data_resources: list[Any] = []
    network: str = "egov_extranet"
    hosting: str = "gov_cloud"
    planned_start: ActDate | None = None
    planned_completion: ActDate | None = None
    plan_task_ref: Text = ""
    security_plan: Text = ""
    security_level: int | None = Field(None, ge=1, le=5)
    security_measures: list[str] = []
    procedures_completed: Text = ""
    standards: list[str] = []

    @model_validator(mode="after")
    def _completion_after_start(self) -> Self:
        if self.planned_start and self.planned_completion and self.planned_completion < self.planned_start:
            raise ValueError("计划竣工日期不能早于计划开工日期")
        return self


class FindingIn(Schema):
    dimension: str = Field(..., description="layout / standards / security / sharing / other")
    conclusion: str = Field(..., description="meets / conditions / fails")
    text: Annotated[RequiredText, Field(max_length=5000)]
    acknowledged_hits: list[int] = Field([], description="信息资源共享意见回应的相似项目（similar 中的 id）")
    expected_version: int | None = None


class ConditionIn(Schema):
    text: Annotated[RequiredText, Field(max_length=2000)]
    due_date: ActDate | None = None


class DecisionIn(Schema):
    passed: bool
    conditions: list[ConditionIn] = []
    comment: str = ""
    expected_version: int | None = None


class OutsourcingIn(Schema):
    approved: bool
    opinion: Annotated[RequiredText, Field(max_length=5000)]


class ProcurementIn(Schema):
    method: str
    notice_number: Annotated[RequiredText, Field(max_length=60)]
    supplier: Annotated[RequiredText, Field(max_length=200)]
    contract_amount: Decimal = Field(..., gt=0, max_digits=16, decimal_places=2)
    contract_date: ActDate | None = None
    expected_version: int | None = None


class ProgressIn(Schema):
    percent: int = Field(..., ge=0, le=100)
    reported_on: ActDate | None = None
    note: Text = ""


class DisbursementIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=16, decimal_places=2)
    purpose: Annotated[RequiredText, Field(max_length=200)]
    paid_on: ActDate | None = None


class InspectionFindingIn(Schema):
    text: RequiredText
    due_date: ActDate
    severity: str = "medium"


class InspectionIn(Schema):
    cosupervisors: list[int] = Field([], description="协同监督部门（单位 id）")
    summary: str = ""
    findings: list[InspectionFindingIn] = []


class AnswerIn(Schema):
    text: Annotated[RequiredText, Field(max_length=5000)]


class RiskOverrideIn(Schema):
    level: int | None = Field(None, ge=1, le=5, description="空：取消人工调整")
    reason: Annotated[RequiredText, Field(max_length=2000)]
    expected_version: int | None = None


# -- outputs -----------------------------------------------------------------------------------------------


def _review(project: Project) -> dict[str, Any]:
    review = getattr(project, "review", None) if hasattr(project, "review") else None
    return {
        "findings": [
            {
                "dimension": f.dimension,
                "dimension_label": f.get_dimension_display(),
                "conclusion": f.conclusion,
                "conclusion_label": f.get_conclusion_display(),
                "text": f.text,
                "recorded_at": f.recorded_at,
            }
            for f in project.findings.all()
        ],
        "opinion": review.opinion if review else None,
        "opinion_label": review.get_opinion_display() if review else None,
        "conditions": [
            {
                "id": c.pk,
                "text": c.text,
                "due_date": c.due_date,
                "answer": c.answer,
                "answered": c.answered_at is not None,
                "status": c.status,
                "status_label": c.get_status_display(),
                "return_reason": c.return_reason,
            }
            for c in project.conditions.all()
        ],
    }


def _funds(project: Project) -> dict[str, Any]:
    contract = project.procurement if hasattr(project, "procurement") else None
    total = project.disbursed_total()
    return {
        "budget": project.budget,
        "contract_amount": contract.contract_amount if contract else None,
        "supplier": contract.supplier if contract else None,
        "disbursed": total,
        "progress": project.latest_progress(),
        "disbursements": [
            {"id": d.pk, "paid_on": d.paid_on, "amount": d.amount, "purpose": d.purpose}
            for d in project.disbursements.all()
        ],
        "progress_reports": [
            {"reported_on": r.reported_on, "percent": r.percent, "note": r.note}
            for r in project.progress_reports.all()
        ],
    }


def _similar(project: Project) -> list[dict[str, Any]]:
    """The candidates found at submission, best first (第六条): each with its rank, score, the words
    it shares with the project, its label with those words in <mark> (escaped HTML) and its page."""
    return [
        {
            "id": h.pk,
            "rank": i,
            "score": round(h.score, 4),
            "method": h.method,
            "label": h.other_label,
            "label_html": str(h.highlighted_label),
            "shared_terms": list(h.shared_terms or []),
            "project_id": h.other_project_id,
            "url": reverse("projects:detail", args=[h.other_project_id]) if h.other_project_id else None,
            "system_id": h.other_system_id,
            "acknowledged": h.acknowledged,
            "note": h.note,
        }
        for i, h in enumerate(project.similar_hits.select_related("other_project"), 1)
    ]


def _get(request: Any, id: int) -> Project:
    return selectors.project_get(request.auth, id)


# -- endpoints ---------------------------------------------------------------------------------------------


@router.post(
    "/",
    response={201: dict, **ERRORS},
    operation_id="projects_create",
    url_name="projects_create",
    summary="登记项目（草稿）",
)
def create_project(request, data: ProjectIn):
    fields = data.dict()
    standards = fields.pop("standards")
    project = services.project_create(user=request.auth, standards=standards, **fields)
    return Status(
        201,
        {
            "id": project.pk,
            "reference": project.reference,
            "state": project.state,
            "version": project.version,
        },
    )


@router.get(
    "/{id}/review",
    response={200: dict, **ERRORS},
    operation_id="projects_review",
    url_name="projects_review",
    summary="评审意见和审查意见（第九条第二款）",
)
def get_review(request, id: int):
    return _review(_get(request, id))


@router.post(
    "/{id}/review/findings",
    response={200: dict, **ERRORS},
    operation_id="projects_review_finding",
    url_name="projects_review_finding",
    summary="录入一个方面的评审意见",
)
def post_finding(request, id: int, data: FindingIn):
    project = _get(request, id)
    services.review_finding_record(
        project=project,
        user=request.auth,
        dimension=data.dimension,
        conclusion=data.conclusion,
        text=data.text,
        acknowledged_hits=data.acknowledged_hits,
        expected_version=data.expected_version,
    )
    return _review(_get(request, id))


@router.post(
    "/{id}/review/decision",
    response={200: dict, **ERRORS},
    operation_id="projects_review_decide",
    url_name="projects_review_decide",
    summary="作出审查意见（通过／有条件通过／不通过）",
)
def post_decision(request, id: int, data: DecisionIn):
    project = _get(request, id)
    services.project_review_decide(
        project=project,
        user=request.auth,
        passed=data.passed,
        comment=data.comment,
        conditions=[
            {"text": c.text, "due_date": c.due_date.isoformat() if c.due_date else None}
            for c in data.conditions
        ],
        expected_version=data.expected_version,
    )
    return _review(_get(request, id))


@router.post(
    "/conditions/{cid}/answer",
    response={200: dict, **ERRORS},
    operation_id="projects_condition_answer",
    url_name="projects_condition_answer",
    summary="答复审查条件",
)
def answer_condition(request, cid: int, data: AnswerIn):
    c = ReviewCondition.objects.filter(pk=cid).first()
    if c is None:
        raise NotFound()
    project = _get(request, c.project_id)
    services.review_condition_answer(condition=c, user=request.auth, answer=data.text)
    return _review(project)


@router.post(
    "/{id}/outsourcing-review",
    response={200: dict, **ERRORS},
    operation_id="projects_outsourcing",
    url_name="projects_outsourcing",
    summary="外包项目审核（第十一条第二款）",
)
def post_outsourcing(request, id: int, data: OutsourcingIn):
    r = services.outsourcing_review_record(
        project=_get(request, id), user=request.auth, approved=data.approved, opinion=data.opinion
    )
    return {"approved": r.approved, "opinion": r.opinion, "reviewed_at": r.reviewed_at}


@router.post(
    "/{id}/procurement",
    response={200: dict, **ERRORS},
    operation_id="projects_procurement",
    url_name="projects_procurement",
    summary="录入政府集中采购结果（第十一条第一款）",
)
def post_procurement(request, id: int, data: ProcurementIn):
    project = services.project_procurement_record(
        project=_get(request, id),
        user=request.auth,
        method=data.method,
        notice_number=data.notice_number,
        supplier=data.supplier,
        contract_amount=data.contract_amount,
        contract_date=data.contract_date,
        expected_version=data.expected_version,
    )
    return {"state": project.state, **_funds(project)}


@router.get(
    "/{id}/funds",
    response={200: dict, **ERRORS},
    operation_id="projects_funds",
    url_name="projects_funds",
    summary="预算、合同、支付和进度（第十四条）",
)
def get_funds(request, id: int):
    return _funds(_get(request, id))


@router.post(
    "/{id}/disbursements",
    response={201: dict, **ERRORS},
    operation_id="projects_disburse",
    url_name="projects_disburse",
    summary="登记资金支付",
)
def post_disbursement(request, id: int, data: DisbursementIn):
    project = _get(request, id)
    services.disbursement_record(
        project=project, user=request.auth, amount=data.amount, purpose=data.purpose, paid_on=data.paid_on
    )
    return Status(201, _funds(project))


@router.post(
    "/{id}/progress",
    response={201: dict, **ERRORS},
    operation_id="projects_progress",
    url_name="projects_progress",
    summary="报告建设进度",
)
def post_progress(request, id: int, data: ProgressIn):
    project = _get(request, id)
    services.progress_report(
        project=project, user=request.auth, percent=data.percent, reported_on=data.reported_on, note=data.note
    )
    return Status(201, _funds(project))


@router.post(
    "/{id}/inspections",
    response={201: dict, **ERRORS},
    operation_id="projects_inspect",
    url_name="projects_inspect",
    summary="监督检查（第十四条）",
)
def post_inspection(request, id: int, data: InspectionIn):
    insp = services.inspection_open(
        project=_get(request, id),
        user=request.auth,
        cosupervisors=data.cosupervisors,
        summary=data.summary,
        findings=[f.dict() for f in data.findings],
    )
    return Status(
        201,
        {
            "id": insp.pk,
            "opened_on": insp.opened_on,
            "findings": [{"id": f.pk, "text": f.text, "due_date": f.due_date} for f in insp.findings.all()],
        },
    )


@router.post(
    "/findings/{fid}/rectify",
    response={200: dict, **ERRORS},
    operation_id="projects_rectify",
    url_name="projects_rectify",
    summary="报告整改情况",
)
def rectify(request, fid: int, data: AnswerIn):
    f = InspectionFinding.objects.filter(pk=fid).first()
    if f is None:
        raise NotFound()
    _get(request, f.project_id)
    f = services.finding_rectify(finding=f, user=request.auth, rectification=data.text)
    return {"id": f.pk, "rectified_at": f.rectified_at}


@router.post(
    "/{id}/acceptance-filing",
    response={201: dict, **ERRORS},
    operation_id="projects_acceptance_file",
    url_name="projects_acceptance_file",
    summary="验收结果备案（第十三条第二款）",
)
def acceptance_filing(request, id: int, data: AcceptanceFilingIn):
    filing = services.acceptance_file(project=_get(request, id), user=request.auth, report=data)
    return Status(201, {"filed_at": filing.filed_at, "attachments": [a.pk for a in filing.attachments.all()]})


@router.get(
    "/{id}/risk",
    response={200: dict, **ERRORS},
    operation_id="projects_risk",
    url_name="projects_risk",
    summary="投资风险等级及其因素",
)
def get_risk(request, id: int):
    return risk.rate(_get(request, id)).as_dict()


@router.post(
    "/{id}/risk/override",
    response={200: dict, **ERRORS},
    operation_id="projects_risk_override",
    url_name="projects_risk_override",
    summary="人工调整风险等级（须写明理由）",
)
def override_risk(request, id: int, data: RiskOverrideIn):
    p = services.risk_override(
        project=_get(request, id),
        user=request.auth,
        level=data.level,
        reason=data.reason,
        expected_version=data.expected_version,
    )
    return risk.rate(p).as_dict()


@router.get(
    "/{id}/similar",
    response={200: list[dict], **ERRORS},
    operation_id="projects_similar",
    url_name="projects_similar",
    summary="查重发现的相似项目和系统，按相似度排序，含共同词（第六条）",
)
def get_similar(request, id: int):
    return _similar(_get(request, id))


@tools.get(
    "/overview/risk",
    response={200: list[dict], **ERRORS},
    operation_id="projects_risk_ranking",
    url_name="projects_risk_ranking",
    summary="在建财政性资金项目按风险排序",
)
def risk_ranking(request):
    return [r.as_dict() for r in risk.ranking(selectors.in_construction_fiscal(request.auth))]


@tools.post(
    "/import",
    response={201: dict, **ERRORS},
    operation_id="projects_import",
    url_name="projects_import",
    summary="Excel（.xlsx）或 CSV 导入年度计划项目申报（整表校验，全部成功或全部不导入）",
)
def import_projects(request, file: File[UploadedFile]):
    created, job = imports.start_import(user=request.auth, data=file, filename=file.name or "")
    # registered at once; the submission runs in the worker: GET /imports/{job} shows how far it has come
    return Status(201, {"count": len(created), "ids": [p.pk for p in created], "job": job})


@tools.get(
    "/imports/{job}",
    response={200: ImportProgressOut, **ERRORS},
    operation_id="projects_import_progress",
    url_name="projects_import_progress",
    summary="导入的申报进度：状态、已处理/总数、未能申报的行及理由（仅导入人及其单位可查看）",
)
def import_progress(request, job: str):
    from .import_progress import progress

    return progress(job, request.auth)


# added to the API by the app's registration (apps.py), tools before router
plan_router = case_router(PLAN_WORKFLOW, prefix="annual_plans", tags=["年度建设计划"])
