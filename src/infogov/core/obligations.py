"""Obligations: duties with a date (file within N days, report by 31 January, …).

Opened and fulfilled by transitions (see workflow.Duty) or by services; overdue lists are
queries on an index, never loops."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from .models import DocketEvent, Obligation
from .regulation import Citation

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


def obligations_fulfil(*, case: models.Model, codes: tuple[str, ...] | list[str], event: DocketEvent) -> int:
    """Mark the case's open obligations of these codes fulfilled by `event`; returns how many."""
    if not codes:
        return 0
    return (
        Obligation.objects.for_case(case)
        .open()
        .filter(code__in=codes)
        .update(fulfilled_at=event.at, fulfilled_by=event)
    )


def obligations_cancel(*, case: models.Model, codes: tuple[str, ...] | list[str]) -> int:
    return Obligation.objects.for_case(case).open().filter(code__in=codes).update(cancelled_at=timezone.now())


def todo_for(user: Any) -> models.QuerySet[Obligation]:
    """我的待办: what the user's organisations owe, open, overdue first then by due date."""
    org_ids = user.scope.org_ids | user.scope.org_ids_with_role("co_supervisor", "expert")
    return (
        Obligation.objects.open()
        .filter(owed_by_id__in=org_ids)
        .select_related("owed_by", "owed_to", "case_type", "jurisdiction")
        .order_by("due_date", "id")
    )
