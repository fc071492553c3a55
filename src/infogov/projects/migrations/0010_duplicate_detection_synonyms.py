"""Duplicate-construction detection v2 (第六条): the hits keep the words they share with the proposal,
and the authority's synonym groups (SynonymGroup). The index's features change (synonyms made
canonical, words and character bigrams fused: words.features), so every indexed document is queued
again: the next search (or `manage.py similarity_reindex`) rebuilds the index with them."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def requeue(apps, schema_editor):
    schema_editor.execute(
        "INSERT INTO projects_similaritystale (document_id) SELECT id FROM projects_similaritydocument"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0009_answered_conditions_await_verification'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='similarityhit',
            name='shared_terms',
            field=models.JSONField(blank=True, default=list, verbose_name='共同词'),
        ),
        migrations.CreateModel(
            name='SynonymGroup',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('terms', models.JSONField(default=list, help_text='第一个为规范词', verbose_name='同义词')),
                ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                ('active', models.BooleanField(default=True, verbose_name='启用')),
                ('added_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='添加时间')),
                ('changed_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                ('added_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='添加人')),
            ],
            options={
                'verbose_name': '查重同义词组',
                'verbose_name_plural': '查重同义词组',
                'ordering': ['-added_at', '-id'],
            },
        ),
        migrations.RunPython(requeue, migrations.RunPython.noop),
    ]
