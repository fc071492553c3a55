"""Who must pass a second factor (GB/T 22239-2019 8.1.4.1 d: 两种或两种以上组合的鉴别技术)."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from infogov.org.choices import Role

# Those who decide (authority leaders, government approvers) and the three administrators.
REQUIRED_2FA_ROLES = (
    Role.AUTHORITY_LEADER,
    Role.GOV_APPROVER,
    Role.SYS_ADMIN,
    Role.SEC_ADMIN,
    Role.AUDIT_ADMIN,
)


def requires_2fa(user: Any) -> bool:
    """The role makes TOTP mandatory (when INFOGOV_REQUIRE_2FA is on)."""
    return bool(settings.INFOGOV_REQUIRE_2FA) and user.has_role(*REQUIRED_2FA_ROLES)


def confirmed_device(user: Any) -> Any:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.filter(user=user, confirmed=True).first()
