"""The audit trail's hash chain (GB/T 22239-2019 安全审计): one global chain over AuditEvent.

Every insert takes a lock (PostgreSQL: a transaction-level advisory lock; SQLite: its IMMEDIATE write
transaction), reads the last event's seq and hash, and writes seq + 1 with hash = sha256 over the
event's fields and the previous hash. Audit events are few (sign-ins, administration, downloads), so
one writer at a time costs nothing that matters. `verify()` recomputes the chain; `docket_verify`
runs it after the docket's own check. The database triggers of core 0005 refuse UPDATE and DELETE.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

GENESIS = "0" * 64
# pg_advisory_xact_lock key: "infogov audit" (any constant no other lock uses)
_PG_LOCK_KEY = 0x1A0D17


def _clean(value: Any) -> Any:
    """JSON as the database gives it back, without NUL characters (PostgreSQL refuses them)."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_clean(str(k)): _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def _normalise(value: Any) -> Any:
    return _clean(json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False)))


def _ip(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _micros(at: dt.datetime) -> int:
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def digest(
    *,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    actor_name: str,
    action: str,
    target: str,
    ip: str | None,
    detail: Any,
    prev_hash: str,
) -> str:
    body = json.dumps(
        [seq, _micros(at), actor_id, actor_name, action, target, _ip(ip), detail, prev_hash],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _digest_of(event: Any) -> str:
    return digest(
        seq=event.seq,
        at=event.at,
        actor_id=event.actor_id,
        actor_name=event.actor_name,
        action=event.action,
        target=event.target,
        ip=event.ip,
        detail=event.detail,
        prev_hash=event.prev_hash,
    )


def _lock(using: str) -> None:
    connection = transaction.get_connection(using)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def append(event: Any, *args: Any, **kwargs: Any) -> None:
    """Insert `event` as the next link of the chain (AuditEvent.save calls this)."""
    AuditEvent = type(event)  # not imported: core.models imports this module
    using = kwargs.get("using") or "default"
    event.actor_name = _clean(event.actor_name or "")[:150]
    event.action = _clean(event.action or "")[:50]
    event.target = _clean(event.target or "")[:200]
    event.ip = _ip(event.ip)
    event.detail = _normalise(event.detail or {})
    with transaction.atomic(using=using):
        _lock(using)
        last = (
            AuditEvent.objects.using(using)
            .filter(seq__isnull=False)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        event.seq = int(last[0] or 0) + 1 if last else 1
        event.prev_hash = last[1] if last else GENESIS
        event.hash = _digest_of(event)
        models.Model.save(event, *args, **kwargs)


@dataclass
class AuditReport:
    events: int = 0
    head: str = GENESIS
    broken: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken


def verify(*, using: str = "default", limit: int = 20) -> AuditReport:
    """Recompute every audit event's hash in seq order: a changed, deleted or inserted event breaks it."""
    from django.apps import apps

    AuditEvent = apps.get_model("core", "AuditEvent")
    report = AuditReport()
    expected_seq, prev = 1, GENESIS
    events = AuditEvent.objects.using(using).order_by("seq", "id")
    for event in events.iterator(chunk_size=2000):
        report.events += 1
        where = f"审计日志 #{event.pk}（序号 {event.seq}）"
        if event.seq is None:
            report.broken.append(f"{where}没有序号，未纳入哈希链")
        elif event.seq != expected_seq:
            report.broken.append(f"{where}：序号应为 {expected_seq}，中间的记录被删除或插入")
        if event.prev_hash != prev:
            report.broken.append(f"{where}：与上一条记录的哈希不衔接")
        if event.seq is not None and _digest_of(event) != event.hash:
            report.broken.append(f"{where}：内容与哈希不符，记录被篡改")
        expected_seq = (event.seq or expected_seq) + 1
        prev = event.hash
        if len(report.broken) >= limit:
            break
    report.head = prev
    return report


# Labels of the actions this module's callers add (core/web/forms.py has the original ones).
ACTION_LABELS = {
    "account_locked": "账号锁定",
    "permission_denied": "越权访问被拒绝",
    "attachment_download": "下载附件",
    "case_export": "导出事项列表",
    "audit_export": "导出审计日志",
    "password_change": "修改密码",
    "password_change_forced": "首次登录强制修改密码",
    "session_timeout": "会话超时退出",
    "otp_enrol": "绑定双因素认证",
    "otp_verify": "双因素认证通过",
    "otp_failed": "双因素认证失败",
    "otp_remove": "解除双因素认证",
    "admin_add": "系统管理新增",
    "admin_delete": "系统管理删除",
}

EXPORT_COLUMNS = ["序号", "时间", "用户名", "姓名", "操作", "操作代码", "对象", "IP 地址", "详情", "哈希"]


def _export_rows(events: Any, labels: dict[str, str]) -> Any:
    from django.utils import timezone

    for e in events.iterator(chunk_size=2000):
        actor = e.actor
        yield [
            e.seq,
            timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"),
            actor.username if actor else e.actor_name,
            (actor.full_name if actor else "") or "",
            labels.get(e.action, e.action),
            e.action,
            e.target,
            e.ip or "",
            json.dumps(e.detail, ensure_ascii=False, sort_keys=True),
            e.hash,
        ]


def export_response(events: Any, fmt: str, labels: dict[str, str]) -> Any:
    """The filtered events as CSV (UTF-8 with BOM, for Excel) or an .xlsx workbook, as a download."""
    import csv
    import io

    from django.http import HttpResponse
    from django.utils import timezone

    from infogov.core.tabular import safe_cell

    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        writer.writerow(EXPORT_COLUMNS)
        for row in _export_rows(events, labels):
            writer.writerow([safe_cell(v) for v in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        filename = f"audit-log-{stamp}.csv"
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("审计日志")
        sheet.append(EXPORT_COLUMNS)
        for row in _export_rows(events, labels):
            sheet.append([safe_cell(v) for v in row])
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        filename = f"audit-log-{stamp}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
