"""Adversarial concurrency and fault tests on PostgreSQL, with real parallel connections (第三十四条:
the docket must stay whole whatever the load or the failure).

- twenty users' decisions on one case at the same moment: exactly one wins, the rest get a 409;
- a thousand obligation fulfilments from ten threads across a hundred cases: none lost, none doubled;
- the database connection killed in the middle of a step (the case is wholly before the step) and
  right after its commit (wholly after it).

Each thread has its own Django connection (Django's connections are per thread), released together by
a barrier as in tests/core/test_concurrency.py. PostgreSQL only: SQLite serialises every writer on
one database lock and has no backend to terminate. Run with ``-s`` to see the figures.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import Error as DjangoDbError
from django.db import connection, connections

from infogov.core.docket import verify as docket_verify
from infogov.core.errors import Conflict
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.obligations import obligation_open
from infogov.core.workflow.permissions import scope_of
from tests.conftest import fresh
from tests.testapp.models import Widget, WidgetInspection
from tests.testapp.workflows import WORKFLOW

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="并发与故障测试需要 PostgreSQL（真实的并行连接与 pg_terminate_backend）："
        "请以 DATABASE_URL=postgres://postgres@127.0.0.1:5432/… 运行",
    ),
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.article(34),
]

DECISIONS = {"approve", "reject"}


def say(text: str) -> None:
    print(f"\n[concurrency] {text}", flush=True)  # the figures, shown with -s


def warm(user):
    """A user as a request would load it, with roles and scope read before the race starts."""
    user = fresh(user)
    _ = user.role_set, scope_of(user)
    return user


def new_widget(land, title: str = "并发测试事项") -> Widget:
    return workflow.create(
        Widget,
        user=land.dept_user,
        title=title,
        jurisdiction=land.jurisdiction,
        owner=land.department,
        budget=Decimal("100000"),
        has_security_plan=True,
    )


def new_submitted(land, title: str = "并发测试事项") -> Widget:
    return workflow.fire(new_widget(land, title), "submit", user=land.dept_user)


def race(*calls: Callable[[], Any], timeout: float = 120) -> list[Any]:
    """Run the calls in threads released at once; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = call()
        except BaseException as exc:
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=timeout)
    assert not any(t.is_alive() for t in threads), "a thread hung"
    return results


def verified() -> None:
    report = docket_verify.verify()
    assert report.ok, report.broken


# -- 1. twenty decisions on one case at the same moment ---------------------------------------------


ROUNDS = 2  # each round a fresh case; the world is built once (truncating it is slow on PostgreSQL)
RACERS = 20


def test_twenty_simultaneous_decisions_on_one_case_exactly_one_wins(world):
    """Twenty connections fire approve or reject (mixed) on the same submitted Widget as the county's
    competent authority, released by one barrier: one decision is recorded, nineteen get a 409."""
    user = warm(world.yongji.authority_user)
    for round_ in range(ROUNDS):
        case = new_submitted(world.yongji, f"并发决定{round_}")
        copies = [Widget.objects.get(pk=case.pk) for _ in range(RACERS)]
        names = ["approve" if i % 2 == 0 else "reject" for i in range(RACERS)]
        start = time.monotonic()
        results = race(
            *[
                (lambda c=c, n=n: workflow.fire(c, n, user=user, comment="并发意见"))
                for c, n in zip(copies, names, strict=True)
            ]
        )
        took = time.monotonic() - start
        winners = [r for r in results if isinstance(r, Widget)]
        conflicts = [r for r in results if isinstance(r, Conflict)]
        other = [r for r in results if not isinstance(r, Widget | Conflict)]
        figures = (
            f"round {round_}: {RACERS} racers, winners={len(winners)}, conflicts={len(conflicts)}, "
            f"other={len(other)} ({took:.2f}s)"
        )
        say(figures)
        assert len(winners) == 1, f"{figures}: {results!r}"
        assert len(conflicts) == RACERS - 1 and not other, f"{figures}: {other!r}"
        assert all(exc.status == 409 and exc.article == "第九条第二款" for exc in conflicts), figures

        winner = winners[0]
        stored = Widget.objects.get(pk=case.pk)
        assert (stored.state, stored.version) == (winner.state, 2), figures
        evs = list(DocketEvent.objects.for_case(case).order_by("seq"))
        assert [e.action for e in evs][:2] == ["create", "submit"]
        decisions = [e for e in evs if e.action in DECISIONS]
        assert len(evs) == 3 and len(decisions) == 1, f"{figures}: {[e.action for e in evs]}"
        assert decisions[0].to_state == stored.state
        [duty] = Obligation.objects.for_case(case)
        assert duty.fulfilled_by_id == decisions[0].pk
    verified()


# -- 2. a thousand fulfilments across a hundred cases -----------------------------------------------


CODES = 10  # obligations per case, one code per thread
WORKERS = 10


