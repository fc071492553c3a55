# 关注 (issue 11): the cases a user follows, listed in the inbox.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0006_document_numbers"),
        ("org", "0002_user_scope_key"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Follow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("case_id", models.BigIntegerField()),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="关注时间"),
                ),
                (
                    "case_type",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="contenttypes.contenttype",
                    ),
                ),
                (
                    "jurisdiction",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="org.jurisdiction"
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follows",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "关注",
                "verbose_name_plural": "关注",
                "indexes": [models.Index(fields=["case_type", "case_id"], name="follow_case")],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "case_type", "case_id"), name="follow_unique")
                ],
            },
        ),
    ]
