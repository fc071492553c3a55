"""Step forms from declarations: the inputs of a step's form come from its payload schema (the same
schema the API takes and the engine validates), and a refused submission comes back with what the
official typed and the refusal beside the field it concerns — nothing has to be typed twice.

The form is shown whenever the actor may take the step, even while a guard on its own input cannot be
judged yet (explain() passes such guards until the input is given; fire() judges them)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
import typing
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from pydantic import BaseModel

from infogov.core.errors import DomainError

SESSION_KEY = "infogov_step_form"
RESERVED_FIELDS = frozenset({"csrfmiddlewaretoken", "comment", "version"})
_SKIP = frozenset({"csrfmiddlewaretoken", "version"})


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def see_other(url: str) -> HttpResponse:
    """303 See Other: after a POST, the browser GETs the page again (no resubmission on reload)."""
    return HttpResponseSeeOther(url)


@dataclasses.dataclass(frozen=True)
class PayloadField:
    """An input of a step's form (its value goes into the payload the step's schema validates)."""

    name: str
    label: str
    input_type: str = "text"  # text | textarea | number | date | checkbox | select | checklist
    required: bool = False
    help_text: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # the options of a select or checklist (value, label)
    value: str = ""  # what the official typed, when a refused submission comes back
    error: str = ""  # the refusal that concerns this field
    chosen: tuple[str, ...] = ()  # the ticked options of a checklist, when it comes back
    suggestions: tuple[tuple[str, str], ...] = ()  # a text input's <datalist> (value, label)


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
    values = _typed(request.POST)
    errors: dict[str, str] = {}
    for d in error.details:
        loc = d.get("loc") or [d.get("field")]
        name = str(loc[0]) if loc and loc[0] is not None else ""
        msg = d.get("msg") or d.get("message") or ""
        if name and msg:
            errors[name] = str(msg)
    request.session[SESSION_KEY] = {
        "case": case_key,
        "step": step,
        "values": values,
        "errors": errors,
        "message": str(error),  # the whole refusal with its article (an app's own form shows it)
    }


def remember_values(request: HttpRequest, *, case_key: str, step: str) -> None:
    """Keep what was typed, with no refusal: "返回修改" on the confirmation page refills the form."""
    values = _typed(request.POST)
    request.session[SESSION_KEY] = {"case": case_key, "step": step, "values": values, "errors": {}}


def _typed(data: QueryDict) -> dict[str, Any]:
    """The posted values to give back: one text per input, a list for a checklist's ticked options."""
    out: dict[str, Any] = {}
    for k in data:
        if k in _SKIP or k.startswith("_"):
            continue
        many = data.getlist(k)
        out[k] = many if len(many) > 1 else data.get(k, "")
    return out


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
    out = []
    for f in fields:
        given = values.get(f.name, "")
        many = tuple(str(v) for v in given) if isinstance(given, list) else ((str(given),) if given else ())
        out.append(
            dataclasses.replace(
                f,
                value="、".join(many) if isinstance(given, list) else str(given),
                chosen=many,
                error=str(errors.get(f.name, "")),
            )
        )
    return tuple(out)


def _coerce(value: str) -> Any:
    """Form values are strings; rules compare numbers. Integers and decimals become numbers."""
    v = value.strip()
    if re.fullmatch(r"-?\d{1,18}", v):
        return int(v)
    if re.fullmatch(r"-?\d{1,18}\.\d{1,6}", v):
        return Decimal(v)
    return v


def payload_from(data: QueryDict) -> dict[str, Any]:
    """Every non-reserved form field becomes payload (empty values are left out)."""
    payload: dict[str, Any] = {}
    for key in data:
        if key in RESERVED_FIELDS or key.startswith("_"):
            continue
        values = [_coerce(v) for v in data.getlist(key) if v.strip()]
        if values:
            payload[key] = values[0] if len(values) == 1 else values
    return payload
