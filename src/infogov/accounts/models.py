"""What the identity controls remember about an account, keyed to the user (org's models stay as they are)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PasswordHistory(models.Model):
    """The hash of a password the account has had: the last five may not be chosen again (平台规定)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"


class AccountSecurity(models.Model):
    """Per-account state of the controls. No row means the password was never changed by its holder
    (imported, demo or set by an administrator): with INFOGOV_FORCE_PASSWORD_CHANGE it must be changed
    at the next sign-in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_security"
    )
    must_change_password = models.BooleanField("须修改密码", default=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "账号安全状态"
        verbose_name_plural = "账号安全状态"

    def __str__(self) -> str:
        return str(self.user_id)


def must_change_password(user) -> bool:
    state = AccountSecurity.objects.filter(user=user).values_list("must_change_password", flat=True).first()
    return True if state is None else state


def mark_password_changed(user, *, by_holder: bool) -> None:
    """Record a password change: by its holder clears the flag; set by anyone else sets it."""
    AccountSecurity.objects.update_or_create(
        user=user,
        defaults={"must_change_password": not by_holder, "password_changed_at": timezone.now()},
    )
