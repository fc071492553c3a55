"""The request and response schemas of the development plans' REST API (api.py): the plan version's
list and detail, drafting, consultation, expert review, change requests, execution reports,
inspections, the assessment export and the public portal.

No ``from __future__ import annotations`` here: django-ninja reads the annotations at runtime.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from ninja import Field, FilterSchema, Schema

from infogov.core.api.schemas import CaseDetailOut, CaseItemOut

from . import selectors
from .choices import PlanLevel


class PlanItemOut(CaseItemOut):
    level: str = Field(..., description="规划层级代码（city/local/special）")
    number: int = Field(..., description="版本号")
    period_start: int = Field(..., description="规划期起始年")
    period_end: int = Field(..., description="规划期终止年")


class PlanDetailOut(CaseDetailOut):
    level: str
    number: int
    plan_id: int
    period_start: int
    period_end: int
    body: str = Field(..., description="规划说明")
    change_reason: str = Field(..., description="变更、调整的特殊情况（第六条第二款）")
    supersedes_id: int | None = Field(None, description="本版本替代的版本")
    consultation_start: dt.date | None = None
    consultation_end: dt.date | None = None
    consultation_summary: str = Field(..., description="征求意见情况说明")
    review_round: int
    approved_at: dt.datetime | None = None
    approval_body_id: int | None = None
    approval_document: str
    leader_signoff: str
    published_at: dt.datetime | None = None
    filed_at: dt.datetime | None = None
    filed_with_id: int | None = None
    filing_number: str
    in_force_at: dt.datetime | None = None
    superseded_at: dt.datetime | None = None


class PlanFilter(FilterSchema):
    level: PlanLevel | None = Field(None, description="规划层级")
    period: str | None = Field(None, max_length=20, description="规划期，如 2026-2030，或规划期内的某一年")
    text: str | None = Field(None, max_length=100, description="中文全文检索（分词）")

    def filter_level(self, value: str | None) -> Q:
        return Q(level=value) if value else Q()

    def filter_period(self, value: str | None) -> Q:
        if not value:
            return Q()
        ids = selectors._filter(selectors.PlanVersion.objects.all(), period=value).values("pk")
        return Q(pk__in=ids)

    def filter_text(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(pk__in=selectors._search(selectors.PlanVersion.objects.all(), value).values("pk"))


class PlanCreateIn(Schema):
    level: PlanLevel
    title: str = Field(..., min_length=2, max_length=200)
    jurisdiction: str = Field(..., max_length=12, description="行政区划代码")
    owner_id: int = Field(..., description="编制单位")
    period_start: int
    period_end: int
    parent_id: int | None = Field(None, description="依据规划（Plan id）")
    parent_reference: str = Field("", max_length=200, description="依据的省级规划名称（全市规划）")
    body: str = Field("", max_length=20000)


class PlanUpdateIn(Schema):
    title: str | None = Field(None, min_length=2, max_length=200)
    period_start: int | None = None
    period_end: int | None = None
    body: str | None = Field(None, max_length=20000)
    change_reason: str | None = Field(None, max_length=5000)
    expected_version: int | None = None


class GoalIn(Schema):
    text: str = Field(..., min_length=2, max_length=2000)


class TaskIn(Schema):
    text: str = Field(..., min_length=2, max_length=2000)
    goal_id: int | None = None
    responsible_id: int | None = None
    indicator: str = Field("", max_length=200)
    target_value: Decimal | None = Field(None, max_digits=14, decimal_places=2)
    unit: str = Field("", max_length=20)
    target_year: int | None = None
    parent_task_id: int | None = None


class GoalOut(Schema):
    id: int
    seq: int
    text: str


class TaskOut(Schema):
    id: int
    seq: int
    goal_id: int | None
    text: str
    responsible_id: int | None
    responsible: str
    indicator: str
    target_value: Decimal | None
    unit: str
    target_year: int | None
    parent_task_id: int | None


class OpinionOut(Schema):
    expert: str
    round: int
    conclusion: str
    opinion: str
    submitted_at: dt.datetime


class ContentOut(Schema):
    goals: list[GoalOut]
    tasks: list[TaskOut]
    findings: dict[str, Any] = Field(..., description="重复建设与衔接性检查（报批时存档；此前为即时计算）")
    opinions: list[OpinionOut]
    experts: list[str]


class CommentStaffOut(Schema):
    id: int
    body: str
    target: str
    name: str
    contact: str
    created_at: dt.datetime
    answer_status: str
    answer_text: str
    answer_published_at: dt.datetime | None


class AnswerIn(Schema):
    comment_ids: list[int] = Field(..., min_length=1, max_length=500)
    template: str = Field(
        "", description="答复模板：accepted / partly / not_accepted_scope / not_accepted_covered"
    )
    status: str = Field("", description="答复结论（不用模板时）：accepted / partly / not_accepted")
    text: str = Field("", max_length=5000)
    reason: str = Field("", max_length=5000)


class CountOut(Schema):
    count: int


class SummaryIn(Schema):
    summary: str = Field(..., min_length=2, max_length=20000)


class ExpertsIn(Schema):
    usernames: list[str] = Field(..., min_length=1, max_length=20)
    due_date: dt.date | None = Field(None, description="提交论证意见期限（留空为平台规定的默认期限）")


class OpinionIn(Schema):
    conclusion: str = Field(..., description="pass / conditional / fail")
    opinion: str = Field(..., min_length=5, max_length=20000)


class ChangeIn(Schema):
    reason: str = Field(..., max_length=5000, description="特殊情况（第六条第二款）")


class CreatedOut(Schema):
    id: int
    reference: str
    state: str


class ProgressIn(Schema):
    task_id: int
    actual_value: Decimal | None = None
    note: str = Field("", max_length=2000)


class ReportIn(Schema):
    year: int
    summary: str = Field("", max_length=20000)
    progress: list[ProgressIn] = Field(default_factory=list, max_length=500)


class ReportOut(Schema):
    id: int
    year: int
    due_date: dt.date
    submitted_at: dt.datetime
    days_late: int


class SampleIn(Schema):
    year: int = Field(..., ge=2000, le=2100, description="检查年度（2000–2100）")
    share: float = Field(1.0, gt=0, le=1)
    seed: int | None = None


class InspectionOut(Schema):
    id: int
    version_id: int
    year: int
    inspected_at: dt.datetime | None


class FindingIn(Schema):
    severity: str = Field(..., description="general / serious")
    text: str = Field(..., min_length=2, max_length=2000)


class InspectionIn(Schema):
    conclusion: str = Field("", max_length=5000)
    findings: list[FindingIn] = Field(default_factory=list, max_length=100)


class AssessmentOut(Schema):
    year: int
    scoring_sheet: list[dict[str, Any]]
    columns: list[str]
    rows: list[dict[str, Any]]


class PublicPlanOut(Schema):
    id: int
    reference: str
    title: str
    level: str
    jurisdiction: str
    owner: str
    period_start: int
    period_end: int
    state: str
    consultation_end: dt.date | None


class PublicCommentIn(Schema):
    body: str = Field(..., min_length=5, max_length=2000)
    goal_id: int | None = None
    task_id: int | None = None
    name: str = Field("", max_length=50)
    contact: str = Field("", max_length=100)
    website: str = Field("", max_length=200, description="留空（防机器人字段）")


class PublicCommentOut(Schema):
    id: int
    body: str
    target: str
    created_at: dt.datetime
    answer_status: str
    answer_text: str
