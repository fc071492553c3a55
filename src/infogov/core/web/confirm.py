"""Confirmation after the server has checked (issue #11): an irreversible step (declared with
``confirm=``) is submitted twice.

1. The first POST is judged as fire() would judge it (core.workflow.dryrun: the typed input, who may
   act, every guard on that input — no lock, no write). A refusal goes back to the form beside its
   field; otherwise the "请核对" page lists what was typed, as the server read it, and the consequence,
   with a confirm button carrying the same values and a signed token binding them to this user, this
   case, its version and the tail of its docket.
2. The second POST, with the token, takes the step. A token that does not match the values posted is
   refused; a case that changed meanwhile (another step, even one that does not bump the version) is a
   conflict: the official checks again.

Works without JavaScript: two ordinary forms. Any view may use it (the generic case pages, an app's
own record forms): ``confirm_step()`` returns the page to show, or None when the step may be taken.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.safestring import SafeString

from infogov.core.docket.display import money, show
from infogov.core.errors import Conflict, InvalidInput
from infogov.core.models import DocketEvent
from infogov.core.web.stepforms import PayloadField, remember_values, see_other
from infogov.core.workflow import dryrun
from infogov.core.workflow.steps import Transition, workflow_for

TOKEN = "_confirm"
BACK = "_back"
SALT = "infogov.web.confirm"
MAX_AGE = 60 * 60  # an hour to read the page and decide
_NOT_VALUES = frozenset({"csrfmiddlewaretoken", TOKEN, BACK})

TAMPERED = "核对页的确认信息与提交的内容不一致或已过期，未办理。请重新填写并核对。"
CHANGED = "您核对之后，该事项已有新的办理记录（他人已办理或状态已变化），未办理。请查看最新情况后重新核对。"


def _posted(data: QueryDict) -> list[tuple[str, str]]:
    return [(k, v) for k in data for v in data.getlist(k) if k not in _NOT_VALUES]


def _digest(data: QueryDict) -> str:
    text = json.dumps(sorted(_posted(data)), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _case_key(case: Any) -> str:
    return f"{case._meta.label_lower}:{case.pk}"


def _tail(case: Any) -> int:
    """The last docket sequence number of the case: a Record step with touch=False (a payment, a
    progress report) adds an event without bumping the version."""
    seq = DocketEvent.objects.for_case(case).order_by("-seq").values_list("seq", flat=True).first()
    return int(seq or 0)


def _token(request: HttpRequest, case: Any, name: str) -> str:
    user: Any = request.user
    return signing.dumps(
        {
            "case": _case_key(case),
            "step": name,
            "user": user.pk,
            "version": case.version,
            "tail": _tail(case),
            "values": _digest(request.POST),
        },
        salt=SALT,
        compress=True,
    )


def verify(request: HttpRequest, case: Any, name: str) -> None:
    """The token of the second POST: signed by us, for this user, case, step and these values (else
    InvalidInput); the case unchanged since the official checked (else Conflict)."""
    user: Any = request.user
    try:
        claims = signing.loads(request.POST.get(TOKEN, ""), salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        raise InvalidInput(TAMPERED, code="confirmation_invalid") from None
    expected = {"case": _case_key(case), "step": name, "user": user.pk, "values": _digest(request.POST)}
    if not isinstance(claims, dict) or any(claims.get(k) != v for k, v in expected.items()):
        raise InvalidInput(TAMPERED, code="confirmation_invalid")
    if claims.get("version") != case.version or claims.get("tail") != _tail(case):
        raise Conflict(CHANGED, code="confirmation_stale")


def _rows(typed: Any, fields: Sequence[PayloadField], data: QueryDict) -> list[tuple[str, SafeString]]:
    """(label, value) of what was typed, as the server read it (amounts, dates, choices by label)."""
    rows = []
    schema_fields = type(typed).model_fields if typed is not None else {}
    for f in fields:
        value = getattr(typed, f.name) if f.name in schema_fields else data.get(f.name, "")
        if f.input_type in ("select", "checklist") and value not in (None, "", []):
            labels = dict(f.choices)
            if isinstance(value, list):
                value = [labels.get(str(v), v) for v in value]
            else:
                value = labels.get(str(value), value)
        elif f.input_type == "checkbox":
            value = bool(value) and value not in ("false", "0")
        if isinstance(value, Decimal) and value.is_finite():  # a step's decimals are amounts (Amount)
            value = money(value)
        rows.append((f.label, show(value)))
    listed = {f.name for f in fields}
    for name, info in schema_fields.items():  # typed fields the form does not list (defaults applied)
        value = getattr(typed, name)
        if name not in listed and value not in (None, "", [], False):
            rows.append((info.title or name, show(value)))
    return rows


def confirm_step(
    request: HttpRequest,
    case: Any,
    name: str,
    *,
    payload: Any,
    comment: str = "",
    fields: Sequence[PayloadField] = (),
    shown: Sequence[tuple[str, Any]] = (),
    action_url: str,
    back_url: str,
    case_key: str = "",
    expected_version: int | None = None,
) -> HttpResponse | None:
    """None: take the step now (no confirmation declared, or confirmed with a valid token). Else the
    response to give: the "请核对" page, or back to the form (BACK). A refusal raises, as fire() would.

    `fields` label the posted values (a step's form inputs); `shown` replaces them with (label, value)
    pairs a view describes itself (the task a removal deletes, not its id)."""
    step = workflow_for(case).get(name)
    if not step.confirm:
        return None
    if BACK in request.POST:
        remember_values(request, case_key=case_key or _case_key(case), step=name)
        return see_other(back_url)
    if TOKEN in request.POST:
        verify(request, case, name)
        return None
    typed = dryrun.check(
        case, name, user=request.user, comment=comment, payload=payload, expected_version=expected_version
    )
    wf = workflow_for(case)
    context = {
        "case": case,
        "step": step,
        "rows": [(label, show(v)) for label, v in shown] or _rows(typed, fields, request.POST),
        "comment": comment.strip(),
        "from_label": wf.label_of(case.state),
        "to_label": wf.label_of(step.target) if isinstance(step, Transition) else "",
        "hidden": _posted(request.POST),
        "token": _token(request, case, name),
        "token_name": TOKEN,
        "back_name": BACK,
        "action_url": action_url,
        "back_url": back_url,
        "model_label": wf.title,
    }
    return render(request, "core/cases/confirm.html", context)
