"""The inputs a project step takes (the transition payload), checked and normalised.

Web forms send strings, the API sends JSON: both end up here, so the rules and the docket see one
shape. A missing or malformed value is an InvalidInput (422) naming the field, never a 500.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from infogov.core.errors import InvalidInput

from .choices import ProcurementMethod

_SPLIT = re.compile(r"[,，、;；\n]+")


def as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "on", "true", "yes", "是", "通过", "合格"}


def as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in _SPLIT.split(str(value)) if v.strip()]


def _fail(field: str, message: str) -> InvalidInput:
    return InvalidInput(
        message, code="invalid_payload", details=[{"loc": ["payload", field], "msg": message}]
    )


def as_date(value: Any, field: str, *, default: dt.date | None = None) -> dt.date:
    if value in (None, ""):
        if default is None:
            raise _fail(field, f"请填写{field}")
        return default
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise _fail(field, f"{field}须为日期（如 2026-03-01）")


def as_decimal(value: Any, field: str) -> Decimal:
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise _fail(field, f"{field}须为金额（元）")
    if not d.is_finite() or d <= 0 or d.as_tuple().exponent < -2 or d >= Decimal("1e14"):  # type: ignore[operator]
        raise _fail(field, f"{field}须为大于零、最多两位小数的金额（元）")
    return d


def _text(p: dict[str, Any], key: str, label: str, *, required: bool = True, max_len: int = 200) -> str:
    v = str(p.get(key, "") or "").strip()
    if required and not v:
        raise _fail(key, f"请填写{label}")
    if len(v) > max_len:
        raise _fail(key, f"{label}不能超过 {max_len} 字")
    return v


def clean_procurement(p: dict[str, Any]) -> dict[str, Any]:
    method = str(p.get("method", "")).strip()
    if method not in ProcurementMethod.values:
        by_label = {str(c.label): c.value for c in ProcurementMethod}
        if method not in by_label:
            raise _fail("method", "采购方式须为：" + "、".join(str(c.label) for c in ProcurementMethod))
        method = by_label[method]
    return {
        "method": method,
        "notice_number": _text(p, "notice_number", "采购公告编号", max_len=60),
        "supplier": _text(p, "supplier", "中标（成交）供应商"),
        "contract_amount": str(as_decimal(p.get("contract_amount"), "contract_amount")),
        "contract_date": as_date(
            p.get("contract_date"), "contract_date", default=timezone.localdate()
        ).isoformat(),
    }


def clean_review(p: dict[str, Any]) -> dict[str, Any]:
    raw = p.get("conditions") or []
    default_due = timezone.localdate() + dt.timedelta(days=60)
    conditions = []
    if isinstance(raw, str):
        raw = as_list(raw)
    elif isinstance(raw, dict):  # one condition given as an object
        raw = [raw]
    elif not isinstance(raw, list | tuple):
        raise _fail("conditions", "审查条件须为一条或多条文字")
    for c in raw:
        if isinstance(c, dict):
            text = str(c.get("text", "")).strip()
            due = as_date(c.get("due_date"), "conditions.due_date", default=default_due)
        else:
            text, due = str(c).strip(), default_due
        if text:
            conditions.append({"text": text, "due_date": due.isoformat()})
    if p.get("due_date") and conditions:  # one deadline for all, from a form
        common_due = as_date(p.get("due_date"), "due_date").isoformat()
        conditions = [{**c, "due_date": common_due} for c in conditions]
    return {"conditions": conditions}


def clean_test(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "tester": _text(p, "tester", "测试机构"),
        "tested_on": as_date(p.get("tested_on"), "tested_on", default=timezone.localdate()).isoformat(),
        "passed": as_bool(p.get("passed", False)),
        "standards": as_list(p.get("standards")),
        "summary": _text(p, "summary", "测试结论说明", required=False, max_len=2000),
    }


def clean_acceptance(p: dict[str, Any]) -> dict[str, Any]:
    committee = as_list(p.get("committee"))
    if not committee:
        raise _fail("committee", "请填写验收组成员")
    return {
        "held_on": as_date(p.get("held_on"), "held_on", default=timezone.localdate()).isoformat(),
        "committee": committee,
        "security_measures_built": as_list(p.get("security_measures_built")),
        "security_evidence": _text(p, "security_evidence", "安全措施建设证明", required=False, max_len=2000),
    }


def clean_complete(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "completed_on": as_date(
            p.get("completed_on"), "completed_on", default=timezone.localdate()
        ).isoformat()
    }


def clean_deliver(p: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if p.get("protection_level") not in (None, ""):
        try:
            level = int(p["protection_level"])
        except (TypeError, ValueError):
            raise _fail("protection_level", "安全保护等级须为 1–5")
        if not 1 <= level <= 5:
            raise _fail("protection_level", "安全保护等级须为 1–5")
        out["protection_level"] = level
    name = _text(p, "system_name", "系统名称", required=False)
    if name:
        out["system_name"] = name
    return out


def clean_plan(p: dict[str, Any]) -> dict[str, Any]:
    try:
        return {"plan_id": int(p.get("plan_id"))}  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise _fail("plan_id", "请选择年度建设计划")


def normalise(p: dict[str, Any], cleaned: dict[str, Any]) -> None:
    """Replace the step's payload by its cleaned form (what the docket records)."""
    extra = {k: v for k, v in p.items() if k in {"similar", "opinion", "filing_number", "information_system"}}
    p.clear()
    p.update(cleaned)
    p.update(extra)
