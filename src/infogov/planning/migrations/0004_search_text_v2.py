"""The search document of every plan version rebuilt with core.text (issue 9), in the projects'
format (" word word … ": whole words, so that a search matches words, not substrings): normalised,
folded to simplified (資訊化 → 信息化), cut with the government IT terms — services.search_document.

Only search_text is written, which the immutability triggers of approved versions (0002, 0003)
leave free: it is an index, not content. It reads the current code (infogov.core.text), as
services do. Going back leaves the columns as they are.
"""

from collections import defaultdict

from django.db import migrations

BATCH = 500


def rebuild(apps, schema_editor):
    from infogov.core.text import search_column

    PlanVersion = apps.get_model("planning", "PlanVersion")
    PlanGoal = apps.get_model("planning", "PlanGoal")
    PlanTask = apps.get_model("planning", "PlanTask")
    db = schema_editor.connection.alias
    last = 0
    while True:
        rows = list(
            PlanVersion.objects.using(db)
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", "title", "body", "plan__parent_reference", "search_text")[:BATCH]
        )
        if not rows:
            return
        last = rows[-1][0]
        ids = [r[0] for r in rows]
        goals, tasks = defaultdict(list), defaultdict(list)
        for vid, text in (
            PlanGoal.objects.using(db).filter(version_id__in=ids).values_list("version_id", "text")
        ):
            goals[vid].append(text)
        for vid, text, indicator in (
            PlanTask.objects.using(db)
            .filter(version_id__in=ids)
            .values_list("version_id", "text", "indicator")
        ):
            tasks[vid].append(f"{text} {indicator}")
        for pk, title, body, parent_reference, old in rows:
            new = search_column(title, body, parent_reference, *goals[pk], *tasks[pk])
            if new != old:
                PlanVersion.objects.using(db).filter(pk=pk).update(search_text=new)


class Migration(migrations.Migration):
    dependencies = [("planning", "0003_frozen_record_and_plan")]
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
