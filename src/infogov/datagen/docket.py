"""The generated docket: each case's hash chain built event by event with the digest the docket
writer (core.docket.chain) computes, the events of all workers merged in time order (ids grow with
time, the cases interleaved as in production), then sealed in batches of 50,000 like docket.seal_pending.

On PostgreSQL the events go through per-month text files and COPY, the event table's secondary
indexes and foreign keys dropped for the load and rebuilt after; on SQLite (tests) they stay in
memory and go in with executemany.

Events of declared steps are written with Chain.step(): name, label, citation and target state come
from the step's declaration (core.workflow.steps), never from literals in the app generators."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TextIO

from django.db import connection, transaction

from infogov.core.docket.chain import GENESIS, seal_digest, seal_hash
from infogov.core.docket.verify_base import _ENCODE

from .sink import Sink, copy_text

UTC = dt.UTC
SEAL_BATCH = 50_000  # docket.seal_pending's default batch
CREATE, EDIT = "create", "edit"  # the engine's own events (workflow.create, workflow.edit)

EVENT_COLUMNS = (
    "case_type_id",
    "case_id",
    "jurisdiction_id",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "action_label",
    "from_state",
    "to_state",
    "citation",
    "comment",
    "attachments",
    "payload",
    "changes",
    "prev_hash",
    "hash",
)
_DUMPS = json.JSONEncoder(ensure_ascii=False).encode

Actor = tuple[int, str, int]  # (user id, full name, organisation id)


class DeclaredStep(Protocol):
    """What the generator reads of a workflow step (core.workflow.steps.Transition / Record)."""

    name: str
    label: str
    citation: str

    @property
    def sources(self) -> tuple[str, ...]: ...


def declared(workflow: Any, name: str) -> Any:
    """The step `name` as the workflow declares it (a Transition or a Record)."""
    step = workflow.steps.get(name)
    if step is None:
        raise LookupError(f"{workflow.title}: no step {name!r} is declared")
    return step


def target_of(step: DeclaredStep, state: str) -> str:
    """Where the step leads from `state`: a Transition's target, a Record keeps the state. Refuses a
    step that is not declared for `state` (the generator must follow the declarations)."""
    if step.sources and state not in step.sources:
        raise ValueError(f"step {step.name} is not declared for state {state!r} (only {step.sources})")
    return str(getattr(step, "target", state))


def micros_of(at: dt.datetime) -> int:
    return int(at.timestamp()) * 1_000_000 + at.microsecond


class Chain:
    """The docket of one case, built event by event with the digest record() computes."""

    def __init__(self, out: EventOut, case_type_id: int, case_id: int, jurisdiction_id: int) -> None:
        self.out, self.ct, self.cid, self.jid = out, case_type_id, case_id, jurisdiction_id
        self.seq, self.prev = 0, GENESIS
        self.key = f"{case_type_id}:{case_id}"

    def create(self, at: dt.datetime, actor: Actor | None, workflow: Any, payload: dict[str, Any]) -> int:
        """The opening event, as workflow.create() writes it: into the workflow's initial state."""
        return self.add(at, actor, CREATE, "创建", to_state=workflow.initial, payload=payload)

    def edit(self, at: dt.datetime, actor: Actor | None, state: str, changes: dict[str, Any]) -> int:
        """A change of the case's fields, as workflow.edit() writes it: the state stays."""
        return self.add(at, actor, EDIT, "修改", state, state, changes=changes)

    def step(
        self,
        at: dt.datetime,
        actor: Actor | None,
        step: DeclaredStep,
        state: str,
        comment: str = "",
        payload: dict[str, Any] | None = None,
        changes: dict[str, Any] | None = None,
    ) -> tuple[int, str]:
        """The event of a declared step taken in `state`; returns (its seq, the state after it)."""
        target = target_of(step, state)
        seq = self.add(
            at, actor, step.name, step.label, state, target, step.citation, comment, payload, changes
        )
        return seq, target

    def add(
        self,
        at: dt.datetime,
        actor: Actor | None,
        action: str,
        label: str = "",
        from_state: str = "",
        to_state: str = "",
        citation: str = "",
        comment: str = "",
        payload: dict[str, Any] | None = None,
        changes: dict[str, Any] | None = None,
    ) -> int:
        """Append an event. Returns its seq."""
        self.seq += 1
        payload, changes = payload or {}, changes or {}
        attachments: list[Any] = []
        actor_id, actor_name, org_id = actor if actor else (None, "系统", None)
        micros = micros_of(at)
        # what docket.event_digest computes (the same encoder settings, one encoder for all events)
        body = _ENCODE(
            [
                self.key,
                self.seq,
                micros,
                actor_id,
                org_id,
                action,
                from_state,
                to_state,
                citation,
                comment,
                attachments,
                payload,
                changes,
                self.prev,
            ]
        )
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        row: tuple[Any, ...] = (self.ct, self.cid, self.jid, self.seq, at, actor_id, actor_name, org_id)
        row += (
            action,
            label,
            from_state,
            to_state,
            citation,
            comment,
            "[]",
            _DUMPS(payload),
            _DUMPS(changes),
        )
        self.out.event(micros, (*row, self.prev, digest))
        self.prev = digest
        return self.seq


