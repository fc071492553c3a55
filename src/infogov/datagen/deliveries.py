"""Deliveries staged between two app generators. The projects generator walks each project to its
delivery (第三十一条第一款 同步运行) and stages the system it delivers here; the security generator, which
writes the register of information systems, turns the staged deliveries into register entries with
their dockets (opened at the first delivery of a system, an edit for each later one). The apps'
generators, like the apps, do not import each other: this scratch table is what they share.

A system is named by its unit and title; its register key is chosen by the projects generator (the
first project, in its order, that delivers it), so that the project's delivery event names it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection

STAGE = "gen_delivery"
COLUMNS = (
    "system_id",
    "project_id",
    "owner_id",
    "jurisdiction_id",
    "title",
    "level",
    "purpose",
    "delivered_at",
    "actor_id",
    "actor_name",
)


@dataclass(frozen=True)
class Delivery:
    system_id: int
    project_id: int
    owner_id: int
    jurisdiction_id: int
    title: str
    level: int
    purpose: str
    delivered_at: dt.datetime
    actor_id: int
    actor_name: str

    @property
    def actor(self) -> tuple[int, str, int]:
        """As datagen.docket.Chain takes it: (user id, name, organisation id)."""
        return self.actor_id, self.actor_name, self.owner_id


def create_stage() -> None:
    pg = connection.vendor == "postgresql"
    ident, ts = ("bigint", "timestamp with time zone") if pg else ("integer", "datetime")
    text = "text"
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
        cur.execute(
            f"CREATE TABLE {STAGE} (system_id {ident}, project_id {ident}, owner_id {ident}, "
            f"jurisdiction_id {ident}, title {text}, level integer, purpose {text}, delivered_at {ts}, "
            f"actor_id {ident}, actor_name {text})"
        )


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):  # SQLite gives the text back (UTC, as the sink wrote it)
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def staged() -> list[Delivery]:
    """The staged deliveries in time order (none when no generator staged any)."""
    with connection.cursor() as cur:
        if STAGE not in connection.introspection.table_names(cur):
            return []
        cur.execute(f"SELECT {', '.join(COLUMNS)} FROM {STAGE}")
        rows = cur.fetchall()
    found = [Delivery(*r[:7], _aware(r[7]), *r[8:]) for r in rows]  # type: ignore[call-arg]
    return sorted(found, key=lambda d: (d.delivered_at, d.project_id))


def drop_stage() -> None:
    with connection.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {STAGE}")
