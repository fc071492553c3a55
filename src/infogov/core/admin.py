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

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm, UsernameField
from django.db import models
from django.http import HttpResponseRedirect
from django.utils import timezone

from infogov.core.docnumbers import DocumentNumberFormat
from infogov.core.models import ApiToken, AuditEvent
from infogov.core.signals import audit
from infogov.org.choices import ADMIN_ROLES, Role
from infogov.org.models import Jurisdiction, Membership, Organisation, User

SYS, SEC, AUDIT = Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN


def _plain(value: Any) -> Any:
    """A form value as something JSON can hold (model instances and dates become text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


BLANK = "（请选择）"  # not Django's "---------": the administrators read Chinese


class RoleAdmin(admin.ModelAdmin):
    """A ModelAdmin whose permissions are granted by role: {"view": {roles}, "add": …, "change": …,
    "delete": …}. Changing implies viewing. Saves and deletes are audited."""

    permissions: dict[str, frozenset[str]] = {}
    secret_fields: frozenset[str] = frozenset({"password", "password1", "password2", "digest"})
    empty_value_display = "—"

    def get_action_choices(self, request: Any, default_choices: Any = (("", "（请选择操作）"),)) -> Any:
        return super().get_action_choices(request, default_choices=list(default_choices))

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return chinese_blank(field)

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


def chinese_blank(field: Any) -> Any:
    """A select's empty choice reads （请选择）, not ---------."""
    if field is None:
        return field
    if getattr(field, "empty_label", None) == "---------":
        field.empty_label = BLANK
    choices = list(getattr(field, "choices", None) or [])
    if choices and choices[0][0] in ("", None) and choices[0][1] == "---------":
        field.choices = [("", BLANK), *choices[1:]]
    return field


def action_labels() -> dict[str, str]:
    """Every audited action's Chinese name (the sign-in events' and the platform's own)."""
    from infogov.core.audit import ACTION_LABELS
    from infogov.core.web.forms import ACTION_LABELS as SIGN_IN_LABELS

    return {**SIGN_IN_LABELS, **ACTION_LABELS}


class AuditActionFilter(admin.SimpleListFilter):
    """The audit trail's actions by their Chinese names (登录, 越权访问被拒绝 …), not their codes."""

    title = "操作"
    parameter_name = "action"

    def lookups(self, request: Any, model_admin: Any) -> list[tuple[str, str]]:
        labels = action_labels()
        codes = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
        return sorted(((c, labels.get(c, c)) for c in codes), key=lambda c: c[1])

    def queryset(self, request: Any, queryset: models.QuerySet) -> models.QuerySet:
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdmin):
    """The audit trail: the audit administrator reads it; nobody changes it. Filtering with export to
    CSV or Excel is on the platform's own page 审计日志 (/audit/), linked from here."""

    permissions = {"view": frozenset({AUDIT})}
    list_display = ("at", "actor_name", "action_name", "target", "ip")
    list_filter = (AuditActionFilter,)
    search_fields = ("actor_name", "target", "action")
    date_hierarchy = "at"
    readonly_fields = ("at", "actor", "actor_name", "action_name", "target", "ip", "detail")
    exclude = ("action",)
    list_select_related = ("actor",)

    @admin.display(description="操作", ordering="action")
    def action_name(self, obj: AuditEvent) -> str:
        return action_labels().get(obj.action, obj.action)

    def changelist_view(self, request: Any, extra_context: Any = None) -> Any:
        from django.urls import reverse

        extra = {
            "title": "审计日志",
            "export_url": reverse("audit_log"),
        }
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})


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


# -- the organisation register ------------------------------------------------------------------
# Kept here, not in org/admin.py: org imports nothing of the platform's (see [tool.importlinter] in
# pyproject.toml), and these ModelAdmins need RoleAdmin and the audit trail.
# The system administrator keeps jurisdictions, organisations and accounts; the security
# administrator grants roles (Membership) — the one thing that gives an account any power.


@admin.register(Jurisdiction)
class JurisdictionAdmin(RoleAdmin):
    permissions = {
        "view": frozenset({SEC}),
        "add": frozenset({SYS}),
        "change": frozenset({SYS}),
        "delete": frozenset({SYS}),
    }
    list_display = ("name", "code", "kind", "parent", "sort_order")
    list_filter = ("kind",)
    search_fields = ("name", "code")
    ordering = ("sort_order", "code")
    list_select_related = ("parent",)


@admin.register(Organisation)
class OrganisationAdmin(RoleAdmin):
    permissions = {
        "view": frozenset({SEC}),
        "add": frozenset({SYS}),
        "change": frozenset({SYS}),
        "delete": frozenset({SYS}),
    }
    list_display = ("name", "kind", "cosupervision", "jurisdiction", "is_active")
    list_filter = ("kind", "cosupervision", "is_active", "jurisdiction")
    search_fields = ("name", "short_name", "credit_code")
    list_select_related = ("jurisdiction",)


