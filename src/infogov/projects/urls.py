"""URLs of the projects app: include with path("projects/", include("infogov.projects.urls"))."""

from django.urls import path

from infogov.core.web.cases import NAMESPACES

from . import views
from .models import Project

app_name = "projects"
NAMESPACES[Project] = "projects"

urlpatterns = [
    path("new/", views.project_new, name="create"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("overview/", views.overview, name="overview"),
    path("import/", views.import_view, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("<int:pk>/findings/", views.finding, name="finding"),
    path("<int:pk>/outsourcing/", views.outsourcing, name="outsourcing"),
    path("<int:pk>/disbursements/", views.disbursement, name="disbursement"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/inspections/", views.inspection, name="inspection"),
    path("<int:pk>/acceptance-filing/", views.acceptance_filing, name="acceptance_filing"),
    path("<int:pk>/risk/", views.risk_override, name="risk_override"),
    path("conditions/<int:cid>/answer/", views.answer, name="answer"),
    path("findings/<int:fid>/rectify/", views.rectify, name="rectify"),
    *views.views.urlpatterns(),
]
