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


class ConfirmedFilter(admin.SimpleListFilter):
    title = "已确认"
    parameter_name = "confirmed"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "是"), ("0", "否")]

    def queryset(self, request: Any, queryset: Any) -> Any:
        return queryset.filter(confirmed=self.value() == "1") if self.value() in ("0", "1") else queryset


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(RoleAdmin):
    list_per_page = 1000  # one page: the change list's own pagination names the model in English
    permissions = {"view": frozenset({SEC}), "delete": frozenset({SEC})}
    # django-otp's fields carry English names: shown under Chinese ones here
    list_display = ("account", "device_name", "is_confirmed", "created", "last_used")
    list_filter = (ConfirmedFilter,)
    search_fields = ("user__username", "user__full_name")
    fields = ("account", "device_name", "is_confirmed", "created", "last_used")
    readonly_fields = fields

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("user")

    @admin.display(description="账号", ordering="user__username")
    def account(self, obj: TOTPDevice) -> Any:
        return obj.user

    @admin.display(description="设备名称")
    def device_name(self, obj: TOTPDevice) -> str:
        return obj.name

    @admin.display(description="已确认", boolean=True)
    def is_confirmed(self, obj: TOTPDevice) -> bool:
        return bool(obj.confirmed)

    @admin.display(description="绑定时间", ordering="created_at")
    def created(self, obj: TOTPDevice) -> Any:
        return obj.created_at

    @admin.display(description="最近使用", ordering="last_used_at")
    def last_used(self, obj: TOTPDevice) -> Any:
        return obj.last_used_at

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        return super().changelist_view(
            request, extra_context={"title": "双因素认证设备", **(extra_context or {})}
        )
