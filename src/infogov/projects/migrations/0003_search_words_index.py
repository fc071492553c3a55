"""The word index of the project register's Chinese search (selectors.HasWords): on PostgreSQL a
GIN index on the array of jieba words that services keep in search_text, so that every word —
two-character ones such as 政务 or 医保 included — is found through the index. SQLite has no such
index; its search scans (fine at the size of an embedded installation)."""

from django.db import migrations

INDEX = "project_search_words"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON projects_project "
            "USING gin (string_to_array(btrim(search_text), ' '))"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_standards_catalogue")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
