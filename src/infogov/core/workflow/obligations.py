"""Obligations: duties with a date (file within N days, report by 31 January, …).

Opened and fulfilled by transitions (see workflow.Duty) or by services; overdue lists are
queries on an index, never loops."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.utils import timezone

from infogov.core.db import rows
from infogov.core.models import DocketEvent, Obligation
from infogov.core.regulation.articles import Citation
from infogov.core.workflow.permissions import scope_of

DueRule = dt.timedelta | Callable[[Any, dt.date], dt.date]


@dataclass(frozen=True)
class Duty:
    """A duty a transition opens: who owes what to whom under which article, due when."""

    code: str
    title: str
    citation: str
    owed_by: Callable[[Any], Any]
    due: DueRule
    owed_to: Callable[[Any], Any] | None = None
    when: Callable[[Any], bool] | None = None

    def __post_init__(self) -> None:
        Citation.parse(self.citation)

    def due_date(self, case: Any, today: dt.date) -> dt.date:
        return today + self.due if isinstance(self.due, dt.timedelta) else self.due(case, today)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


def obligation_open(
    *,
    case: models.Model,
    code: str,
    title: str,
    citation: str,
    owed_by: Any,
    due_date: dt.date,
    owed_to: Any = None,
    event: DocketEvent | None = None,
) -> Obligation:
    Citation.parse(citation)
    return Obligation.objects.create(
        case_type=ContentType.objects.get_for_model(case),
        case_id=case.pk,
        jurisdiction_id=case.jurisdiction_id,  # type: ignore[attr-defined]
        code=code,
        title=title,
        citation=citation,
        owed_by=owed_by,
        owed_to=owed_to,
        due_date=due_date,
        opened_by=event,
    )


def duties_open(*, case: models.Model, duties: tuple[Duty, ...], event: DocketEvent, today: dt.date) -> int:
    """Open the duties a step declares (those whose `when` holds for the case) in one INSERT;
    returns how many. Their citations were checked when the duties were declared."""
    ct_id = ContentType.objects.get_for_model(case).pk
    opened = [
        Obligation(
            case_type_id=ct_id,
            case_id=case.pk,
            jurisdiction_id=case.jurisdiction_id,  # type: ignore[attr-defined]
            code=duty.code,
            title=duty.title,
            citation=duty.citation,
            owed_by=duty.owed_by(case),
            owed_to=duty.owed_to(case) if duty.owed_to else None,
            due_date=duty.due_date(case, today),
            opened_by=event,
        )
        for duty in duties
        if duty.when is None or duty.when(case)
    ]
    if rows.signals_free(Obligation):
        rows.insert(opened, returning=False)
    else:  # receivers hear each one, as Obligation.objects.create() lets them
        for obligation in opened:
            obligation.save(force_insert=True)
    return len(opened)


@functools.cache
def _fulfil_sql(alias: str, codes: int) -> str:
    qn = connections[alias].ops.quote_name
    col = {f.name: qn(f.column) for f in Obligation._meta.concrete_fields}
    return (
        f"UPDATE {qn(Obligation._meta.db_table)} SET {col['fulfilled_at']} = %s, {col['fulfilled_by']} = %s "
        f"WHERE {col['case_type']} = %s AND {col['case_id']} = %s "
        f"AND {col['code']} IN ({', '.join(['%s'] * codes)}) "
        f"AND {col['fulfilled_at']} IS NULL AND {col['cancelled_at']} IS NULL"
    )


def obligations_fulfil(*, case: models.Model, codes: tuple[str, ...] | list[str], event: DocketEvent) -> int:
    """Mark the case's open obligations of these codes fulfilled by `event`; returns how many. One
    UPDATE, the one Obligation.objects.for_case(case).open().filter(code__in=codes).update(...) would
    write (which sends no model signals either)."""
    if not codes:
        return 0
    ct_id = ContentType.objects.get_for_model(case).pk
    alias = rows.alias_for(Obligation)
    connection = connections[alias]
    at = Obligation._meta.get_field("fulfilled_at").get_db_prep_save(event.at, connection)
    with connection.cursor() as cursor:
        cursor.execute(_fulfil_sql(alias, len(codes)), [at, event.pk, ct_id, case.pk, *codes])
        return cursor.rowcount


def obligations_cancel(*, case: models.Model, codes: tuple[str, ...] | list[str]) -> int:
    return Obligation.objects.for_case(case).open().filter(code__in=codes).update(cancelled_at=timezone.now())


def todo_for(user: Any) -> models.QuerySet[Obligation]:
    """我的待办: what the user's organisations owe, open, overdue first then by due date."""
    org_ids = scope_of(user).org_ids | scope_of(user).org_ids_with_role("co_supervisor", "expert")
    return (
        Obligation.objects.open()
        .filter(owed_by_id__in=org_ids)
        .select_related("owed_by", "owed_to", "case_type", "jurisdiction")
        .order_by("due_date", "id")
    )
