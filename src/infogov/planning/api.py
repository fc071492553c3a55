"""Development plans on the REST API (第五条至第七条): the generic case endpoints of a plan version
plus drafting, consultation, expert review, change requests, execution reports, inspections, the
assessment export, and the public portal's reads and comments (no login).

No ``from __future__ import annotations`` here: django-ninja reads the annotations at runtime.
"""

from typing import Any

from django.http import HttpResponse
from ninja import Router, Status

from infogov.core.api.cases import case_router
from infogov.core.api.schemas import ErrorOut
from infogov.core.errors import InvalidInput, NotFound
from infogov.org.models import Jurisdiction, Organisation, User

from . import assessment, selectors, services
from .api_schemas import (
    AnswerIn,
    AssessmentOut,
    ChangeIn,
    CommentStaffOut,
    ContentOut,
    CountOut,
    CreatedOut,
    ExpertsIn,
    GoalIn,
    GoalOut,
    InspectionIn,
    InspectionOut,
    OpinionIn,
    OpinionOut,
    PlanCreateIn,
    PlanDetailOut,
    PlanFilter,
    PlanItemOut,
    PlanUpdateIn,
    PublicCommentIn,
    PublicCommentOut,
    PublicPlanOut,
    ReportIn,
    ReportOut,
    SampleIn,
    SummaryIn,
    TaskIn,
    TaskOut,
)
from .choices import PlanLevel, PlanState
from .models import Inspection, Plan, PlanTask
from .views import client_fingerprint
from .workflows import WORKFLOW

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


# -- the router -------------------------------------------------------------------------------------

router = case_router(
    WORKFLOW,
    prefix="plans",
    list_schema=PlanItemOut,
    detail_schema=PlanDetailOut,
    filter_schema=PlanFilter,
    search_fields=("reference", "title", "search_text"),
    ordering_fields=("created_at", "updated_at", "reference", "title", "state", "period_start", "level"),
    tags=["信息化发展规划"],
)


def _version(request: Any, id: int) -> Any:
    return selectors.version_get(request.auth, id)


@router.post(
    "/", response={201: CreatedOut, **ERRORS}, operation_id="plans_create", summary="编制规划（第五条）"
)
def create_plan(request, data: PlanCreateIn):
    jurisdiction = Jurisdiction.objects.filter(code=data.jurisdiction).first()
    owner = Organisation.objects.filter(pk=data.owner_id).first()
    parent = Plan.objects.filter(pk=data.parent_id).first() if data.parent_id else None
    if jurisdiction is None or owner is None or (data.parent_id and parent is None):
        raise InvalidInput("行政区域、编制单位或依据规划不存在", code="invalid_reference")
    v = services.plan_create(
        user=request.auth,
        level=data.level,
        title=data.title,
        jurisdiction=jurisdiction,
        owner=owner,
        period_start=data.period_start,
        period_end=data.period_end,
        parent=parent,
        parent_reference=data.parent_reference,
        body=data.body,
    )
    return Status(201, {"id": v.pk, "reference": v.reference, "state": v.state})


@router.patch(
    "/{id}",
    response={200: CreatedOut, **ERRORS},
    operation_id="plans_update",
    summary="修改规划草稿（经批准的版本不得变更，第六条第二款）",
)
def update_plan(request, id: int, data: PlanUpdateIn):
    changes = data.dict(exclude_none=True)
    expected = changes.pop("expected_version", None)
    v = services.version_update(
        version=_version(request, id), user=request.auth, expected_version=expected, **changes
    )
    return {"id": v.pk, "reference": v.reference, "state": v.state}


