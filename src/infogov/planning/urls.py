"""/plans/: the generic case pages of a plan version (list, detail, fire, attach) plus the plan pages.

Included by infogov/urls.py as ``path("plans/", include("infogov.planning.urls"))``."""

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.urls import path

from infogov.core.web.cases import CaseViews, Column, FilterView
from infogov.core.web.stepforms import PayloadField

from . import selectors, views
from .models import PlanVersion
from .workflows import WORKFLOW


class PlanCaseViews(CaseViews):
    """The generic pages, with the plan list's Chinese word search (jieba, as the API) and a filter
    by plan period besides level, jurisdiction and state (issue #3 point 6)."""

    def search_q(self, text: str) -> Q:
        return Q(pk__in=selectors._search(PlanVersion.objects.all(), text).values("pk"))

    def filter_views(self, request: HttpRequest) -> tuple[list[FilterView], Q]:
        views_, q = super().filter_views(request)
        periods = sorted(
            {(a, b) for a, b in self.visible(request).values_list("period_start", "period_end").distinct()}
        )
        choices = [(f"{a}-{b}", f"{a}—{b}年") for a, b in periods]
        value = request.GET.get("period", "").strip()
        if value in dict(choices):
            start, end = (int(x) for x in value.split("-"))
            q &= Q(period_start=start, period_end=end)
        else:
            value = ""
        views_.append(FilterView("period", "规划期", choices, value))
        return views_, q


_views = PlanCaseViews(
    WORKFLOW,
    namespace="plans",
    list_columns=(
        "reference",
        "title",
        "level",
        Column("period", "规划期", sortable=False),
        "jurisdiction",
        "owner",
        "state",
        "updated_at",
    ),
    filters=("state", "jurisdiction", "level"),
    search_fields=("title", "reference", "search_text"),
    detail_template="planning/detail.html",
    list_template="planning/list.html",
    extra_context=views.detail_context,
    record_steps=False,  # goals, tasks, answers, experts, reports: the page's own sections
    payload_fields={
        "open_consultation": (
            PayloadField("start", "征求意见开始日期", "date", required=True),
            PayloadField("end", "征求意见截止日期", "date", required=True, help_text="不少于7日"),
        ),
        "approve": (
            PayloadField("document", "批准文号"),
            PayloadField("leader_signoff", "部门负责人签发（部门专项规划必填：姓名及签发文号）"),
        ),
        "file": (PayloadField("filing_number", "备案号"),),
    },
)
app_name = "plans"
generic: list[Any] = _views.urlpatterns()

urlpatterns = [
    path("new/", views.plan_new, name="new"),
    path("assessment/", views.assessment_page, name="assessment"),
    path("assessment/sample/", views.inspections_sample, name="inspections_sample"),
    path("assessment/inspection/", views.inspection_record, name="inspection_record"),
    path("assessment/compute/", views.scores_compute, name="scores_compute"),
    *generic,
    path("<int:pk>/goals/", views.goal_add, name="goal_add"),
    path("<int:pk>/tasks/", views.task_add, name="task_add"),
    path("<int:pk>/tasks/<int:task_id>/remove/", views.task_remove, name="task_remove"),
    path("<int:pk>/summary/", views.summary_save, name="summary"),
    path("<int:pk>/answers/", views.answers, name="answers"),
    path("<int:pk>/answers/publish/", views.answers_publish, name="answers_publish"),
    path("<int:pk>/experts/", views.experts_assign, name="experts"),
    path("<int:pk>/opinion/", views.opinion, name="opinion"),
    path("<int:pk>/change/", views.change_request, name="change"),
    path("<int:pk>/report/", views.report, name="report"),
]
