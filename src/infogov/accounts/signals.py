"""Lockouts into the audit trail (django-axes' user_locked_out); the session state set at sign-in."""

from __future__ import annotations

import time
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from infogov.core.signals import audit


@receiver(user_locked_out)
def on_locked_out(
    sender: Any, request: Any = None, username: str | None = None, ip_address: Any = None, **kwargs: Any
) -> None:
    audit(
        "account_locked",
        request=request,
        target=str(username or "")[:200],
        username=str(username or "")[:150],
        failures=settings.AXES_FAILURE_LIMIT,
    )


@receiver(user_logged_in)
def on_logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """Start the idle clock and note whether a second factor is due, while the sign-in writes the
    session anyway: the pages that follow then read both from the session, without a query."""
    session = getattr(request, "session", None)
    if session is None or user is None:
        return
    from infogov.accounts.middleware import HAS_DEVICE, LAST_SEEN
    from infogov.accounts.policy import confirmed_device

    session[LAST_SEEN] = int(time.time())
    session[HAS_DEVICE] = confirmed_device(user) is not None
