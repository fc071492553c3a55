"""Administration of the platform's own records (三员分立), and the role-based ModelAdmin they share.

- 系统管理员 (sys_admin): jurisdictions, organisations, user accounts (create, deactivate, reset
  password); cannot grant roles and cannot read the audit trail;
- 安全管理员 (sec_admin): role grants (Membership) and revoking API tokens; cannot read the audit trail;
- 安全审计员 (audit_admin): reads the audit trail, changes nothing.

Permissions come from the user's roles through `RoleAdmin.permissions`, not from Django's
superuser flag or model permissions. Every save and delete made here is written to AuditEvent.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import models
from django.utils import timezone

from infogov.core.models import ApiToken, AuditEvent
from infogov.core.signals import audit
from infogov.org.choices import Role

SYS, SEC, AUDIT = Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN


def _plain(value: Any) -> Any:
    """A form value as something JSON can hold (model instances and dates become text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


class RoleAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions are granted by role: {"view": {roles}, "add": …, "change": …,
    "delete": …}. Changing implies viewing. Saves and deletes are audited."""

    permissions: dict[str, frozenset[str]] = {}
    secret_fields: frozenset[str] = frozenset({"password", "password1", "password2", "digest"})

    def _allowed(self, request: Any, action: str) -> bool:
        user = request.user
        if not (user.is_active and user.is_authenticated):
            return False
        roles = set(self.permissions.get(action, ()))
        if action == "view":
            roles |= set(self.permissions.get("change", ()))
        return user.has_role(*roles)

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request, "view")

    def has_add_permission(self, request: Any) -> bool:
        return self._allowed(request, "add")

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request, "change")

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return self._allowed(request, "delete")

    def has_module_permission(self, request: Any) -> bool:
        return any(self._allowed(request, a) for a in ("view", "add", "change", "delete"))

    # -- the audit trail of administration -----------------------------------------------------
    def _changes(self, form: Any, change: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in form.changed_data:
            if name in self.secret_fields:
                out[name] = "（已修改）"
                continue
            after = _plain(form.cleaned_data.get(name))
            out[name] = [_plain(form.initial.get(name)), after] if change else after
        return out

    def save_model(self, request: Any, obj: models.Model, form: Any, change: bool) -> None:
        before_pk = obj.pk
        super().save_model(request, obj, form, change)
        audit(
            "admin_change" if change and before_pk else "admin_add",
            actor=request.user,
            target=f"{obj._meta.label}#{obj.pk} {obj}",
            request=request,
            model=obj._meta.label,
            object_id=obj.pk,
            fields=list(form.changed_data),
            changes=self._changes(form, change),
        )

    def _audit_delete(self, request: Any, obj: models.Model) -> None:
        audit(
            "admin_delete",
            actor=request.user,
            target=f"{obj._meta.label}#{obj.pk} {obj}",
            request=request,
            model=obj._meta.label,
            object_id=obj.pk,
        )

    def delete_model(self, request: Any, obj: models.Model) -> None:
        self._audit_delete(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self._audit_delete(request, obj)
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    """The audit trail: the audit administrator reads it; nobody changes it."""

    permissions = {"view": frozenset({AUDIT})}
    list_display = ("at", "actor_name", "action", "target", "ip")
    list_filter = ("action",)
    search_fields = ("actor_name", "target", "action")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_name", "action", "target", "ip", "detail")
    list_select_related = ("actor",)


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdmin):
    """Machine clients' tokens: the security administrator revokes them; tokens are issued by their
    owners on /tokens/, so nobody adds or edits one here."""

    permissions = {"view": frozenset({SEC, AUDIT}), "revoke": frozenset({SEC})}
    list_display = ("prefix", "name", "user", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "name", "user__username", "user__full_name")
    readonly_fields = ("user", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at")
    exclude = ("digest",)
    list_select_related = ("user",)
    actions = ["revoke"]

    def has_revoke_permission(self, request: Any) -> bool:
        return self._allowed(request, "revoke")

    @admin.action(description="撤销所选令牌", permissions=["revoke"])
    def revoke(self, request: Any, queryset: models.QuerySet) -> None:
        now = timezone.now()
        revoked = 0
        for token in queryset.filter(revoked_at__isnull=True):
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            audit(
                "admin_change",
                actor=request.user,
                target=f"{token._meta.label}#{token.pk} {token}",
                request=request,
                model=token._meta.label,
                object_id=token.pk,
                fields=["revoked_at"],
                changes={"revoked_at": [None, now.isoformat()]},
                operation="revoke",
            )
            revoked += 1
        self.message_user(request, f"已撤销 {revoked} 个令牌", messages.SUCCESS)