@pytest.mark.parametrize(
    ("cases_n", "passes"),
    [
        pytest.param(100, 1, id="1000-obligations-over-100-cases"),
        pytest.param(4, 25, id="1000-steps-on-4-cases"),
    ],
)
def test_a_thousand_simultaneous_fulfilments_across_cases_none_lost(world, monkeypatch, cases_n, passes):
    """Open obligations (cases_n Widgets × 10 codes, opened with obligation_open) fulfilled through the
    engine's own fulfil path from 10 threads at once: each fulfilment is one workflow.fire of a Record
    step (`inspect`, patched to take no input, create nothing, open nothing and keep the version, as
    the planning and projects workflows' touch=False records do) whose effect closes one code
    (StepContext.closing), so each is a locked step with its docket event and the engine's one-UPDATE
    obligations_fulfil. Thread k closes code k on every case, the cases shuffled per thread, so the
    threads keep colliding on the same cases' row locks and docket chains.

    - 100 cases, one pass: 1,000 obligations, each fulfilled by the one step that closes it.
    - 4 cases, 25 passes: 1,000 steps on 4 cases (40 obligations; after the first pass each step finds
      its duty already fulfilled and must not fulfil it again). This density is what showed a step that
      keeps the version getting a spurious 409 when the tail read with its row lock was one event short
      (engine._lock); no step here may get a Conflict: none changes the version.
    Not 1,000 full decision steps (a case decides once), but 1,000 engine steps each time."""
    inspect = WORKFLOW.records["inspect"]
    closing = threading.local()

    def close_my_code(case, step):
        step.closing.append(closing.code)

    monkeypatch.setitem(
        WORKFLOW.records,
        "inspect",
        dataclasses.replace(
            inspect,
            states=(),
            payload=None,
            act_date="",
            guards=(),
            creates=None,
            opens=(),
            touch=False,
            effects=(close_my_code,),
        ),
    )
    codes = [f"load-{k}" for k in range(CODES)]
    land = world.yongji
    cases = [new_widget(land, f"履行{i}") for i in range(cases_n)]
    due = dt.date.today() + dt.timedelta(days=30)
    for case in cases:
        for code in codes:
            obligation_open(
                case=case,
                code=code,
                title="并发履行测试义务",
                citation="第九条第二款",
                owed_by=land.authority,
                owed_to=land.department,
                due_date=due,
            )
    obligations_n, steps_n = cases_n * CODES, cases_n * CODES * passes
    assert Obligation.objects.open().filter(code__in=codes).count() == obligations_n
    user = warm(land.authority_user)

    def worker(k: int) -> int:
        closing.code = codes[k]
        rnd = random.Random(k)
        done = 0
        for _ in range(passes):
            order = list(cases)
            rnd.shuffle(order)
            for case in order:
                workflow.fire(Widget.objects.get(pk=case.pk), "inspect", user=user, comment=codes[k])
                done += 1
        return done

    start = time.monotonic()
    results = race(*[(lambda k=k: worker(k)) for k in range(WORKERS)], timeout=300)
    took = time.monotonic() - start
    errors = [r for r in results if not isinstance(r, int)]

    ours = Obligation.objects.filter(code__in=codes)
    fulfilled = ours.filter(fulfilled_at__isnull=False, fulfilled_by__isnull=False).count()
    events = DocketEvent.objects.filter(action="inspect")
    per_event = Counter(ours.values_list("fulfilled_by_id", flat=True))
    figures = (
        f"{obligations_n} obligations over {cases_n} cases, {steps_n} steps from {WORKERS} threads in "
        f"{took:.1f}s: steps done={sum(r for r in results if isinstance(r, int))}, fulfilled={fulfilled}, "
        f"still open={ours.filter(fulfilled_at__isnull=True).count()}, events={events.count()}, "
        f"conflicts={sum(isinstance(r, Conflict) for r in results)}, errors={len(errors)}"
    )
    say(figures)
    assert not errors, f"{figures}: {errors[:3]!r}"
    assert fulfilled == ours.count() == obligations_n, figures
    assert events.count() == steps_n, figures
    assert set(per_event.values()) == {1}, f"{figures}: an event fulfilled more than one obligation"
    # each obligation was fulfilled by a step on its own case whose comment names its code, in the
    # first pass: the first step on that case closing that code
    by_event = {e.pk: e for e in events}
    for ob in ours:
        ev = by_event[ob.fulfilled_by_id]
        assert (ev.case_type_id, ev.case_id, ev.comment) == (ob.case_type_id, ob.case_id, ob.code)
        assert ob.fulfilled_at == ev.at
        first = events.filter(case_type=ev.case_type_id, case_id=ev.case_id, comment=ob.code)
        assert ev.seq == min(first.values_list("seq", flat=True))
    # every case's chain holds its create event and its steps, in an unbroken sequence
    for case in cases[:: max(1, cases_n // 10)]:
        seqs = list(DocketEvent.objects.for_case(case).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, CODES * passes + 2)), f"case {case.pk}: {seqs[:5]}…"
    verified()


# -- 3. the connection killed in the middle of a step, and right after its commit -------------------


def _snapshot(case: Widget) -> tuple[Any, ...]:
    stored = Widget.objects.get(pk=case.pk)
    return (
        stored.state,
        stored.version,
        stored.description,
        DocketEvent.objects.for_case(case).count(),
        Obligation.objects.for_case(case).count(),
        Obligation.objects.for_case(case).open().count(),
        WidgetInspection.objects.filter(widget=case).count(),
    )


def _terminate(pid: int) -> None:
    """pg_terminate_backend(pid) from the main thread's connection, then wait until it is gone."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", [pid])
        assert cur.fetchone()[0] is True
        deadline = time.monotonic() + 10
        while True:
            cur.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if cur.fetchone()[0] == 0:
                return
            assert time.monotonic() < deadline, f"backend {pid} did not exit"
            time.sleep(0.02)


class _Killable:
    """A thread that fires one step on its own connection, pausing where the test says."""

    def __init__(self, call: Callable[[], Any], *, after: Callable[[], Any] | None = None) -> None:
        self.pid: int | None = None
        self.paused = threading.Event()
        self.release = threading.Event()
        self.result: Any = None
        self.error: BaseException | None = None
        self.after_error: BaseException | None = None
        self._call, self._after = call, after
        self.thread = threading.Thread(target=self._run)

    def pause(self) -> None:
        """Called on the thread: say where it is, then wait for the main thread."""
        self.paused.set()
        assert self.release.wait(timeout=30), "never released"

    def _run(self) -> None:
        try:
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                self.pid = cur.fetchone()[0]
            try:
                self.result = self._call()
            except BaseException as exc:
                self.error = exc
                return
            if self._after is not None:
                try:
                    self._after()
                except BaseException as exc:
                    self.after_error = exc
        finally:
            self.paused.set()
            connections.close_all()

    def run_and_kill(self) -> None:
        self.thread.start()
        assert self.paused.wait(timeout=30), "the step never reached the pause"
        assert self.thread.is_alive() and self.error is None, f"the step ended early: {self.error!r}"
        assert self.pid is not None
        _terminate(self.pid)
        self.release.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive(), "the thread hung after the kill"


def test_connection_killed_mid_step_leaves_the_case_wholly_before_it(world, monkeypatch):
    """approve's effect writes (an inspection row, a changed description) and then waits; the backend
    is terminated; the step fails with a database error and nothing of it is left: same state and
    version, no new docket event, no new record, the duty still open."""
    land = world.yongji
    case = new_submitted(land, "断连事项")
    before = _snapshot(case)
    user = warm(land.authority_user)
    holder: list[_Killable] = []

    def write_then_wait(case, step):
        step.create(
            WidgetInspection,
            widget=case,
            checked_on=dt.date.today(),
            finding="断连前写入",
            severity="一般",
            recorded_by=step.user,
        )
        case.description = "断连前修改"
        holder[0].pause()

    approve = WORKFLOW.transitions["approve"]
    monkeypatch.setitem(
        WORKFLOW.transitions, "approve", dataclasses.replace(approve, effects=(write_then_wait,))
    )
    killable = _Killable(lambda: workflow.fire(Widget.objects.get(pk=case.pk), "approve", user=user))
    holder.append(killable)
    killable.run_and_kill()

    say(f"killed mid-step: pid={killable.pid}, error={killable.error!r}")
    assert killable.result is None, "the step reported success on a dead connection"
    assert isinstance(killable.error, DjangoDbError), repr(killable.error)
    assert not isinstance(killable.error, Conflict)  # not mislabelled as another user's win
    assert _snapshot(case) == before == ("submitted", 1, "", 2, 1, 1, 0)
    verified()
    # and the case is not wedged: the next approval goes through
    done = workflow.fire(Widget.objects.get(pk=case.pk), "approve", user=user)
    assert (done.state, done.version) == ("approved", 2)
    verified()


def test_connection_killed_right_after_commit_leaves_the_case_wholly_after_it(world):
    """The step commits, then the thread's connection is terminated before it does anything else:
    the approval stands in full (state, version, docket event, duty fulfilled), the thread's next
    query fails, the docket verifies."""
    land = world.yongji
    case = new_submitted(land, "提交后断连")
    user = warm(land.authority_user)
    holder: list[_Killable] = []

    def next_query() -> None:
        holder[0].pause()
        with connection.cursor() as cur:
            cur.execute("SELECT 1")

    killable = _Killable(
        lambda: workflow.fire(Widget.objects.get(pk=case.pk), "approve", user=user, comment="同意"),
        after=next_query,
    )
    holder.append(killable)
    killable.run_and_kill()

    say(f"killed after commit: pid={killable.pid}, next query error={killable.after_error!r}")
    assert killable.error is None, repr(killable.error)
    assert isinstance(killable.result, Widget) and killable.result.state == "approved"
    assert isinstance(killable.after_error, DjangoDbError), repr(killable.after_error)
    assert _snapshot(case) == ("approved", 2, "", 3, 1, 0, 0)
    decision = DocketEvent.objects.for_case(case).order_by("-seq").first()
    assert (decision.action, decision.comment, decision.to_state) == ("approve", "同意", "approved")
    [duty] = Obligation.objects.for_case(case)
    assert duty.fulfilled_by_id == decision.pk and duty.fulfilled_at == decision.at
    verified()
