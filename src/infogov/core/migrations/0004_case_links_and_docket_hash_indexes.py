"""Two redundant indexes off the case-link tables, measured on a docket of 1 M events (PostgreSQL):

- case_type alone: every case-link table leads an index with (case_type, case_id). The lone index
  made PostgreSQL read a case's docket tail by scanning the whole case type when its statistics
  said the type was rare (99 ms instead of 0.06 ms at 10,000 events of the type).
- the docket hash: `unique=True` on a CharField gives PostgreSQL a second, LIKE-pattern index on
  it. The uniqueness stays, as the constraint docket_hash_unique.

Inserting 20,000 events: 0.95 s with both indexes, 0.42 s without.

Only indexes are dropped, found by introspection: no table is rebuilt (SQLite rebuilds a table to
alter a column, which would drop the docket's append-only triggers of 0003) and no foreign key is
checked again (Django's AlterField drops and re-adds it, validating every row of a large docket).
On PostgreSQL the hash's unique constraint is renamed, not rebuilt; on SQLite it is the column's
own UNIQUE, which the new constraint describes, and has no second index to drop.
"""

from django.db import migrations, models

TABLES = ("core_attachment", "core_caseassignment", "core_docketevent", "core_obligation")
HASH_UNIQUE = "docket_hash_unique"


def _on_column(schema_editor, table: str, column: str) -> dict:
    """The table's indexes and unique constraints on exactly this one column (not its key, not FKs)."""
    with schema_editor.connection.cursor() as cursor:
        found = schema_editor.connection.introspection.get_constraints(cursor, table)
    return {
        name: c
        for name, c in found.items()
        if c["columns"] == [column]
        and (c["index"] or c["unique"])
        and not c["primary_key"]
        and not c["foreign_key"]
    }


def drop_indexes(apps, schema_editor) -> None:
    qn = schema_editor.quote_name
    for table in TABLES:
        for name, c in _on_column(schema_editor, table, "case_type_id").items():
            if not c["unique"]:
                schema_editor.execute(f"DROP INDEX {qn(name)}")
    if schema_editor.connection.vendor == "postgresql":
        table = "core_docketevent"
        for name, c in _on_column(schema_editor, table, "hash").items():
            if c["unique"] and name != HASH_UNIQUE:
                schema_editor.execute(
                    f"ALTER TABLE {qn(table)} RENAME CONSTRAINT {qn(name)} TO {qn(HASH_UNIQUE)}"
                )
            elif not c["unique"]:  # the LIKE-pattern index
                schema_editor.execute(f"DROP INDEX {qn(name)}")


def restore_indexes(apps, schema_editor) -> None:
    qn = schema_editor.quote_name
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX {qn(table + '_case_type_id')} ON {qn(table)} ({qn('case_type_id')})"
        )
    if schema_editor.connection.vendor == "postgresql":
        table = "core_docketevent"
        schema_editor.execute(
            f"ALTER TABLE {qn(table)} RENAME CONSTRAINT {qn(HASH_UNIQUE)} TO {qn(table + '_hash_key')}"
        )
        schema_editor.execute(
            f"CREATE INDEX {qn(table + '_hash_like')} ON {qn(table)} ({qn('hash')} varchar_pattern_ops)"
        )


def case_type_fk() -> models.ForeignKey:
    return models.ForeignKey(
        db_index=False, on_delete=models.PROTECT, related_name="+", to="contenttypes.contenttype"
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_docket_append_only")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                *(
                    migrations.AlterField(model_name=name, name="case_type", field=case_type_fk())
                    for name in ("attachment", "caseassignment", "docketevent", "obligation")
                ),
                migrations.AlterField(
                    model_name="docketevent", name="hash", field=models.CharField(max_length=64)
                ),
                migrations.AddConstraint(
                    model_name="docketevent",
                    constraint=models.UniqueConstraint(fields=("hash",), name=HASH_UNIQUE),
                ),
            ],
            database_operations=[migrations.RunPython(drop_indexes, restore_indexes)],
        ),
    ]
