"""Project.collected_words: the words of the data a project declares it will collect, cut when the
project is saved (shared_data.cut_collected), so that the project page's 不重复采集 matches are a query
and do not load the segmenter into every web worker. Existing projects are cut here (each distinct item
once). The column is nullable without a default: SQLite then adds it in place (ALTER TABLE ADD COLUMN)
instead of rebuilding the table, which would drop the triggers of the similarity index on it."""

from django.db import migrations, models

BATCH = 2000


def cut_existing(apps, schema_editor):
    from infogov.projects.shared_data import MAX_ITEMS, collected_items
    from infogov.resources.selectors import data_item_words

    Project = apps.get_model("projects", "Project")
    cache: dict[str, list[str]] = {}
    pending = []
    rows = Project.objects.exclude(data_resources=[]).only("id", "data_resources").order_by("id")
    for project in rows.iterator(chunk_size=BATCH):
        names = collected_items(project)[:MAX_ITEMS]
        if not names:
            continue
        for name in names:
            if name not in cache:
                cache[name] = data_item_words(name)
        project.collected_words = [[name, cache[name]] for name in names]
        pending.append(project)
        if len(pending) >= BATCH:
            Project.objects.bulk_update(pending, ["collected_words"])
            pending = []
    if pending:
        Project.objects.bulk_update(pending, ["collected_words"])


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0017_inbox_open_duties_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="collected_words",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(cut_existing, migrations.RunPython.noop, elidable=True),
    ]
