"""The projects app's minimal register moves into the security register (security 0003, projects 0015):
the migration functions run on the historical models, against the old table made again for the test.
Every row is copied with its docket create event (docket_verify holds), a second run adds nothing, an
entry the register already had gets what the row adds as an edit event, and the reverse puts the rows
back into the old table."""

from __future__ import annotations

import datetime as dt
from importlib import import_module
from typing import Any

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from infogov.core.docket.verify import verify
from infogov.core.models import DocketEvent
from infogov.projects.models import Project
from infogov.security.models import InformationSystem
from tests.conftest import World, fresh
from tests.projects.conftest import fiscal_fields

from .conftest import register

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.article(30)]

COPY = import_module("infogov.security.migrations.0003_register_from_projects")
MOVE = import_module("infogov.projects.migrations.0015_systems_move_to_security_register")


class _Editor:
    """What the migration functions use of a schema editor."""

    def __init__(self) -> None:
        self.connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with connection.cursor() as cur:
            cur.execute(sql, params)


@pytest.fixture
def old_table() -> Any:
    """The historical apps at security 0003 (projects at 0014: its InformationSystem still there), with
    the old table created for the test and dropped after."""
    state = MigrationLoader(connection).project_state(("security", "0003_register_from_projects"))
    apps = state.apps
    old = apps.get_model("projects", "InformationSystem")
    with connection.schema_editor() as editor:
        editor.create_model(old)
    try:
        yield apps
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(old)


def _project(world: World) -> Project:
    from infogov.projects import services

    return services.project_create(user=fresh(world.yongji.dept_user), standards=[], **fiscal_fields())


def test_every_row_is_copied_with_a_create_event_idempotently_and_reversibly(world, old_table):
    apps = old_table
    old = apps.get_model("projects", "InformationSystem")
    land, city = world.yongji, world.city
    project = _project(world)
    rows = [
        old.objects.create(
            name="永吉县智慧养老服务平台",
            owner_id=land.department.pk,
            jurisdiction_id=land.jurisdiction.pk,
            protection_level=3,
            description="养老服务机构监管和居家养老服务",
            source_project_id=project.pk,
            in_service_since=dt.date(2024, 5, 1),
        ),
        old.objects.create(
            name="吉林市协同办公系统",
            owner_id=city.department.pk,
            jurisdiction_id=city.jurisdiction.pk,
            protection_level=2,
            description="公文流转",
        ),
    ]
    # the register already has one of them (registered in the security app, no level yet)
    had = register(land, title="永吉县智慧养老服务平台")
    COPY.copy_systems(apps, _Editor())

    copied = InformationSystem.objects.get(owner=city.department, title="吉林市协同办公系统")
    assert (copied.level, copied.purpose, copied.state) == (2, "公文流转", "registered")
    assert copied.source_project_id is None
    assert copied.reference == f"XT-{copied.created_at.year}-{copied.pk:06d}"
    [create] = DocketEvent.objects.for_case(copied)
    assert create.action == "create" and create.seq == 1 and create.payload["level"] == 2
    assert create.comment == COPY.MIGRATED

    filled = InformationSystem.objects.get(pk=had.pk)
    assert (filled.level, filled.source_project_id) == (3, project.pk)
    assert filled.in_service_since == dt.date(2024, 5, 1) and filled.version == had.version + 1
    edit = DocketEvent.objects.for_case(filled).get(action="edit")
    assert edit.seq == 2 and edit.changes["level"] == {"before": None, "after": 3}
    assert InformationSystem.objects.count() == 2
    assert verify().ok

    # idempotent: a second run finds everything there
    events = DocketEvent.objects.count()
    COPY.copy_systems(apps, _Editor())
    assert InformationSystem.objects.count() == 2 and DocketEvent.objects.count() == events

    # reversible: the old table again from the register (the copied entry and the delivered one)
    old.objects.all().delete()
    MOVE.restore_systems(apps, _Editor())
    back = {(r.owner_id, r.name): r for r in old.objects.all()}
    assert set(back) == {(r.owner_id, r.name) for r in rows}
    again = back[(land.department.pk, "永吉县智慧养老服务平台")]
    assert (again.protection_level, again.source_project_id) == (3, project.pk)
    assert back[(city.department.pk, "吉林市协同办公系统")].description == "公文流转"


def test_nothing_to_copy_writes_nothing(world, old_table):
    events = DocketEvent.objects.count()
    COPY.copy_systems(old_table, _Editor())
    assert not InformationSystem.objects.exists() and DocketEvent.objects.count() == events
