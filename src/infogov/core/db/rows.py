"""The few statements every workflow step runs, written once per model from its _meta.

workflow.fire() locks a case, updates it, appends a docket event and opens or fulfils obligations
on every step. Built through the ORM each time, those statements cost several times their round
trip in Python (compiling a queryset with subqueries or joins: ~2 ms; the same SQL from a cursor:
~0.3 ms). Here the SQL is what the ORM would write, kept per model and database; values go in
through the fields' own get_db_prep_save and come out through the same converters the ORM applies,
and instances are built with Model.from_db, as the ORM builds them.

Model signals are the one thing these statements skip: callers use them only for models with no
pre_save/post_save receiver (`signals_free`) and fall back to the ORM otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, router
from django.db.models.signals import post_save, pre_save

Converter = Callable[[Any, Any, Any], Any]
CASE_PK = "{case_pk}"  # in lock_row(extra_sql=…): the selected row's primary key column


def alias_for(model: type[models.Model]) -> str:
    return router.db_for_write(model) or DEFAULT_DB_ALIAS


def signals_free(model: type[models.Model]) -> bool:
    """No pre_save/post_save receiver listens to `model`: a cursor write skips nothing."""
    return not (pre_save.has_listeners(model) or post_save.has_listeners(model))


def _field(model: type[models.Model], name: str) -> Any:
    """A concrete field by name (typed loosely: _meta.get_field also answers relations)."""
    return model._meta.get_field(name)


def _converters(field: Any, table_alias: str, connection: Any) -> tuple[list[Converter], Any]:
    """What the ORM applies to a column's value as it leaves the database (SQLite dates, JSON, …)."""
    col = field.get_col(table_alias)
    return connection.ops.get_db_converters(col) + field.get_db_converters(connection), col


@dataclass(frozen=True)
class _Part:
    """One model's columns in a row: where they start, how to convert them, where to cache the object."""

    model: type[models.Model]
    start: int
    attnames: tuple[str, ...]
    pk_index: int
    converters: tuple[tuple[int, tuple[Converter, ...], Any], ...]  # (index in the part, converters, col)
    via: Any = None  # the case's foreign key that holds this related object


@dataclass(frozen=True)
class _Select:
    sql: str
    parts: tuple[_Part, ...]
    extra: int  # columns after the models' (read by the caller)


@functools.cache
def _select_locked(
    model: type[models.Model],
    alias: str,
    related: tuple[str, ...],
    extra_sql: tuple[str, ...],
    skip_locked: bool,
) -> _Select:
    connection = connections[alias]
    qn = connection.ops.quote_name
    columns: list[str] = []
    parts: list[_Part] = []
    joins: list[str] = []
    sources: list[tuple[str, Any, Any]] = [("c", model, None)]
    for i, name in enumerate(related):
        fk = _field(model, name)
        a = f"r{i}"
        target: Any = fk.related_model
        on = f"{a}.{qn(fk.target_field.column)} = c.{qn(fk.column)}"
        joins.append(f"LEFT JOIN {qn(target._meta.db_table)} {a} ON {on}")
        sources.append((a, target, fk))
    for a, m, via in sources:
        fields = m._meta.concrete_fields
        convs = []
        for j, f in enumerate(fields):
            fns, col = _converters(f, a, connection)
            if fns:
                convs.append((j, tuple(fns), col))
        pk_index = next(j for j, f in enumerate(fields) if f.primary_key)
        parts.append(_Part(m, len(columns), tuple(f.attname for f in fields), pk_index, tuple(convs), via))
        columns.extend(f"{a}.{qn(f.column)}" for f in fields)
    case_pk = f"c.{qn(model._meta.pk.column)}"
    columns.extend(extra.replace(CASE_PK, case_pk) for extra in extra_sql)
    sql = f"SELECT {', '.join(columns)} FROM {qn(model._meta.db_table)} c"
    if joins:
        sql += " " + " ".join(joins)
    sql += f" WHERE c.{qn(model._meta.pk.column)} = %s"
    if connection.features.has_select_for_update:
        of = ("c",) if connection.features.has_select_for_update_of else ()
        sql += " " + connection.ops.for_update_sql(skip_locked=skip_locked, of=of)
    return _Select(sql, tuple(parts), len(extra_sql))


def lock_row(
    model: type[models.Model],
    pk: Any,
    *,
    related: tuple[str, ...] = (),
    extra_sql: tuple[str, ...] = (),
    extra_params: Sequence[Any] = (),
    skip_locked: bool = False,
) -> tuple[Any, tuple[Any, ...]] | None:
    """The row of `model` with this pk, locked FOR UPDATE (OF that row only; SKIP LOCKED if asked),
    with the objects of the foreign keys `related` loaded as select_related would, and the values of
    the `extra_sql` columns (each may use %s: `extra_params`, before the pk; CASE_PK stands for the
    row's key). None: no row (or, with skip_locked, a row someone else holds)."""
    alias = alias_for(model)
    connection = connections[alias]
    stmt = _select_locked(model, alias, related, extra_sql, skip_locked)
    with connection.cursor() as cursor:
        cursor.execute(stmt.sql, [*extra_params, pk])
        row = cursor.fetchone()
    if row is None:
        return None
    objs: list[Any] = []
    for part in stmt.parts:
        values = list(row[part.start : part.start + len(part.attnames)])
        for j, fns, col in part.converters:
            for fn in fns:
                values[j] = fn(values[j], col, connection)
        if part.via is not None and values[part.pk_index] is None:  # a null foreign key: nothing joined
            objs.append(None)
            continue
        objs.append(part.model.from_db(alias, part.attnames, values))
    case = objs[0]
    for part, obj in zip(stmt.parts[1:], objs[1:], strict=True):
        part.via.set_cached_value(case, obj)
    return case, tuple(row[len(row) - stmt.extra :]) if stmt.extra else ()