@router.get(
    "/{id}/content",
    response={200: ContentOut, **ERRORS},
    operation_id="plans_content",
    summary="目标、任务、检查结果和专家论证",
)
def plan_content(request, id: int):
    v = _version(request, id)
    goals, tasks = selectors.version_content(v)
    return {
        "goals": [{"id": g.pk, "seq": g.seq, "text": g.text} for g in goals],
        "tasks": [
            {
                "id": t.pk,
                "seq": t.seq,
                "goal_id": t.goal_id,
                "text": t.text,
                "responsible_id": t.responsible_id,
                "responsible": str(t.responsible) if t.responsible_id else "",
                "indicator": t.indicator,
                "target_value": t.target_value,
                "unit": t.unit,
                "target_year": t.target_year,
                "parent_task_id": t.parent_task_id,
            }
            for t in tasks
        ],
        "findings": v.findings or selectors.consistency_findings(v),
        "opinions": [
            {
                "expert": op.expert.display_name,
                "round": op.round,
                "conclusion": op.conclusion,
                "opinion": op.opinion,
                "submitted_at": op.submitted_at,
            }
            for op in selectors.opinions_for(v)
        ],
        "experts": [u.display_name for u in selectors.experts_assigned(v)],
    }


@router.post(
    "/{id}/goals", response={201: GoalOut, **ERRORS}, operation_id="plans_goal_add", summary="增加发展目标"
)
def add_goal(request, id: int, data: GoalIn):
    g = services.goal_add(version=_version(request, id), user=request.auth, text=data.text)
    return Status(201, {"id": g.pk, "seq": g.seq, "text": g.text})


def _task_out(t: PlanTask) -> dict[str, Any]:
    return {
        "id": t.pk,
        "seq": t.seq,
        "goal_id": t.goal_id,
        "text": t.text,
        "responsible_id": t.responsible_id,
        "responsible": str(t.responsible) if t.responsible_id else "",
        "indicator": t.indicator,
        "target_value": t.target_value,
        "unit": t.unit,
        "target_year": t.target_year,
        "parent_task_id": t.parent_task_id,
    }


@router.post(
    "/{id}/tasks", response={201: TaskOut, **ERRORS}, operation_id="plans_task_add", summary="增加重点任务"
)
def add_task(request, id: int, data: TaskIn):
    t = services.task_add(version=_version(request, id), user=request.auth, **data.dict())
    return Status(201, _task_out(t))


@router.patch(
    "/{id}/tasks/{task_id}",
    response={200: TaskOut, **ERRORS},
    operation_id="plans_task_update",
    summary="修改重点任务（仅起草阶段）",
)
def update_task(request, id: int, task_id: int, data: TaskIn):
    v = _version(request, id)
    task = v.tasks.filter(pk=task_id).first()
    if task is None:
        raise NotFound()
    t = services.task_update(task=task, user=request.auth, **data.dict(exclude_unset=True))
    return _task_out(t)


@router.get(
    "/{id}/comments",
    response={200: list[CommentStaffOut], **ERRORS},
    operation_id="plans_comments",
    summary="公众意见及答复（工作人员）",
)
def list_comments(request, id: int):
    v = _version(request, id)
    return [
        {
            "id": c.pk,
            "body": c.body,
            "target": c.target_label,
            "name": c.name,
            "contact": c.contact,
            "created_at": c.created_at,
            "answer_status": c.answer_status,
            "answer_text": c.answer_text,
            "answer_published_at": c.answer_published_at,
        }
        for c in selectors.comments_for_staff(request.auth, v)
    ]


@router.post(
    "/{id}/answers",
    response={200: CountOut, **ERRORS},
    operation_id="plans_answer",
    summary="起草意见答复（可批量、可用模板）",
)
def answer_comments(request, id: int, data: AnswerIn):
    n = services.comments_answer(
        version=_version(request, id),
        user=request.auth,
        comment_ids=data.comment_ids,
        status=data.status,
        text=data.text,
        template=data.template,
        reason=data.reason,
    )
    return {"count": n}


@router.post(
    "/{id}/answers/publish",
    response={200: CountOut, **ERRORS},
    operation_id="plans_answers_publish",
    summary="统一公布答复并通知留有联系方式的意见人",
)
def publish_answers(request, id: int):
    return {"count": services.comments_publish_answers(version=_version(request, id), user=request.auth)}


@router.post(
    "/{id}/summary",
    response={200: CreatedOut, **ERRORS},
    operation_id="plans_summary",
    summary="征求意见情况说明",
)
def save_summary(request, id: int, data: SummaryIn):
    v = services.consultation_summary_save(
        version=_version(request, id), user=request.auth, summary=data.summary
    )
    return {"id": v.pk, "reference": v.reference, "state": v.state}


