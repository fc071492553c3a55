"""PostgreSQL indexes of the catalogue and the records store: the catalogue's Chinese word index (as
projects 0003) and a GIN jsonb_path_ops index on the records' values, which serves the exchange's
equality filters (data @> '{"field": "value"}') on any field of any resource. SQLite scans."""

from django.db import migrations

INDEXES = {
    "resource_search_words": "resources_resource USING gin (string_to_array(btrim(search_text), ' '))",
    "datarecord_values": "resources_datarecord USING gin (data jsonb_path_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, spec in INDEXES.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {spec}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("resources", "0001_catalogue_sharing_exchange")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
