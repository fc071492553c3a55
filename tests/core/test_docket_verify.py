"""`docket_verify`'s fast path on PostgreSQL (COPY read in blocks, bodies assembled from the fields as
bytes) proves what the generic path proves: every event's hash recomputed from its content exactly as
event_digest encodes it, every chain, every seal. It must agree with `docket.recompute` on any content
record() can write, and catch every kind of tampering, whichever path a row takes (第三十四条)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from infogov.core.docket import chain as docket
from infogov.core.docket import verify as docket_verify
from infogov.core.docket import verify_base, verify_copy
from infogov.core.models import DocketEvent, DocketSeal
from infogov.core.workflow import engine as workflow
from tests.core.test_docket import events_of, lift, restore, verify_failure, widget_with_history
from tests.testapp.models import Widget

pytestmark = pytest.mark.article(34)

postgresql_only = pytest.mark.skipif("connection.vendor != 'postgresql'")


class _Rollback(Exception):
    pass


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def verify_breaks_at(event: DocketEvent, words: str, **kwargs) -> str:
    report = docket_verify.verify(**kwargs)
    assert not report.ok, "tampering went unnoticed"
    assert f"案卷记录 #{event.pk}（" in report.broken, report.broken
    assert words in report.broken, report.broken
    return report.broken


# -- the bodies the COPY path hashes are event_digest's --------------------------------------------

# everything a string can hold in PostgreSQL: quotes, backslashes, tabs, newlines, control characters,
# "\N", separators jsonb prints (": ", ", "), non-BMP characters, U+2028 — not NUL (refused by the
# database) or lone surrogates (not text)
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12)
AWKWARD = st.sampled_from(
    ['"', "\\", "\\N", "\t", "\n", "\r", "\x01", "\x1f", ": x", ", ", "\u2028", "😀", ""]
)
# what most values are: nothing any encoding escapes (the column-at-a-time path), spaces included
PLAIN = st.text(
    st.characters(min_codepoint=0x20, blacklist_characters='"\\', blacklist_categories=("Cs",)), max_size=12
)
STRINGS = TEXT | AWKWARD | PLAIN | st.sampled_from(["a: b", "x, y", ": z", " "])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1.10, 1e-7, 2.5, 1e16, -0.0, 10**20])
    | STRINGS
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(STRINGS, inner, max_size=3),
    max_leaves=8,
)
OBJECTS = st.dictionaries(STRINGS, VALUES, max_size=4)
EVENT = st.fixed_dictionaries(
    {
        "action": STRINGS,
        "from_state": STRINGS,
        "citation": STRINGS,
        "comment": STRINGS | TEXT.map(lambda t: t * 3),
        "payload": OBJECTS,
        "changes": OBJECTS,
        "attachments": st.lists(OBJECTS, max_size=2),
        "system": st.booleans(),
    }
)


def copy_digests(lo: int, hi: int) -> dict[int, dict[str, str]]:
    """For each event: the digests of the bodies the COPY path assembles — row by row (`careful`)
    and, where the row allows it, a column at a time (`plain`, and `canonical`, the fallback the
    checker takes when the plain body does not give the stored hash)."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    out: dict[int, dict[str, str]] = {}
    for block in verify_copy._pg_blocks(pgconn, verify_base._pg_select(lo, hi)):
        lines = block.split(b"\n")
        lines.pop()
        *_, E, bodies, failed, _ = verify_copy._careful_rows(lines)
        for i, (eid, body) in enumerate(zip(E, bodies, strict=True)):
            out[int(eid)] = {"careful": "" if i in failed else hashlib.sha256(body).hexdigest()}
        for line in lines:  # each row as a block of its own: a plain row next to an escaped one
            # an empty cache: every jsonb text is compacted first
            plain = (
                verify_copy._plain_rows([line], dict(verify_base._CANONICAL_SEED))
                if b"\\" not in line
                else None
            )
            if plain is not None:
                *_, E, bodies, _, canonical = plain
                body, exact = next(iter(bodies)), canonical(0)
                out[int(E[0])]["plain"] = hashlib.sha256(body).hexdigest()
                out[int(E[0])]["canonical"] = hashlib.sha256(exact).hexdigest() if exact else ""
                # the compacted jsonb that may stand in for the canonical text keeps the value
                assert json.loads(body) == json.loads(exact), (body, exact)
    return out


