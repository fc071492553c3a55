"""PostgreSQL: the loading checks as SQL functions (resources/sql_checks.py) — GB 11643 resident ID
numbers and GB 32100 unified social credit codes with their check characters — so that a batch COPYed
into the staging table is validated by the database. SQLite validates in Python (loading.py)."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from infogov.resources.sql_checks import FUNCTIONS

        for sql in FUNCTIONS:
            schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        from infogov.resources.sql_checks import DROP

        for sql in DROP:
            schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("resources", "0002_postgresql_indexes")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
