"""The exchange (政务信息资源交换体系, 第二十一条): consumers pull a resource's records with their grant's
token — only the granted fields, personal fields masked in SQL unless the grant allows clear text
(第二十九条), filters on granted fields, cursor pages or a streamed CSV / NDJSON download in constant
memory, a rate limit per grant.

Every pull is logged before anything leaves: consumer, grant, purpose, fields, filter names (never their
values, never records), row count, time — in the platform's hash-chained audit trail (core/audit.py,
verified by ``manage.py docket_verify``). If the log cannot be written, the pull is refused: nothing
unlogged leaves."""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import io
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Concat, Left, Right
from django.utils import timezone

from infogov.core.errors import DomainError, InvalidInput
from infogov.core.models import AuditEvent
from infogov.core.workflow.rules import RuleContext

from . import rules as R
from .choices import MASKED, FieldType
from .models import DataRecord, ResourceField, SharingRequest
from .policy import PULLS_PER_MINUTE

TOKEN_PREFIX = "gx_"
PAGE_MAX = 1000
CHUNK = 5000


def new_token() -> tuple[str, str, str]:
    """(plaintext, prefix, sha256 digest) of a fresh exchange token."""
    prefix = secrets.token_hex(6)
    plaintext = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return plaintext, prefix, hashlib.sha256(plaintext.encode()).hexdigest()


