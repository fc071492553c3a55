"""The UI shell's pages (names are the contract other apps and templates rely on)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from infogov.core.web import inbox, views

urlpatterns = [
    path("", inbox.todo, name="home"),
    path("inbox/done/", inbox.done, name="inbox_done"),
    path("inbox/following/", inbox.following, name="inbox_following"),
    path("inbox/batch/", inbox.batch, name="inbox_batch"),
    path("follow/<int:ct_id>/<int:pk>/", inbox.follow_toggle, name="follow"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, extra_context={"title": "登录"}),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("regulation/", views.regulation, name="regulation"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("audit/", views.audit_log, name="audit_log"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
]
