"""The case record's changes as an official reads them (issue #11 "a readable record"): every docket
value by its field's type — dates and moments in Beijing time, money with separators and 元, lists as
lists, choices by label, 是/否, a relation by the name of what it points to (with a link to a case) and
coded values (standards) by code and title. A record written by a step ("plangoal#2" with its snapshot)
reads as its Chinese name and fields. The raw JSON stays one click away on the timeline (原始记录).

Relations are resolved for the whole page at once: one query per related model, however many events.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from infogov.core.docket.display import NONE, as_list, as_pairs, show

# (model, field name) → (model whose rows the values name, the field they are keyed by): coded values
# kept as text in a JSON list (e.g. the standards a test report cites by code). Apps register theirs.
CODED: dict[tuple[type[models.Model], str], tuple[type[models.Model], str]] = {}


def register_coded(model: type[models.Model], field: str, target: type[models.Model], key: str) -> None:
    """The values of `model.field` name rows of `target` by `key` (shown as str(row): code and title)."""
    CODED[model, field] = (target, key)


@functools.cache
def _model_named(model_name: str, app_label: str) -> type[models.Model] | None:
    """The model a docket key names (its model_name), preferring the case's own app."""
    found = [m for m in apps.get_models() if m._meta.model_name == model_name]
    same_app = [m for m in found if m._meta.app_label == app_label]
    candidates = same_app or found
    return candidates[0] if candidates else None


@functools.cache
def _field_order(model: type[models.Model] | None) -> dict[str, int]:
    return {} if model is None else {f.name: i for i, f in enumerate(model._meta.concrete_fields)}


def _field(model: type[models.Model] | None, name: str) -> Any:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except Exception:  # a key that is not a field of the model (a computed note)
        return None


def _label(model: type[models.Model] | None, name: str) -> str:
    f = _field(model, name)
    return str(getattr(f, "verbose_name", name)) if f is not None else name


def _lookup(model: type[models.Model] | None, f: Any) -> tuple[type[models.Model], str] | None:
    """(target model, key field) when the field's values name other rows."""
    if f is None:
        return None
    if model is not None and (model, f.name) in CODED:
        return CODED[model, f.name]
    if isinstance(f, models.ForeignKey | models.ManyToManyField):
        target = f.related_model
        assert isinstance(target, type)
        return target, "pk"
    return None


@dataclass
class _Row:
    label: str
    model: type[models.Model] | None  # whose field `name` is (None: a free value)
    name: str
    before: Any
    after: Any
    snapshot: bool = False  # before/after are whole records of `model`