@pytest.mark.django_db
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(events=st.lists(EVENT, min_size=1, max_size=4))
@example(
    events=[
        {
            "action": 'a"b',
            "from_state": "\\N",
            "citation": "第\t三十四条",
            "comment": '换行\n回车\r反斜杠\\ 引号" \x01',
            "payload": {"b": 1, "a": [1.10, 1e-7, None, True], "键": {"": {}}, "x: y": ": z, w"},
            "changes": {"description": {"before": None, "after": "新\n内容"}},
            "attachments": [{"name": "附件\t.pdf", "size": 3}],
            "system": True,
        }
    ]
)
def test_copy_bodies_are_event_digests_bodies(world, events):
    """Whatever record() wrote, the COPY path hashes the body recompute() hashes (bit for bit: the
    digests are equal), and verify() passes exactly when every stored hash is that digest."""
    land = world.yongji
    with pytest.raises(_Rollback), transaction.atomic():
        widget = workflow.create(
            Widget, user=land.dept_user, title="校验", jurisdiction=land.jurisdiction, owner=land.department
        )
        locked = Widget.objects.select_for_update().get(pk=widget.pk)
        for e in events:
            docket.record(
                locked,
                actor=None if e["system"] else land.dept_user,
                action=e["action"],
                from_state=e["from_state"],
                citation=e["citation"],
                comment=e["comment"],
                payload=e["payload"],
                changes=e["changes"],
                attachments=e["attachments"],
            )
        stored = list(DocketEvent.objects.order_by("id"))
        expected = {e.pk: docket.recompute(e) for e in stored}
        if connection.vendor == "postgresql":
            digests = copy_digests(stored[0].pk, stored[-1].pk)
            assert set(digests) == set(expected)
            for eid, got in digests.items():
                assert got["careful"] == expected[eid], eid
                if "plain" in got:
                    assert got["canonical"] == expected[eid], eid
                    event("a row on the column-at-a-time path")
        report = docket_verify.verify()
        assert report.ok == all(expected[e.pk] == e.hash for e in stored), report.broken
        raise _Rollback


# -- tampering, whichever path the row takes ------------------------------------------------------


@pytest.mark.django_db
def test_a_changed_time_is_tampering(world):
    w = widget_with_history(world)
    target = events_of(w)[1]
    lift("core_docketevent")
    later = target.at + dt.timedelta(microseconds=1)
    sql("UPDATE core_docketevent SET at = %s WHERE id = %s", [later, target.pk])
    verify_breaks_at(target, "篡改")


@pytest.mark.django_db
def test_swapped_seq_numbers_break_the_chain(world):
    w = widget_with_history(world, edits=2)
    events = events_of(w)
    second, third = events[1], events[2]
    lift("core_docketevent")
    sql("UPDATE core_docketevent SET seq = 1000 WHERE id = %s", [second.pk])
    sql("UPDATE core_docketevent SET seq = 2 WHERE id = %s", [third.pk])
    sql("UPDATE core_docketevent SET seq = 3 WHERE id = %s", [second.pk])
    verify_breaks_at(second, "序号不连续，应为 2")


@pytest.mark.django_db
def test_events_reordered_by_id_break_the_chain(world):
    """Content, hashes and links intact, but seq 3 now comes before seq 2: the order is wrong."""
    w = widget_with_history(world, edits=2)
    events = events_of(w)
    second, third = events[1], events[2]  # the two edits: nothing else refers to them
    lift("core_docketevent")
    sql("UPDATE core_docketevent SET id = -1 WHERE id = %s", [second.pk])
    sql("UPDATE core_docketevent SET id = %s WHERE id = %s", [second.pk, third.pk])
    sql("UPDATE core_docketevent SET id = %s WHERE id = -1", [third.pk])
    moved = DocketEvent.objects.get(pk=second.pk)
    assert moved.seq == 3
    verify_breaks_at(moved, "序号不连续，应为 2")


@pytest.mark.django_db
def test_a_hash_in_capitals_is_tampering(world):
    """The last event of a chain, unsealed: only the comparison of its own hash can notice."""
    w = widget_with_history(world)
    last = events_of(w)[-1]
    lift("core_docketevent")
    sql("UPDATE core_docketevent SET hash = upper(hash) WHERE id = %s", [last.pk])
    verify_breaks_at(last, "篡改")


