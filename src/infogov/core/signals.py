"""The audit trail (AuditEvent, hash-chained in core/audit.py), for the audit administrator:
sign-ins, failed sign-ins, lockouts, refusals (403), administration, tokens, downloads and exports."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from infogov.core.models import AuditEvent


def audit(
    action: str, *, actor: Any = None, target: str = "", request: Any = None, **detail: Any
) -> AuditEvent:
    ip = request.META.get("REMOTE_ADDR") if request is not None else None
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if getattr(user, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or detail.pop("username", ""),
        action=action,
        target=target[:200],
        ip=ip or None,
        detail=detail,
    )


@receiver(user_logged_in)
def on_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    audit("login", actor=user, request=request)


@receiver(user_logged_out)
def on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        audit("logout", actor=user, request=request)


@receiver(user_login_failed)
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    audit("login_failed", request=request, username=str(credentials.get("username", ""))[:150])


def audit_denied(request: Any, reason: str = "") -> AuditEvent:
    """A refused request (403): who asked for what (core/web/middleware.py)."""
    return audit(
        "permission_denied",
        request=request,
        target=f"{request.method} {request.get_full_path()}",
        reason=str(reason)[:300],
    )
