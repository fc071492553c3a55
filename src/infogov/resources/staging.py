"""PostgreSQL: a batch validated in the database (第二十七条第一款). The rows are read and prepared in Python
a column at a time (loading.prepare_column, which gives what loading.prepare gives each cell: normalised
text, dates as ISO — what the store keeps), COPYed into a temporary staging table, and checked there by
one SQL statement: GB 11643 / GB 32100 check characters (sql_checks.py's
functions), integers, numbers, phones (loading.py's regular expressions), code lists, required cells,
the record identifier's length and duplicates (one hash aggregate of the identifiers) — each row's
messages built once as one array, only the rows with a problem unnested (200,000 clean rows: one pass,
no row per cell). The report is
loading.validate's: the same rows, fields and Chinese messages, in the same order. A clean batch stays
in the staging table and is merged from there by the load step (store.merge), in the same transaction:
all or nothing."""

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
WORK_MEM = "256MB"
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
        """The record's values as the store keeps them (jsonb without the empty cells): jsonb_object of
        two text arrays — what jsonb_build_object gives, at a third of its cost (no type looked up per
        argument, no limit of 100 arguments)."""
        keys = ", ".join("'" + code.replace("'", "''") + "'" for code in self.codes)
        values = ", ".join(f"c{i}" for i in range(len(self.codes)))
        return f"jsonb_strip_nulls(jsonb_object(ARRAY[{keys}]::text[], ARRAY[{values}]::text[]))"


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


def _session() -> None:
    """The load transaction's memory: the staging table's sorts and the merge's GIN pending-list flush
    in memory rather than in temporary files (SET LOCAL: until the transaction ends)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")  # compiling the checks costs more than it saves


def _stage(
    known: set[str], fields: list[ResourceField], rows: list[dict[str, Any]], first_row: int
) -> list[tuple[int, int, str, str]]:
    """COPY the prepared rows (their `fields`, one text column each, prepared a column at a time by
    loading.prepare_column) into the staging table; the rows' own problems (a column that is not one of
    the resource's fields: the row is not staged) as (row, position, column, message)."""
    early: list[tuple[int, int, str, str]] = []
    numbers = list(range(first_row, first_row + len(rows)))
    if not all(map(known.issuperset, rows)):
        staged = [known.issuperset(raw) for raw in rows]
        for n, raw, ok in zip(numbers, rows, staged, strict=True):
            if not ok:
                early.append((n, -1, sorted(set(raw) - known)[0], "不是该资源的信息项"))
        numbers = [n for n, ok in zip(numbers, staged, strict=True) if ok]
        rows = [raw for raw, ok in zip(rows, staged, strict=True) if ok]
    columns: list[list[Any]] = [numbers, [None] * len(rows)]
    found: dict[int, dict[str, str]] = {}
    for f in fields:
        texts, errors = loading.prepare_column(f, [raw.get(f.code) for raw in rows])
        columns.append(texts)
        for i, error in enumerate(errors or ()):
            if error:
                found.setdefault(i, {})[f.code] = error  # the cell is staged empty (None)
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for i, problems in found.items():
        columns[1][i] = dumps(problems)
    create = ", ".join(f"c{i} text" for i in range(len(fields)))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"CREATE TEMP TABLE {TABLE} (row_no integer, pre jsonb, {create}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY {TABLE} FROM STDIN") as copy:
            write = copy.write_row
            for values in zip(*columns, strict=True):
                write(values)
    return early


def _problems_sql(fields: list[ResourceField], key: ResourceField) -> tuple[str, list[Any]]:
    """One statement: each staged row's problems as ONE array of messages (a cell's CASE evaluated once,
    behind OFFSET 0 so the planner does not copy it into every reference; the arrays kept once in a
    MATERIALIZED CTE), the record identifier's length and duplicates beside it (a hash aggregate of the
    identifiers that are sound and repeated, each with its first row: no sort of the whole batch), and
    only the rows with a problem unnested. (row, position, column, message, total) in the report's
    order."""
    cells, params = [], []
    for pos, f in enumerate(fields):
        sql, p = _cell_sql(f, f"c{pos}", f.code == key.code)
        cells.append(sql)
        params += p
    k = fields.index(key)
    n = len(fields)
    names = [f.name for f in fields] + [key.name]
    sql = (
        "WITH a AS MATERIALIZED ("
        f"SELECT row_no, m, CASE WHEN m[{k + 1}] IS NULL THEN c{k} END AS rid FROM ("
        f"SELECT s.row_no, s.c{k}, ARRAY[{', '.join(cells)}]::text[] AS m FROM {TABLE} s OFFSET 0) x), "
        "f AS (SELECT rid, min(row_no) AS first FROM a WHERE char_length(rid) <= 64 "
        "GROUP BY rid HAVING count(*) > 1) "
        f"SELECT d.row_no, CASE WHEN u.i > {n} THEN {KEY_POS} ELSE u.i - 1 END, (%s::text[])[u.i], u.msg, "
        "count(*) OVER () FROM ("
        "SELECT row_no, CASE WHEN dup IS NULL THEN m ELSE m || dup END AS m FROM ("
        "SELECT a.row_no, a.m, CASE WHEN char_length(a.rid) > 64 THEN '记录标识不能超过 64 个字符' "
        "WHEN a.row_no > f.first THEN '记录标识与第 ' || f.first || ' 行重复' END AS dup "
        "FROM a LEFT JOIN f ON f.rid = a.rid"
        ") e WHERE dup IS NOT NULL OR num_nonnulls(VARIADIC m) > 0"
        ") d, unnest(d.m) WITH ORDINALITY AS u(msg, i) WHERE u.msg IS NOT NULL "
        f"ORDER BY 1, 2 LIMIT {loading.MAX_ERRORS}"
    )
    return sql, [*params, names]


def validate(resource: Resource, rows: list[dict[str, Any]], *, first_row: int, keys_only: bool) -> Staged:
    """Stage and check the batch (inside the caller's transaction); InvalidInput as loading.validate."""
    by_code = {f.code: f for f in resource.fields.all()}
    key = by_code[resource.record_key]
    fields = [key] if keys_only else list(by_code.values())
    _session()
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
