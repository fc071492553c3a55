from django.contrib import admin
from django.urls import include, path

from infogov.core.api.root import api_urls, autodiscover
from infogov.core.web.health import healthz

autodiscover()  # every app's api.py adds its routers before the API's urls are built

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api_urls()),
    path("healthz", healthz, name="healthz"),
    path("projects/", include("infogov.projects.urls")),
    path("annual-plans/", include("infogov.projects.plan_urls")),
    path("plans/", include("infogov.planning.urls")),
    path("public/plans/", include("infogov.planning.public_urls")),
    path("", include("infogov.core.web.urls")),
]