@admin.register(DocumentNumberFormat)
class DocumentNumberFormatAdmin(RoleAdmin):
    """文号格式 (core.docnumbers): how each issuer writes its 批准文号 and 备案号; the sequence numbers
    themselves are the steps' (allocated in their transactions) and are not edited here."""

    permissions = {
        "view": frozenset({SEC}),
        "add": frozenset({SYS}),
        "change": frozenset({SYS}),
        "delete": frozenset({SYS}),
    }
    list_display = ("issuer", "kind", "template")
    list_filter = ("kind",)
    search_fields = ("issuer__name", "template")
    list_select_related = ("issuer",)
    autocomplete_fields = ("issuer",)


class MembershipInline(admin.TabularInline):
    """An account's roles, shown on the account page and never edited there: roles are granted by
    the security administrator on the role-grant page."""

    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role")
    readonly_fields = ("organisation", "role")
    can_delete = False

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return request.user.has_role(SYS, SEC)

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class AccountCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("username", "full_name", "organisation")
        field_classes = {"username": UsernameField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "usable_password" in self.fields:  # Django's own text is not translated into Chinese
            self.fields["usable_password"].label = "密码登录"
            self.fields[
                "usable_password"
            ].help_text = "是否允许该账号用密码登录。停用后只能通过其他认证方式登录。"


class AccountChangeForm(UserChangeForm):
    class Meta:
        model = User
        field_classes = {"username": UsernameField}
        fields = (
            "username",
            "password",
            "full_name",
            "phone",
            "email",
            "organisation",
            "is_active",
            "is_staff",
        )


@admin.register(User)
class UserAdmin(RoleAdmin, DjangoUserAdmin):
    """Accounts: the system administrator creates them, deactivates them and resets passwords."""

    permissions = {"view": frozenset({SEC}), "add": frozenset({SYS}), "change": frozenset({SYS})}
    form = AccountChangeForm
    add_form = AccountCreationForm
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "email", "organisation")}),
        ("账号状态", {"fields": ("is_active", "is_staff", "last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "full_name", "organisation", "roles", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff", "organisation__kind", "memberships__role")
    search_fields = ("username", "full_name", "organisation__name")
    ordering = ("username",)
    filter_horizontal = ()
    inlines = (MembershipInline,)
    list_select_related = ("organisation",)
    actions = ["deactivate"]

    def get_queryset(self, request: Any) -> models.QuerySet:
        return super().get_queryset(request).prefetch_related("memberships")

    @admin.display(description="角色")
    def roles(self, obj: User) -> str:
        return "、".join(sorted({m.get_role_display() for m in obj.memberships.all()})) or "—"

    def get_inlines(self, request: Any, obj: Any) -> Any:
        return self.inlines if obj is not None else ()

    @admin.action(description="停用所选账号", permissions=["change"])
    def deactivate(self, request: Any, queryset: models.QuerySet) -> None:
        n = 0
        for user in queryset.filter(is_active=True).exclude(pk=request.user.pk):
            user.is_active = False
            user.save(update_fields=["is_active"])
            audit(
                "admin_change",
                actor=request.user,
                target=f"{user._meta.label}#{user.pk} {user}",
                request=request,
                model=user._meta.label,
                object_id=user.pk,
                fields=["is_active"],
                changes={"is_active": [True, False]},
                operation="deactivate",
            )
            n += 1
        self.message_user(request, f"已停用 {n} 个账号", messages.SUCCESS)

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and isinstance(response, HttpResponseRedirect):
            user = self.get_object(request, id)
            audit(
                "admin_change",
                actor=request.user,
                target=f"{User._meta.label}#{id} {user}",
                request=request,
                model=User._meta.label,
                object_id=int(id),
                fields=["password"],
                changes={"password": "（已重置）"},
                operation="reset_password",
            )
        return response


class MembershipForm(forms.ModelForm):
    """Grants keep the three administrators apart: an administrative role is held alone."""

    class Meta:
        model = Membership
        fields = ("user", "organisation", "role")

    def __init__(self, *args: Any, request: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user, role = data.get("user"), data.get("role")
        if user is None or not role:
            return data
        if self.request is not None and user.pk == self.request.user.pk:
            raise forms.ValidationError("不能给自己授予或变更角色（三员分立）")
        others = set(
            Membership.objects.filter(user=user).exclude(pk=self.instance.pk).values_list("role", flat=True)
        )
        if role in ADMIN_ROLES and others:
            raise forms.ValidationError(
                "系统管理员、安全管理员、安全审计员角色须单独持有，该用户已有其他角色"
            )
        if role not in ADMIN_ROLES and others & ADMIN_ROLES:
            raise forms.ValidationError("该用户是平台管理员，不能再授予业务角色")
        return data


@admin.register(Membership)
class MembershipAdmin(RoleAdmin):
    """Role grants: the security administrator's job."""

    permissions = {
        "view": frozenset({SYS, AUDIT}),
        "add": frozenset({SEC}),
        "change": frozenset({SEC}),
        "delete": frozenset({SEC}),
    }
    form = MembershipForm
    list_display = ("user", "organisation", "role")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__username", "user__full_name", "organisation__name")
    autocomplete_fields = ("user", "organisation")
    list_select_related = ("user", "organisation")

    def get_form(self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class RequestForm(form_class):  # type: ignore[misc, valid-type]
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, request=request, **kw)

        return RequestForm
