"""The database triggers the migrations create are all there after every migration has run, on both
databases. They hold the law in the database (the docket and the audit log append-only, approved plans
frozen — 第五条、第六条) and keep the duplicate-detection index current (第六条). A later migration that
makes SQLite rebuild a table (Django does for a NOT NULL column added to it) drops that table's
triggers silently: this is the test that says so."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

APPEND_ONLY = ("core_auditevent", "core_docketevent", "core_docketseal", "core_docketsealentry")
# planning: what was approved or said on the record does not change — (table, trigger name, guarded ops)
FROZEN = (
    ("planning_expertopinion", "planning_expertopinion", ("insert", "update", "delete")),
    ("planning_plan", "planning_plan", ("update", "delete")),
    ("planning_plangoal", "planning_plangoal", ("insert", "update", "delete")),
    ("planning_plantask", "planning_plantask", ("insert", "update", "delete")),
    ("planning_publiccomment", "planning_publiccomment", ("insert", "update", "delete")),
    ("planning_planversion", "planning_version", ("update", "delete")),
)
# projects: the duplicate-detection index's queue (the same names on both databases)
SIMILARITY = {
    (table, f"similarity_{name}_{op}")
    for table, name in (("projects_project", "project"), ("security_informationsystem", "register"))
    for op in ("insert", "update", "delete")
}


def expected(vendor: str) -> set[tuple[str, str]]:
    """SQLite has one trigger per guarded operation; PostgreSQL one per table (a trigger function)."""
    if vendor == "sqlite":
        guards = {(t, f"{t}_no_{op}") for t in APPEND_ONLY for op in ("update", "delete")}
        guards |= {(t, f"{name}_immutable_{op}") for t, name, ops in FROZEN for op in ops}
    else:
        guards = {(t, f"{t}_append_only") for t in APPEND_ONLY}
        guards |= {(t, f"{name}_immutable") for t, name, _ops in FROZEN}
    return guards | SIMILARITY


def triggers() -> set[tuple[str, str]]:
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cur.execute(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal"
            )
        return set(cur.fetchall())


def test_every_trigger_the_migrations_create_is_there():
    missing = expected(connection.vendor) - triggers()
    assert not missing, (
        f"triggers dropped by a later migration (a table rebuilt on SQLite?): {sorted(missing)}"
    )
