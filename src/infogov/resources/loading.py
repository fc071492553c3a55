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
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from infogov.core.errors import InvalidInput
from infogov.core.tabular import TableError, cell_problem, parse_date, read_rows
from infogov.core.text import normalise
from infogov.core.text.identifiers import credit_code_error, normalise_identifier, resident_id_error

from .choices import FieldType
from .models import Resource, ResourceField

MAX_ROWS = 200_000  # one batch; larger loads are several batches or the API's increments
MAX_ERRORS = 200  # reported; the rest are counted


INTEGER_RE = r"^-?[0-9]{1,18}$"
DECIMAL_RE = r"^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$"
PHONE_RE = r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8})$"
# field type → (pattern, message); PostgreSQL runs the same patterns on the staging table (staging.py)
PATTERNS: dict[str, tuple[str, str]] = {
    FieldType.INTEGER: (INTEGER_RE, "应为整数"),
    FieldType.DECIMAL: (DECIMAL_RE, "应为数值"),
    FieldType.PHONE: (PHONE_RE, "应为手机号码或带区号的固定电话"),
}
_COMPILED = {kind: (re.compile(pattern), message) for kind, (pattern, message) in PATTERNS.items()}
_ISO_DATE = re.compile("[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SINGLE = "应为单个值"
DATE = "应为日期（如 2026-01-31）"


def prepare(field: ResourceField, raw: Any) -> tuple[str | None, str | None]:
    """(stored text, error found while reading it): the value as the store keeps it — normalised text,
    a date as ISO, an identifier upper-cased — before any check of its content."""
    return preparer(field)(raw)


Prepare = Callable[[Any], tuple[str | None, str | None]]


def preparer(field: ResourceField) -> Prepare:
    """prepare(field, ·) with the field's type looked at once: the staging loop calls it for every cell
    of a batch. A text cell (what a CSV gives) takes the short way; anything else prepare_any's."""
    kind = field.field_type
    if kind == FieldType.DATE:

        def prepare_date(raw: Any) -> tuple[str | None, str | None]:
            return _date(raw) if raw.__class__ is str else _prepare_any(kind, raw)

        return prepare_date
    ident = kind in (FieldType.RESIDENT_ID, FieldType.CREDIT_CODE)

    def prepare_text(raw: Any) -> tuple[str | None, str | None]:
        if raw.__class__ is not str:
            return _prepare_any(kind, raw)
        text = _clean(raw)
        if ident and text:
            text = text.upper() if text.isascii() else normalise_identifier(text)
        return (text or None), None

    return prepare_text


def _prepare_any(kind: str, raw: Any) -> tuple[str | None, str | None]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, None
    if isinstance(raw, dict | list):
        return None, SINGLE
    if kind == FieldType.DATE:
        try:
            return parse_date(raw).isoformat(), None
        except (ValueError, OverflowError):
            return None, DATE
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = _clean(raw if isinstance(raw, str) else str(raw))
    if kind in (FieldType.RESIDENT_ID, FieldType.CREDIT_CODE):
        text = text.upper() if text.isascii() else normalise_identifier(text)
    return (text or None), None


@lru_cache(maxsize=100_000)
def _date(raw: str) -> tuple[str | None, str | None]:
    """A date cell's text (cached: a batch repeats dates). Already ISO (2026-01-31) and a real date: kept
    as it is, which is what parse_date(…).isoformat() gives it back."""
    if _ISO_DATE.fullmatch(raw):
        try:
            dt.date.fromisoformat(raw)
            return raw, None
        except ValueError:
            pass
    return _prepare_any(FieldType.DATE, raw)


def _clean(raw: str) -> str:
    """A cell's text as stored: core.text.normalise without control characters, at most 2,000
    characters. Text that is printable (no control, invisible, bidi or separator character but the
    space) and already NFKC — codes, numbers, dates, ID numbers, most Chinese names and addresses —
    is what normalise leaves it but for its spaces, which are folded here; the rest takes the long
    way (tests/resources/test_loading_clean.py: the same result for any text)."""
    if raw.isprintable() and (raw.isascii() or unicodedata.is_normalized("NFKC", raw)):
        return " ".join(raw.split())[:2000]
    return _clean_slow(raw)


@lru_cache(maxsize=10_000)
def _clean_slow(raw: str) -> str:
    return _CONTROL.sub("", normalise(raw))[:2000]


Column = tuple[list[str | None], list[str | None] | None]


def prepare_column(field: ResourceField, raw: list[Any]) -> Column:
    """(stored texts, errors or None when there is none): [preparer(field)(cell) for cell in raw] a
    column at a time (the staging COPY's cells). A column of text cells that are all printable, NFKC,
    within 2,000 characters and without a space to fold — what a CSV of codes, numbers, ID numbers,
    names and addresses gives — is kept as it is (identifiers upper-cased) by a few passes in C; a date
    column reads each distinct text once; anything else cell by cell
    (tests/resources/test_loading_clean.py: the same result as preparer for any column)."""
    kind = field.field_type
    if set(map(type, raw)) <= {str}:
        if kind == FieldType.DATE:
            dates = {text: _date(text) for text in set(raw)}
            if all(error is None for _, error in dates.values()):
                iso = {text: value for text, (value, _) in dates.items()}
                return list(map(iso.__getitem__, raw)), None
        else:
            kept = _as_they_are(raw, kind in (FieldType.RESIDENT_ID, FieldType.CREDIT_CODE))
            if kept is not None:
                return (kept if "" not in kept else [text or None for text in kept]), None
    one = preparer(field)
    cells = [one(cell) for cell in raw]
    errors = [error for _, error in cells]
    return [text for text, _ in cells], (errors if any(errors) else None)


def _as_they_are(raw: list[str], ident: bool) -> list[Any] | None:
    """The column's texts as _clean leaves them (upper-cased: `ident`), or None when one of them is not
    (a control, separator or invisible character, a space to fold, a form NFKC changes, too long; an
    identifier that is not ASCII). isprintable and isascii look at each character alone, so the joined
    column has them when every cell has; a NUL (never printable) keeps the cells apart for the spaces."""
    if not raw:
        return raw
    if not "".join(raw).isprintable():
        return None
    joined = "\x00".join(raw)
    ascii_ = joined.isascii()
    if (ident and not ascii_) or (not ascii_ and not unicodedata.is_normalized("NFKC", joined)):
        return None  # a NUL starts a new segment of NFKC: the joined column is NFKC when every cell is
    if "  " in joined or " \x00" in joined or "\x00 " in joined or joined[:1] == " " or joined[-1:] == " ":
        return None
    if max(map(len, raw)) > 2000:
        return None
    return joined.upper().split("\x00") if ident else raw


def code_list_message(field: ResourceField) -> str:
    return f"应为取值范围内的代码：{'、'.join(map(str, field.code_list[:10]))}"


def check(field: ResourceField, text: str | None) -> str | None:
    """What is wrong with a prepared value (Python; staging.py asks PostgreSQL the same in SQL)."""
    if text is None:
        return "为必填项" if field.required else None
    kind = field.field_type
    if kind == FieldType.RESIDENT_ID:
        return resident_id_error(text)
    if kind == FieldType.CREDIT_CODE:
        return credit_code_error(text)
    if kind in _COMPILED:
        pattern, message = _COMPILED[kind]
        return None if pattern.match(text) else message
    if kind == FieldType.CODE and field.code_list and text not in {str(c) for c in field.code_list}:
        return code_list_message(field)
    return None


def _value(field: ResourceField, raw: Any) -> tuple[str | None, str | None]:
    """(stored text, error): the value as the store keeps it (text), or a Chinese error."""
    text, error = prepare(field, raw)
    return text, (error or check(field, text))


def validate(
    resource: Resource, rows: list[dict[str, Any]], *, first_row: int = 2, keys_only: bool = False
) -> list[tuple[str, dict[str, str]]]:
    """The batch as (record id, values) — or InvalidInput naming each bad row and field. SQLite's path;
    on PostgreSQL staging.validate asks the database the same (tests/resources/test_loading_sql.py)."""
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
