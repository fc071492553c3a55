"""The generic case pages of the test-only Widget workflow, included by its registration."""

from infogov.core.web.cases import case_urls

from .workflows import WORKFLOW

urlpatterns, app_name = case_urls(WORKFLOW, namespace="widgets")