class RecordReader:
    """Reads the changes of a page's docket events: rows first (collecting every id and code that
    names another row), then one query per related model, then the values as HTML."""

    def __init__(
        self,
        case: Any,
        field_label: Callable[[str], str],
        link: Callable[[type[models.Model], int], str | None] = lambda m, pk: None,
        known: Iterable[models.Model] = (),
    ) -> None:
        self.case = case
        self.case_model: type[models.Model] = type(case)
        self.field_label = field_label
        self.link = link
        self.wanted: dict[tuple[type[models.Model], str], set[Any]] = defaultdict(set)
        self.names: dict[tuple[type[models.Model], str], dict[str, tuple[str, str | None]]] = {}
        # rows the page has already read (the case, its related rows, the user): not read again
        self.known: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        for row in known:
            if row is not None and row.pk is not None and _plain(row._meta.model):
                self.known[row._meta.model].append(row)

    # -- pass 1: rows ---------------------------------------------------------------------------------
    def rows(self, changes: dict[str, Any] | None) -> list[_Row]:
        out = []
        app_label = self.case_model._meta.app_label
        for key, diff in (changes or {}).items():
            if not isinstance(diff, dict):
                continue
            if "#" not in key:  # a field of the case itself
                out.append(
                    _Row(self.field_label(key), self.case_model, key, diff.get("before"), diff.get("after"))
                )
                continue
            model_name, _, pk = key.partition("#")
            model = _model_named(model_name, app_label)
            title = key if model is None else f"{model._meta.verbose_name}（#{pk}）"
            if set(diff) <= {"before", "after"}:  # the record created (before None) or removed
                out.append(_Row(title, model, "", diff.get("before"), diff.get("after"), snapshot=True))
            else:  # some of the record's fields changed
                for name, change in diff.items():
                    if isinstance(change, dict):
                        label = f"{title} · {_label(model, name)}"
                        out.append(_Row(label, model, name, change.get("before"), change.get("after")))
        for row in out:
            for value in (row.before, row.after):
                self._collect(row, value)
        return out

    def _collect(self, row: _Row, value: Any) -> None:
        if value is None:
            return
        if row.snapshot:
            if isinstance(value, dict):
                for name, v in value.items():
                    if getattr(_field(row.model, name), "related_model", None) is not self.case_model:
                        self._want(row.model, name, v)
            return
        self._want(row.model, row.name, value)

    def _want(self, model: type[models.Model] | None, name: str, value: Any) -> None:
        found = _lookup(model, _field(model, name))
        if found is None or value is None:
            return
        for v in value if isinstance(value, list) else [value]:
            if isinstance(v, int | str) and not isinstance(v, bool):
                self.wanted[found].add(v)

    # -- pass 2: one query per related model ----------------------------------------------------------
    def resolve(self) -> None:
        for (target, key), values in self.wanted.items():
            if key == "pk":
                values = {int(v) for v in values if str(v).isdigit()}
            unique = key == "pk" or getattr(_field(target, key), "unique", False)
            rows = [r for r in self.known.get(target, ()) if unique and getattr(r, key) in values]
            rows = list({getattr(r, key): r for r in rows}.values())  # one row per value, as a query gives
            missing = values - {getattr(r, key) for r in rows}
            if missing:
                rows.extend(target._default_manager.filter(**{f"{key}__in": missing}))
            is_case = hasattr(target, "reference") and hasattr(target, "title")
            names = {}
            for obj in rows:
                name = _name_of(obj) if key == "pk" else str(obj)  # a coded row: code and title
                link = self.link(target, obj.pk) if is_case else None
                names[str(getattr(obj, key))] = (name, link)
            self.names[target, key] = names

    # -- pass 3: HTML ---------------------------------------------------------------------------------
    def render(self, rows: Iterable[_Row]) -> list[tuple[str, SafeString, SafeString]]:
        return [(r.label, self._value(r, r.before), self._value(r, r.after)) for r in rows]

    def _value(self, row: _Row, value: Any) -> SafeString:
        if value is None or value == "":
            return mark_safe(NONE)
        if row.snapshot and isinstance(value, dict):
            return self._record(row.model, value)
        return self._field_value(row.model, row.name, value)

    def _record(self, model: type[models.Model] | None, values: dict[str, Any]) -> SafeString:
        """A whole record: its fields in the model's order, by label; the link to this case left out."""
        keys = sorted(values, key=lambda k: (_field_order(model).get(k, 10_000), k))
        pairs = []
        for k in keys:
            f = _field(model, k)
            if f is not None and getattr(f, "related_model", None) is self.case_model:
                continue  # the record is under this case: naming the case again says nothing
            if values[k] in (None, "", []):
                continue
            pairs.append((_label(model, k), self._field_value(model, k, values[k])))
        return as_pairs(pairs)

    def _field_value(self, model: type[models.Model] | None, name: str, value: Any) -> SafeString:
        f = _field(model, name)
        found = _lookup(model, f)
        if found is not None:
            names = self.names.get(found, {})
            items = value if isinstance(value, list) else [value]
            shown = [self._named(names.get(str(v)), v) for v in items]
            return as_list(shown) if isinstance(value, list) else shown[0]
        if isinstance(value, list):
            return as_list(show(v) for v in value)
        return show(value, f)

    @staticmethod
    def _named(found: tuple[str, str | None] | None, raw: Any) -> SafeString:
        if found is None:
            return show(raw)  # a row since removed, or a code not in the catalogue: as recorded
        name, url = found
        return format_html('<a href="{}">{}</a>', url, name) if url else format_html("{}", name)


def loaded_rows(case: models.Model, *more: Any) -> list[models.Model]:
    """The rows a page already holds with its case: the case, the rows select_related and
    prefetch_related read with it (one level), and `more` (the signed-in user)."""
    rows: list[Any] = [case]
    for f in case._meta.get_fields():
        if (f.many_to_one or f.one_to_one) and f.is_cached(case):  # type: ignore[union-attr]
            rows.append(f.get_cached_value(case))  # type: ignore[union-attr]  # None: no related row
    for cached in getattr(case, "_prefetched_objects_cache", {}).values():
        rows.extend(cached)
    rows.extend(m for m in more if isinstance(m, models.Model))
    return [r for r in rows if r is not None]


@functools.cache
def _plain(model: type[models.Model]) -> bool:
    """True when the model's default manager reads every row (a row the page already holds is one the
    lookup query would have found)."""
    return type(model._default_manager).get_queryset is models.Manager.get_queryset


def _name_of(obj: Any) -> str:
    for attr in ("display_name", "name"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
    if hasattr(obj, "reference") and hasattr(obj, "title"):
        return f"{obj.title}（{obj.reference}）"
    return str(obj)


def readable_events(
    case: Any,
    field_label: Callable[[str], str],
    changes_per_event: list[dict[str, Any]],
    link: Callable[[type[models.Model], int], str | None] = lambda m, pk: None,
    known: Iterable[models.Model] = (),
) -> list[list[tuple[str, SafeString, SafeString]]]:
    """(label, before, after) rows of each event's changes, as HTML, with the relations of the whole
    page resolved in one query per related model — none for the rows in `known` (already read)."""
    reader = RecordReader(case, field_label, link, known)
    rows = [reader.rows(c) for c in changes_per_event]
    reader.resolve()
    return [reader.render(r) for r in rows]
