"""URLs of catalogue entries: path("resources/", include("infogov.resources.urls"))."""

from django.urls import path

from . import views

app_name = "resources"

urlpatterns = [
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/<int:pk>/", views.entry, name="entry"),
    path("catalogue/<int:pk>/request/", views.request_new, name="request"),
    path("catalogue/<int:pk>/upload/", views.upload, name="upload"),
    path("catalogue/<int:pk>/corrections/", views.correction, name="correction"),
    path("new/", views.resource_new, name="create"),
    path("quality/", views.quality_report, name="quality"),
    *views.resource_views.urlpatterns(),
]
