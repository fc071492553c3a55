"""The duplicate-construction index (第六条; similarity_index.py): documents, words, postings and the
queue of documents to update.

The queue is written by triggers, so that every write path keeps the index current — services, the
admin, imports, raw SQL, a bulk COPY: a submitted (not draft) project whose words or jurisdiction
change, that leaves or returns to draft, or that is deleted; an information system created, changed
or deleted. Drafts never touch the queue. The next search (similarity.find_similar) and the periodic
task (projects.tasks) bring the index up to date from it.

Existing projects and systems are queued here; `manage.py similarity_reindex` builds the index at
once (a province's 100,000 projects in under a minute).
"""

from django.db import migrations, models

QUEUE = "projects_similaritystale"
PROJECT_WORDS = ("title", "content", "systems", "data_resources", "jurisdiction_id")
SYSTEM_WORDS = ("name", "description", "jurisdiction_id")


def _changed(columns, distinct):
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def sqlite_sql():
    def trigger(name, event, table, when, row, sign):
        return (
            f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {event} ON {table} FOR EACH ROW WHEN {when} "
            f"BEGIN INSERT INTO {QUEUE} (document_id) VALUES ({sign}{row}.id); END;"
        )

    p, s = "projects_project", "projects_informationsystem"
    return [
        trigger("similarity_project_insert", "INSERT", p, "NEW.state <> 'draft'", "NEW", ""),
        trigger(
            "similarity_project_update",
            "UPDATE",
            p,
            f"(OLD.state = 'draft') <> (NEW.state = 'draft') OR "
            f"(NEW.state <> 'draft' AND ({_changed(PROJECT_WORDS, 'IS NOT')}))",
            "NEW",
            "",
        ),
        trigger("similarity_project_delete", "DELETE", p, "OLD.state <> 'draft'", "OLD", ""),
        trigger("similarity_system_insert", "INSERT", s, "1", "NEW", "-"),
        trigger("similarity_system_update", "UPDATE", s, f"({_changed(SYSTEM_WORDS, 'IS NOT')})", "NEW", "-"),
        trigger("similarity_system_delete", "DELETE", s, "1", "OLD", "-"),
    ]


SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS similarity_{t}_{op};" for t in ("project", "system") for op in ("insert", "update", "delete")
]

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION infogov_similarity_stale() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO {QUEUE} (document_id) VALUES (OLD.id * TG_ARGV[0]::bigint);
    ELSE
        INSERT INTO {QUEUE} (document_id) VALUES (NEW.id * TG_ARGV[0]::bigint);
    END IF;
    RETURN NULL;
END;
$$;
"""


def postgres_sql():
    def trigger(name, event, table, when, sign):
        return (
            f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW WHEN ({when}) "
            f"EXECUTE FUNCTION infogov_similarity_stale('{sign}');"
        )

    p, s = "projects_project", "projects_informationsystem"
    return [
        POSTGRES_FUNCTION,
        trigger("similarity_project_insert", "INSERT", p, "NEW.state <> 'draft'", 1),
        trigger(
            "similarity_project_update",
            "UPDATE",
            p,
            f"(OLD.state = 'draft') <> (NEW.state = 'draft') OR "
            f"(NEW.state <> 'draft' AND ({_changed(PROJECT_WORDS, 'IS DISTINCT FROM')}))",
            1,
        ),
        trigger("similarity_project_delete", "DELETE", p, "OLD.state <> 'draft'", 1),
        trigger("similarity_system_insert", "INSERT", s, "true", -1),
        trigger("similarity_system_update", "UPDATE", s, _changed(SYSTEM_WORDS, "IS DISTINCT FROM"), -1),
        trigger("similarity_system_delete", "DELETE", s, "true", -1),
    ]


POSTGRES_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS similarity_{t}_{op} ON projects_{table};"
        for t, table in (("project", "project"), ("system", "informationsystem"))
        for op in ("insert", "update", "delete")
    ),
    "DROP FUNCTION IF EXISTS infogov_similarity_stale();",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in sqlite_sql() if vendor == "sqlite" else postgres_sql() if vendor == "postgresql" else []:
        schema_editor.execute(sql)
    # what exists already is queued: the first search (or similarity_reindex) indexes it
    schema_editor.execute(
        f"INSERT INTO {QUEUE} (document_id) SELECT id FROM projects_project WHERE state <> 'draft' "
        "UNION ALL SELECT -id FROM projects_informationsystem"
    )


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0004_list_and_overview_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='SimilarityDocument',
            fields=[
                ('id', models.BigIntegerField(help_text='项目编号；信息系统为负的系统编号', primary_key=True, serialize=False, verbose_name='编号')),
                ('jurisdiction_id', models.BigIntegerField(verbose_name='行政区域编号')),
                ('terms', models.JSONField(default=dict, verbose_name='词频')),
            ],
            options={
                'verbose_name': '查重索引文档',
                'verbose_name_plural': '查重索引文档',
            },
        ),
        migrations.CreateModel(
            name='SimilarityStale',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('document_id', models.BigIntegerField(verbose_name='文档编号')),
            ],
            options={
                'verbose_name': '查重索引待更新',
                'verbose_name_plural': '查重索引待更新',
            },
        ),
        migrations.CreateModel(
            name='SimilarityTerm',
            fields=[
                ('term', models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name='词')),
                ('df', models.IntegerField(verbose_name='文档数')),
                ('max_weight', models.FloatField(default=0.0, verbose_name='最大权重')),
            ],
            options={
                'verbose_name': '查重索引词',
                'verbose_name_plural': '查重索引词典',
            },
        ),
        migrations.CreateModel(
            name='SimilarityPosting',
            fields=[
                ('pk', models.CompositePrimaryKey('term', 'jurisdiction_id', 'document_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('term', models.CharField(max_length=100, verbose_name='词')),
                ('jurisdiction_id', models.BigIntegerField(verbose_name='行政区域编号')),
                ('document_id', models.BigIntegerField(verbose_name='文档编号')),
                ('weight', models.FloatField(verbose_name='权重')),
            ],
            options={
                'verbose_name': '查重倒排索引',
                'verbose_name_plural': '查重倒排索引',
            },
        ),
        migrations.RunPython(create_triggers, drop_triggers, elidable=False),
    ]