@router.post(
    "/{id}/experts",
    response={200: CountOut, **ERRORS},
    operation_id="plans_experts_assign",
    summary="邀请论证专家（专家库，非编制单位人员）",
)
def assign_experts(request, id: int, data: ExpertsIn):
    experts = list(User.objects.filter(username__in=data.usernames))
    if len(experts) != len(set(data.usernames)):
        raise InvalidInput("部分专家不存在", code="invalid_experts")
    made = services.experts_assign(
        version=_version(request, id), user=request.auth, experts=experts, due_date=data.due_date
    )
    return {"count": len(made)}


@router.post(
    "/{id}/opinions",
    response={201: OpinionOut, **ERRORS},
    operation_id="plans_opinion",
    summary="提交专家论证意见（分派的专家）",
)
def submit_opinion(request, id: int, data: OpinionIn):
    op = services.expert_opinion_submit(
        version=_version(request, id), user=request.auth, conclusion=data.conclusion, opinion=data.opinion
    )
    return Status(
        201,
        {
            "expert": op.expert.display_name,
            "round": op.round,
            "conclusion": op.conclusion,
            "opinion": op.opinion,
            "submitted_at": op.submitted_at,
        },
    )


@router.post(
    "/{id}/change-request",
    response={201: CreatedOut, **ERRORS},
    operation_id="plans_change",
    summary="提出变更、调整（第六条第二款）",
)
def change_request(request, id: int, data: ChangeIn):
    v = services.plan_change_request(version=_version(request, id), user=request.auth, reason=data.reason)
    return Status(201, {"id": v.pk, "reference": v.reference, "state": v.state})


@router.get(
    "/{id}/diff",
    response={200: dict[str, list[dict[str, Any]]], **ERRORS},
    operation_id="plans_diff",
    summary="与被替代版本的目标、任务差异",
)
def diff(request, id: int):
    v = _version(request, id)
    if v.supersedes_id is None:
        raise NotFound("该版本不是变更版本")
    return selectors.version_diff(v.supersedes, v)


@router.post(
    "/{id}/execution-reports",
    response={201: ReportOut, **ERRORS},
    operation_id="plans_report",
    summary="报送年度执行情况（第七条）",
)
def submit_report(request, id: int, data: ReportIn):
    r = services.execution_report_submit(
        version=_version(request, id),
        user=request.auth,
        year=data.year,
        summary=data.summary,
        progress=[p.dict() for p in data.progress],
    )
    return Status(
        201,
        {
            "id": r.pk,
            "year": r.year,
            "due_date": r.due_date,
            "submitted_at": r.submitted_at,
            "days_late": r.days_late,
        },
    )


@router.post(
    "/inspections/sample",
    response={201: list[InspectionOut], **ERRORS},
    operation_id="plans_inspections_sample",
    summary="抽取年度监督检查对象（市信息化主管部门，第七条）",
)
def sample(request, data: SampleIn):
    made = services.inspections_sample(user=request.auth, year=data.year, share=data.share, seed=data.seed)
    return Status(
        201,
        [
            {"id": i.pk, "version_id": i.version_id, "year": i.year, "inspected_at": i.inspected_at}
            for i in made
        ],
    )


@router.post(
    "/inspections/{inspection_id}",
    response={200: InspectionOut, **ERRORS},
    operation_id="plans_inspection_record",
    summary="记录检查结果",
)
def record_inspection(request, inspection_id: int, data: InspectionIn):
    inspection = Inspection.objects.filter(pk=inspection_id).first()
    if inspection is None:
        raise NotFound()
    i = services.inspection_record(
        inspection=inspection,
        user=request.auth,
        conclusion=data.conclusion,
        findings=[f.dict() for f in data.findings],
    )
    return {"id": i.pk, "version_id": i.version_id, "year": i.year, "inspected_at": i.inspected_at}


