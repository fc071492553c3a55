"""Conditions answered before verification existed await the authority's verification (第九条第二款)."""

from django.db import migrations


def forwards(apps, schema_editor):
    ReviewCondition = apps.get_model("projects", "ReviewCondition")
    ReviewCondition.objects.filter(answered_at__isnull=False, status="open").update(status="answered")


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_documents_conditions_expert_review")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
