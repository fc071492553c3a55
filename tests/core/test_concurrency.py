"""Two users act on the same case at the same moment: exactly one wins, the other gets a Conflict.

Real threads, each with its own database connection, released together by a barrier. On PostgreSQL
the row lock (select_for_update) serialises them; on SQLite the IMMEDIATE transaction does. Either
way the loser must see that the case changed since it read it (version/state) and get a 409."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from infogov.core.docket import verify as docket_verify
from infogov.core.errors import Conflict
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.permissions import scope_of
from tests.conftest import fresh
from tests.testapp.models import Widget
from tests.testapp.workflows import WORKFLOW

DECISIONS = {"approve", "reject"}


def new_submitted(land, title="并发测试事项") -> Widget:
    w = workflow.create(
        Widget,
        user=land.dept_user,
        title=title,
        jurisdiction=land.jurisdiction,
        owner=land.department,
        budget=Decimal("100000"),
        has_security_plan=True,
    )
    return workflow.fire(w, "submit", user=land.dept_user)


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released at once; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = call()
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def warm(user):
    """A user as a request would load it, with roles and scope read before the race starts."""
    user = fresh(user)
    _ = user.role_set, scope_of(user)
    return user


def assert_one_winner(results: list[Any]) -> Widget:
    winners = [r for r in results if isinstance(r, Widget)]
    losers = [r for r in results if not isinstance(r, Widget)]
    assert len(winners) == 1, results
    assert len(losers) == len(results) - 1
    for exc in losers:
        assert isinstance(exc, Conflict), repr(exc)
        assert exc.status == 409
        # the loser waited for the winner and then saw the case had changed (the version check), not a
        # lock error or a failed concurrent save relabelled as a conflict
        assert exc.__context__ is None, repr(exc.__context__)
    return winners[0]


def assert_decided_once(case: Widget, winner: Widget) -> None:
    case = Widget.objects.get(pk=case.pk)
    assert (case.state, case.version) == (winner.state, 2)
    evs = list(DocketEvent.objects.for_case(case).order_by("seq"))
    assert [e.seq for e in evs] == [1, 2, 3]
    decisions = [e for e in evs if e.action in DECISIONS]
    assert len(decisions) == 1
    assert decisions[0].to_state == case.state
    [duty] = Obligation.objects.for_case(case)
    assert duty.fulfilled_by_id == decisions[0].pk
    report = docket_verify.verify()
    assert report.ok, report.broken


ROUNDS = 3  # races per test: each round a fresh case, the world built once (truncating it is slow on PG)

TX = pytest.mark.django_db(transaction=True)
pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]


@TX
def test_approve_and_reject_at_once_one_wins(world):
    a, b = warm(world.yongji.authority_user), warm(world.yongji.leader)
    for _ in range(ROUNDS):
        case = new_submitted(world.yongji)
        copy_a, copy_b = Widget.objects.get(pk=case.pk), Widget.objects.get(pk=case.pk)
        results = race(
            lambda copy_a=copy_a: workflow.fire(copy_a, "approve", user=a, comment="同意"),
            lambda copy_b=copy_b: workflow.fire(copy_b, "reject", user=b, comment="不同意"),
        )
        winner = assert_one_winner(results)
        assert winner.state in {"approved", "rejected"}
        assert_decided_once(case, winner)
    assert Obligation.objects.filter(fulfilled_by__isnull=False).count() == ROUNDS


@TX
def test_the_same_approve_twice_one_wins(world):
    a, b = warm(world.yongji.authority_user), warm(world.yongji.leader)  # both of the county's authority
    for _ in range(ROUNDS):
        case = new_submitted(world.yongji)
        copy_a, copy_b = Widget.objects.get(pk=case.pk), Widget.objects.get(pk=case.pk)
        results = race(
            lambda copy_a=copy_a: workflow.fire(copy_a, "approve", user=a),
            lambda copy_b=copy_b: workflow.fire(copy_b, "approve", user=b),
        )
        winner = assert_one_winner(results)
        assert winner.state == "approved"
        assert_decided_once(case, winner)
    assert Obligation.objects.filter(fulfilled_by__isnull=False).count() == ROUNDS


@TX
def test_the_loser_waits_for_the_winners_lock_then_sees_the_change(world, monkeypatch):
    """The winner holds the case while a slow effect runs: the loser must block on the lock (not
    read the old version and race ahead), then get the Conflict."""
    approve = WORKFLOW.transitions["approve"]
    hold = 0.4

    calls = []

    def slow(case, step):
        calls.append(step.user.username)
        time.sleep(hold)

    monkeypatch.setitem(WORKFLOW.transitions, "approve", dataclasses.replace(approve, effects=(slow,)))
    case = new_submitted(world.yongji)
    a, b = warm(world.yongji.authority_user), warm(world.yongji.leader)
    copy_a, copy_b = Widget.objects.get(pk=case.pk), Widget.objects.get(pk=case.pk)
    finished: dict[str, float] = {}

    def timed(tag, call):
        try:
            return call()
        finally:
            finished[tag] = time.monotonic()

    start = time.monotonic()
    results = race(
        lambda: timed("a", lambda: workflow.fire(copy_a, "approve", user=a)),
        lambda: timed("b", lambda: workflow.fire(copy_b, "approve", user=b)),
    )
    winner = assert_one_winner(results)
    assert_decided_once(case, winner)
    loser = "b" if isinstance(results[0], Widget) else "a"
    assert finished[loser] - start >= hold * 0.9  # it waited for the winner's transaction
    assert len(calls) == 1  # the loser never got past the lock and version check into the effects


@TX
def test_four_users_at_once_one_wins(world):
    case = new_submitted(world.yongji)
    from infogov.org.choices import Role
    from tests.factories import make_user

    # four people of the county's own authority (本级, 第四条第二款): each may decide, one does
    users = [
        warm(u)
        for u in (
            world.yongji.authority_user,
            world.yongji.leader,
            make_user("yongji_staff_2", world.yongji.authority, Role.AUTHORITY_STAFF),
            make_user("yongji_leader_2", world.yongji.authority, Role.AUTHORITY_LEADER),
        )
    ]
    copies = [Widget.objects.get(pk=case.pk) for _ in users]
    names = ["approve", "reject", "approve", "reject"]
    results = race(
        *[
            (lambda c=c, u=u, n=n: workflow.fire(c, n, user=u, comment="意见"))
            for c, u, n in zip(copies, users, names, strict=True)
        ]
    )
    winner = assert_one_winner(results)
    assert_decided_once(case, winner)


@TX
def test_steps_on_different_cases_do_not_conflict(world):
    """The lock is per case: two authorities deciding two different cases both succeed. Also guards
    the setup itself: what the threads wrote is seen here (threads on private in-memory databases
    would make the races above pass vacuously)."""
    one, two = new_submitted(world.yongji, "事项一"), new_submitted(world.jiaohe, "事项二")
    a, b = warm(world.yongji.authority_user), warm(world.jiaohe.authority_user)
    results = race(
        lambda: workflow.fire(one, "approve", user=a),
        lambda: workflow.fire(two, "reject", user=b, comment="退回"),
    )
    assert [getattr(r, "state", r) for r in results] == ["approved", "rejected"]
    assert [Widget.objects.get(pk=w.pk).state for w in (one, two)] == ["approved", "rejected"]
    assert Obligation.objects.open().count() == 0
    assert docket_verify.verify().ok
    if connection.vendor == "sqlite":
        assert "memory" not in str(connection.settings_dict["NAME"])


# -- stale reads, sequentially -------------------------------------------------------------------------


def test_a_stale_read_is_a_conflict(world):
    case = new_submitted(world.yongji)
    seen_by_b = Widget.objects.get(pk=case.pk)  # B opens the page
    workflow.fire(Widget.objects.get(pk=case.pk), "approve", user=world.yongji.authority_user)  # A approves
    with pytest.raises(Conflict):
        workflow.fire(seen_by_b, "reject", user=world.yongji.leader, comment="不同意")
    with pytest.raises(Conflict):
        workflow.fire(seen_by_b, "approve", user=world.yongji.leader)
    with pytest.raises(Conflict):  # the version B's form carried
        workflow.fire(
            Widget.objects.get(pk=case.pk),
            "reject",
            user=world.yongji.leader,
            comment="x",
            expected_version=seen_by_b.version,
        )
    evs = list(DocketEvent.objects.for_case(case).values_list("action", flat=True))
    assert evs == ["create", "submit", "approve"]


def test_an_edit_in_between_makes_a_step_stale(world):
    case = new_submitted(world.yongji)
    seen = Widget.objects.get(pk=case.pk)
    workflow.edit(
        Widget.objects.get(pk=case.pk), user=world.yongji.authority_user, changes={"description": "补充"}
    )
    with pytest.raises(Conflict):
        workflow.fire(seen, "approve", user=world.yongji.authority_user)
    assert Widget.objects.get(pk=case.pk).state == "submitted"
