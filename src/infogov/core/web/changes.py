"""The case record's changes as an official reads them: a record written by a step ("plangoal#2" with
its snapshot) by its Chinese name and fields, lists as lists — not Python's representation of a dict.
The raw JSON stays in the API's docket endpoint for auditors."""

from __future__ import annotations

import functools
from typing import Any

from django.apps import apps
from django.db import models

_NONE = "—"


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


def _label(model: type[models.Model] | None, name: str) -> str:
    if model is None:
        return name
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except Exception:  # a key that is not a field of the model (a computed note)
        return name


def plain(value: Any, model: type[models.Model] | None = None) -> Any:
    """A docket value as text: lists joined with 、, objects as 字段：值 pairs (empty ones left out)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(str(plain(v) or _NONE) for v in value) or None
    if isinstance(value, dict):
        # in the model's field order: jsonb (PostgreSQL) gives keys back in an order of its own
        keys = sorted(value, key=lambda k: (_field_order(model).get(k, 10_000), k))
        pairs = [f"{_label(model, k)}：{plain(value[k])}" for k in keys if plain(value[k]) is not None]
        return "；".join(pairs) or None
    return value


def readable(
    case_model: type[models.Model], field_label: Any, changes: dict[str, Any]
) -> list[tuple[str, Any, Any]]:
    """(label, before, after) rows of one docket event's changes. `field_label(name)` names a field of
    the case itself."""
    rows = []
    app_label = case_model._meta.app_label
    for key, diff in (changes or {}).items():
        if not isinstance(diff, dict):
            continue
        if "#" not in key:  # a field of the case itself
            rows.append((field_label(key), plain(diff.get("before")), plain(diff.get("after"))))
            continue
        model_name, _, pk = key.partition("#")
        model = _model_named(model_name, app_label)
        title = key if model is None else f"{model._meta.verbose_name}（#{pk}）"
        if set(diff) <= {"before", "after"}:  # the record created (before None) or removed (after None)
            rows.append((title, plain(diff.get("before"), model), plain(diff.get("after"), model)))
        else:  # some of the record's fields changed
            for name, change in diff.items():
                if isinstance(change, dict):
                    label = f"{title} · {_label(model, name)}"
                    rows.append((label, plain(change.get("before")), plain(change.get("after"))))
    return rows
