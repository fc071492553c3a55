"""The search column of every project rebuilt with core.text (issue 9): normalised (full-width
digits and letters, invisible and bidi characters), folded to simplified (資訊化 → 信息化) and cut
with the government IT terms, every dictionary word of the text and each of its characters — the
format is unchanged (" word word … "), so the GIN index of 0003 serves it as before.

It reads the current code (infogov.core.text), as services do. Going back leaves the columns as
they are (the previous search reads them too). The duplicate-detection index is not touched here:
`manage.py similarity_reindex` after the upgrade brings its words to the new segmentation.
"""

from django.db import migrations

BATCH = 1000


def rebuild(apps, schema_editor):
    from infogov.core.text import search_column

    Project = apps.get_model("projects", "Project")
    db = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(
            Project.objects.using(db)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "content", "search_text")[:BATCH]
        )
        if not rows:
            return
        last = rows[-1][0]
        changed = []
        for pk, title, content, old in rows:
            new = search_column(title, content)
            if new != old:
                changed.append(Project(pk=pk, search_text=new))
        Project.objects.using(db).bulk_update(changed, ["search_text"], batch_size=200)


class Migration(migrations.Migration):
    dependencies = [("projects", "0005_similarity_index")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
