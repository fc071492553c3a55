"""The platform's URLs: the admin, the API, and every registered app's pages (core/registry.py) —
adding an app never edits this file."""

from django.contrib import admin
from django.urls import include, path

from infogov.core import registry
from infogov.core.api.root import api_urls, autodiscover
from infogov.core.web.health import healthz

autodiscover()  # every registered router is added before the API's urls are built

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api_urls()),
    path("healthz", healthz, name="healthz"),
    *registry.urlpatterns(),
    path("", include("infogov.core.web.urls")),
]
