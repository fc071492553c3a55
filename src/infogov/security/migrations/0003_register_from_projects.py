"""The projects app's minimal register (projects.InformationSystem, "until the security app lands")
moves into this one (第三十条第一款; 第三十一条第一款 同步运行): every row becomes a register entry —
unit, jurisdiction, name → title, protection level → level, function → purpose, source project,
in-service date — in the workflow's initial state (登记), with its docket opened by the event the engine
writes for a new case (workflow.create / bulk.create_many: "create", seq 1 from the genesis, the
snapshot of the fields), so that `manage.py docket_verify` holds.

Idempotent: a system already in the register (same unit, same title) is not copied again; what the row
would add to it (the source project, the in-service date, the purpose, a level where none is determined
yet) is written as an "edit" event with each field's before and after, and nothing when it has them.

Reverse: the register keeps its entries (the docket is append-only: their events cannot be taken back);
projects' 0015, reversed, puts the rows back into its own table from the register."""

from django.db import migrations
from django.utils import timezone

from infogov.core.docket.chain import GENESIS, event_digest, normalise
from infogov.core.workflow.values import jsonable, snapshot

MIGRATED = "由项目模块的信息系统登记迁入本登记（第三十条第一款；第三十一条第一款 同步运行）"
CITATION = "第三十一条第一款"
INITIAL = "registered"
BATCH = 500


def _event(ct, case, *, seq, prev, action, label, payload, changes, state_from, state_to, comment):
    at = timezone.now()
    payload, changes = normalise(payload), normalise(changes)
    citation = CITATION if action == "edit" else ""
    digest = event_digest(
        case_key=f"{ct.pk}:{case.pk}",
        seq=seq,
        at=at,
        actor_id=None,
        organisation_id=None,
        action=action,
        from_state=state_from,
        to_state=state_to,
        citation=citation,
        comment=comment,
        attachments=[],
        payload=payload,
        changes=changes,
        prev_hash=prev,
    )
    return dict(
        case_type_id=ct.pk,
        case_id=case.pk,
        jurisdiction_id=case.jurisdiction_id,
        seq=seq,
        at=at,
        actor_id=None,
        actor_name="系统",
        organisation_id=None,
        action=action,
        action_label=label,
        from_state=state_from,
        to_state=state_to,
        citation=citation,
        comment=comment,
        attachments=[],
        payload=payload,
        changes=changes,
        prev_hash=prev,
        hash=digest,
    )


def _fill(entry, old):
    """What the old row adds to an entry the register already has: {field: (before, after)}."""
    wanted = {
        "source_project_id": old.source_project_id,
        "in_service_since": old.in_service_since,
        "purpose": old.description,
    }
    if entry.determined_on is None:  # a determined level is the register's (定级), not the project's
        wanted["level"] = old.protection_level
    out = {}
    for name, value in wanted.items():
        before = getattr(entry, name)
        if value not in (None, "") and before in (None, "") and before != value:
            out[name] = (before, value)
    return out


def copy_systems(apps, schema_editor):
    db = schema_editor.connection.alias
    Old = apps.get_model("projects", "InformationSystem")
    System = apps.get_model("security", "InformationSystem")
    DocketEvent = apps.get_model("core", "DocketEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    olds = list(Old.objects.using(db).order_by("pk"))
    if not olds:
        return
    ct, _ = ContentType.objects.using(db).get_or_create(app_label="security", model="informationsystem")
    have = {}
    for entry in System.objects.using(db).filter(owner_id__in={o.owner_id for o in olds}).order_by("-pk"):
        have[(entry.owner_id, entry.title)] = entry  # the oldest entry of a title wins
    new, events = [], []
    for old in olds:
        entry = have.get((old.owner_id, old.name))
        if entry is None:
            now = timezone.now()
            entry = System(
                title=old.name,
                owner_id=old.owner_id,
                jurisdiction_id=old.jurisdiction_id,
                state=INITIAL,
                level=old.protection_level,
                purpose=old.description,
                source_project_id=old.source_project_id,
                in_service_since=old.in_service_since,
                created_at=now,
                updated_at=now,
            )
            have[(old.owner_id, old.name)] = entry
            new.append(entry)
            continue
        if entry.pk is None:
            continue  # two old rows of one name (the old table refused that): the first counts
        changed = _fill(entry, old)
        if not changed:
            continue
        for name, (_, value) in changed.items():
            setattr(entry, name, value)
        entry.version += 1
        entry.save(update_fields=[*changed, "version", "updated_at"])
        tail = (
            DocketEvent.objects.using(db)
            .filter(case_type_id=ct.pk, case_id=entry.pk)
            .order_by("-seq")
            .values_list("seq", "hash")
            .first()
        )
        seq, prev = (tail[0] + 1, tail[1]) if tail else (1, GENESIS)
        diff = {k: {"before": jsonable(b), "after": jsonable(a)} for k, (b, a) in changed.items()}
        events.append(
            _event(
                ct,
                entry,
                seq=seq,
                prev=prev,
                action="edit",
                label="修改",
                payload={},
                changes=diff,
                state_from=entry.state,
                state_to=entry.state,
                comment=MIGRATED,
            )
        )
    for i in range(0, len(new), BATCH):
        System.objects.using(db).bulk_create(new[i : i + BATCH])
    if any(e.pk is None for e in new):  # a backend that does not return the keys of a bulk insert
        keys = {(e.owner_id, e.title): e.pk for e in System.objects.using(db).order_by("-pk")}
        for e in new:
            e.pk = keys[(e.owner_id, e.title)]
    for e in new:
        e.reference = f"XT-{timezone.localtime(e.created_at):%Y}-{e.pk:06d}"
    System.objects.using(db).bulk_update(new, ["reference"], batch_size=BATCH)
    for e in new:
        events.append(
            _event(
                ct,
                e,
                seq=1,
                prev=GENESIS,
                action="create",
                label="创建",
                payload=snapshot(e),
                changes={},
                state_from="",
                state_to=INITIAL,
                comment=MIGRATED,
            )
        )
    DocketEvent.objects.using(db).bulk_create([DocketEvent(**e) for e in events], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0002_system_in_service_since"),
        ("projects", "0014_choices_from_free_text"),
        ("core", "0008_admin_labels"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    # reverse: nothing here (the register and its docket stay); projects 0015 restores its own table
    operations = [migrations.RunPython(copy_systems, migrations.RunPython.noop, elidable=False)]
