"""PostgreSQL: a batch validated in the database (第二十七条第一款). The rows are read and prepared in
Python (loading.prepare: normalised text, dates as ISO — what the store keeps), COPYed into a temporary
staging table, and checked there by one SQL statement: GB 11643 / GB 32100 check characters
(sql_checks.py's functions), integers, numbers, phones (loading.py's regular expressions), code lists,
required cells, the record identifier's length and duplicates. The report is loading.validate's: the
same rows, fields and Chinese messages, in the same order. A clean batch stays in the staging table and
is merged from there by the load step (store.merge), in the same transaction: all or nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db import connection

from infogov.core.errors import InvalidInput
from infogov.core.tabular import cell_problem

from . import loading
from .choices import FieldType
from .models import Resource, ResourceField

TABLE = "resources_check"
KEY_POS = 1_000_000  # the record identifier's own problems come after the row's cells


@dataclass
class Staged:
    """A validated batch waiting in the staging table: what store.merge reads instead of a list."""

    count: int
    codes: list[str]  # the staging table's columns c0, c1 … hold these fields' values
    key: str

    def __len__(self) -> int:
        return self.count

    def column(self, code: str) -> str:
        return f"c{self.codes.index(code)}"

    def data_sql(self) -> str:
        """The record's values as the store keeps them (jsonb without the empty cells)."""
        pairs = [f"'{code}', c{i}" for i, code in enumerate(self.codes)]
        parts = [f"jsonb_build_object({', '.join(pairs[i : i + 40])})" for i in range(0, len(pairs), 40)]
        return f"jsonb_strip_nulls({' || '.join(parts)})"


def _cell_sql(f: ResourceField, column: str, is_key: bool) -> tuple[str, list[Any]]:
    """The CASE expression of one field's problem in staging row `s` (NULL: none)."""
    v, pre = f"s.{column}", "(s.pre->>%s)"
    params: list[Any] = []
    whens = []
    if is_key:
        whens.append(f"WHEN {v} IS NULL THEN '记录标识不能为空'")
    whens.append(f"WHEN s.pre IS NOT NULL AND {pre} IS NOT NULL THEN {pre}")
    params += [f.code, f.code]
    whens.append(f"WHEN {v} IS NULL THEN " + ("'为必填项'" if f.required else "NULL"))
    kind = f.field_type
    if kind == FieldType.RESIDENT_ID:
        whens.append(f"ELSE resources_resident_id_error({v})")
    elif kind == FieldType.CREDIT_CODE:
        whens.append(f"ELSE resources_credit_code_error({v})")
    elif kind in loading.PATTERNS:
        pattern, message = loading.PATTERNS[kind]
        whens.append(f"WHEN {v} !~ %s THEN %s")
        params += [pattern, message]
    elif kind == FieldType.CODE and f.code_list:
        whens.append(f"WHEN NOT (%s::jsonb ? {v}) THEN %s")
        codes = json.dumps([str(c) for c in f.code_list], ensure_ascii=False)
        params += [codes, loading.code_list_message(f)]
    return "CASE " + " ".join(whens) + " END", params


def _stage(
    known: set[str], fields: list[ResourceField], rows: list[dict[str, Any]], first_row: int
) -> list[tuple[int, int, str, str]]:
    """COPY the prepared rows (their `fields`, one text column each) into the staging table; the rows'
    own problems (a column that is not one of the resource's fields: the row is not staged) as (row,
    position, column, message)."""
    early: list[tuple[int, int, str, str]] = []
    columns = ", ".join(f"c{i} text" for i in range(len(fields)))
    prepare = loading.prepare
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"CREATE TEMP TABLE {TABLE} (row_no integer, pre jsonb, {columns}) ON COMMIT DROP")
        dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
        with cursor.cursor.copy(f"COPY {TABLE} FROM STDIN") as copy:
            for i, raw in enumerate(rows):
                n = first_row + i
                if not known.issuperset(raw):
                    early.append((n, -1, sorted(set(raw) - known)[0], "不是该资源的信息项"))
                    continue
                values: list[str | None] = []
                pre: dict[str, str] = {}
                for f in fields:
                    text, error = prepare(f, raw.get(f.code))
                    if error:
                        pre[f.code] = error
                    values.append(text if not error else None)
                copy.write_row((n, dumps(pre) if pre else None, *values))
    return early


def _problems_sql(fields: list[ResourceField], key: ResourceField) -> tuple[str, list[Any]]:
    cells, params = [], []
    for pos, f in enumerate(fields):
        sql, p = _cell_sql(f, f"c{pos}", f.code == key.code)
        cells.append(f"({pos}, %s, {sql})")
        params += [f.name, *p]
    key_column = f"c{fields.index(key)}"
    key_sql, key_params = _cell_sql(key, key_column, True)
    sql = (
        "SELECT row_no, pos, name, msg, count(*) OVER () FROM ("
        f"SELECT s.row_no, x.pos, x.name, x.msg FROM {TABLE} s, "
        f"LATERAL (VALUES {', '.join(cells)}) AS x(pos, name, msg) WHERE x.msg IS NOT NULL "
        "UNION ALL "
        f"SELECT row_no, {KEY_POS}, %s, CASE WHEN char_length(rid) > 64 THEN '记录标识不能超过 64 个字符' "
        "ELSE '记录标识与第 ' || first || ' 行重复' END FROM ("
        "SELECT row_no, rid, "
        "min(row_no) FILTER (WHERE char_length(rid) <= 64) OVER (PARTITION BY rid) AS first "
        f"FROM (SELECT s.row_no, s.{key_column} AS rid FROM {TABLE} s WHERE ({key_sql}) IS NULL) k) d "
        "WHERE char_length(rid) > 64 OR row_no > first"
        f") e ORDER BY row_no, pos LIMIT {loading.MAX_ERRORS}"
    )
    return sql, [*params, key.name, *key_params]


def validate(resource: Resource, rows: list[dict[str, Any]], *, first_row: int, keys_only: bool) -> Staged:
    """Stage and check the batch (inside the caller's transaction); InvalidInput as loading.validate."""
    by_code = {f.code: f for f in resource.fields.all()}
    key = by_code[resource.record_key]
    fields = [key] if keys_only else list(by_code.values())
    early = _stage(set(by_code), fields, rows, first_row)  # a delete reads the key only
    sql, params = _problems_sql(fields, key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    total = len(early) + (found[0][4] if found else 0)
    if total:
        listed = sorted([*early, *((r, p, c, m) for r, p, c, m, _ in found)])[: loading.MAX_ERRORS]
        errors = [cell_problem(r, c, m) for r, _, c, m in listed]
        more = f"（另有 {total - len(errors)} 处未列出）" if total > len(errors) else ""
        raise InvalidInput(
            f"数据有 {total} 处错误，本批数据未导入{more}；请更正后重新导入整批数据",
            code="invalid_batch",
            details=errors,
            article="第二十七条第一款",
        )
    return Staged(len(rows) - len(early), [f.code for f in fields], key.code)
