"""安全检查 pages (第三十二条)."""

from infogov.core.web.cases import case_urls

from ..workflows import INSPECTION_WORKFLOW

urlpatterns, app_name = case_urls(
    INSPECTION_WORKFLOW,
    namespace="security_inspections",
    list_columns=("reference", "title", "planned_start", "planned_end", "state"),
    detail_template="security/inspection_detail.html",
    extra_context=lambda request, case: (
        {} if case is None else {"dangers": list(case.dangers.select_related("system"))}
    ),
)
