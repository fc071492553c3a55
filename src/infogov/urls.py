from django.contrib import admin
from django.urls import include, path

from infogov.core.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("infogov.core.urls")),
]
