"""projects.InformationSystem leaves this app: the register of information systems is the security
app's (第三十条第一款), and security's 0003 has copied every row into it. What here pointed at a row of
the old table points at its register entry (same unit, same name):

- a duplicate-construction hit (第六条) keeps the entry's key and its name as the comparison found it
  (a key, not a foreign key: this app reads the register through infogov.security.selectors only);
- the duplicate-construction index watches the register's table with the triggers that watched the old
  one (its title, purpose and jurisdiction), and every system document is queued to be read again (the
  ids changed: the next search, or the periodic task, brings the index up to date).

Reverse: the table comes back, filled from the register (the entries security's 0003 copied or a
delivery registered, with a level), its triggers and the hits' links with it."""

from django.db import migrations, models

QUEUE = "projects_similaritystale"
DOCS = "projects_similaritydocument"
REGISTER = "security_informationsystem"
OLD = "projects_informationsystem"
REGISTER_WORDS = ("title", "purpose", "jurisdiction_id")
OLD_WORDS = ("name", "description", "jurisdiction_id")


def _changed(columns, distinct):
    return " OR ".join(f"OLD.{c} {distinct} NEW.{c}" for c in columns)


def trigger_sql(vendor, table, words, prefix):
    """The index's queue triggers on a system table (as 0005 wrote them for the old one)."""
    if vendor == "sqlite":

        def trigger(op, when, row):
            return (
                f"CREATE TRIGGER IF NOT EXISTS {prefix}_{op.lower()} AFTER {op} ON {table} FOR EACH ROW "
                f"WHEN {when} BEGIN INSERT INTO {QUEUE} (document_id) VALUES (-{row}.id); END;"
            )

        return [
            trigger("INSERT", "1", "NEW"),
            trigger("UPDATE", f"({_changed(words, 'IS NOT')})", "NEW"),
            trigger("DELETE", "1", "OLD"),
        ]
    if vendor == "postgresql":

        def trigger(op, when):
            return (
                f"CREATE TRIGGER {prefix}_{op.lower()} AFTER {op} ON {table} FOR EACH ROW WHEN ({when}) "
                "EXECUTE FUNCTION infogov_similarity_stale('-1');"
            )

        return [
            f"DROP TRIGGER IF EXISTS {prefix}_{op} ON {table};" for op in ("insert", "update", "delete")
        ] + [
            trigger("INSERT", "true"),
            trigger("UPDATE", _changed(words, "IS DISTINCT FROM")),
            trigger("DELETE", "true"),
        ]
    return []


def drop_sql(vendor, table, prefix):
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {prefix}_{op};" for op in ("insert", "update", "delete")]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {prefix}_{op} ON {table};" for op in ("insert", "update", "delete")]
    return []


def link_hits(apps, schema_editor):
    """Each hit on an old system: the key and the name of its register entry."""
    db = schema_editor.connection.alias
    Hit = apps.get_model("projects", "SimilarityHit")
    Old = apps.get_model("projects", "InformationSystem")
    System = apps.get_model("security", "InformationSystem")
    hits = list(Hit.objects.using(db).filter(other_system__isnull=False))
    if not hits:
        return
    old = {o.pk: (o.owner_id, o.name) for o in Old.objects.using(db).filter(pk__in={h.other_system_id for h in hits})}
    entries = {}
    for pk, owner, title in System.objects.using(db).order_by("-pk").values_list("pk", "owner_id", "title"):
        entries[(owner, title)] = pk  # the oldest entry of a title (as security's 0003 chose)
    for h in hits:
        key = old[h.other_system_id]
        h.register_system_id = entries.get(key)
        h.other_system_title = key[1]
    Hit.objects.using(db).bulk_update(hits, ["register_system_id", "other_system_title"], batch_size=500)


