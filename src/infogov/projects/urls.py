"""URLs of the projects app: include with path("projects/", include("infogov.projects.urls"))."""

from django.urls import path

from . import record_views, similarity_views, standards_views, views

app_name = "projects"

urlpatterns = [
    path("new/", views.project_new, name="create"),
    path("<int:pk>/edit/", views.project_edit, name="edit"),
    path("overview/", views.overview, name="overview"),
    path("standards/", standards_views.standards_page, name="standards"),
    path("standards/search/", standards_views.standards_search, name="standards_search"),
    path("import/", views.import_view, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("synonyms/", similarity_views.synonym_list, name="synonyms"),
    path("synonyms/<int:pk>/toggle/", similarity_views.synonym_toggle, name="synonym_toggle"),
    path("<int:pk>/findings/", record_views.finding, name="finding"),
    path("<int:pk>/outsourcing/", record_views.outsourcing, name="outsourcing"),
    path("<int:pk>/disbursements/", record_views.disbursement, name="disbursement"),
    path("<int:pk>/progress/", record_views.progress, name="progress"),
    path("<int:pk>/inspections/", record_views.inspection, name="inspection"),
    path("<int:pk>/risk/", record_views.risk_override, name="risk_override"),
    path("conditions/<int:cid>/answer/", record_views.answer, name="answer"),
    path("findings/<int:fid>/rectify/", record_views.rectify, name="rectify"),
    *views.views.urlpatterns(),
]
