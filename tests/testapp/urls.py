"""Test URLconf: the platform plus the generic case pages of the test-only Widget workflow."""

from django.urls import include, path

from infogov.core.web.cases import case_urls
from infogov.urls import urlpatterns as platform_urls

from .workflows import WORKFLOW

urlpatterns = [path("widgets/", include(case_urls(WORKFLOW, namespace="widgets"))), *platform_urls]
