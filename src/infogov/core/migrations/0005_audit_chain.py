"""The audit trail becomes hash-chained and append-only (GB/T 22239-2019 安全审计; 网络安全法第二十一条).

Existing events are chained in id order, then triggers like the docket's (0003) refuse UPDATE and
DELETE on core_auditevent on both databases. A database owner can still drop them: the platform runs
as a role that owns no table (docs/deploy.md), and `docket_verify` recomputes the chain.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

TABLE = "core_auditevent"
MESSAGE = "audit trail is append-only"

SQLITE_CREATE = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()} BEFORE {op} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    for op in ("UPDATE", "DELETE")
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op};" for op in ("update", "delete")]

POSTGRES_CREATE = [
    f"""
CREATE OR REPLACE FUNCTION infogov_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{MESSAGE}: % on %', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION infogov_audit_append_only();",
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    "DROP FUNCTION IF EXISTS infogov_audit_append_only();",
]


def chain_existing(apps, schema_editor) -> None:
    from infogov.core.audit import GENESIS, digest

    AuditEvent = apps.get_model("core", "AuditEvent")
    db = schema_editor.connection.alias
    prev = GENESIS
    for seq, event in enumerate(AuditEvent.objects.using(db).order_by("id").iterator(), 1):
        event.seq, event.prev_hash = seq, prev
        event.hash = digest(
            seq=seq,
            at=event.at,
            actor_id=event.actor_id,
            actor_name=event.actor_name,
            action=event.action,
            target=event.target,
            ip=event.ip,
            detail=event.detail,
            prev_hash=prev,
        )
        event.save(update_fields=["seq", "prev_hash", "hash"])
        prev = event.hash


def install(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, []):
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_case_links_and_docket_hash_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.PositiveBigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("seq",), name="auditevent_seq_unique"),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
