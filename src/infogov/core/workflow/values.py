"""Values as the docket keeps them, and model validation as a 422: what the engine (engine.py) and the
steps' effects (steps.py) both write with. A module of its own so that neither imports the other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from infogov.core.errors import InvalidInput


def jsonable(value: Any) -> Any:
    """A field value as the docket stores it: dates ISO, money as its decimal text, relations by key."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return value


_NOT_SNAPSHOT = frozenset({"id", "search_text", "version", "created_at", "updated_at"})


def snapshot(obj: models.Model, names: Iterable[str] | None = None) -> dict[str, Any]:
    """The record's own columns (or `names`), by field name, as the docket keeps them."""
    wanted = set(names) if names is not None else None
    out = {}
    for f in obj._meta.concrete_fields:
        if (wanted is None and f.name in _NOT_SNAPSHOT) or (wanted is not None and f.name not in wanted):
            continue
        out[f.name] = jsonable(getattr(obj, f.attname))
    return out


def full_clean(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Model validation as a 422 with the fields' messages, never a 500."""
    try:
        obj.full_clean(exclude=exclude, validate_unique=False)
    except ValidationError as exc:
        details = [
            {"field": f, "message": "；".join(str(m) for m in msgs)} for f, msgs in exc.message_dict.items()
        ]
        labels = {f.name: str(f.verbose_name) for f in obj._meta.fields}
        message = (
            "；".join(f"{labels.get(d['field'], '')}{d['message']}" for d in details) or "填写的内容有误"
        )
        raise InvalidInput(message, code="invalid", details=details) from None