def unlink_hits(apps, schema_editor):
    db = schema_editor.connection.alias
    Hit = apps.get_model("projects", "SimilarityHit")
    Old = apps.get_model("projects", "InformationSystem")
    System = apps.get_model("security", "InformationSystem")
    hits = list(Hit.objects.using(db).filter(register_system_id__isnull=False))
    if not hits:
        return
    entry = {
        pk: (owner, title)
        for pk, owner, title in System.objects.using(db)
        .filter(pk__in={h.register_system_id for h in hits})
        .values_list("pk", "owner_id", "title")
    }
    old = {(o.owner_id, o.name): o.pk for o in Old.objects.using(db)}
    for h in hits:
        h.other_system_id = old.get(entry.get(h.register_system_id))
    Hit.objects.using(db).bulk_update(hits, ["other_system"], batch_size=500)


def restore_systems(apps, schema_editor):
    """Reverse: the old table again, from the register entries with a level that security's 0003 copied
    or a delivery registered (a source project), and the index's triggers on it."""
    db = schema_editor.connection.alias
    vendor = schema_editor.connection.vendor
    Old = apps.get_model("projects", "InformationSystem")
    System = apps.get_model("security", "InformationSystem")
    DocketEvent = apps.get_model("core", "DocketEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    Project = apps.get_model("projects", "Project")
    ct = ContentType.objects.using(db).filter(app_label="security", model="informationsystem").first()
    copied = set()
    if ct is not None:
        copied = set(
            DocketEvent.objects.using(db)
            .filter(case_type_id=ct.pk, action="create", comment__startswith="由项目模块")
            .values_list("case_id", flat=True)
        )
    projects = set(Project.objects.using(db).values_list("pk", flat=True))
    rows, seen = [], set()
    for e in System.objects.using(db).exclude(level=None).order_by("pk"):
        if (e.pk not in copied and e.source_project_id is None) or (e.owner_id, e.title) in seen:
            continue
        seen.add((e.owner_id, e.title))
        rows.append(
            Old(
                name=e.title,
                owner_id=e.owner_id,
                jurisdiction_id=e.jurisdiction_id,
                protection_level=e.level,
                description=e.purpose,
                source_project_id=e.source_project_id if e.source_project_id in projects else None,
                in_service_since=e.in_service_since,
            )
        )
    Old.objects.using(db).bulk_create(rows, batch_size=500)
    for sql in trigger_sql(vendor, OLD, OLD_WORDS, "similarity_system"):
        schema_editor.execute(sql)
    schema_editor.execute(f"INSERT INTO {QUEUE} (document_id) SELECT id FROM {DOCS} WHERE id < 0")
    schema_editor.execute(f"INSERT INTO {QUEUE} (document_id) SELECT -id FROM {OLD}")


def watch_register(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in trigger_sql(vendor, REGISTER, REGISTER_WORDS, "similarity_register"):
        schema_editor.execute(sql)
    # every system document again: the old ones dropped (or replaced by the entry of that key), the
    # register's entries added
    schema_editor.execute(f"INSERT INTO {QUEUE} (document_id) SELECT id FROM {DOCS} WHERE id < 0")
    schema_editor.execute(f"INSERT INTO {QUEUE} (document_id) SELECT -id FROM {REGISTER}")


def unwatch_register(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor, REGISTER, "similarity_register"):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0014_choices_from_free_text"),
        ("security", "0003_register_from_projects"),
    ]

    operations = [
        migrations.AddField(
            model_name="similarityhit",
            name="register_system_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="similarityhit",
            name="other_system_title",
            field=models.CharField(blank=True, max_length=200, verbose_name="相似的信息系统名称"),
        ),
        migrations.RunPython(link_hits, unlink_hits),
        migrations.RemoveField(model_name="similarityhit", name="other_system"),
        migrations.RenameField(
            model_name="similarityhit", old_name="register_system_id", new_name="other_system_id"
        ),
        migrations.AlterField(
            model_name="similarityhit",
            name="other_system_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="相似的信息系统"),
        ),
        # reverse only (after the table is created again): its rows, its triggers
        migrations.RunPython(migrations.RunPython.noop, restore_systems),
        migrations.DeleteModel(name="InformationSystem"),
        migrations.RunPython(watch_register, unwatch_register),
    ]
