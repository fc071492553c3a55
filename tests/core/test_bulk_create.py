"""core.workflow.bulk.create_many opens each docket exactly as engine.create does (the import's batch
path must not be a second, diverging way of writing the create event)."""

from decimal import Decimal

import pytest

from infogov.core.docket import verify as docket_verify
from infogov.core.errors import InvalidInput
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine
from infogov.core.workflow.bulk import create_many
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db

SAME = ("seq", "action", "action_label", "from_state", "to_state", "citation", "comment", "actor_id",
        "organisation_id", "attachments", "changes", "prev_hash")  # fmt: skip


def fields(land, title):
    return {
        "title": title,
        "jurisdiction": land.jurisdiction,
        "owner": land.department,
        "budget": Decimal("500000"),
        "has_security_plan": True,
    }


def test_batch_and_single_create_write_the_same_event(world):
    user = world.yongji.dept_user
    one = engine.create(Widget, user=user, **fields(world.yongji, "甲"))
    batch = create_many(Widget, user=user, rows=[fields(world.yongji, "甲"), fields(world.yongji, "乙")])
    single_event = DocketEvent.objects.for_case(one).get()
    batch_event = DocketEvent.objects.for_case(batch[0]).get()
    assert [getattr(batch_event, f) for f in SAME] == [getattr(single_event, f) for f in SAME]
    drop = {"id", "reference", "created_at", "updated_at"}  # differ by nature between two cases
    assert {k: v for k, v in batch_event.payload.items() if k not in drop} == {
        k: v for k, v in single_event.payload.items() if k not in drop
    }
    assert [w.reference.split("-")[0] for w in batch] == ["WG", "WG"]
    assert docket_verify.verify().ok


def test_a_bad_row_writes_nothing_and_names_the_row(world):
    rows = [fields(world.yongji, "甲"), fields(world.yongji, "")]
    with pytest.raises(InvalidInput) as exc:
        create_many(Widget, user=world.yongji.dept_user, rows=rows)
    assert exc.value.message.startswith("第 2 项")
    assert not Widget.objects.exists() and not DocketEvent.objects.exists()


def test_a_batch_goes_in_as_one_array_per_column_on_postgresql(world):
    """PostgreSQL: the batch's cases and their docket events are INSERTed through UNNEST (a handful of
    parameters, not one per cell: the statement is not parsed for thousands of placeholders), with the
    values and keys the one-row statement gives."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's UNNEST; SQLite inserts VALUES rows")
    user = world.yongji.dept_user
    rows = [{**fields(world.yongji, f"第{i}个"), "budget": Decimal(f"{i}000.50")} for i in range(3)]
    with CaptureQueriesContext(connection) as ctx:
        batch = create_many(Widget, user=user, rows=rows)
    inserts = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("INSERT INTO")]
    assert inserts and all("UNNEST(" in sql and "VALUES" not in sql for sql in inserts)
    assert [w.pk for w in batch] == sorted(w.pk for w in batch)  # RETURNING in the rows' order
    stored = Widget.objects.in_bulk([w.pk for w in batch])
    assert [(stored[w.pk].title, stored[w.pk].budget) for w in batch] == [
        (r["title"], r["budget"]) for r in rows
    ]
    events = [DocketEvent.objects.for_case(w).get() for w in batch]
    assert [e.payload["title"] for e in events] == [r["title"] for r in rows]
    assert docket_verify.verify().ok
