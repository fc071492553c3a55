"""Read replicas, the request side: which database this unit of work may read from.

Selectors read from a streaming replica (settings.DATABASE_REPLICAS, built from
DATABASE_REPLICA_URLS); everything else reads and writes the primary ("default"):

- inside a transaction on the primary (every service runs in ``transaction.atomic``);
- for the rest of a request (or task) once it has written anything: a wrapper on the primary
  connection sees each statement and pins the context at the first one that is not a read;
- for a whole request whose method is not safe (POST, PUT, PATCH, DELETE);
- for a few seconds after a request that wrote (a cookie), so that the page a POST redirects
  to — and the session a sign-in just created — are read where they were written.

The state lives in context variables: one request (or huey task, or shell) never sees
another's. ``request_scope()`` gives a fresh state; ``ReplicaMiddleware`` opens one per request.
With no replicas configured all of this is inert and every query uses "default".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

PIN_COOKIE = "infogov_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# statements that change no data: reads, and transaction control (the writes inside a transaction
# are statements of their own and pin when they run)
READ_PREFIXES = ("SELECT", "SHOW", "EXPLAIN", "VALUES", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")

_pinned: ContextVar[bool] = ContextVar("infogov_db_pinned", default=False)
_wrote: ContextVar[bool] = ContextVar("infogov_db_wrote", default=False)
_replica: ContextVar[str | None] = ContextVar("infogov_db_replica", default=None)


def replicas() -> list[str]:
    """The configured replica aliases (settings.DATABASE_REPLICAS); empty: no replicas."""
    return list(getattr(settings, "DATABASE_REPLICAS", ()) or ())


def pin_primary() -> None:
    """From now on, until the request or scope ends, read from the primary."""
    _pinned.set(True)


def is_pinned() -> bool:
    return _pinned.get()


def has_written() -> bool:
    """Whether this context has sent the primary anything but a read."""
    return _wrote.get()


def _is_read(sql: Any) -> bool:
    text = sql.decode() if isinstance(sql, bytes) else str(sql)
    head = text[:32].lstrip(" \t\r\n(").upper()
    return head.startswith(READ_PREFIXES) and "FOR UPDATE" not in text and "FOR NO KEY UPDATE" not in text


def watch_writes(execute: Callable[..., Any], sql: Any, params: Any, many: bool, context: dict) -> Any:
    """Execute wrapper on the primary connection: any statement that may change data pins the context
    (INSERT, UPDATE, DELETE, DDL, SELECT … FOR UPDATE, executemany)."""
    if many or not _is_read(sql):
        _pinned.set(True)
        _wrote.set(True)
    return execute(sql, params, many, context)


def ensure_watching() -> None:
    """Install `watch_writes` on this thread's primary connection (once; it survives reconnects).

    Inserted first, so that someone else's ``with connection.execute_wrapper(...)`` (which pops the
    last wrapper when it ends) never removes ours."""
    wrappers = connections[DEFAULT_DB_ALIAS].execute_wrappers
    if watch_writes not in wrappers:
        wrappers.insert(0, watch_writes)


def choose_replica() -> str | None:
    """The replica this context reads from: chosen once per scope, so that reads within one request
    are monotonic (never see an older replica after a newer one); None when no replica is configured
    or the context must read the primary."""
    aliases = replicas()
    if not aliases or _pinned.get() or connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return None
    chosen = _replica.get()
    if chosen is None or chosen not in aliases:
        chosen = random.choice(aliases)  # load spreading, not security
        _replica.set(chosen)
    return chosen


@contextmanager
def request_scope(*, pinned: bool = False) -> Iterator[None]:
    """A fresh routing state (one request, one background task): unpinned unless `pinned`."""
    pin_token = _pinned.set(pinned)
    wrote_token = _wrote.set(False)
    replica_token = _replica.set(None)
    try:
        yield
    finally:
        _pinned.reset(pin_token)
        _wrote.reset(wrote_token)
        _replica.reset(replica_token)


@contextmanager
def use_primary() -> Iterator[None]:
    """Read from the primary inside the block (e.g. a selector that must not lag), then restore."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


class ReplicaMiddleware:
    """One routing scope per request; pins unsafe methods, requests carrying the pin cookie and,
    after a request that wrote, the same browser for ``DATABASE_REPLICA_PIN_SECONDS`` (default 5)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replicas():
            return self.get_response(request)
        ensure_watching()
        pinned = request.method not in SAFE_METHODS or PIN_COOKIE in request.COOKIES
        with request_scope(pinned=pinned):
            response = self.get_response(request)
            if has_written() or request.method not in SAFE_METHODS:
                response.set_cookie(
                    PIN_COOKIE,
                    "1",
                    max_age=int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 5)),
                    httponly=True,
                    samesite="Lax",
                    secure=bool(getattr(settings, "SESSION_COOKIE_SECURE", False)),
                )
        return response