def grant_for_token(header: str) -> SharingRequest | None:
    """The grant whose token the ``Authorization: Bearer gx_…`` header carries, or None."""
    scheme, _, token = (header or "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    prefix = token[len(TOKEN_PREFIX) :].split("_", 1)[0]
    grant = (
        SharingRequest.objects.select_related("resource", "owner").filter(token_prefix=prefix).first()
        if prefix
        else None
    )
    if grant is None or not grant.token_digest:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return grant if hmac.compare_digest(digest, grant.token_digest) else None


class Unavailable(DomainError):
    """The access log could not be written: the pull is refused (a 503)."""

    def __init__(self) -> None:
        super().__init__(
            message="交换访问日志暂时无法写入，为保证每次获取数据都有记录，本次请求被拒绝，请稍后重试",
            code="access_log_unavailable",
            article="第二十九条第一款",
            status=503,
        )


class Throttled(DomainError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            message=f"该授权每分钟最多调用 {limit} 次（{PULLS_PER_MINUTE.note}），请稍后再试",
            code="throttled",
            article="第二十一条第一款",
            status=429,
        )


def log_pull(
    *, grant: SharingRequest | None, resource_id: int, outcome: str, detail: dict[str, Any], ip: str | None
) -> None:
    """One chained audit event per pull (or refusal). Metadata only: never a record's values."""
    consumer = grant.owner.name if grant is not None else "（无有效授权）"
    body = {"resource": resource_id, "outcome": outcome, **detail}
    if grant is not None:
        body.update(
            grant=grant.pk, grant_ref=grant.reference, consumer=grant.owner_id, purpose=grant.purpose[:200]
        )
    try:
        AuditEvent(
            actor=None,
            actor_name=consumer,
            action="exchange_pull" if outcome == "ok" else "exchange_refused",
            target=f"resources.resource:{resource_id}",
            ip=ip,
            detail=body,
        ).save()
    except DatabaseError:
        raise Unavailable() from None


@dataclass
class Pull:
    grant: SharingRequest
    fields: list[ResourceField]
    filters: dict[str, str]
    queryset: models.QuerySet
    lines: models.QuerySet  # the same rows, each one NDJSON line built by the database

    @property
    def columns(self) -> list[str]:
        return ["record_id", *(f.code for f in self.fields)]


class JsonLine(models.Func):
    """One record as a JSON object text, keys in the given order, built by the database: PostgreSQL's
    json_build_object(…)::text, SQLite's json_object(…). Streaming then only joins lines in Python."""

    output_field = models.TextField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return super().as_sql(compiler, connection, function="json_object", **extra)

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return super().as_sql(
            compiler, connection, template="json_build_object(%(expressions)s)::text", **extra
        )


def _masked(field: ResourceField) -> Any:
    """The field's value as the consumer sees it, computed by the database (SQL expressions)."""
    raw = KeyTextTransform(field.code, "data")
    if field.field_type == FieldType.RESIDENT_ID:
        shown: Any = Concat(Left(raw, 6), Value("********"), Right(raw, 4))
    elif field.field_type == FieldType.PHONE:
        shown = Concat(Left(raw, 3), Value("****"), Right(raw, 4))
    elif field.field_type == FieldType.PERSON_NAME:
        shown = Concat(Left(raw, 1), Value("*"))
    else:
        shown = Value("***")
    return Case(
        When(Q(data__has_key=field.code), then=shown), default=Value(None), output_field=models.TextField()
    )


def prepare(grant: SharingRequest, resource_id: int, params: dict[str, str], *, today: Any) -> Pull:
    """Check the grant (A21-1-GRANT) and the filters (A21-1-GRANTED-FIELDS); the masked query."""
    filters = {k[2:]: v for k, v in params.items() if k.startswith("f.")}
    ctx = RuleContext(user=None, today=today, payload={"filters": list(filters)})
    R.require(grant, ctx, R.holds_active_grant, R.filters_on_granted_fields)
    granted = set(grant.fields_granted)
    fields = [f for f in grant.resource.fields.all() if f.code in granted]
    qs = DataRecord.objects.filter(resource_id=resource_id)
    for code, value in filters.items():
        if "\x00" in value or len(value) > 200:
            raise InvalidInput(f"筛选条件 {code} 的值无效", code="invalid")
        qs = qs.filter(**{f"data__{code}": value}) if _sqlite() else qs.filter(data__contains={code: value})
    annotations = {
        f"v_{f.code}": (
            _masked(f)
            if f.sensitivity in MASKED and not grant.clear_text
            else KeyTextTransform(f.code, "data")
        )
        for f in fields
    }
    qs = qs.annotate(**annotations).order_by("record_id")
    pairs: list[Any] = [Value("record_id"), F("record_id")]
    for f in fields:
        pairs += [Value(f.code), F(f"v_{f.code}")]
    lines = qs.annotate(line=JsonLine(*pairs)).values_list("line", flat=True)
    return Pull(grant, fields, filters, qs.values_list("record_id", *annotations), lines)


def _sqlite() -> bool:
    from django.db import connection

    return connection.vendor != "postgresql"


def throttle(grant: SharingRequest) -> None:
    limit = int(PULLS_PER_MINUTE.on(timezone.localdate()))
    key = f"resources:pulls:{grant.pk}:{int(timezone.now().timestamp() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        used = cache.incr(key)
    except ValueError:
        used = 1
    if used > limit:
        raise Throttled(limit)


def encode_cursor(record_id: str) -> str:
    return base64.urlsafe_b64encode(record_id.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> str:
    try:
        value = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        value = ""
    if not value or "\x00" in value or encode_cursor(value) != cursor:
        raise InvalidInput("cursor 无效，请使用上一页返回的 next_cursor", code="invalid")
    return value


def page(pull: Pull, *, cursor: str | None, limit: int) -> tuple[list[dict[str, Any]], str | None]:
    qs = pull.queryset
    if cursor:
        qs = qs.filter(record_id__gt=decode_cursor(cursor))
    rows = list(qs[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    columns = pull.columns
    records = [dict(zip(columns, r, strict=True)) for r in rows]
    return records, (encode_cursor(rows[-1][0]) if more and rows else None)


def stream_rows(pull: Pull) -> Iterator[tuple[Any, ...]]:
    """Every row, read through a server-side cursor on PostgreSQL (chunks of CHUNK): constant memory."""
    yield from pull.queryset.iterator(chunk_size=CHUNK)


def csv_chunks(pull: Pull, on_done: Any) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["记录标识", *(f.name for f in pull.fields)])
    yield ("\ufeff" + buffer.getvalue()).encode()
    n = 0
    rows: list[Any] = []
    for row in stream_rows(pull):
        rows.append(row)
        n += 1
        if len(rows) >= 1000:
            yield _csv_block(rows)
            rows = []
    if rows:
        yield _csv_block(rows)
    on_done(n)


def _csv_block(rows: list[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [[("'" + v) if isinstance(v, str) and v[:1] in ("=", "+", "-", "@") else v for v in r] for r in rows]
    )
    return buffer.getvalue().encode()


def ndjson_chunks(pull: Pull, on_done: Any) -> Iterator[bytes]:
    """One JSON object per line, each built by the database (JsonLine), read through a server-side
    cursor and sent in blocks of 1,000 lines: constant memory, and no per-row work in Python but a join."""
    n = 0
    lines: list[str] = []
    for line in pull.lines.iterator(chunk_size=CHUNK):
        lines.append(line)
        if len(lines) >= 1000:
            n += len(lines)
            yield ("\n".join(lines) + "\n").encode()
            lines = []
    if lines:
        n += len(lines)
        yield ("\n".join(lines) + "\n").encode()
    on_done(n)
