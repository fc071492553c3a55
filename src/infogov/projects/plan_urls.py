"""URLs of the annual construction plans (第九条第一款):
include with path("annual-plans/", include("infogov.projects.plan_urls"))."""

from django.urls import path

from .views import plan_new, plan_views

app_name = "annual_plans"
urlpatterns = [
    path("new/", plan_new, name="create"),
    *plan_views.urlpatterns(),
]
