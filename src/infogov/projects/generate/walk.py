"""One project's history as it is generated: its clock, its state, its docket and the rows it adds.

Every event of a step is taken from the workflow's declaration (workflows.PROJECT_WORKFLOW, via
datagen.docket.declared): its name, label, citation, the states it may be taken in and the state it
leads to; the duties it opens and closes are the declaration's Duty objects (code, title, article,
due date). The generator does not go through workflow.fire() (it writes millions of events with
COPY), but it cannot take a step the workflow does not declare from the current state. The guard
rules (which read the database) are not evaluated: the stages take each step where the guards would
let it (progress and payments during construction, the acceptance filing after acceptance …)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from infogov.datagen import obligations
from infogov.datagen.docket import Actor, Chain, declared
from infogov.datagen.sink import Sink
from infogov.datagen.spec import TZ_SHANGHAI, UTC
from infogov.datagen.world import World

from ..choices import ProjectState as S
from ..workflows import PLAN_WORKFLOW, PROJECT_WORKFLOW

END = dt.datetime(2025, 12, 31, 8, 0, tzinfo=UTC)
SH = TZ_SHANGHAI


def project_step(name: str) -> Any:
    return declared(PROJECT_WORKFLOW, name)


def plan_step(name: str) -> Any:
    return declared(PLAN_WORKFLOW, name)


def at_office_hours(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment in office hours (Beijing time) of `day`, in UTC."""
    secs = rng.randint(8 * 3600 + 1800, 17 * 3600 + 1800)
    local = dt.datetime.combine(day, dt.time(), tzinfo=SH) + dt.timedelta(
        seconds=secs, microseconds=rng.randint(0, 999_999)
    )
    return local.astimezone(UTC)


def pick_user(world: World, org_id: int, roles: tuple[str, ...], rng: random.Random) -> Actor:
    staff = [(u, n) for u, n, r in world.orgs[org_id].users if r in roles]
    u, n = rng.choice(staff)
    return u, n, org_id


class Rows:
    """Rows per table, flushed to the sink in batches (projects first: the other rows refer to them)."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}

    def add(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        entry = self.tables.get(table)
        if entry is None:
            entry = self.tables[table] = (columns, [])
        entry[1].append(row)
        if len(entry[1]) >= 20_000:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        names = [table] if table else list(self.tables)
        if "projects_project" in self.tables and "projects_project" not in names:
            names.insert(0, "projects_project")
        names.sort(key=lambda n: n != "projects_project")
        for name in names:
            columns, rows = self.tables[name]
            if rows:
                self.sink.rows(name, columns, rows)
                rows.clear()


@dataclass
class Walk:
    """A project on its way through the workflow: the stages (stages.py) advance it step by step."""

    rng: random.Random
    world: World
    rows: Rows
    chain: Chain
    project: Any  # the Project being built (unsaved; written as a row at the end)
    case: tuple[int, int, int]  # (case type id, project id, jurisdiction id)
    owner_id: int
    authority: int
    owner_staff: Actor
    auth_staff: Actor
    t: dt.datetime
    fiscal: bool
    budget: Decimal  # as registered (the contract is drawn from it)
    contract: Decimal  # the budget until procurement sets the contract amount
    state: str = S.DRAFT
    version: int = 0
    last: Any = None  # the last step taken
    obligations: list[list[Any]] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.case[1]

    @property
    def day(self) -> dt.date:
        return self.t.astimezone(SH).date()

    def wait(self, days: tuple[int, int], stall: float = 0.015) -> bool:
        """The pause before the next step; False when the project stalls or the decade ends first."""
        if self.rng.random() < stall:
            return False
        nt = at_office_hours(self.rng, self.day + dt.timedelta(days=self.rng.randint(*days)))
        if nt >= END:
            return False
        self.t = nt
        return True

    def take(
        self,
        name: str,
        actor: Actor,
        comment: str = "",
        payload: dict[str, Any] | None = None,
        changes: dict[str, Any] | None = None,
    ) -> int:
        """The event of the declared step `name` from the current state; returns its seq."""
        step = project_step(name)
        seq, self.state = self.chain.step(self.t, actor, step, self.state, comment, payload, changes)
        if getattr(step, "touch", True):  # a Transition always moves the version; a Record as declared
            self.version += 1
        self.last = step
        return seq

    def oblige(self, code: str, owed_by: int, owed_to: int, seq: int) -> list[Any]:
        """Stage the duty `code` the last step opens (its declaration: title, article, due date)."""
        duty = next((d for d in self.last.opens if d.code == code), None)
        if duty is None:
            raise ValueError(f"step {self.last.name} does not open the duty {code}")
        due = duty.due_date(self.project, self.day)
        row = obligations.stage_row(self.case, duty, owed_by, owed_to, due, self.t, seq)
        self.obligations.append(row)
        return row

    def fulfil(self, row: list[Any] | None, seq: int) -> None:
        """The last step fulfils the staged duty `row` (it must declare that it closes it)."""
        if row is not None and row[3] not in self.last.closes:
            raise ValueError(f"step {self.last.name} does not close the duty {row[3]}")
        obligations.fulfil(row, self.t, seq)
