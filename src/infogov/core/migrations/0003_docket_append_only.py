"""The docket is append-only at the database level (第三十四条): UPDATE and DELETE on the docket
tables raise, whoever issues them — the ORM, a raw query, an admin. Someone with DBA rights can
still drop the triggers; `docket_verify` is what catches that (the hash chains break).

TRUNCATE is not blocked on PostgreSQL: it is how a whole test database or a development database
is wiped (`manage.py flush`); on SQLite our `flush` command lifts the triggers for the wipe.
"""

from django.db import migrations

TABLES = ("core_docketevent", "core_docketseal", "core_docketsealentry")
MESSAGE = "docket is append-only"


def sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
        for op in ("UPDATE", "DELETE")
    ]


def sqlite_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_no_{op};" for op in ("update", "delete")]


POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION infogov_docket_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def postgres_create(table: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION infogov_docket_append_only();",
    ]


def postgres_drop(table: str) -> list[str]:
    return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]


def create_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [s for t in TABLES for s in sqlite_create(t)]
    if vendor == "postgresql":
        return [POSTGRES_FUNCTION, *(s for t in TABLES for s in postgres_create(t))]
    return []


def drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [s for t in TABLES for s in sqlite_drop(t)]
    if vendor == "postgresql":
        return [
            *(s for t in TABLES for s in postgres_drop(t)),
            "DROP FUNCTION IF EXISTS infogov_docket_append_only();",
        ]
    return []


def install(apps, schema_editor) -> None:
    for sql in create_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor) -> None:
    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
