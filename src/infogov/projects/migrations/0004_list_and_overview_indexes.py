"""Indexes for the register's list and the authority's overview at the scale of a province.

- project_list_year_kind: the list filtered by construction year and funding, newest first (page in
  index order; the count an index-only scan, the scope columns included on PostgreSQL).
- obligation_open_due (on core_obligation, a partial index): the overview's overdue duties of
  projects — open (not fulfilled, not cancelled) obligations of a case type by due date. The table
  is core's; the index is created here because the projects overview is its reader (a partial index
  works on PostgreSQL and SQLite alike). core may adopt it into Obligation.Meta later.
"""

from django.db import migrations, models

OPEN_DUE = "obligation_open_due"


def create_open_due(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {OPEN_DUE} ON core_obligation (case_type_id, due_date, id) "
        "WHERE fulfilled_at IS NULL AND cancelled_at IS NULL"
    )


def drop_open_due(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX IF EXISTS {OPEN_DUE}")


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0001_initial"),
        ("core", "0003_docket_append_only"),
        ("projects", "0003_search_words_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                fields=["year", "funding_kind", "created_at", "id"],
                include=("jurisdiction", "owner"),
                name="project_list_year_kind",
            ),
        ),
        migrations.RunPython(create_open_due, drop_open_due, elidable=False),
    ]
