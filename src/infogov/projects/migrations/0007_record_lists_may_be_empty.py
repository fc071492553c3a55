"""A test report may name no standard and an acceptance may list no built security measure: the
records are now validated like a form when a step writes them (core.workflow.steps.StepContext.create),
and the rules (A12-1-TESTED, A31-1-BUILT) — not the column — judge whether that is enough."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0006_search_text_v2"),
    ]

    operations = [
        migrations.AlterField(
            model_name="acceptance",
            name="security_measures_built",
            field=models.JSONField(blank=True, default=list, verbose_name="已建成的安全措施"),
        ),
        migrations.AlterField(
            model_name="testreport",
            name="standards",
            field=models.JSONField(blank=True, default=list, verbose_name="测试依据的标准"),
        ),
    ]