@router.post(
    "/assessment/{year}/compute",
    response={200: CountOut, **ERRORS},
    operation_id="plans_scores",
    summary="按评分表计算年度考核得分",
)
def compute_scores(request, year: int):
    return {"count": services.scores_compute(user=request.auth, year=year)}


def _require_assessment_reader(user: Any) -> None:
    from .rules import enforce, reads_assessment

    enforce([reads_assessment], None, user=user)


@router.get(
    "/assessment/{year}",
    response={200: AssessmentOut, **ERRORS},
    operation_id="plans_assessment",
    summary="年度考核结果（纳入市政府绩效考核，第七条）",
)
def assessment_table(request, year: int):
    _require_assessment_reader(request.auth)
    return assessment.assessment_json(year)


@router.get(
    "/assessment/{year}/xlsx",
    response={200: None, **ERRORS},
    operation_id="plans_assessment_xlsx",
    summary="年度考核结果（Excel）",
)
def assessment_excel(request, year: int):
    _require_assessment_reader(request.auth)
    resp = HttpResponse(
        assessment.assessment_xlsx(year),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    resp["Content-Disposition"] = f'attachment; filename="plan-assessment-{year}.xlsx"'
    return resp


# -- the public portal: no login ----------------------------------------------------------------------

public = Router(tags=["门户：信息化发展规划"], auth=None)


def _public_plan(v: Any) -> dict[str, Any]:
    return {
        "id": v.pk,
        "reference": v.reference,
        "title": v.title,
        "level": v.level,
        "jurisdiction": v.jurisdiction.name,
        "owner": v.owner.name,
        "period_start": v.period_start,
        "period_end": v.period_end,
        "state": v.state,
        "consultation_end": v.consultation_end,
    }


@public.get(
    "/",
    response={200: list[PublicPlanOut], **ERRORS},
    operation_id="public_plans",
    summary="已公布的全市、本辖区规划，正在征求意见和征求意见已结束（待论证、批准）的规划",
)
def public_list(request, q: str = "", level: str = ""):
    published = list(
        selectors.public_versions(q=q[:100], level=level if level in PlanLevel.values else "")[:200]
    )
    consulting = list(selectors.public_consultations())
    closed = list(selectors.public_consultations_closed()[:50])
    return [_public_plan(v) for v in consulting + closed + published]


@public.get(
    "/{id}", response={200: PublicPlanOut, **ERRORS}, operation_id="public_plan", summary="规划公开信息"
)
def public_detail(request, id: int):
    return _public_plan(selectors.public_version_get(id))


@public.get(
    "/{id}/comments",
    response={200: list[PublicCommentOut], **ERRORS},
    operation_id="public_comments",
    summary="公众意见及已公布的答复（不含姓名和联系方式）",
)
def public_comment_list(request, id: int):
    v = selectors.public_version_get(id)
    return [
        {
            "id": c.pk,
            "body": c.body,
            "target": c.target_label,
            "created_at": c.created_at,
            "answer_status": c.answer_status if c.answer_published_at else "",
            "answer_text": c.answer_text if c.answer_published_at else "",
        }
        for c in selectors.public_comments(v)
    ]


@public.post(
    "/{id}/comments",
    response={201: PublicCommentOut, **ERRORS},
    operation_id="public_comment",
    summary="提交意见（可匿名；留联系方式者在答复后收到通知）",
)
def public_comment(request, id: int, data: PublicCommentIn):
    if data.website:  # honeypot: people do not fill a hidden field
        raise InvalidInput("提交失败", code="rejected")
    v = selectors.public_version_get(id)
    if v.state != PlanState.CONSULTATION:
        raise NotFound()
    c = services.comment_submit(
        version=v,
        body=data.body,
        goal_id=data.goal_id,
        task_id=data.task_id,
        name=data.name,
        contact=data.contact,
        client=client_fingerprint(request),
    )
    return Status(
        201,
        {
            "id": c.pk,
            "body": c.body,
            "target": c.target_label,
            "created_at": c.created_at,
            "answer_status": "",
            "answer_text": "",
        },
    )


# both routers are added to the API by the app's registration (apps.py)
