"""网络安全事件 pages (第三十条第二款)."""

from django.urls import path, reverse
from django.utils import timezone

from infogov.core.web.cases import PayloadField, case_urls
from infogov.core.workflow.rules import RuleContext

from .. import rules as r
from ..open_views import incident_new
from ..workflows import INCIDENT_WORKFLOW

TIME_HELP = "如 2026-12-03 09:30（北京时间）"


def _records(request, case):
    if case is None:  # the list: the button to open an incident, for a unit's own staff (第三十条第二款)
        unit = getattr(request.user, "organisation", None)
        if r.reports_for_own_unit.evaluate(unit, RuleContext(user=request.user)) is not None:
            return {}
        return {"create_url": reverse("security_incidents:create"), "create_label": "登记网络安全事件"}
    return {
        "updates": list(case.updates.all()),
        "reports": list(case.reports.all()),
        "minutes_remaining": case.minutes_remaining(timezone.now()),
    }


_pages, app_name = case_urls(
    INCIDENT_WORKFLOW,
    namespace="security_incidents",
    list_columns=(
        "reference",
        "title",
        "owner",
        "grade",
        "detected_at",
        "report_deadline",
        "first_reported_at",
        "state",
    ),
    filters=("state", "jurisdiction", "grade"),
    list_template="security/case_list.html",
    detail_template="security/incident_detail.html",
    extra_context=_records,
    payload_fields={
        "add_update": [
            PayloadField("at", "时间", "text", True, TIME_HELP),
            PayloadField(
                "kind",
                "类别",
                "select",
                True,
                choices=tuple((k, k) for k in ("处置", "进展", "恢复", "取证")),
            ),
            PayloadField("content", "内容", "textarea", True),
        ],
        "report": [
            PayloadField("reported_at", "报告时间", "text", True, TIME_HELP),
            PayloadField("recipient", "报告对象", "text", True),
            PayloadField("content", "报告内容", "textarea", True),
        ],
    },
)
urlpatterns = [path("new/", incident_new, name="create"), *_pages]
