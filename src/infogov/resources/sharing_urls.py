"""URLs of sharing requests: path("sharing/", include("infogov.resources.sharing_urls"))."""

from django.urls import path

from . import views

app_name = "sharing"

urlpatterns = [
    path("incoming/", views.incoming, name="incoming"),
    path("incoming/<int:pk>/", views.incoming_detail, name="incoming_detail"),
    path("<int:pk>/token/", views.token, name="token"),
    *views.sharing_views.urlpatterns(),
]
