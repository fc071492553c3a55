"""The platform's URLs plus the bench peers under /bench/."""

from django.urls import path

from infogov.urls import urlpatterns as platform

from . import views

urlpatterns = [path("bench/bare/projects/", views.bare_list), *platform]
if views.DRF_AVAILABLE:
    urlpatterns.insert(0, path("bench/drf/projects/", views.drf_list_view()))
