"""Recurring duties (core/workflow/obligations.py): ``Duty(..., every=, after=)`` opens the next occurrence
when one is fulfilled, clocked from the evidence's effective date, not the day it was recorded."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from infogov.core.docket import chain as docket
from infogov.core.models import Obligation
from infogov.core.regulation.policy import ALWAYS, Policy, override_policy
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.obligations import (
    RECURRING,
    Duty,
    add_period,
    days,
    obligation_open,
    obligations_fulfil,
    parse_period,
)
from tests.testapp.models import Widget

pytestmark = [pytest.mark.django_db, pytest.mark.article(30)]

REVIEW_EVERY = Policy(
    key="tests.recurring_review",
    label="测试：复核周期",
    unit="ISO 8601 周期",
    basis="第三十条第一款",
    source="测试用",
    history={ALWAYS: "P1Y"},
)

YEARLY = Duty(
    "test-yearly", "年度复核", "第三十条第一款", owed_by=lambda c: c.owner, every="P1Y", after="reviewed_on"
)
BY_POLICY = Duty(
    "test-policy",
    "按政策复核",
    "第三十条第一款",
    owed_by=lambda c: c.owner,
    every=REVIEW_EVERY,
    after="reviewed_on",
)
BY_CASE = Duty(
    "test-by-case",
    "按事项复核",
    "第三十条第一款",
    owed_by=lambda c: c.owner,
    every=lambda c: "P6M" if c.budget > 100 else None,
    after="reviewed_on",
)
ONE_OFF = Duty("test-once", "一次性", "第三十条第一款", owed_by=lambda c: c.owner, due=days(10))


def widget(land) -> Widget:
    return workflow.create(
        Widget,
        user=land.dept_user,
        title="复核",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        budget=Decimal("500"),
    )


def fulfil(case, duty: Duty, payload: dict) -> int:
    obligation_open(
        case=case,
        code=duty.code,
        title=duty.title,
        citation=duty.citation,
        owed_by=case.owner,
        due_date=dt.date(2026, 1, 1),
    )
    event = docket.record(case, actor=None, action="review", action_label="复核", payload=payload)
    return obligations_fulfil(case=case, codes=[duty.code], event=event)


def open_of(case, code: str) -> list[dt.date]:
    return list(Obligation.objects.for_case(case).open().filter(code=code).values_list("due_date", flat=True))


def test_periods_parse_and_add_with_month_ends():
    assert parse_period("P1Y") == (1, 0, 0) and parse_period("P2W") == (0, 0, 14)
    assert add_period(dt.date(2025, 8, 31), "P6M") == dt.date(2026, 2, 28)
    assert add_period(dt.date(2024, 2, 29), "P1Y") == dt.date(2025, 2, 28)
    assert add_period(dt.date(2025, 1, 31), "P1M") == dt.date(2025, 2, 28)
    with pytest.raises(ValueError):
        parse_period("1Y")
    with pytest.raises(ValueError):
        Duty("test-bad", "坏周期", "第三十条第一款", owed_by=lambda c: c.owner, every="yearly")
    with pytest.raises(ValueError):
        Duty("test-none", "无期限", "第三十条第一款", owed_by=lambda c: c.owner)


def test_a_fulfilled_recurring_duty_opens_the_next_from_the_effective_date(world):
    case = widget(world.yongji)
    assert fulfil(case, YEARLY, {"reviewed_on": "2025-03-15"}) == 1  # recorded today, effective in March 2025
    assert open_of(case, YEARLY.code) == [dt.date(2026, 3, 15)]
    [done] = Obligation.objects.for_case(case).filter(code=YEARLY.code, fulfilled_at__isnull=False)
    nxt = Obligation.objects.for_case(case).open().get(code=YEARLY.code)
    assert nxt.opened_by_id == done.fulfilled_by_id and nxt.owed_by == world.yongji.department


def test_without_an_effective_date_the_next_is_clocked_from_the_event(world):
    case = widget(world.yongji)
    fulfil(case, YEARLY, {})
    assert open_of(case, YEARLY.code) == [add_period(dt.date.today(), "P1Y")]


def test_the_period_may_be_a_policy_changed_by_tests(world):
    case = widget(world.yongji)
    with override_policy(REVIEW_EVERY, "P3M"):
        fulfil(case, BY_POLICY, {"reviewed_on": "2025-03-15"})
    assert open_of(case, BY_POLICY.code) == [dt.date(2025, 6, 15)]


def test_the_period_may_depend_on_the_case_and_none_stops_recurring(world):
    case = widget(world.yongji)
    fulfil(case, BY_CASE, {"reviewed_on": "2025-03-15"})
    assert open_of(case, BY_CASE.code) == [dt.date(2025, 9, 15)]
    small = widget(world.jiaohe)
    Widget.objects.filter(pk=small.pk).update(budget=Decimal("1"))
    small.refresh_from_db()
    fulfil(small, BY_CASE, {"reviewed_on": "2025-03-15"})
    assert open_of(small, BY_CASE.code) == []


def test_a_one_off_duty_keeps_working_as_before(world):
    case = widget(world.yongji)
    assert ONE_OFF.code not in RECURRING and ONE_OFF.due_date(case, dt.date(2025, 1, 1)) == dt.date(
        2025, 1, 11
    )
    fulfil(case, ONE_OFF, {"reviewed_on": "2025-03-15"})
    assert open_of(case, ONE_OFF.code) == []


def test_a_historical_act_opens_no_next_occurrence(world):
    case = widget(world.yongji)
    fulfil(case, YEARLY, {"reviewed_on": "2014-03-15", "historical": True})
    assert open_of(case, YEARLY.code) == []


def test_a_recurring_duty_without_due_is_first_due_one_period_after_the_act(world):
    case = widget(world.yongji)
    assert YEARLY.due_date(case, dt.date(2025, 5, 1)) == dt.date(2026, 5, 1)