@pytest.mark.django_db
@postgresql_only
def test_hashes_shifted_between_neighbours_are_tampering(world):
    """A block's hashes are compared at once: one character moved from one hash to the next leaves
    the concatenation unchanged, and must still be caught."""
    a = widget_with_history(world)
    b = widget_with_history(world)
    first, second = events_of(a)[-1], events_of(b)[0]
    assert second.pk == first.pk + 1  # neighbours in the stream
    lift("core_docketevent")
    sql("ALTER TABLE core_docketevent ALTER COLUMN hash TYPE varchar(65)")
    sql("UPDATE core_docketevent SET hash = %s WHERE id = %s", [first.hash[:63], first.pk])
    sql("UPDATE core_docketevent SET hash = %s WHERE id = %s", [first.hash[63] + second.hash, second.pk])
    verify_breaks_at(first, "篡改")


@pytest.mark.django_db
def test_a_quote_in_a_prev_hash_breaks_the_chain(world):
    w = widget_with_history(world)
    last = events_of(w)[-1]
    lift("core_docketevent")
    sql("UPDATE core_docketevent SET prev_hash = %s WHERE id = %s", ['"' + last.prev_hash[1:], last.pk])
    verify_breaks_at(last, "哈希链断开")


@pytest.mark.django_db
@postgresql_only
def test_null_where_the_schema_allows_none_is_tampering(world):
    """A DBA who drops NOT NULL could turn an empty comment into NULL: not the same content (record()
    hashed a string), and not a crash either."""
    w = widget_with_history(world)
    target = next(e for e in events_of(w) if e.comment == "")
    lift("core_docketevent")
    sql("ALTER TABLE core_docketevent ALTER COLUMN comment DROP NOT NULL")
    sql("UPDATE core_docketevent SET comment = NULL WHERE id = %s", [target.pk])
    verify_breaks_at(target, "篡改")
    sql("UPDATE core_docketevent SET comment = '' WHERE id = %s", [target.pk])
    sql("ALTER TABLE core_docketevent ALTER COLUMN payload DROP NOT NULL")
    sql("UPDATE core_docketevent SET payload = NULL WHERE id = %s", [target.pk])
    verify_breaks_at(target, "篡改")


@pytest.mark.django_db
def test_tampering_with_escaped_content_is_caught(world):
    """A row whose values COPY escapes takes the row-by-row path: tampering there is caught too."""
    w = widget_with_history(world)
    with transaction.atomic():
        locked = Widget.objects.select_for_update().get(pk=w.pk)
        docket.record(locked, actor=None, action="note", comment="第一行\n第二行\t制表\\反斜杠")
    target = events_of(w)[-1]
    assert docket_verify.verify().ok
    lift("core_docketevent")
    sql("UPDATE core_docketevent SET comment = %s WHERE id = %s", ["第一行\n第二行\t制表\\反斜杆", target.pk])
    verify_breaks_at(target, "篡改")


@pytest.mark.django_db
def test_a_seal_entry_moved_to_another_seal_is_caught(world):
    widget_with_history(world)
    first = docket.seal_pending()
    w = widget_with_history(world)
    second = docket.seal_pending()
    moved = events_of(w)[0]
    lift("core_docketsealentry")
    sql("UPDATE core_docketsealentry SET seal_id = %s WHERE event_id = %s", [first.pk, moved.pk])
    report = docket_verify.verify()
    assert not report.ok and f"封存批次 #{first.pk}" in report.broken, report.broken
    assert second.pk != first.pk


