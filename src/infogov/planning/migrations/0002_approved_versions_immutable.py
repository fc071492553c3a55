"""第六条第二款 经批准的信息化发展规划不得擅自变更、调整: the database itself refuses to change the
content, goals or tasks of an approved plan version — whatever the code path (ORM, API, raw SQL).

Triggers are chosen by the connection's vendor (SQLite or PostgreSQL). The workflow can still move
an approved version on (published → filed → in force → superseded): state, dates of those steps,
the optimistic-lock counter and the search index are not content.
"""

from django.db import migrations

FROZEN = "('approved', 'published', 'filed', 'in_force', 'superseded')"
CONTENT = (
    "title", "plan_id", "number", "level", "period_start", "period_end", "body", "change_reason", "supersedes_id",
    "jurisdiction_id", "owner_id", "consultation_start", "consultation_end", "consultation_summary",
    "findings", "approved_at", "approval_body_id", "approval_document", "leader_signoff",
)
MESSAGE = "IMMUTABLE: 经批准的信息化发展规划不得擅自变更、调整（第六条第二款）"
CHILDREN = ("planning_plangoal", "planning_plantask")

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER planning_version_immutable_update BEFORE UPDATE ON planning_planversion
    FOR EACH ROW WHEN OLD.state IN {FROZEN} AND ({" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in CONTENT)})
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
    f"""
    CREATE TRIGGER planning_version_immutable_delete BEFORE DELETE ON planning_planversion
    FOR EACH ROW WHEN OLD.state IN {FROZEN}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """,
]
for table in CHILDREN:
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
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS planning_version_immutable_update",
    "DROP TRIGGER IF EXISTS planning_version_immutable_delete",
] + [f"DROP TRIGGER IF EXISTS {t}_immutable_{op}" for t in CHILDREN for op in ("insert", "update", "delete")]

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION planning_version_immutable() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            IF OLD.state IN {FROZEN} THEN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'P0001';
            END IF;
            RETURN OLD;
        END IF;
        IF OLD.state IN {FROZEN} AND ({" OR ".join(f"NEW.{c} IS DISTINCT FROM OLD.{c}" for c in CONTENT)}) THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'P0001';
        END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER planning_version_immutable BEFORE UPDATE OR DELETE ON planning_planversion
    FOR EACH ROW EXECUTE FUNCTION planning_version_immutable();
    """,
    f"""
    CREATE OR REPLACE FUNCTION planning_child_immutable() RETURNS trigger AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND
           (SELECT state FROM planning_planversion WHERE id = OLD.version_id) IN {FROZEN} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'P0001';
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND
           (SELECT state FROM planning_planversion WHERE id = NEW.version_id) IN {FROZEN} THEN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'P0001';
        END IF;
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END $$ LANGUAGE plpgsql;
    """,
] + [
    f"""
    CREATE TRIGGER {table}_immutable BEFORE INSERT OR UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION planning_child_immutable();
    """
    for table in CHILDREN
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS planning_version_immutable ON planning_planversion",
    *(f"DROP TRIGGER IF EXISTS {t}_immutable ON {t}" for t in CHILDREN),
    "DROP FUNCTION IF EXISTS planning_version_immutable()",
    "DROP FUNCTION IF EXISTS planning_child_immutable()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"no immutability triggers for database vendor {schema_editor.connection.vendor}")
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("planning", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        ),
    ]
