from django.urls import path

from infogov.accounts import views

urlpatterns = [
    path("security/", views.security, name="account_security"),
    path("security/otp/setup/", views.otp_setup, name="otp_setup"),
    path("security/otp/verify/", views.otp_verify, name="otp_verify"),
    path("security/otp/remove/", views.otp_remove, name="otp_remove"),
    path("security/password/", views.password_change, name="password_change"),
]
