"""Password rules Django has no validator for (AUTH_PASSWORD_VALIDATORS in settings/base.py)."""

from __future__ import annotations

import string
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError


def character_classes(password: str) -> int:
    """How many of upper case, lower case, digits and symbols the password uses."""
    return sum(
        (
            any(c.isupper() for c in password),
            any(c.islower() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() or c in string.punctuation for c in password),
        )
    )


class CharacterClassesValidator:
    """At least `min_classes` of the four classes (GB/T 22239-2019 8.1.4.1 a: 口令复杂度)."""

    def __init__(self, min_classes: int = 3) -> None:
        self.min_classes = min_classes

    def validate(self, password: str, user: Any = None) -> None:
        if character_classes(password) < self.min_classes:
            raise ValidationError(
                f"密码须至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类，请重新设置（平台规定）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"至少包含大写字母、小写字母、数字、符号中的{self.min_classes}类。"


class PasswordHistoryValidator:
    """None of the account's last `history` passwords (their hashes are kept in PasswordHistory)."""

    def __init__(self, history: int = 5) -> None:
        self.history = history

    def validate(self, password: str, user: Any = None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        from infogov.accounts.models import PasswordHistory

        hashes = list(
            PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.history]
        )
        if user.password and user.password not in hashes:  # the current one, set before history existed
            hashes = [user.password, *hashes][: self.history]
        if any(encoded and check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                f"新密码不能与最近{self.history}次使用过的密码相同，请换一个（平台规定）。",
                code="password_reused",
            )

    def password_changed(self, password: str, user: Any = None) -> None:
        """Called by Django after a changed password is saved: keep its hash, drop the oldest."""
        if user is None or not getattr(user, "pk", None) or not user.password:
            return
        from infogov.accounts.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        keep = list(PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[: self.history])
        PasswordHistory.objects.filter(user=user).exclude(pk__in=keep).delete()
        # set by anyone: to be changed by its holder at the next sign-in (accounts/views.py clears it)
        from infogov.accounts.models import mark_password_changed

        mark_password_changed(user, by_holder=False)

    def get_help_text(self) -> str:
        return f"不能与最近{self.history}次使用过的密码相同。"


# Django's own validators, with the platform's Chinese wording (Django 5.2's zh-hans catalogue lacks some
# of these strings) and what to do about it.


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短：至少{self.min_length}位，请重新设置（平台规定）。"

    def get_help_text(self) -> str:
        return f"至少{self.min_length}位。"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def get_error_message(self) -> str:
        return "密码与%(verbose_name)s过于相近，请换一个与个人信息无关的密码（平台规定）。"

    def get_help_text(self) -> str:
        return "不能与用户名、姓名等个人信息相近。"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "这是常见密码，容易被猜中，请换一个（平台规定）。"

    def get_help_text(self) -> str:
        return "不能是常见密码。"


class NumericPasswordValidator(password_validation.NumericPasswordValidator):
    def get_error_message(self) -> str:
        return "密码不能全是数字，请加入字母和符号（平台规定）。"

    def get_help_text(self) -> str:
        return "不能全是数字。"
