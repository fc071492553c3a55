"""/public/plans/: the portal's plan pages, no login (第五条 公布; 第六条 广泛征求意见).

Included by infogov/urls.py as ``path("public/plans/", include("infogov.planning.public_urls"))``."""

from django.urls import path

from . import views

app_name = "public_plans"

urlpatterns = [
    path("", views.public_list, name="list"),
    path("<int:pk>/", views.public_detail, name="detail"),
]
