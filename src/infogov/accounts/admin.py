"""双因素认证设备 in the administration site: the security administrator sees who has bound a TOTP app
and unbinds a lost phone (the holder then binds again at the next sign-in); nobody sees or edits a key.
Replaces django-otp's own ModelAdmin, whose permissions would come from Django's model permissions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from infogov.core.admin import SEC, RoleAdmin

if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(RoleAdmin):
    permissions = {"view": frozenset({SEC}), "delete": frozenset({SEC})}
    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    search_fields = ("user__username", "user__full_name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("user")
