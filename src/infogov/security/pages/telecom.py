"""通信基础设施安全保障方案备案 pages (第三十一条第二款)."""

from infogov.core.web.cases import case_urls

from ..workflows import TELECOM_WORKFLOW

urlpatterns, app_name = case_urls(
    TELECOM_WORKFLOW,
    namespace="security_telecom",
    list_columns=("reference", "title", "owner", "jurisdiction", "project_name", "filing_number", "state"),
)