# -- blocks: chains and seals across block boundaries, an early stop ------------------------------


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 3 rows: chains, seals and tampering fall across block boundaries."""
    monkeypatch.setattr(verify_copy, "COPY_BLOCK_ROWS", 3)


@pytest.mark.django_db
def test_small_blocks_verify_and_catch_a_late_change(world, small_blocks):
    widgets = [widget_with_history(world, edits=i) for i in range(3)]
    docket.seal_pending()
    widget_with_history(world)  # unsealed tail
    report = docket_verify.verify()
    assert report.ok, report.broken
    assert (report.events, report.cases, report.seals) == (4 + 5 + 6 + 4, 4, 1)
    assert report.unsealed == 4
    target = events_of(widgets[2])[-2]
    lift("core_docketevent")
    sql("UPDATE core_docketevent SET payload = %s WHERE id = %s", [json.dumps({"x": 1}), target.pk])
    verify_breaks_at(target, "篡改")
    # the stream was left early: the connection still answers
    assert DocketEvent.objects.filter(pk=target.pk).exists()


@pytest.mark.django_db
def test_seals_that_change_inside_a_block(world, small_blocks):
    for _ in range(3):
        widget_with_history(world)
        docket.seal_pending(max_events=5)  # seals of 5 events: boundaries inside blocks of 3
    while docket.seal_pending(max_events=5):
        pass
    report = docket_verify.verify()
    assert report.ok and report.unsealed == 0 and report.seals == DocketSeal.objects.count() >= 3
    lift("core_docketseal")
    seal = DocketSeal.objects.order_by("id")[1]
    sql("UPDATE core_docketseal SET digest = %s WHERE id = %s", ["f" * 64, seal.pk])
    assert f"封存批次 #{seal.pk}" in docket_verify.verify().broken


# -- workers and snapshots ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_workers_catch_tampering_in_a_later_range(world, small_blocks):
    widgets = [widget_with_history(world) for _ in range(4)]
    docket.seal_pending()
    for w in widgets:
        workflow.edit(w, user=world.yongji.dept_user, changes={"description": "改"})
    docket.seal_pending()
    for workers in (2, 3):
        assert docket_verify.verify(workers=workers).ok
    target = events_of(widgets[1])[-1]  # the edit: after the cut
    lift("core_docketevent")
    try:
        sql("UPDATE core_docketevent SET changes = %s WHERE id = %s", ["{}", target.pk])
        verify_breaks_at(target, "篡改", workers=2)
    finally:
        restore()


@pytest.mark.django_db(transaction=True)
@postgresql_only
def test_workers_read_the_docket_as_it_was_when_verify_began(world, monkeypatch):
    """The sealer runs while verify starts its workers: for the workers, the events it seals are
    still unsealed, as they were when the parent read the seals (one snapshot for all), and what is
    appended meanwhile does not exist yet."""
    widget_with_history(world)
    docket.seal_pending()
    widget_with_history(world)  # unsealed: the second range
    before = DocketEvent.objects.count()
    run_pool = docket_verify._pg_pool

    def sealed_meanwhile(params, ranges, snapshot):
        assert len(ranges) == 2
        assert docket.seal_pending() is not None  # committed: no transaction is open
        widget_with_history(world)
        return run_pool(params, ranges, snapshot)

    monkeypatch.setattr(docket_verify, "_pg_pool", sealed_meanwhile)
    report = docket_verify.verify(workers=2)
    assert report.ok, report.broken
    assert (report.events, report.seals, report.unsealed) == (before, 1, 4)
    monkeypatch.undo()
    report = docket_verify.verify(workers=2)
    assert report.ok, report.broken
    assert (report.events, report.seals, report.unsealed) == (before + 4, 2, 4)


# -- pieces ---------------------------------------------------------------------------------------


def test_uncopy_undoes_every_copy_escape():
    assert verify_copy._uncopy(b"\\N") is None
    assert verify_copy._uncopy(b"plain") == b"plain"
    assert verify_copy._uncopy(b"a\\tb\\nc\\rd\\\\e\\bf\\fg\\vh") == b"a\tb\nc\rd\\e\bf\fg\vh"
    assert verify_copy._uncopy(b"\\x") == b"x"


def test_compact_keeps_every_value():
    texts = [
        b'{"a": "x: y, z", "b": [1, 2.50, {"c": ": "}], "d": {}}',
        b'[": ", ", ", " ", {"k": "v"}]',
        b"{}",
        b'"a string, with: spaces"',
    ]
    compact = verify_copy._compact(texts)
    assert compact is not None
    assert [json.loads(c) for c in compact] == [json.loads(t) for t in texts]
    assert compact[0] == b'{"a":"x: y, z","b":[1,2.50,{"c":": "}],"d":{}}'


@pytest.mark.django_db
def test_command_takes_a_number_of_workers(world):
    widget_with_history(world)
    out = StringIO()
    call_command("docket_verify", "--workers", "1", stdout=out)
    assert "校验通过" in out.getvalue()
    lift("core_docketevent")
    sql("UPDATE core_docketevent SET comment = 'x' WHERE id = (SELECT max(id) FROM core_docketevent)")
    assert "篡改" in verify_failure()
