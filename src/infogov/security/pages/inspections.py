"""安全检查 pages (第三十二条): the generic case pages, the form planning an inspection and the form recording
a hidden danger (its own page: the register's systems to choose from, and a confirmation)."""

from typing import Any

from django.http import HttpRequest
from django.urls import path, reverse

from infogov.core.web.cases import NAMESPACES, CaseViews

from .. import rules as r
from ..open_views import danger_new, inspection_new
from ..workflows import INSPECTION_WORKFLOW

NAMESPACE = "security_inspections"


class InspectionViews(CaseViews):
    """The generic pages, with 登记安全隐患 as a link to its own form instead of a form in the action box."""

    def detail_context(self, request: HttpRequest, case: Any) -> dict[str, Any]:
        ctx = super().detail_context(request, case)
        danger = [a for a in ctx["actions"] if a.option.name == "record_danger"]
        ctx["actions"] = [a for a in ctx["actions"] if a.option.name != "record_danger"]
        if danger and danger[0].option.allowed:
            ctx["danger_url"] = reverse(f"{NAMESPACE}:danger", args=[case.pk])
        return ctx


def _context(request: HttpRequest, case: Any) -> dict[str, Any]:
    if case is not None:
        return {"dangers": list(case.dangers.select_related("system", "system__owner"))}
    if not r.is_city_authority(request.user):  # A32-1-CITY: the button only for 市信息化主管部门
        return {}
    return {"create_url": reverse(f"{NAMESPACE}:create"), "create_label": "制定安全检查计划"}


views = InspectionViews(
    INSPECTION_WORKFLOW,
    namespace=NAMESPACE,
    list_columns=("reference", "title", "planned_start", "planned_end", "state"),
    list_template="security/case_list.html",
    detail_template="security/inspection_detail.html",
    extra_context=_context,
)
NAMESPACES[INSPECTION_WORKFLOW.model] = NAMESPACE
app_name = NAMESPACE
urlpatterns = [
    path("new/", inspection_new, name="create"),
    path("<int:pk>/dangers/new/", danger_new, name="danger"),
    *views.urlpatterns(),
]