@functools.cache
def _insert_sql(
    model: type[models.Model], alias: str, rows: int, returning: bool
) -> tuple[str, tuple[Any, ...]]:
    fields = _insert_fields(model)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    return _insert_statement(model, alias, f"VALUES {', '.join([one] * rows)}", returning), fields


def _insert_statement(model: type[models.Model], alias: str, source: str, returning: bool) -> str:
    """INSERT INTO the model's table (its columns but the key) `source`, RETURNING the key if asked."""
    connection = connections[alias]
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _insert_fields(model))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) {source}"
    if returning:
        suffix, _ = connection.ops.return_insert_columns([model._meta.pk])
        sql += " " + suffix
    return sql


@functools.cache
def _insert_fields(model: type[models.Model]) -> tuple[models.Field, ...]:
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


@functools.cache
def _unnest_sql(model: type[models.Model], alias: str, returning: bool) -> str | None:
    """PostgreSQL: INSERT … SELECT * FROM UNNEST(one array per column) — a handful of parameters
    instead of one per cell, so the statement is not parsed for thousands of placeholders each time
    (the strategy of Django's own bulk_create on PostgreSQL, with its conditions). None where a
    column cannot go through an array (a field with its own placeholder, or of a type the backend
    does not name, such as an array column)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return None
    fields = _insert_fields(model)
    types = []
    for f in fields:
        target: Any = getattr(f, "target_field", f) if f.is_relation else f
        if hasattr(f, "get_placeholder") or target.get_internal_type() not in connection.data_types:
            return None
        types.append(str(f.db_type(connection)).split("(")[0])
    source = f"SELECT * FROM UNNEST({', '.join(f'%s::{t}[]' for t in types)})"
    return _insert_statement(model, alias, source, returning)


def insert(objs: Sequence[models.Model], *, returning: bool = True) -> None:
    """INSERT new instances of one model in one statement; with `returning`, each gets its pk (and
    becomes saved, as save() leaves it). Falls back to the ORM where RETURNING is not available."""
    if not objs:
        return
    model = type(objs[0])
    alias = alias_for(model)
    connection = connections[alias]
    if returning and not connection.features.can_return_columns_from_insert:
        for obj in objs:
            obj.save(force_insert=True, using=alias)
        return
    fields = _insert_fields(model)
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    unnest = _unnest_sql(model, alias, returning) if len(objs) > 1 else None
    if unnest is not None and not any(hasattr(v, "as_sql") for row in rows for v in row):
        sql, params = unnest, [list(column) for column in zip(*rows, strict=True)]
    else:  # one row, SQLite, or an expression among the values: VALUES (…), (…)
        sql, _fields = _insert_sql(model, alias, len(objs), returning)
        params = [v for row in rows for v in row]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pks = [r[0] for r in cursor.fetchall()] if returning else []
    for obj, pk in zip(objs, pks, strict=False):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias


@functools.cache
def _update_sql(
    model: type[models.Model], alias: str, fields: tuple[str, ...], where: tuple[str, ...]
) -> str:
    qn = connections[alias].ops.quote_name
    meta = model._meta
    sets = ", ".join(f"{qn(_field(model, f).column)} = %s" for f in fields)
    conds = " AND ".join(f"{qn(_field(model, f).column)} = %s" for f in (meta.pk.name, *where))
    return f"UPDATE {qn(meta.db_table)} SET {sets} WHERE {conds}"


def update(obj: models.Model, fields: Iterable[str], *, where: dict[str, Any]) -> int:
    """UPDATE `fields` of a saved instance (auto_now fields stamped as save() stamps them) where its
    pk and the `where` columns still hold the given values; returns the rows updated (0 or 1)."""
    model = type(obj)
    alias = alias_for(model)
    connection = connections[alias]
    meta = model._meta
    names = tuple(sorted(fields))
    conds = tuple(sorted(where))
    params: list[Any] = []
    for name in names:
        f = _field(model, name)
        params.append(f.get_db_prep_save(f.pre_save(obj, False), connection))
    params.append(meta.pk.get_db_prep_value(obj.pk, connection))
    for name in conds:
        if where[name] is None:
            raise ValueError(f"update(where={name}=None): compare with IS NULL instead")
        params.append(_field(model, name).get_db_prep_value(where[name], connection))
    with connection.cursor() as cursor:
        cursor.execute(_update_sql(model, alias, names, conds), params)
        return cursor.rowcount