class EventOut:
    """Where a worker's events go before ids are assigned: per-month text files (PostgreSQL) or a list."""

    def __init__(self, directory: Path | None, tag: str, pg: bool) -> None:
        self.dir, self.tag, self.pg = directory, tag, pg
        self.files: dict[int, TextIO] = {}
        self.items: list[tuple[str, tuple[Any, ...]]] = []
        self.count = 0

    def event(self, micros: int, row: tuple[Any, ...]) -> None:
        self.count += 1
        ct, cid, jid, seq, at, actor, name, org, action, label = row[:10]
        fs, ts, cit, comment, att, pay, chg, prev, h = row[10:]
        key = f"{micros:017d}{ct:05d}{cid:012d}{seq:07d}"
        if self.dir is None:
            self.items.append((key, row))
            return
        month = micros // (30 * 86_400_000_000)
        f = self.files.get(month)
        if f is None:
            f = self.files[month] = open(self.dir / f"{month:06d}.{self.tag}", "w", encoding="utf-8")  # noqa: SIM115
        e = copy_text
        f.write(
            f"{key}\t{h}\t{ct}\t{cid}\t{jid}\t{seq}\t{at.astimezone(UTC).isoformat(' ')}\t"
            f"{e(actor)}\t{e(name)}\t"
            f"{e(org)}\t{action}\t{e(label)}\t{fs}\t{ts}\t{cit}\t{e(comment)}\t{e(att)}\t{e(pay)}\t{e(chg)}\t"
            f"{prev}\t{h}\n"
        )

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        self.files = {}


def _merged_events(directory: Path) -> Iterator[tuple[str, str]]:
    """(hash, COPY line without id) of every event file in the directory, in time order."""
    by_month: dict[str, list[Path]] = {}
    for p in directory.iterdir():
        by_month.setdefault(p.name.split(".")[0], []).append(p)
    for month in sorted(by_month):
        lines: list[str] = []
        for p in by_month[month]:
            with open(p, encoding="utf-8") as f:
                lines.extend(f)
        lines.sort()
        for line in lines:
            _key, h, rest = line.split("\t", 2)
            yield h, rest
        for p in by_month[month]:
            p.unlink()


@dataclass
class DocketWriteResult:
    events: int
    seals: int
    first_id: int
    last_id: int


Seal = tuple[int, int, int, str]  # (count, first event id, last event id, digest)


def _docket_tail() -> tuple[int, str]:
    """The next event id and the last seal's hash."""
    cur = connection.cursor()
    cur.execute("SELECT coalesce(max(id), 0) FROM core_docketevent")
    start = cur.fetchone()[0] + 1
    cur.execute("SELECT hash FROM core_docketseal ORDER BY id DESC LIMIT 1")
    row = cur.fetchone()
    return start, row[0] if row else GENESIS


def _drop_constraints(table: str, kinds: str, indexes: bool) -> list[tuple[str, str]]:
    """Drop the table's constraints of `kinds` (and, with `indexes`, its other indexes); returns what
    to run to restore them, in order: ("index", ddl) or (name, constraint definition)."""
    cur = connection.cursor()
    cur.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        f"WHERE conrelid = '{table}'::regclass AND contype IN ({kinds})"
    )
    constraints = cur.fetchall()
    found: list[tuple[str, str]] = []
    if indexes:
        cur.execute(
            f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename = '{table}' "
            f"AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = '{table}'::regclass)"
        )
        found = cur.fetchall()
    for name, _ in constraints:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [("index", ddl) for _, ddl in found] + list(constraints)


def _restore(table: str, dropped: list[tuple[str, str]]) -> None:
    cur = connection.cursor()
    for name, ddl in dropped:
        if name == "index":
            cur.execute(ddl)
    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for name, ddl in dropped:
        if name != "index":
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {ddl}')


