"""Answering a case's sub-records — a review condition's 落实情况 (第九条第二款), an inspection
finding's 整改情况 (第十四条), the answer to a public comment (第六条第一款) — the one way in.

The shape is always the same: lock the case row, check who may answer (an actor refusal is a 403
with its article), lock the sub-records and check that each still belongs to the case and is still
open to an answer, write the answer, optionally bump the case's version (a guard reads what was
answered, so a decision taken on the stale view must conflict), record one docket event, and fulfil
the duty the answer discharges — all in one transaction, so a refusal writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from typing import Any

from django.db import models, transaction

from infogov.core.docket import chain as docket
from infogov.core.errors import DomainError, NotFound, NotPermitted
from infogov.core.workflow.obligations import obligations_fulfil
from infogov.core.workflow.rules import Rule, RuleContext, evaluate_all, not_audit_admin


def lock_case(case: models.Model, *, related: Iterable[str] = ()) -> Any:
    """The case row, locked for the rest of the transaction (404 when it is gone). `related` rows are
    read with it but not locked (FOR UPDATE OF the case's table, where the database can say so):
    the owner's organisation and the jurisdiction are shared by many cases."""
    qs = type(case)._default_manager.filter(pk=case.pk)
    related = tuple(related)
    of: dict[str, Any] = {}
    if related:
        qs = qs.select_related(*related)
        if transaction.get_connection(qs.db).features.has_select_for_update_of:
            of = {"of": ("self",)}
    locked = qs.select_for_update(**of).first()
    if locked is None:
        raise NotFound()
    return locked


def require_actor(case: Any, user: Any, rules_: Iterable[Rule]) -> None:
    """Who may act (第四条, 三员分立 first): the first failing rule refuses as a 403 with its article."""
    failures = evaluate_all([not_audit_admin, *rules_], case, RuleContext(user=user))
    if failures:
        first = failures[0]
        raise NotPermitted(
            first.message,
            code=first.code,
            article=first.citation,
            details=[f.as_dict() for f in failures],
        )


def answer_subrecords(
    case: models.Model,
    records: models.QuerySet[Any],
    pks: Collection[int],
    *,
    user: Any,
    by: Iterable[Rule],
    fields: dict[str, Any],
    is_open: Callable[[Any], bool],
    closed: DomainError,
    action: str,
    action_label: str,
    citation: str,
    comment: str = "",
    payload: dict[str, Any] | None = None,
    missing: DomainError | None = None,
    duty_code: str | None = None,
    duty_done: Callable[[Any], bool] | None = None,
    touch: bool = True,
    related: Iterable[str] = (),
) -> list[Any]:
    """Write `fields` on the sub-records `pks` of `case` (taken from `records`, the case's own
    sub-records) and record it as `action` in the case's docket.

    Refuses, writing nothing: who is not permitted by `by` (403); a pk not among `records`
    (`missing`, default 404); a record that `is_open` says is no longer open to an answer (`closed`).
    `duty_code` is fulfilled by the docket event once `duty_done(locked_case)` holds (at once when
    no `duty_done` is given). Returns the answered records, in pk order, with `fields` set.
    """
    wanted = set(pks)
    with transaction.atomic():
        locked = lock_case(case, related=related)
        require_actor(locked, user, by)
        rows = list(records.select_for_update().filter(pk__in=wanted).order_by("pk"))
        if len(rows) != len(wanted):
            raise missing or NotFound()
        if not all(is_open(row) for row in rows):
            raise closed
        if rows:
            records.model._default_manager.filter(pk__in=wanted).update(**fields)
            for row in rows:
                for name, value in fields.items():
                    setattr(row, name, value)
        if touch:  # every case (core.models.Case) carries both fields
            locked.version += 1
            locked.save(update_fields=["version", "updated_at"])
        event = docket.record(
            locked,
            actor=user,
            action=action,
            action_label=action_label,
            from_state=locked.state,
            to_state=locked.state,
            citation=citation,
            comment=comment,
            payload=payload or {},
        )
        if duty_code and (duty_done is None or duty_done(locked)):
            obligations_fulfil(case=locked, codes=[duty_code], event=event)
    return rows
