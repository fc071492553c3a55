"""安全责任制 pages (第三十条第一款)."""

from infogov.core.web.cases import case_urls

from ..workflows import RESPONSIBILITY_WORKFLOW

urlpatterns, app_name = case_urls(
    RESPONSIBILITY_WORKFLOW,
    namespace="security_responsibilities",
    list_columns=("reference", "title", "owner", "leader", "officer", "reviewed_on", "state"),
)
