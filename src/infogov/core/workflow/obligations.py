"""Obligations: duties with a date (file within N days, report by 31 January, …).

Opened and fulfilled by transitions (see workflow.Duty) or by services; overdue lists are
queries on an index, never loops.

A recurring duty (``Duty(..., every="P1Y", after="evaluated_on")``: an evaluation every year, a review
every six months) opens its next occurrence when one is fulfilled, in the same transaction, by the
fulfilling event. The next one is clocked from the date the evidence is *effective* (``after``: the
payload field of the fulfilling step, e.g. the day the evaluation was carried out), not from the day it
was uploaded or recorded — a report of an evaluation held in March and recorded in May is due again the
next March. ``every`` is an ISO 8601 period ("P1Y", "P6M", "P30D"), a Policy holding one (its value on the
effective date applies), or a function of the case returning either (None: the case does not recur)."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.utils import timezone

from infogov.core.db import rows
from infogov.core.models import DocketEvent, Obligation
from infogov.core.regulation.articles import Citation
from infogov.core.regulation.policy import Policy
from infogov.core.workflow.permissions import scope_of

DueRule = dt.timedelta | Callable[[Any, dt.date], dt.date]
Period = str | Policy  # "P1Y", "P6M", "P30D", "P1Y6M" — or a Policy whose value is one
Every = Period | Callable[[Any], Period | None]
After = str | Callable[[Any, DocketEvent], dt.date | None]

_PERIOD = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def parse_period(text: str) -> tuple[int, int, int]:
    """An ISO 8601 period of dates as (years, months, days): "P1Y" → (1, 0, 0), "P2W" → (0, 0, 14)."""
    m = _PERIOD.match(text or "")
    if m is None or not any(m.groups()):
        raise ValueError(f"not an ISO 8601 period of dates: {text!r}")
    years, months, weeks, days_ = (int(g or 0) for g in m.groups())
    return years, months, weeks * 7 + days_


def add_period(day: dt.date, period: str) -> dt.date:
    """`day` plus the period; a month end stays within its month (08-31 + P6M → 02-28)."""
    years, months, days_ = parse_period(period)
    month0 = day.month - 1 + months
    year, month = day.year + years + month0 // 12, month0 % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last)) + dt.timedelta(days=days_)


# the recurring duties by code: a fulfilled obligation of one of these codes opens the next occurrence
RECURRING: dict[str, Duty] = {}


@dataclass(frozen=True)
class Duty:
    """A duty a transition opens: who owes what to whom under which article, due when.

    ``due``: a timedelta after the act's date, or a function (case, act date) → due date. A recurring duty
    (``every``) may leave it out: its first occurrence is then due one period after the act's date.
    ``after``: where the next occurrence is clocked from when this one is fulfilled — the name of a
    field of the fulfilling step's payload (its effective date), else of the case; or a function
    (case, fulfilling event) → date. Without it, or without a date there, the fulfilling event's date."""

    code: str
    title: str
    citation: str
    owed_by: Callable[[Any], Any]
    due: DueRule | None = None
    owed_to: Callable[[Any], Any] | None = None
    when: Callable[[Any], bool] | None = None
    every: Every | None = None
    after: After = ""

    def __post_init__(self) -> None:
        Citation.parse(self.citation)
        if self.due is None and self.every is None:
            raise ValueError(f"duty {self.code}: give `due`, `every`, or both")
        if isinstance(self.every, str):
            parse_period(self.every)  # fail at import time on a malformed period
        if self.every is not None:
            RECURRING[self.code] = self

    def period(self, case: Any, on: dt.date) -> str | None:
        """The case's period as an ISO 8601 string (a Policy's value on `on`); None: does not recur."""
        every = self.every
        if every is not None and not isinstance(every, str | Policy):
            every = every(case)
        if isinstance(every, Policy):
            every = every.on(on)
        return every or None

    def due_date(self, case: Any, today: dt.date) -> dt.date:
        if self.due is None:
            period = self.period(case, today)
            return add_period(today, period) if period else today
        return today + self.due if isinstance(self.due, dt.timedelta) else self.due(case, today)

    def anchor(self, case: Any, event: DocketEvent) -> dt.date:
        """The date the next occurrence is clocked from: the evidence's effective date."""
        if callable(self.after):
            found = self.after(case, event)
            if found is not None:
                return found
        elif self.after:
            raw = (event.payload or {}).get(self.after)
            if raw is None:
                raw = getattr(case, self.after, None)
            if isinstance(raw, dt.datetime):
                return timezone.localtime(raw).date() if timezone.is_aware(raw) else raw.date()
            if isinstance(raw, dt.date):
                return raw
            if isinstance(raw, str):
                try:
                    return dt.date.fromisoformat(raw[:10])
                except ValueError:
                    pass
        return timezone.localtime(event.at).date()

    def next_due(self, case: Any, event: DocketEvent) -> dt.date | None:
        """When the occurrence after the one `event` fulfilled is due; None: the case does not recur."""
        anchor = self.anchor(case, event)
        period = self.period(case, anchor)
        return add_period(anchor, period) if period else None


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
    write (which sends no model signals either). A fulfilled recurring duty opens its next occurrence
    (one SELECT and one INSERT more, only when a recurring code is among `codes`)."""
    if not codes:
        return 0
    recurring = [code for code in codes if code in RECURRING]
    fulfilled = _open_of(case, recurring) if recurring else []
    count = _fulfil(case, codes, event)
    if fulfilled and not (event.payload or {}).get("historical"):
        _open_next(case, fulfilled, event)
    return count


def _open_of(case: models.Model, codes: list[str]) -> list[Obligation]:
    return list(Obligation.objects.for_case(case).open().filter(code__in=codes))


def _open_next(case: models.Model, fulfilled: list[Obligation], event: DocketEvent) -> None:
    """The next occurrence of each fulfilled recurring obligation, owed by whom the duty now names."""
    following = []
    for done in fulfilled:
        duty = RECURRING[done.code]
        due = duty.next_due(case, event)
        if due is None or (duty.when is not None and not duty.when(case)):
            continue
        following.append(
            Obligation(
                case_type_id=done.case_type_id,
                case_id=done.case_id,
                jurisdiction_id=done.jurisdiction_id,
                code=done.code,
                title=done.title,
                citation=done.citation,
                owed_by=duty.owed_by(case),
                owed_to=duty.owed_to(case) if duty.owed_to else done.owed_to,
                due_date=due,
                opened_by=event,
            )
        )
    for obligation in following:
        obligation.save(force_insert=True)


def _fulfil(case: models.Model, codes: tuple[str, ...] | list[str], event: DocketEvent) -> int:
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
