"""core.workflow.bulk's writes for a batch: update_many writes what Django's bulk_update writes (on
PostgreSQL one UPDATE … FROM unnest per batch instead of a CASE WHEN per row and column), and
fire_many reads each case's docket tail (on PostgreSQL with DISTINCT ON) — the last event, whatever
the number of events a case has."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infogov.core.docket import verify as docket_verify
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine
from infogov.core.workflow.bulk import _tails, create_many, fire_many, update_many
from tests.testapp.models import Widget, WidgetInspection

pytestmark = pytest.mark.django_db


def _widgets(world, n):
    land = world.yongji
    rows = [
        {
            "title": f"事项{i}",
            "jurisdiction": land.jurisdiction,
            "owner": land.department,
            "budget": Decimal("1"),
            "has_security_plan": True,
        }
        for i in range(n)
    ]
    return create_many(Widget, user=land.dept_user, rows=rows)


def _columns(objs, fields):
    model = type(objs[0])
    got = model.objects.filter(pk__in=[o.pk for o in objs]).order_by("pk").values_list(*fields)
    return list(got)


def test_update_many_writes_what_bulk_update_writes(world):
    fields = ["title", "budget", "has_security_plan", "description", "version"]
    mine, django = _widgets(world, 3), _widgets(world, 3)
    values = [("甲", Decimal("480000.50"), True, "", 3), ("乙'\"\\", Decimal("0"), False, "{a,b}", 0),
              ("丙 NULL", Decimal("12345678901.99"), True, "含\n换行", 7)]  # fmt: skip
    for group in (mine, django):
        for w, vs in zip(group, values, strict=True):
            for f, v in zip(fields, vs, strict=True):
                setattr(w, f, v)
    update_many(mine, fields)
    Widget.objects.bulk_update(django, fields)
    assert _columns(mine, fields) == _columns(django, fields) == values


def test_update_many_writes_dates_and_empty_keys(world):
    w = _widgets(world, 1)[0]
    user = world.yongji.dept_user
    rows = [
        WidgetInspection.objects.create(
            widget=w, checked_on=dt.date(2027, 3, 1), finding="甲", severity="一般", recorded_by=user
        )
        for _ in range(2)
    ]
    rows[0].checked_on, rows[0].recorded_by = dt.date(2015, 1, 1), None
    rows[1].checked_on, rows[1].recorded_by = dt.date(2030, 12, 31), world.yongji.authority_user
    update_many(rows, ["checked_on", "recorded_by"])
    assert _columns(rows, ["checked_on", "recorded_by"]) == [
        (dt.date(2015, 1, 1), None),
        (dt.date(2030, 12, 31), world.yongji.authority_user.pk),
    ]


def test_update_many_is_one_statement_per_batch_on_postgresql(world):
    widgets = _widgets(world, 5)
    for w in widgets:
        w.title += "（改）"
    with CaptureQueriesContext(connection) as ctx:
        update_many(widgets, ["title"])
    if connection.vendor == "postgresql":
        assert len(ctx.captured_queries) == 1 and "unnest" in ctx.captured_queries[0]["sql"]
    assert {t for (t,) in _columns(widgets, ["title"])} == {f"事项{i}（改）" for i in range(5)}


def test_tails_are_each_cases_last_event(world):
    first, second, third = _widgets(world, 3)
    first = engine.fire(first, "submit", user=world.yongji.dept_user)
    first = engine.fire(first, "approve", user=world.yongji.authority_user)
    second = engine.fire(second, "submit", user=world.yongji.dept_user)
    tails = _tails(Widget, [first.pk, second.pk, third.pk])
    for case, seq in ((first, 3), (second, 2), (third, 1)):
        last = DocketEvent.objects.for_case(case).order_by("-seq").first()
        assert tails[case.pk] == (seq, last.hash)


def test_a_batch_step_chains_onto_each_cases_tail(world):
    first, second = _widgets(world, 2)
    engine.fire(first, "submit", user=world.yongji.dept_user)
    fired = fire_many(Widget, [first.pk, second.pk], "submit", user=world.yongji.dept_user)
    assert [c.pk for c in fired.cases] == [second.pk] and first.pk in fired.refused
    assert [e.seq for e in DocketEvent.objects.for_case(second).order_by("seq")] == [1, 2]
    assert docket_verify.verify().ok
