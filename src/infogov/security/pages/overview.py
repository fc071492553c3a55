"""信息安全总览: include with path("security/", include("infogov.security.pages.overview"))."""

from django.urls import path

from ..views import overview

app_name = "security"
urlpatterns = [path("", overview, name="overview")]
