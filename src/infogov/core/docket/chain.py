"""The docket (案卷记录): append-only events, hash-chained per case, sealed in batches into one
global chain (like X-Road's batch signatures) so that writers on different cases never queue
behind one global lock. `docket_verify` recomputes every hash (第三十四条: who did what, when)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from infogov.core.db import rows
from infogov.core.models import DocketEvent, DocketSeal, DocketSealEntry

GENESIS = "0" * 64


def normalise(value: Any) -> Any:
    """What a JSONField gives back after a round trip: hash that, not the Python objects."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False))


def _micros(at: dt.datetime) -> int:
    return int(at.timestamp()) * 1_000_000 + at.microsecond


def event_digest(
    *,
    case_key: str,
    seq: int,
    at: dt.datetime,
    actor_id: int | None,
    organisation_id: int | None,
    action: str,
    from_state: str,
    to_state: str,
    citation: str,
    comment: str,
    attachments: Any,
    payload: Any,
    changes: Any,
    prev_hash: str,
) -> str:
    body = json.dumps(
        [
            case_key,
            seq,
            _micros(at),
            actor_id,
            organisation_id,
            action,
            from_state,
            to_state,
            citation,
            comment,
            attachments,
            payload,
            changes,
            prev_hash,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _case_key(case_type_id: int, case_id: int) -> str:
    return f"{case_type_id}:{case_id}"


def _last_event_sql(connection: Any, columns: str, case_id_sql: str) -> str:
    """SELECT `columns` of a case's last event; parameters: the case type id (then the case id if
    `case_id_sql` is %s). One probe of the (case_type, case_id, seq) unique index."""
    qn = connection.ops.quote_name
    col = {f.name: qn(f.column) for f in DocketEvent._meta.concrete_fields}
    return (
        f"SELECT {', '.join(f'd.{col[c]}' for c in columns.split())} "
        f"FROM {qn(DocketEvent._meta.db_table)} d "
        f"WHERE d.{col['case_type']} = %s AND d.{col['case_id']} = {case_id_sql} "
        f"ORDER BY d.{col['seq']} DESC LIMIT 1"
    )


def tail_sql(connection: Any, case_id_sql: str) -> tuple[str, str]:
    """The last seq and the last hash of a case's chain as two scalar subqueries, for the workflow
    core to read with the case's row lock in one statement (then record(tail=...)). Each takes the
    case type id as its one parameter."""
    seq, hash_ = (_last_event_sql(connection, c, case_id_sql) for c in ("seq", "hash"))
    return f"({seq})", f"({hash_})"


def _read_tail(case_type_id: int, case_id: Any) -> tuple[int, str] | None:
    connection = transaction.get_connection(rows.alias_for(DocketEvent))
    with connection.cursor() as cursor:
        cursor.execute(_last_event_sql(connection, "seq hash", "%s"), [case_type_id, case_id])
        row = cursor.fetchone()
    return None if row is None else (row[0], row[1])


READ_TAIL: Any = object()  # record(tail=...) not given: read the tail there


def acting_organisation_id(actor: Any, organisation: Any) -> Any:
    """The acting organisation: the one given, else the actor's (its key is on the user's row: no query)."""
    if organisation is not None:
        return organisation.pk
    if hasattr(actor, "organisation_id"):
        return actor.organisation_id
    return getattr(getattr(actor, "organisation", None), "pk", None)


def record(
    case: Any,
    *,
    actor: Any,
    action: str,
    action_label: str = "",
    from_state: str = "",
    to_state: str = "",
    citation: str = "",
    comment: str = "",
    attachments: list[dict[str, Any]] | None = None,
    payload: dict[str, Any] | None = None,
    changes: dict[str, Any] | None = None,
    organisation: Any = None,
    tail: tuple[int, str] | None = READ_TAIL,
) -> DocketEvent:
    """Append one event to the case's chain. The caller holds the case's row lock (the workflow
    core does), which serialises the events of one case; different cases never wait on each other.

    `tail`: the chain's last (seq, hash) — None for a case without events — when the caller read it
    under that row lock (tail_sql); otherwise it is read here. A tail that is stale all the
    same cannot fork the chain: the (case_type, case_id, seq) unique constraint refuses the insert."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("docket.record must run inside the transaction that changes the case")
    ct = ContentType.objects.get_for_model(case)
    if tail is READ_TAIL:
        tail = _read_tail(ct.pk, case.pk)
    seq = (tail[0] + 1) if tail else 1
    prev_hash = tail[1] if tail else GENESIS
    at = timezone.now()
    actor_id = getattr(actor, "pk", None)
    org_id = acting_organisation_id(actor, organisation)
    attachments_n = normalise(attachments) if attachments else []
    payload_n = normalise(payload) if payload else {}
    changes_n = normalise(changes) if changes else {}
    digest = event_digest(
        case_key=_case_key(ct.pk, case.pk),
        seq=seq,
        at=at,
        actor_id=actor_id,
        organisation_id=org_id,
        action=action,
        from_state=from_state,
        to_state=to_state,
        citation=citation,
        comment=comment,
        attachments=attachments_n,
        payload=payload_n,
        changes=changes_n,
        prev_hash=prev_hash,
    )
    event = DocketEvent(
        case_type=ct,
        case_id=case.pk,
        jurisdiction_id=case.jurisdiction_id,
        seq=seq,
        at=at,
        actor_id=actor_id,
        actor_name=getattr(actor, "display_name", "") if actor else "系统",
        organisation_id=org_id,
        action=action,
        action_label=action_label,
        from_state=from_state,
        to_state=to_state,
        citation=citation,
        comment=comment,
        attachments=attachments_n,
        payload=payload_n,
        changes=changes_n,
        prev_hash=prev_hash,
        hash=digest,
    )
    if rows.signals_free(DocketEvent):
        rows.insert([event])
    else:
        event.save(force_insert=True)
    return event


def recompute(event: DocketEvent | dict[str, Any]) -> str:
    e = event if isinstance(event, dict) else event.__dict__
    return event_digest(
        case_key=_case_key(e["case_type_id"], e["case_id"]),
        seq=e["seq"],
        at=e["at"],
        actor_id=e["actor_id"],
        organisation_id=e["organisation_id"],
        action=e["action"],
        from_state=e["from_state"],
        to_state=e["to_state"],
        citation=e["citation"],
        comment=e["comment"],
        attachments=e["attachments"],
        payload=e["payload"],
        changes=e["changes"],
        prev_hash=e["prev_hash"],
    )


# -- the global chain: sealed batches -------------------------------------------------------------


def seal_digest(event_hashes: list[str]) -> str:
    h = hashlib.sha256()
    for eh in event_hashes:
        h.update(eh.encode("ascii"))
    return h.hexdigest()


def seal_hash(*, count: int, first: int, last: int, digest: str, prev_hash: str) -> str:
    return hashlib.sha256(f"{count}|{first}|{last}|{digest}|{prev_hash}".encode()).hexdigest()


def seal_pending(max_events: int = 50_000) -> DocketSeal | None:
    """Seal the events no seal holds yet, in id order, into the next link of the global chain.
    Runs periodically (huey) and after demo seeding; one sealer at a time (lock on the last seal)."""
    with transaction.atomic():
        last = DocketSeal.objects.select_for_update().order_by("-id").first()
        pending = list(
            DocketEvent.objects.filter(seal_entry__isnull=True)
            .order_by("id")
            .values_list("id", "hash")[:max_events]
        )
        if not pending:
            return None
        digest = seal_digest([h for _, h in pending])
        prev = last.hash if last else GENESIS
        seal = DocketSeal.objects.create(
            count=len(pending),
            first_event_id=pending[0][0],
            last_event_id=pending[-1][0],
            digest=digest,
            prev_hash=prev,
            hash=seal_hash(
                count=len(pending), first=pending[0][0], last=pending[-1][0], digest=digest, prev_hash=prev
            ),
        )
        DocketSealEntry.objects.bulk_create([DocketSealEntry(event_id=i, seal=seal) for i, _ in pending])
        return seal
