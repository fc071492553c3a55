"""Step forms from declarations: the inputs of a step's form come from its payload schema (the same
schema the API takes and the engine validates), and a refused submission comes back with what the
official typed and the refusal beside the field it concerns — nothing has to be typed twice.

The form is shown whenever the actor may take the step, even while a guard on its own input cannot be
judged yet (explain() passes such guards until the input is given; fire() judges them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, QueryDict
from pydantic import BaseModel

from infogov.core.errors import DomainError

SESSION_KEY = "infogov_step_form"
_SKIP = frozenset({"csrfmiddlewaretoken", "version"})


@dataclasses.dataclass(frozen=True)
class PayloadField:
    """An input of a step's form (its value goes into the payload the step's schema validates)."""

    name: str
    label: str
    input_type: str = "text"  # text | textarea | number | date | checkbox | select
    required: bool = False
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # the options of a select (value, label)
    value: str = ""  # what the official typed, when a refused submission comes back
    error: str = ""  # the refusal that concerns this field


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """(the inner type, whether None is allowed)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        inner, _ = _unwrap(args[0]) if len(args) == 1 else (str, False)
        return inner, True
    return annotation, False


def fields_from_schema(schema: type[BaseModel]) -> tuple[PayloadField, ...]:
    """The form inputs of a payload schema: dates as date pickers, money and numbers as numbers,
    Literal choices as selects, booleans as checkboxes, long text as text areas."""
    out = []
    for name, info in schema.model_fields.items():
        inner, optional = _unwrap(info.annotation)
        required = info.is_required() and not optional
        label = info.title or name
        help_text = info.description or ""
        if typing.get_origin(inner) is Literal:
            choices = tuple((str(v), str(v)) for v in typing.get_args(inner))
            out.append(PayloadField(name, label, "select", required, help_text, choices))
        elif inner is bool:
            out.append(PayloadField(name, label, "checkbox", False, help_text))
        elif inner in (dt.date,):
            out.append(PayloadField(name, label, "date", required, help_text))
        elif inner in (int, float, Decimal):
            out.append(PayloadField(name, label, "number", required, help_text))
        elif isinstance(inner, type) and issubclass(inner, str):
            limit = next((m.max_length for m in info.metadata if hasattr(m, "max_length")), None)
            kind = "textarea" if limit is None or limit > 200 else "text"
            out.append(PayloadField(name, label, kind, required, help_text))
        else:  # lists and nested objects are the API's: the page does not offer them
            continue
    return tuple(out)


def page_can_fill(schema: type[BaseModel]) -> bool:
    """Whether the generated form can give every required field (a required list or nested object is
    the API's, or the app's own form's: the generic page does not offer such a step)."""
    offered = {f.name for f in fields_from_schema(schema)}
    return all(name in offered for name, info in schema.model_fields.items() if info.is_required())


def remember_refusal(request: HttpRequest, *, case_key: str, step: str, error: DomainError) -> None:
    """Keep what was typed and why it was refused for the next rendering of the case page."""
    data: QueryDict = request.POST
    values = {k: data.get(k, "") for k in data if k not in _SKIP}
    errors: dict[str, str] = {}
    for d in error.details:
        loc = d.get("loc") or [d.get("field")]
        name = str(loc[0]) if loc and loc[0] is not None else ""
        msg = d.get("msg") or d.get("message") or ""
        if name and msg:
            errors[name] = str(msg)
    request.session[SESSION_KEY] = {"case": case_key, "step": step, "values": values, "errors": errors}


def recall_refusal(request: HttpRequest, *, case_key: str) -> dict[str, Any] | None:
    """What remember_refusal kept for this case (once: the next page starts clean)."""
    kept = request.session.get(SESSION_KEY)
    if not kept or kept.get("case") != case_key:
        return None
    del request.session[SESSION_KEY]
    return dict(kept)


def bind(fields: Sequence[PayloadField], kept: dict[str, Any] | None) -> tuple[PayloadField, ...]:
    """The fields with the typed values and the refusals a kept submission carries."""
    if not kept:
        return tuple(fields)
    values, errors = kept.get("values", {}), kept.get("errors", {})
    return tuple(
        dataclasses.replace(f, value=str(values.get(f.name, "")), error=str(errors.get(f.name, "")))
        for f in fields
    )
