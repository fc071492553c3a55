"""API tokens for machine clients: ``ig_<prefix>_<secret>``, shown once, only the SHA-256 kept.

The prefix identifies the token (it is stored and shown in lists); the whole token is hashed and
compared in constant time. Creating and revoking write the platform audit trail (第三十四条)."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from .errors import InvalidInput, NotFound
from .models import ApiToken
from .signals import audit

TOKEN_RE = re.compile(r"^ig_([0-9a-f]{8})_([A-Za-z0-9_-]{32,128})$")
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)  # write last_used_at at most once a minute per token


def token_digest(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def _new_prefix() -> str:
    for _ in range(10):
        prefix = secrets.token_hex(4)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix
    raise RuntimeError("could not find a free token prefix")  # 2^32 prefixes: practically unreachable


@transaction.atomic
def token_create(
    *, user: Any, name: str, expires_at: dt.datetime | None = None, request: Any = None, via: str = "web"
) -> tuple[ApiToken, str]:
    """Issue a token for `user`. Returns the record and the plaintext, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput("请填写令牌用途", code="invalid", details=[{"loc": ["name"], "msg": "必填"}])
    if len(name) > 100:
        raise InvalidInput(
            "令牌用途不能超过 100 个字", code="invalid", details=[{"loc": ["name"], "msg": "过长"}]
        )
    if expires_at is not None:
        if timezone.is_naive(expires_at):
            expires_at = timezone.make_aware(expires_at)
        if expires_at <= timezone.now():
            raise InvalidInput(
                "到期时间必须晚于当前时间", code="invalid", details=[{"loc": ["expires_at"], "msg": "已过去"}]
            )
    prefix = _new_prefix()
    plaintext = f"ig_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, digest=token_digest(plaintext), expires_at=expires_at
    )
    audit(
        "api_token_create",
        actor=user,
        target=f"{name} ({prefix})",
        request=request,
        token_id=token.pk,
        prefix=prefix,
        expires_at=expires_at.isoformat() if expires_at else None,
        via=via,
    )
    return token, plaintext


@transaction.atomic
def token_revoke(*, user: Any, token_id: int, request: Any = None, via: str = "web") -> ApiToken:
    """Revoke one of `user`'s own tokens (another user's token is answered as not found)."""
    token = ApiToken.objects.select_for_update().filter(pk=token_id, user=user).first()
    if token is None:
        raise NotFound("未找到该令牌")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit(
            "api_token_revoke",
            actor=user,
            target=f"{token.name} ({token.prefix})",
            request=request,
            token_id=token.pk,
            prefix=token.prefix,
            via=via,
        )
    return token


def token_authenticate(plaintext: str) -> ApiToken | None:
    """The active token this plaintext is, with its user; None for anything else."""
    match = TOKEN_RE.match((plaintext or "").strip())
    if match is None:
        return None
    token = ApiToken.objects.select_related("user").filter(prefix=match.group(1)).first()
    if token is None:
        return None
    if not hmac.compare_digest(token.digest, token_digest(match.group(0))):
        return None
    if not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user: Any):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
