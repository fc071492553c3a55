"""第六条第二款, tightened: migration 0002 froze the content of an approved version, but a raw
``UPDATE … SET state = 'draft'`` could still thaw it, and the plan row (level, owner, basis), the
expert opinions and the public comments of an approved version stayed writable. From here on the
database also refuses, whatever the code path (ORM, API, raw SQL through the application's role):

- moving an approved version back (out of 已批准/已公布/已备案/实施中/已被替代, or to an earlier
  one of them: the procedure only goes forward);
- changing its reference, review round or creation time, or a procedure record once set
  (publication, filing, entry into force, supersession — write-once);
- changing or deleting the plan (level, owner, jurisdiction, basis, title) once a version of it is
  approved;
- adding, changing or deleting expert opinions and public comments of an approved version (the
  record of the consultation and the expert review on which the approval rests).
"""

import importlib

from django.db import migrations, models

M2 = importlib.import_module("infogov.planning.migrations.0002_approved_versions_immutable")

FROZEN = M2.FROZEN
MESSAGE = M2.MESSAGE
CONTENT = (*M2.CONTENT, "reference", "review_round", "created_at")
WRITE_ONCE = ("published_at", "filed_at", "filed_with_id", "in_force_at", "superseded_at")
NEW_CHILDREN = ("planning_expertopinion", "planning_publiccomment")
RANK = (
    "CASE {}.state WHEN 'approved' THEN 1 WHEN 'published' THEN 2 WHEN 'filed' THEN 3 "
    "WHEN 'in_force' THEN 4 WHEN 'superseded' THEN 5 ELSE 0 END"
)


def _refused(differs: str) -> str:
    """The condition (on OLD, a frozen row, and NEW) under which an UPDATE is refused."""
    parts = [f"({RANK.format('NEW')}) < ({RANK.format('OLD')})"]
    parts += [differs.format(c) for c in CONTENT]
    parts += [f"(OLD.{c} IS NOT NULL AND {differs.format(c)})" for c in WRITE_ONCE]
    parts.append(f"(OLD.filed_at IS NOT NULL AND {differs.format('filing_number')})")
    return " OR ".join(parts)


SQLITE_VERSION = f"""
    CREATE TRIGGER planning_version_immutable_update BEFORE UPDATE ON planning_planversion
    FOR EACH ROW WHEN OLD.state IN {FROZEN} AND ({_refused("NEW.{0} IS NOT OLD.{0}")})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""
SQLITE_PLAN_FROZEN = f"EXISTS (SELECT 1 FROM planning_planversion WHERE plan_id = OLD.id AND state IN {FROZEN})"
SQLITE_FORWARD = [
    "DROP TRIGGER IF EXISTS planning_version_immutable_update",
    SQLITE_VERSION,  # SQLITE_FORWARD[2:] are the triggers new in this migration
    f"""
    CREATE TRIGGER planning_plan_immutable_update BEFORE UPDATE ON planning_plan
    FOR EACH ROW WHEN {SQLITE_PLAN_FROZEN}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER planning_plan_immutable_delete BEFORE DELETE ON planning_plan
    FOR EACH ROW WHEN {SQLITE_PLAN_FROZEN}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
for table in NEW_CHILDREN:
    state_of = "(SELECT state FROM planning_planversion WHERE id = {}.version_id)"
    SQLITE_FORWARD += [
        f"""
        CREATE TRIGGER {table}_immutable_insert BEFORE INSERT ON {table}
        FOR EACH ROW WHEN {state_of.format("NEW")} IN {FROZEN}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
        """,
        f"""
        CREATE TRIGGER {table}_immutable_update BEFORE UPDATE ON {table}
        FOR EACH ROW WHEN {state_of.format("OLD")} IN {FROZEN} OR {state_of.format("NEW")} IN {FROZEN}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
        """,
        f"""
        CREATE TRIGGER {table}_immutable_delete BEFORE DELETE ON {table}
        FOR EACH ROW WHEN {state_of.format("OLD")} IN {FROZEN}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
        """,
    ]
