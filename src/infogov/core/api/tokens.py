"""API tokens for machine clients: ``ig_<prefix>_<secret>``, shown once, only the SHA-256 kept.

The prefix identifies the token (it is stored and shown in lists); the whole token is hashed and
compared in constant time. Creating and revoking write the platform audit trail (第三十四条)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import hmac
import re
import secrets
import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infogov.core.errors import InvalidInput, NotFound
from infogov.core.models import ApiToken
from infogov.core.signals import audit

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
        transaction.on_commit(lambda: forget_tokens(token_id=token.pk))
        forget_tokens(token_id=token.pk)
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


# Machine clients call the API many times a second with the same token: each process keeps a token it
# has verified for a few seconds (settings.INFOGOV_TOKEN_CACHE_SECONDS, 0 turns it off), keyed by the
# token's digest. Revoking a token or deactivating its user takes effect at once in the process that
# did it and within those seconds in every other process (docs/deploy.md says so).
_TOKENS: dict[str, tuple[float, ApiToken]] = {}
_TOKENS_MAX = 10_000
_TOKENS_LOCK = threading.Lock()


def _cache_seconds() -> float:
    return float(getattr(settings, "INFOGOV_TOKEN_CACHE_SECONDS", 5))


def forget_tokens(*, token_id: int | None = None, user_id: int | None = None) -> None:
    """Drop this process's cached tokens: one token, a user's tokens, or all."""
    with _TOKENS_LOCK:
        for key, (_, token) in list(_TOKENS.items()):
            if (token_id is None and user_id is None) or token.pk == token_id or token.user_id == user_id:
                del _TOKENS[key]


def _from_cache(digest: str, now: dt.datetime) -> ApiToken | None:
    ttl = _cache_seconds()
    if ttl <= 0:
        return None
    with _TOKENS_LOCK:
        hit = _TOKENS.get(digest)
    if hit is None or time.monotonic() - hit[0] >= ttl:
        return None
    cached = hit[1]
    if not cached.is_active:  # expired since it was cached
        return None
    token = copy.copy(cached)  # each request its own objects: requests must not share mutable state
    token.user = copy.copy(cached.user)
    return token


def token_authenticate(plaintext: str) -> ApiToken | None:
    """The active token this plaintext is, with its user; None for anything else."""
    match = TOKEN_RE.match((plaintext or "").strip())
    if match is None:
        return None
    digest = token_digest(match.group(0))
    now = timezone.now()
    token = _from_cache(digest, now)
    if token is None:
        token = ApiToken.objects.select_related("user").filter(prefix=match.group(1)).first()
        if token is None:
            return None
        if not hmac.compare_digest(token.digest, digest):
            return None
        if not token.is_active or not token.user.is_active:
            return None
        if _cache_seconds() > 0:
            with _TOKENS_LOCK:
                if len(_TOKENS) >= _TOKENS_MAX:
                    _TOKENS.clear()
                _TOKENS[digest] = (time.monotonic(), copy.copy(token))
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
        with _TOKENS_LOCK:
            hit = _TOKENS.get(digest)
            if hit is not None:
                hit[1].last_used_at = now
    return token


def tokens_of(user: Any):
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
