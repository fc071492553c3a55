"""信息系统 pages: include with path("security/systems/", include("infogov.security.pages.systems"))."""

from django.urls import path, reverse

from infogov.core.web.cases import case_urls

from ..views import system_new
from ..workflows import SYSTEM_WORKFLOW

_pages, app_name = case_urls(
    SYSTEM_WORKFLOW,
    namespace="security_systems",
    list_columns=("reference", "title", "owner", "jurisdiction", "level", "state", "last_evaluated_on"),
    filters=("state", "jurisdiction", "level"),
    search_fields=("title", "reference", "purpose"),
    list_template="security/case_list.html",
    detail_template="security/system_detail.html",
    extra_context=lambda request, case: _records(case),
)
urlpatterns = [path("new/", system_new, name="create"), *_pages]


def _records(case):
    if case is None:
        return {"create_url": reverse("security_systems:create"), "create_label": "登记信息系统"}
    return {
        "evaluations": list(case.evaluations.all()[:20]),
        "findings": list(case.findings.all()[:50]),
        "risks": list(case.risks.all()[:50]),
        "plans": list(case.emergency_plans.all()[:5]),
        "drills": list(case.drills.all()[:10]),
        "dangers": list(case.dangers.all()[:50]),
        "reviews": list(case.grading_reviews.all()[:5]),
    }
