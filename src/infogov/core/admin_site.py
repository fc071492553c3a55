"""The administration site (三员分立): only the system, security and audit administrators enter it.

What each of them may do there is decided per model by the ModelAdmins in core/admin.py (the
organisation register among them), from their roles — never from Django's superuser flag or model
permissions.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from infogov.org.choices import ADMIN_ROLES


class InfogovAdminSite(admin.AdminSite):
    site_header = "吉林市信息化治理平台 · 系统管理"
    site_title = "系统管理"
    index_title = "三员分立：系统管理员 · 安全管理员 · 安全审计员"
    empty_value_display = "—"
    # the administrators read Chinese: apps and third-party models that carry English names
    APP_NAMES = {"otp_totp": "双因素认证", "auth": "认证和授权"}
    MODEL_NAMES = {"TOTPDevice": "双因素认证设备"}

    def get_app_list(self, request: Any, app_label: str | None = None) -> list[Any]:
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = self.APP_NAMES.get(app["app_label"], app["name"])
            for model in app.get("models", []):
                model["name"] = self.MODEL_NAMES.get(model["object_name"], model["name"])
        return apps

    def has_permission(self, request: Any) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.has_role(*ADMIN_ROLES))


class InfogovAdminConfig(AdminConfig):
    default_site = "infogov.core.admin_site.InfogovAdminSite"
