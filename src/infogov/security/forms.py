"""The security app's own forms, built from the steps' payload schemas (core.web.stepforms): opening an
incident (第三十条第二款) or an inspection (第三十二条), and recording a hidden danger (第三十二条).

The inputs come from the schema (the API's body, validated once by the same schema), with the register's
systems and units offered as choices where the schema takes their ids. A refused submission is shown
again with what was typed and each refusal beside its field (a rule's refusal beside the field it
judges); opening a case — which cannot be undone — is checked by the server first and confirmed on a
"请核对" page (the same page as core.web.confirm), whose signed token binds the values to the user."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core import signing
from django.http import HttpRequest, QueryDict
from pydantic import BaseModel

from infogov.core.docket.display import show
from infogov.core.errors import DomainError, InvalidInput
from infogov.core.web.stepforms import PayloadField, bind, fields_from_schema

TOKEN = "_confirm"  # the same names as core.web.confirm: the same "请核对" template
BACK = "_back"
SALT = "infogov.security.opening"
MAX_AGE = 60 * 60
MULTIPLE = ("checklist", "multiselect")
TAMPERED = "核对页的确认信息与提交的内容不一致或已过期，未办理。请重新填写并核对。"


@dataclass(frozen=True)
class Opening:
    """A form that opens a case: its label and article, the schema that validates it, what the official
    confirms, and beside which field each rule's refusal is shown."""

    name: str
    label: str
    citation: str
    schema: type[BaseModel]
    confirm: str
    rule_fields: Mapping[str, str] = field(default_factory=dict)
    style: str = "primary"


def form_fields(schema: type[BaseModel], overrides: Mapping[str, PayloadField]) -> tuple[PayloadField, ...]:
    """The schema's inputs in its order: generated (stepforms.fields_from_schema), or the page's own for
    the fields the generator leaves to the app (a time of day, a list of the register's ids)."""
    generated = {f.name: _short_text(schema, f) for f in fields_from_schema(schema)}
    chosen = (overrides.get(name) or generated.get(name) for name in schema.model_fields)
    return tuple(f for f in chosen if f is not None)


def _short_text(schema: type[BaseModel], f: PayloadField) -> PayloadField:
    """A text narrowed to a short limit (a name: Short, max 100) is one line, not a text area: the
    tightest of the field's limits decides."""
    limits = [m.max_length for m in schema.model_fields[f.name].metadata if getattr(m, "max_length", None)]
    if f.input_type == "textarea" and limits and min(limits) <= 200:
        return replace(f, input_type="text")
    return f


def raw_payload(fields: Sequence[PayloadField], data: QueryDict) -> dict[str, Any]:
    """The posted form as the schema's input: a list for a multiple choice, a boolean for a checkbox,
    empty inputs left out (the schema's default applies). Only the form's own inputs are read."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.input_type in MULTIPLE:
            values = [v for v in data.getlist(f.name) if v.strip()]
            if values:
                out[f.name] = values
        elif f.input_type == "checkbox":
            out[f.name] = data.get(f.name, "") in ("true", "on", "1")
        elif data.get(f.name, "").strip():
            out[f.name] = data.get(f.name, "")
    return out


def bound(
    fields: Sequence[PayloadField], data: QueryDict | Mapping[str, Any] | None, errors: Mapping[str, str]
) -> tuple[PayloadField, ...]:
    """The fields with what was typed and the refusals beside them."""
    if not data and not errors:
        return tuple(fields)
    values: dict[str, Any] = {}
    for f in fields:
        if isinstance(data, QueryDict):
            values[f.name] = data.getlist(f.name) if f.input_type in MULTIPLE else data.get(f.name, "")
        elif data:
            values[f.name] = data.get(f.name, "")
    return bind(fields, {"values": values, "errors": dict(errors)})


def refusal(error: DomainError, rule_fields: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(refusals by field, refusals of the whole form): a field's bad input beside it; a rule's refusal
    beside the field it judges, with its article; the rest above the form."""
    by_field: dict[str, str] = {}
    general: list[str] = []
    for d in error.details:
        loc = d.get("loc") or []
        name = str(loc[0]) if loc else rule_fields.get(str(d.get("code", "")), "")
        msg = str(d.get("msg") or d.get("message") or "")
        if d.get("article"):
            msg = f"{msg}（{d['article']}）"
        if name and msg:
            by_field[name] = f"{by_field[name]}；{msg}" if name in by_field else msg
        elif msg:
            general.append(msg)
    if not by_field and not general:
        general.append(f"{error.message}（{error.article}）" if error.article else error.message)
    return by_field, general


def rows(typed: BaseModel, fields: Sequence[PayloadField]) -> list[tuple[str, Any]]:
    """(label, value) of what was typed, as the server read it: choices by their labels."""
    out = []
    for f in fields:
        value = getattr(typed, f.name, None)
        labels = dict(f.choices)
        if isinstance(value, list):
            value = "、".join(str(labels.get(str(v), v)) for v in value) or None
        elif f.choices and value not in (None, ""):
            value = labels.get(str(value), value)
        out.append((f.label, show(value)))
    return out


# -- the signed confirmation of an opening ------------------------------------------------------------


def _posted(data: QueryDict) -> list[tuple[str, str]]:
    return [(k, v) for k in data for v in data.getlist(k) if k not in {"csrfmiddlewaretoken", TOKEN, BACK}]


def _digest(data: QueryDict) -> str:
    return hashlib.sha256(json.dumps(sorted(_posted(data)), ensure_ascii=False).encode()).hexdigest()


def confirmation_context(request: HttpRequest, opening: Opening, typed: BaseModel, fields: Any) -> dict:
    """The context of core/cases/confirm.html for a case not yet opened."""
    user: Any = request.user
    token = signing.dumps(
        {"form": opening.name, "user": user.pk, "values": _digest(request.POST)}, salt=SALT, compress=True
    )
    return {
        "case": {"reference": "新登记", "title": getattr(typed, "title", "")},
        "step": opening,
        "rows": rows(typed, fields),
        "comment": "",
        "from_label": "",
        "to_label": "",
        "hidden": _posted(request.POST),
        "token": token,
        "token_name": TOKEN,
        "back_name": BACK,
        "action_url": request.path,
        "back_url": request.path,
        "model_label": opening.label,
    }


def verify(request: HttpRequest, opening: Opening) -> None:
    """The confirming POST carries a token signed for this user, this form and these values."""
    user: Any = request.user
    try:
        claims = signing.loads(request.POST.get(TOKEN, ""), salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        raise InvalidInput(TAMPERED, code="confirmation_invalid") from None
    expected = {"form": opening.name, "user": user.pk, "values": _digest(request.POST)}
    if not isinstance(claims, dict) or any(claims.get(k) != v for k, v in expected.items()):
        raise InvalidInput(TAMPERED, code="confirmation_invalid")


def with_choices(f: PayloadField, input_type: str, choices: Sequence[tuple[Any, str]]) -> PayloadField:
    return replace(f, input_type=input_type, choices=tuple((str(v), label) for v, label in choices))