def _copy_events(directory: Path, start: int) -> tuple[int, list[Seal]]:
    """COPY the merged events with ids from `start`; the seals' ranges and digests on the way."""
    seals: list[Seal] = []
    eid = start - 1
    digest = hashlib.sha256()
    first_in_seal = start
    with (
        connection.connection.cursor() as pc,
        pc.copy(f"COPY core_docketevent (id, {', '.join(EVENT_COLUMNS)}) FROM STDIN") as cp,
    ):
        buf: list[str] = []
        for h, rest in _merged_events(directory):
            eid += 1
            buf.append(f"{eid}\t{rest}")
            digest.update(h.encode("ascii"))
            if eid - first_in_seal + 1 == SEAL_BATCH:
                seals.append((SEAL_BATCH, first_in_seal, eid, digest.hexdigest()))
                digest, first_in_seal = hashlib.sha256(), eid + 1
            if len(buf) >= 5000:
                cp.write("".join(buf))
                buf = []
        if buf:
            cp.write("".join(buf))
    if eid >= first_in_seal:
        seals.append((eid - first_in_seal + 1, first_in_seal, eid, digest.hexdigest()))
    return eid - start + 1, seals


def write_docket_pg(directory: Path, log: Callable[[str], None]) -> DocketWriteResult:
    """COPY the merged events with ids in time order, then the seals over them, in one transaction;
    the event table's secondary indexes and foreign keys are dropped for the load and rebuilt after."""
    start, prev_seal = _docket_tail()
    t0 = time.perf_counter()
    with transaction.atomic():
        cur = connection.cursor()
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks block the DDL
        dropped = _drop_constraints("core_docketevent", "'f', 'u'", indexes=True)
        n, seals = _copy_events(directory, start)
        log(f"  案卷记录 {n:,} 条写入 {time.perf_counter() - t0:.0f} s")
        t1 = time.perf_counter()
        _restore("core_docketevent", dropped)
        log(f"  案卷记录索引和约束重建 {time.perf_counter() - t1:.0f} s")
        t1 = time.perf_counter()
        entry_fks = _drop_constraints("core_docketsealentry", "'f'", indexes=False)
        _write_seals(seals, prev_seal)
        _restore("core_docketsealentry", entry_fks)
        log(f"  封存批次 {len(seals)} 个 {time.perf_counter() - t1:.0f} s")
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('core_docketevent', 'id'), "
            "(SELECT max(id) FROM core_docketevent))"
        )
    return DocketWriteResult(n, len(seals), start, start + n - 1)


def _write_seals(seals: list[Seal], prev: str) -> None:
    from infogov.core.models import DocketSeal

    cur = connection.cursor()
    at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    for count, first, last, digest in seals:
        h = seal_hash(count=count, first=first, last=last, digest=digest, prev_hash=prev)
        seal = DocketSeal.objects.create(
            at=at,
            count=count,
            first_event_id=first,
            last_event_id=last,
            digest=digest,
            prev_hash=prev,
            hash=h,
        )
        if connection.vendor == "postgresql":
            cur.execute(
                "INSERT INTO core_docketsealentry (event_id, seal_id) "
                "SELECT g, %s FROM generate_series(%s::bigint, %s::bigint) g",
                [seal.pk, first, last],
            )
        else:
            cur.execute(
                "WITH RECURSIVE g(x) AS (SELECT %s UNION ALL SELECT x + 1 FROM g WHERE x < %s) "
                "INSERT INTO core_docketsealentry (event_id, seal_id) SELECT x, %s FROM g",
                [first, last, seal.pk],
            )
        prev = h


def write_docket_generic(items: list[tuple[str, tuple[Any, ...]]]) -> DocketWriteResult:
    """SQLite (tests): sort in memory, assign ids, executemany, seal."""
    start, prev_seal = _docket_tail()
    items.sort(key=lambda kv: kv[0])
    rows = [(start + i, *r) for i, (_, r) in enumerate(items)]
    Sink().rows("core_docketevent", ("id", *EVENT_COLUMNS), rows)
    seals = []
    for k in range(0, len(rows), SEAL_BATCH):
        chunk = rows[k : k + SEAL_BATCH]
        seals.append((len(chunk), chunk[0][0], chunk[-1][0], seal_digest([r[-1] for r in chunk])))
    _write_seals(seals, prev_seal)
    return DocketWriteResult(len(rows), len(seals), start, start + len(rows) - 1)
