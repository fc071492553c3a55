"""The docket is append-only in the database, and `docket_verify` catches whoever gets around that
(someone with DBA rights dropping the triggers): edited, deleted and re-sealed records (第三十四条)."""

import datetime as dt
import importlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from infogov.core import tasks
from infogov.core.docket import chain as docket
from infogov.core.docket import verify as docket_verify
from infogov.core.docket import verify_base
from infogov.core.models import DocketEvent, DocketSeal, DocketSealEntry, Obligation
from infogov.core.workflow import engine as workflow
from tests.testapp.models import Widget

pytestmark = pytest.mark.article(34)

append_only = importlib.import_module("infogov.core.migrations.0003_docket_append_only")


def lift(table: str) -> None:
    """What a DBA could do: remove the append-only triggers of one docket table."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block the DDL
            cursor.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        else:
            cursor.execute(f"DROP TRIGGER {table}_no_update")
            cursor.execute(f"DROP TRIGGER {table}_no_delete")


def restore() -> None:
    with connection.cursor() as cursor:
        for sql in append_only.create_sql(connection.vendor):
            cursor.execute(sql)


def triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'core_docket%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'core_docket%%'"
            )
        return {name for (name,) in cursor.fetchall()}


def widget_with_history(world, *, edits: int = 0) -> Widget:
    """create → [edits] → submit → approve → deliver: a chain of 4 + edits events."""
    land = world.yongji
    w = workflow.create(
        Widget,
        user=land.dept_user,
        title="电子病历系统",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        has_security_plan=True,
        budget=100,
    )
    for i in range(edits):
        w = workflow.edit(w, user=land.dept_user, changes={"description": f"第{i + 1}次修改"})
    w = workflow.fire(w, "submit", user=land.dept_user)
    w = workflow.fire(w, "approve", user=land.authority_user)
    return workflow.fire(w, "deliver", user=land.dept_user)


def events_of(case) -> list[DocketEvent]:
    return list(DocketEvent.objects.for_case(case).order_by("seq"))


def verify_output() -> str:
    out = StringIO()
    call_command("docket_verify", stdout=out)
    return out.getvalue()


def verify_failure() -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("docket_verify", stdout=StringIO())
    assert excinfo.value.returncode == 1
    return str(excinfo.value)


# -- the database refuses -------------------------------------------------------------------------


@pytest.mark.django_db
def test_orm_cannot_update_or_delete_docket_events(world):
    w = widget_with_history(world)
    last = events_of(w)[-1]  # "deliver": no obligation points at it, so only the trigger can refuse
    last.comment = "改过的意见"
    with pytest.raises(IntegrityError), transaction.atomic():
        last.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocketEvent.objects.filter(pk=last.pk).update(comment="改过的意见")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocketEvent.objects.filter(pk=last.pk).delete()
    assert DocketEvent.objects.get(pk=last.pk).comment == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE core_docketevent SET comment = 'x'",
        "DELETE FROM core_docketevent",
        "UPDATE core_docketseal SET digest = 'x'",
        "DELETE FROM core_docketseal",
        "UPDATE core_docketsealentry SET seal_id = seal_id",
        "DELETE FROM core_docketsealentry",
    ],
)
def test_raw_sql_cannot_rewrite_the_docket(world, sql):
    widget_with_history(world)
    assert docket.seal_pending() is not None
    with (
        pytest.raises((IntegrityError, DatabaseError)) as excinfo,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert "append-only" in str(excinfo.value)


@pytest.mark.django_db
def test_appending_still_works(world):
    w = widget_with_history(world)
    seal = docket.seal_pending()
    w2 = widget_with_history(world)
    seal2 = docket.seal_pending()
    assert seal2.prev_hash == seal.hash
    assert len(events_of(w)) == len(events_of(w2)) == 4


# -- verification ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verify_passes_on_an_untouched_docket(world):
    widget_with_history(world, edits=1)
    widget_with_history(world)
    call_command("seal_docket", stdout=StringIO())
    out = verify_output()
    assert "已校验 9 条案卷记录（2 个案件，1 个封存批次，0 条待封存）" in out
    assert "校验通过" in out


@pytest.mark.django_db
def test_verify_names_an_edited_event(world):
    w = widget_with_history(world)
    target = events_of(w)[2]  # approve
    lift("core_docketevent")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_docketevent SET comment = %s WHERE id = %s", ["同意（事后补写）", target.pk]
        )
    message = verify_failure()
    assert f"案卷记录 #{target.pk}" in message
    assert "篡改" in message


@pytest.mark.django_db
def test_verify_catches_an_edit_that_recomputes_the_hash(world):
    """Rewriting an event and its own hash still breaks the link to the next event."""
    w = widget_with_history(world)
    events = events_of(w)
    target = events[1]
    fields = {f: getattr(target, f) for f in verify_base._FIELDS if f != "id"} | {"comment": "补写"}
    fields["id"] = target.pk
    new_hash = docket.recompute(fields)
    lift("core_docketevent")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_docketevent SET comment = %s, hash = %s WHERE id = %s", ["补写", new_hash, target.pk]
        )
    message = verify_failure()
    assert f"案卷记录 #{events[2].pk}" in message
    assert "哈希链断开" in message


@pytest.mark.django_db
def test_verify_catches_an_event_deleted_from_the_middle_of_a_chain(world):
    w = widget_with_history(world, edits=2)
    events = events_of(w)
    removed, following = events[1], events[2]  # the first edit; no obligation refers to it
    lift("core_docketevent")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_docketevent WHERE id = %s", [removed.pk])
    message = verify_failure()
    assert f"案卷记录 #{following.pk}" in message
    assert "序号不连续" in message


@pytest.mark.django_db
def test_verify_catches_a_sealed_event_deleted_with_its_seal_entry(world):
    w = widget_with_history(world, edits=1)
    docket.seal_pending()
    events = events_of(w)
    last = events[-1]
    lift("core_docketevent")
    lift("core_docketsealentry")
    with connection.cursor() as cursor:  # the last event of a chain: the per-case links stay intact
        cursor.execute("DELETE FROM core_docketsealentry WHERE event_id = %s", [last.pk])
        cursor.execute("DELETE FROM core_docketevent WHERE id = %s", [last.pk])
    message = verify_failure()
    assert "封存批次" in message


@pytest.mark.django_db
def test_verify_catches_an_altered_seal(world):
    widget_with_history(world)
    seal = docket.seal_pending()
    lift("core_docketseal")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_docketseal SET digest = %s WHERE id = %s", ["0" * 64, seal.pk])
    message = verify_failure()
    assert f"封存批次 #{seal.pk}" in message


@pytest.mark.django_db
def test_verify_catches_a_broken_seal_chain(world):
    """A seal whose own hash was replaced no longer links the global chain."""
    widget_with_history(world)
    first = docket.seal_pending()
    widget_with_history(world)
    second = docket.seal_pending()
    assert second.prev_hash == first.hash
    lift("core_docketseal")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE core_docketseal SET hash = %s WHERE id = %s", ["e" * 64, first.pk])
    message = verify_failure()
    assert f"封存批次 #{first.pk}" in message
    assert "全局封存链断开" in message


@pytest.mark.django_db(transaction=True)
def test_tampering_detected_in_a_committed_database(world):
    """Outside a test transaction, as in production: the DBA's DDL commits; afterwards the triggers
    are put back (and the flush that ends this test must get past them)."""
    try:
        w = widget_with_history(world)
        call_command("seal_docket", stdout=StringIO())
        target = events_of(w)[0]
        lift("core_docketevent")
        with connection.cursor() as cursor:
            cursor.execute("UPDATE core_docketevent SET comment = %s WHERE id = %s", ["篡改", target.pk])
        assert f"案卷记录 #{target.pk}" in verify_failure()
    finally:
        restore()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocketEvent.objects.filter(pk=target.pk).update(comment="")


@pytest.mark.django_db(transaction=True)
def test_flush_wipes_the_docket_and_keeps_it_append_only(world):
    """`manage.py flush` (and the end of every transactional test) gets past the triggers without
    removing them."""
    widget_with_history(world)
    docket.seal_pending()
    before = triggers()
    assert len(before) == (6 if connection.vendor == "sqlite" else 3)
    call_command("flush", interactive=False, verbosity=0)
    assert not DocketEvent.objects.exists() and not DocketSeal.objects.exists()
    assert triggers() == before


# -- sealing --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seal_docket_command_seals_everything_pending(world):
    widget_with_history(world)
    out = StringIO()
    call_command("seal_docket", stdout=out)
    assert "新增 1 个封存批次，封存 4 条案卷记录" in out.getvalue()
    assert DocketSealEntry.objects.count() == DocketEvent.objects.count() == 4
    out = StringIO()
    call_command("seal_docket", stdout=out)
    assert "新增 0 个封存批次，封存 0 条案卷记录" in out.getvalue()
    assert DocketSeal.objects.count() == 1


@pytest.mark.django_db
def test_huey_seal_task(world):
    widget_with_history(world)
    assert tasks.seal_docket.call_local() == 4
    assert tasks.seal_docket.call_local() == 0
    assert docket_verify.verify().unsealed == 0


@pytest.mark.django_db
def test_huey_counts_overdue_obligations(world):
    land = world.yongji
    w = workflow.create(
        Widget,
        user=land.dept_user,
        title="待审事项",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        has_security_plan=True,
    )
    workflow.fire(w, "submit", user=land.dept_user)
    assert tasks.count_overdue_obligations.call_local() == {}
    Obligation.objects.for_case(w).update(due_date=timezone.localdate() - dt.timedelta(days=1))
    assert tasks.count_overdue_obligations.call_local() == {land.authority.pk: 1}


def test_huey_instance_comes_from_settings():
    huey = tasks.build_huey({"huey_class": "huey.MemoryHuey", "name": "x", "immediate": True})
    assert type(huey).__name__ == "MemoryHuey" and huey.name == "x" and huey.immediate
    periodic = {type(t).__name__: t for t in tasks.HUEY._registry.periodic_tasks}
    seal = periodic["seal_docket"]
    assert seal.validate_datetime(dt.datetime(2025, 3, 1, 10, 5))
    assert not seal.validate_datetime(dt.datetime(2025, 3, 1, 10, 7))
    assert "count_overdue_obligations" in periodic
