"""The docket (案卷记录): append-only events, hash-chained per case, sealed in batches into one
global chain (like X-Road's batch signatures) so that writers on different cases never queue
behind one global lock. `docket_verify` recomputes every hash (第三十四条: who did what, when)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import DocketEvent, DocketSeal, DocketSealEntry

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
) -> DocketEvent:
    """Append one event to the case's chain. The caller holds the case's row lock (the workflow
    core does), which serialises the events of one case; different cases never wait on each other."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("docket.record must run inside the transaction that changes the case")
    ct = ContentType.objects.get_for_model(case)
    last = (
        DocketEvent.objects.filter(case_type=ct, case_id=case.pk)
        .order_by("-seq")
        .values("seq", "hash")
        .first()
    )
    seq = (last["seq"] + 1) if last else 1
    prev_hash = last["hash"] if last else GENESIS
    at = timezone.now()
    actor_id = getattr(actor, "pk", None)
    if organisation is None and actor is not None:
        organisation = getattr(actor, "organisation", None)
    org_id = getattr(organisation, "pk", None)
    attachments_n = normalise(attachments or [])
    payload_n = normalise(payload or {})
    changes_n = normalise(changes or {})
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
    return DocketEvent.objects.create(
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


# -- verification ---------------------------------------------------------------------------------


@dataclass
class VerifyReport:
    events: int = 0
    cases: int = 0
    seals: int = 0
    unsealed: int = 0
    broken: str | None = None  # description of the first broken link

    @property
    def ok(self) -> bool:
        return self.broken is None


_FIELDS = (
    "id",
    "case_type_id",
    "case_id",
    "seq",
    "at",
    "actor_id",
    "organisation_id",
    "action",
    "from_state",
    "to_state",
    "citation",
    "comment",
    "attachments",
    "payload",
    "changes",
    "prev_hash",
    "hash",
)


def _iter_events(batch: int = 5000) -> Iterator[dict[str, Any]]:
    qs = DocketEvent.objects.order_by("case_type_id", "case_id", "seq").values(*_FIELDS)
    yield from qs.iterator(chunk_size=batch)


def verify() -> VerifyReport:
    """Recompute every event's hash and every per-case link, then every seal and the seal chain."""
    report = VerifyReport()
    hashes: dict[int, str] = {}
    prev_key: tuple[int, int] | None = None
    prev_hash = GENESIS
    expect_seq = 1
    for e in _iter_events():
        key = (e["case_type_id"], e["case_id"])
        if key != prev_key:
            prev_key, prev_hash, expect_seq = key, GENESIS, 1
            report.cases += 1
        report.events += 1
        where = f"案卷记录 #{e['id']}（案件 {key[0]}:{key[1]} 第 {e['seq']} 条）"
        if e["seq"] != expect_seq:
            report.broken = f"{where}：序号不连续，应为 {expect_seq}（记录被删除或插入）"
            return report
        if e["prev_hash"] != prev_hash:
            report.broken = f"{where}：与前一条记录的哈希链断开"
            return report
        if recompute(e) != e["hash"]:
            report.broken = f"{where}：内容与哈希不符（记录被篡改）"
            return report
        hashes[e["id"]] = e["hash"]
        prev_hash = e["hash"]
        expect_seq += 1

    prev_seal = GENESIS
    sealed: set[int] = set()
    entries: dict[int, list[int]] = {}
    for event_id, seal_id in (
        DocketSealEntry.objects.order_by("event_id")
        .values_list("event_id", "seal_id")
        .iterator(chunk_size=20_000)
    ):
        entries.setdefault(seal_id, []).append(event_id)
    for seal in DocketSeal.objects.order_by("id").iterator():
        report.seals += 1
        ids = entries.get(seal.id, [])
        where = f"封存批次 #{seal.id}"
        if len(ids) != seal.count or (
            ids and (ids[0] != seal.first_event_id or ids[-1] != seal.last_event_id)
        ):
            report.broken = f"{where}：所含记录数量或范围与封存时不符"
            return report
        missing = [i for i in ids if i not in hashes]
        if missing:
            report.broken = f"{where}：封存的案卷记录 #{missing[0]} 已不存在"
            return report
        if seal_digest([hashes[i] for i in ids]) != seal.digest:
            report.broken = f"{where}：所封存记录的哈希与封存摘要不符"
            return report
        if (
            seal.prev_hash != prev_seal
            or seal_hash(
                count=seal.count,
                first=seal.first_event_id,
                last=seal.last_event_id,
                digest=seal.digest,
                prev_hash=seal.prev_hash,
            )
            != seal.hash
        ):
            report.broken = f"{where}：全局封存链断开"
            return report
        prev_seal = seal.hash
        sealed.update(ids)
    report.unsealed = report.events - len(sealed)
    return report
