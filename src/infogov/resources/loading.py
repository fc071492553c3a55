"""Loading a resource's records: a CSV (UTF-8, BOM, GBK/GB18030), an .xlsx (core/tabular.py's safe
reader) or NDJSON, validated against the resource's field list — resident ID numbers (GB 11643) and
unified social credit codes (GB 32100) with their check characters, dates, integers, numbers, code
lists, required fields, unique record identifiers. All or nothing: one bad cell and nothing loads; the
report names every bad row and field, in Chinese (第二十七条第一款: 真实、准确、完整)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from infogov.core.errors import InvalidInput
from infogov.core.tabular import TableError, cell_problem, parse_date, read_rows
from infogov.core.text import normalise
from infogov.core.text.identifiers import credit_code_error, normalise_identifier, resident_id_error

from .choices import FieldType
from .models import Resource, ResourceField

MAX_ROWS = 200_000  # one batch; larger loads are several batches or the API's increments
MAX_ERRORS = 200  # reported; the rest are counted
_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _value(field: ResourceField, raw: Any) -> tuple[str | None, str | None]:
    """(stored text, error): the value as the store keeps it (text), or a Chinese error."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ("为必填项" if field.required else None)
    if isinstance(raw, dict | list):
        return None, "应为单个值"
    kind = field.field_type
    if kind in (FieldType.DATE,):
        try:
            return parse_date(raw).isoformat(), None
        except (ValueError, OverflowError):
            return None, "应为日期（如 2026-01-31）"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _CONTROL.sub("", normalise(str(raw)))[:2000]
    if kind == FieldType.RESIDENT_ID:
        text = normalise_identifier(text)
        return text, resident_id_error(text)
    if kind == FieldType.CREDIT_CODE:
        text = normalise_identifier(text)
        return text, credit_code_error(text)
    if kind == FieldType.INTEGER:
        return text, (None if re.fullmatch(r"-?\d{1,18}", text) else "应为整数")
    if kind == FieldType.DECIMAL:
        try:
            ok = Decimal(text).is_finite()
        except InvalidOperation:
            ok = False
        return text, (None if ok else "应为数值")
    if kind == FieldType.PHONE:
        return text, (None if _PHONE.match(text) else "应为手机号码或带区号的固定电话")
    if kind == FieldType.CODE and field.code_list and text not in field.code_list:
        return text, f"应为取值范围内的代码：{'、'.join(map(str, field.code_list[:10]))}"
    return text, None


def validate(
    resource: Resource, rows: list[dict[str, Any]], *, first_row: int = 2, keys_only: bool = False
) -> list[tuple[str, dict[str, str]]]:
    """The batch as (record id, values) — or InvalidInput naming each bad row and field."""
    fields = list(resource.fields.all())
    by_code = {f.code: f for f in fields}
    key = resource.record_key
    clean: list[tuple[str, dict[str, str]]] = []
    errors: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    count = 0

    def problem(row: int, column: str, message: str) -> None:
        nonlocal count
        count += 1
        if len(errors) < MAX_ERRORS:
            errors.append(cell_problem(row, column, message))

    for i, raw in enumerate(rows):
        n = first_row + i
        unknown = sorted(set(raw) - set(by_code))
        if unknown:
            problem(n, unknown[0], "不是该资源的信息项")
            continue
        values: dict[str, str] = {}
        for f in [by_code[key]] if keys_only else fields:
            value, error = _value(f, raw.get(f.code))
            if f.code == key and value is None:
                error = "记录标识不能为空"
            if error:
                problem(n, f.name, error)
            elif value is not None:
                values[f.code] = value
        rid = values.get(key)
        if rid is None:
            continue
        if len(rid) > 64:
            problem(n, by_code[key].name, "记录标识不能超过 64 个字符")
        elif rid in seen:
            problem(n, by_code[key].name, f"记录标识与第 {seen[rid]} 行重复")
        else:
            seen[rid] = n
            clean.append((rid, values))
    if count:
        more = f"（另有 {count - len(errors)} 处未列出）" if count > len(errors) else ""
        raise InvalidInput(
            f"数据有 {count} 处错误，本批数据未导入{more}；请更正后重新导入整批数据",
            code="invalid_batch",
            details=errors,
            article="第二十七条第一款",
        )
    return clean


def read_upload(resource: Resource, upload: Any, filename: str) -> tuple[list[dict[str, Any]], str, str]:
    """(rows keyed by field code, file format, sha256) of an uploaded CSV / .xlsx / NDJSON file.
    Header cells may be field codes or field names."""
    data = upload.read(64 * 1024 * 1024 + 1) if hasattr(upload, "read") else bytes(upload)
    digest = hashlib.sha256(data).hexdigest()
    name = filename.lower()
    if name.endswith((".ndjson", ".jsonl")):
        return _ndjson(data), "ndjson", digest
    fmt = "xlsx" if data.startswith(b"PK\x03\x04") else "csv"
    header, table = read_rows(data, filename, max_rows=MAX_ROWS, max_cols=200)
    names = {f.name: f.code for f in resource.fields.all()}
    codes = [names.get(h, h) for h in header]
    return [{c: v for c, v in zip(codes, row, strict=True) if c} for row in table], fmt, digest


def _ndjson(data: bytes) -> list[dict[str, Any]]:
    if len(data) > 64 * 1024 * 1024:
        raise TableError("文件超过 64 MB，请分批导入")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError("NDJSON 文件须为 UTF-8 编码") from None
    rows = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise TableError(f"第 {n} 行不是有效的 JSON") from None
        if not isinstance(obj, dict):
            raise TableError(f"第 {n} 行应为 JSON 对象")
        rows.append(obj)
        if len(rows) > MAX_ROWS:
            raise TableError(f"超过 {MAX_ROWS} 行，请分批导入")
    if not rows:
        raise TableError("文件为空")
    return rows


def today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()