# Everything planning puts on SQLite after this migration, and how to lift all of it.
SQLITE_ALL = [SQLITE_VERSION, *M2.SQLITE_FORWARD[1:], *SQLITE_FORWARD[2:]]
SQLITE_LIFT = [
    *M2.SQLITE_REVERSE,
    "DROP TRIGGER IF EXISTS planning_plan_immutable_update",
    "DROP TRIGGER IF EXISTS planning_plan_immutable_delete",
    *(f"DROP TRIGGER IF EXISTS {t}_immutable_{op}" for t in NEW_CHILDREN for op in ("insert", "update", "delete")),
]

POSTGRES_VERSION = f"""
    CREATE OR REPLACE FUNCTION planning_version_immutable() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.state IN {FROZEN} THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'P0001';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.state IN {FROZEN} AND ({_refused("NEW.{0} IS DISTINCT FROM OLD.{0}")}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
"""
POSTGRES_FORWARD = [
    POSTGRES_VERSION,
    f"""
    CREATE OR REPLACE FUNCTION planning_plan_immutable() RETURNS trigger AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM planning_planversion WHERE plan_id = OLD.id AND state IN {FROZEN}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'P0001';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER planning_plan_immutable BEFORE UPDATE OR DELETE ON planning_plan
    FOR EACH ROW EXECUTE FUNCTION planning_plan_immutable();
    """,
    *(
        f"""
        CREATE TRIGGER {table}_immutable BEFORE INSERT OR UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION planning_child_immutable();
        """
        for table in NEW_CHILDREN
    ),
]
POSTGRES_REVERSE = [
    M2.POSTGRES_FORWARD[0],  # the function of 0002
    "DROP TRIGGER IF EXISTS planning_plan_immutable ON planning_plan",
    "DROP FUNCTION IF EXISTS planning_plan_immutable()",
    *(f"DROP TRIGGER IF EXISTS {t}_immutable ON {t}" for t in NEW_CHILDREN),
]


FROZEN_STATES = ("approved", "published", "filed", "in_force", "superseded")


def _sqlite_only(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for sql in statements:
                schema_editor.execute(sql)

    return run


lift_sqlite = _sqlite_only(SQLITE_LIFT)
restore_sqlite_0002 = _sqlite_only(M2.SQLITE_FORWARD)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial"), ("planning", "0002_approved_versions_immutable")]

    operations = [
        # SQLite: lift the triggers of 0002 before the table rebuilds (put back on the way down).
        migrations.RunPython(lift_sqlite, restore_sqlite_0002),
        migrations.AddConstraint(
            model_name="planversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("state__in", FROZEN_STATES), _negated=True),
                    ("approved_at__isnull", False),
                    _connector="OR",
                ),
                name="planversion_frozen_is_approved",
            ),
        ),
        migrations.AddConstraint(
            model_name="planversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("level__in", ("city", "local")),
                        ("state__in", ("published", "filed", "in_force", "superseded")),
                        _negated=True,
                    ),
                    ("published_at__isnull", False),
                    _connector="OR",
                ),
                name="planversion_public_plan_published",
            ),
        ),
        migrations.AddConstraint(
            model_name="planversion",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("level__in", ("local", "special")),
                        ("state__in", ("filed", "in_force", "superseded")),
                        _negated=True,
                    ),
                    ("filed_at__isnull", False),
                    _connector="OR",
                ),
                name="planversion_in_force_is_filed",
            ),
        ),
        # The full set of triggers, tightened (on the way down: all lifted, for the rebuilds).
        migrations.RunPython(
            M2._run({"sqlite": SQLITE_ALL, "postgresql": POSTGRES_FORWARD}),
            M2._run({"sqlite": SQLITE_LIFT, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
