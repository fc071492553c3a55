"""PostgreSQL: the project's search words as a stored array (a generated column the database keeps
from search_text) with its GIN index, instead of a GIN index on string_to_array(btrim(search_text)).
A search then compares stored arrays instead of splitting every visited row's text, which had made
the search about 1.7× slower once the column held every word and character (Core v2). SQLite: none."""

from django.db import migrations

from infogov.core.text.query import words_column_sql

OLD_INDEX = "project_search_words"
NEW_INDEX = "project_search_words_array"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in words_column_sql("projects_project", "search_text", "search_words", NEW_INDEX):
            schema_editor.execute(sql)
        schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON projects_project "
            "USING gin (string_to_array(btrim(search_text), ' '))"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {NEW_INDEX}")
        schema_editor.execute("ALTER TABLE projects_project DROP COLUMN IF EXISTS search_words")


class Migration(migrations.Migration):
    dependencies = [("projects", "0010_duplicate_detection_synonyms")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
