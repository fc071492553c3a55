"""The docket (案卷记录): append-only events, hash-chained per case, sealed in batches into one
global chain (like X-Road's batch signatures) so that writers on different cases never queue
behind one global lock. `docket_verify` recomputes every hash (第三十四条: who did what, when)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
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


# Verification streams the events once, in id order (the order they were written, so the heap is read
# sequentially), holding only the last (seq, hash) of each case and a running SHA-256 per open seal:
# memory grows with the number of cases, not of events. On PostgreSQL a large docket is split into
# id ranges cut at seal boundaries and checked by worker processes; the parent joins the chains
# across the cut and checks the seal chain. Within a case, ids grow with seq: record() inserts event
# n + 1 only after event n is committed (it reads n's hash under the case's row lock).

_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode
_EMPTY_JSON: dict[str, Any] = {"[]": [], "{}": {}}


def _no_default(o: Any) -> Any:
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")


def _canonical_json() -> Any:
    """json text → the text _ENCODE gives for its value, with the C scanner and encoder built once
    (json.loads and JSONEncoder.encode set them up again on every call)."""
    from json.decoder import JSONDecoder
    from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]

    scan = JSONDecoder().scan_once  # type: ignore[attr-defined]
    if c_make_encoder is None:  # pragma: no cover - CPython always has the C encoder
        return lambda text: _ENCODE(json.loads(text))
    iterencode = c_make_encoder(None, _no_default, encode_basestring, None, ":", ",", True, False, True)
    return lambda text: "".join(iterencode(scan(text, 0)[0], 0))


_CANONICAL = _canonical_json()
PARALLEL_MIN_EVENTS = 400_000  # below this one process is quicker than starting workers

# date_part gives the epoch as a double: exact to well under a microsecond for any date of this era,
# so rounding to the microsecond (::bigint rounds) gives exactly what _micros() computes in Python.
_PG_SELECT = (
    "SELECT e.id, e.case_type_id, e.case_id, e.seq, (date_part('epoch', e.at) * 1000000)::bigint, "
    "e.actor_id, e.organisation_id, e.action, e.from_state, e.to_state, e.citation, e.comment, "
    "e.attachments::text, e.payload::text, e.changes::text, e.prev_hash, e.hash, s.seal_id "
    "FROM core_docketevent e LEFT JOIN core_docketsealentry s ON s.event_id = e.id "
    "WHERE e.id BETWEEN %s AND %s ORDER BY e.id"
)


def _iter_events(batch: int = 5000) -> Iterator[dict[str, Any]]:
    """Every event as a dict of _FIELDS, in per-case chain order (kept for callers outside verify)."""
    qs = DocketEvent.objects.order_by("case_type_id", "case_id", "seq").values(*_FIELDS)
    yield from qs.iterator(chunk_size=batch)


@dataclass
class _Part:
    """What one pass over an id range found."""

    first: bool  # the range starts at the docket's first event: chains must start at seq 1 here
    events: int = 0
    sealed: int = 0
    tails: dict[tuple[int, int], tuple[int, str]] | None = None  # case → (last seq, last hash)
    heads: dict[tuple[int, int], tuple[int, int, str]] | None = None  # case → (id, seq, prev_hash)
    seals: dict[int, tuple[int, int, int, str]] | None = None  # seal → (count, first id, last id, digest)
    broken: tuple[int, str] | None = None  # (event id, message)


def _where(eid: int, key: tuple[int, int], seq: int) -> str:
    return f"案卷记录 #{eid}（案件 {key[0]}:{key[1]} 第 {seq} 条）"


def _gap(eid: int, key: tuple[int, int], seq: int, expected: int) -> str:
    return f"{_where(eid, key, seq)}：序号不连续，应为 {expected}（记录被删除或插入）"


def _tampered(eid: int, key: tuple[int, int], seq: int) -> str:
    return f"{_where(eid, key, seq)}：内容与哈希不符（记录被篡改）"


def _unlinked(eid: int, key: tuple[int, int], seq: int) -> str:
    return f"{_where(eid, key, seq)}：与前一条记录的哈希链断开"


def _check(rows: Iterable[tuple[Any, ...]], *, first: bool, decode: bool) -> _Part:
    """Check an id-ordered stream of rows (id, case_type_id, case_id, seq, at in microseconds,
    actor_id, organisation_id, action, from_state, to_state, citation, comment, attachments, payload,
    changes, prev_hash, hash, seal_id). `decode`: the JSON columns arrive as text."""
    part = _Part(first=first)
    tails: dict[tuple[int, int], tuple[int, str]] = {}
    heads: dict[tuple[int, int], tuple[int, int, str]] = {}
    seals: dict[int, list[Any]] = {}
    encode, sha256, loads, empty = _ENCODE, hashlib.sha256, json.loads, _EMPTY_JSON
    n = sealed = 0
    for row in rows:
        eid, ct, cid, seq, micros, actor, org, action, fs, ts, cit, text, att, pay, chg, prev, h, seal = row
        n += 1
        key = (ct, cid)
        last = tails.get(key)
        if last is None:
            if first:
                last = (0, GENESIS)
            else:  # the link to the previous range is checked when the ranges are joined
                heads[key] = (eid, seq, prev)
        if last is not None:
            if seq != last[0] + 1:
                part.broken = (eid, _gap(eid, key, seq, last[0] + 1))
                break
            if prev != last[1]:
                part.broken = (eid, _unlinked(eid, key, seq))
                break
        if decode:
            att = empty[att] if att in empty else loads(att)
            pay = empty[pay] if pay in empty else loads(pay)
            chg = empty[chg] if chg in empty else loads(chg)
        body = encode(
            [f"{ct}:{cid}", seq, micros, actor, org, action, fs, ts, cit, text, att, pay, chg, prev]
        )
        if sha256(body.encode("utf-8")).hexdigest() != h:
            part.broken = (eid, _tampered(eid, key, seq))
            break
        tails[key] = (seq, h)
        if seal is not None:
            sealed += 1
            s = seals.get(seal)
            if s is None:
                seals[seal] = [1, eid, eid, sha256(h.encode("utf-8"))]
            else:
                s[0] += 1
                s[2] = eid
                s[3].update(h.encode("utf-8"))
    part.events, part.sealed, part.tails, part.heads = n, sealed, tails, heads
    part.seals = {k: (c, f, la, d.hexdigest()) for k, (c, f, la, d) in seals.items()}
    return part


def _generic_rows(lo: int, hi: int) -> Iterator[tuple[Any, ...]]:
    qs = (
        DocketEvent.objects.filter(id__gte=lo, id__lte=hi)
        .order_by("id")
        .values_list(*_FIELDS[:-2], "prev_hash", "hash", "seal_entry__seal_id")
    )
    for row in qs.iterator(chunk_size=5000):
        yield (*row[:4], _micros(row[4]), *row[5:])


def _pg_rows(conn: Any, lo: int, hi: int) -> Iterator[list[str]]:
    """The rows as lists of COPY text fields (COPY TO STDOUT: several times quicker than a cursor)."""
    sql = _PG_SELECT.replace("%s", str(int(lo)), 1).replace("%s", str(int(hi)), 1)
    rest = b""
    with conn.cursor() as cur, cur.copy(f"COPY ({sql}) TO STDOUT") as copy:
        for chunk in copy:
            data = rest + bytes(chunk)
            end = data.rfind(b"\n")
            if end < 0:
                rest = data
                continue
            rest = data[end + 1 :]
            for line in data[:end].decode("utf-8").split("\n"):
                yield line.split("\t")


_COPY_ESCAPES = {"b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\"}


def _uncopy(s: str) -> str:
    """A COPY text field's value (backslash escapes undone)."""
    out, i, n = [], 0, len(s)
    while i < n:
        j = s.find("\\", i)
        if j < 0 or j + 1 >= n:
            out.append(s[i:])
            break
        out.append(s[i:j])
        out.append(_COPY_ESCAPES.get(s[j + 1], s[j + 1]))
        i = j + 2
    return "".join(out)


def _check_copy(rows: Iterable[list[str]], *, first: bool) -> _Part:
    """_check for COPY text rows: the body that event_digest hashes is assembled from the fields
    as text (numbers as PostgreSQL prints them, which is how json prints them; strings through
    json's own string encoder; JSON columns re-encoded with the digest's settings unless empty)."""
    part = _Part(first=first)
    tails: dict[str, tuple[int, str]] = {}
    heads: dict[str, tuple[int, int, str]] = {}
    seals: dict[str, list[Any]] = {}
    sha256, canonical = hashlib.sha256, _CANONICAL
    from json.encoder import encode_basestring as jstr

    empty = frozenset(("[]", "{}"))
    null = "\\N"
    n = sealed = 0
    for f in rows:
        eid, ct, cid, seq_s, micros, actor, org, action, fs, ts, cit, text, att, pay, chg, prev, h, seal = f
        n += 1
        key = f"{ct}:{cid}"
        seq = int(seq_s)
        last = tails.get(key)
        if last is None:
            if first:
                last = (0, GENESIS)
            else:
                heads[key] = (int(eid), seq, prev)
        if last is not None:
            if seq != last[0] + 1:
                part.broken = (int(eid), _gap(int(eid), (int(ct), int(cid)), seq, last[0] + 1))
                break
            if prev != last[1]:
                part.broken = (int(eid), _unlinked(int(eid), (int(ct), int(cid)), seq))
                break
        if "\\" in text:
            text = _uncopy(text)
        if "\\" in action or "\\" in cit or "\\" in fs or "\\" in ts:
            action, cit, fs, ts = _uncopy(action), _uncopy(cit), _uncopy(fs), _uncopy(ts)
        if att not in empty:
            att = canonical(_uncopy(att) if "\\" in att else att)
        if pay not in empty:
            pay = canonical(_uncopy(pay) if "\\" in pay else pay)
        if chg not in empty:
            chg = canonical(_uncopy(chg) if "\\" in chg else chg)
        if actor == null:
            actor = "null"
        if org == null:
            org = "null"
        body = (
            f'["{key}",{seq_s},{micros},{actor},{org},{jstr(action)},{jstr(fs)},{jstr(ts)},{jstr(cit)},'
            f"{jstr(text)},{att},{pay},{chg},{jstr(prev)}]"
        )
        if sha256(body.encode("utf-8")).hexdigest() != h:
            part.broken = (
                int(eid),
                f"{_where(int(eid), (int(ct), int(cid)), seq)}：内容与哈希不符（记录被篡改）",
            )
            break
        tails[key] = (seq, h)
        if seal != null:
            sealed += 1
            s = seals.get(seal)
            if s is None:
                seals[seal] = [1, eid, eid, sha256(h.encode("utf-8"))]
            else:
                s[0] += 1
                s[2] = eid
                s[3].update(h.encode("utf-8"))
    part.events, part.sealed = n, sealed
    part.tails = {(int(k.split(":")[0]), int(k.split(":")[1])): v for k, v in tails.items()}
    part.heads = {(int(k.split(":")[0]), int(k.split(":")[1])): v for k, v in heads.items()}
    part.seals = {int(k): (c, int(a), int(b), d.hexdigest()) for k, (c, a, b, d) in seals.items()}
    return part


def _pg_connect_params() -> dict[str, Any]:
    from django.db import connection

    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"]}
    if s.get("PORT"):
        params["port"] = s["PORT"]
    params.update({k: v for k, v in (s.get("OPTIONS") or {}).items() if k in {"sslmode", "options"}})
    return {k: v for k, v in params.items() if v not in (None, "")}


def _pg_worker(args: tuple[dict[str, Any], int, int, bool]) -> _Part:
    import psycopg

    params, lo, hi, first = args
    with psycopg.connect(**params) as conn:
        conn.execute("SET enable_hashjoin = off")  # a merge join of the two id-ordered indexes
        return _check_copy(_pg_rows(conn, lo, hi), first=first)


def _ranges(lo: int, hi: int, seals: list[tuple[int, int, int]], parts: int) -> list[tuple[int, int]]:
    """Split [lo, hi] into `parts` id ranges, cut only where no seal spans the cut."""
    if parts <= 1 or hi - lo < parts:
        return [(lo, hi)]
    cuts: list[int] = []
    spans = sorted((first, last) for _, first, last in seals)
    candidates, reach = [], lo - 1
    for first, last in spans:
        if first > reach and first > lo:
            candidates.append(first)  # every seal before this one ends before it
        reach = max(reach, last)
    if reach < hi:
        candidates.append(reach + 1)  # the unsealed tail
    if not spans:
        candidates = list(range(lo + 1, hi + 1, max(1, (hi - lo) // (parts * 8))))
    for k in range(1, parts):
        target = lo + (hi - lo + 1) * k // parts
        best = min(candidates, key=lambda c: abs(c - target), default=None)
        if best is not None and best not in cuts and lo < best <= hi:
            cuts.append(best)
    cuts.sort()
    bounds = [lo, *cuts, hi + 1]
    return [(bounds[i], bounds[i + 1] - 1) for i in range(len(bounds) - 1)]


def verify(*, workers: int | None = None) -> VerifyReport:
    """Recompute every event's hash and every per-case link, then every seal and the seal chain.

    `workers`: processes for a large docket on PostgreSQL (default: the cores, at most 4, when the
    docket has PARALLEL_MIN_EVENTS or more and no transaction is open); 1 checks in this process."""
    from django.db import connection

    report = VerifyReport()
    bounds = DocketEvent.objects.aggregate(lo=models.Min("id"), hi=models.Max("id"))
    seals = list(DocketSeal.objects.order_by("id"))
    parts: list[_Part] = []
    if bounds["lo"] is not None:
        lo, hi = bounds["lo"], bounds["hi"]
        pg = connection.vendor == "postgresql"
        if workers is None:
            big = hi - lo + 1 >= PARALLEL_MIN_EVENTS
            workers = min(os.cpu_count() or 1, 4) if pg and big and not connection.in_atomic_block else 1
        ranges = _ranges(lo, hi, [(s.id, s.first_event_id, s.last_event_id) for s in seals], workers)
        if pg and len(ranges) > 1:
            import multiprocessing

            params = _pg_connect_params()
            jobs = [(params, a, b, i == 0) for i, (a, b) in enumerate(ranges)]
            with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
                parts = pool.map(_pg_worker, jobs)
        elif pg:
            with transaction.atomic(using=connection.alias):
                connection.ensure_connection()
                parts = [_check_copy(_pg_rows(connection.connection, lo, hi), first=True)]
        else:
            parts = [_check(_generic_rows(lo, hi), first=True, decode=False)]

    # join the ranges: each chain continues where the previous range left it
    broken: list[tuple[int, str]] = [p.broken for p in parts if p.broken]
    tails: dict[tuple[int, int], tuple[int, str]] = {}
    for p in parts:
        report.events += p.events
        for key, (eid, seq, prev) in (p.heads or {}).items():
            last = tails.get(key, (0, GENESIS))
            if seq != last[0] + 1:
                broken.append((eid, _gap(eid, key, seq, last[0] + 1)))
            elif prev != last[1]:
                broken.append((eid, _unlinked(eid, key, seq)))
        tails.update(p.tails or {})
    report.cases = len(tails)
    if broken:
        report.broken = min(broken)[1]
        return report

    seen: dict[int, tuple[int, int, int, str]] = {}
    for p in parts:
        for seal_id, stats in (p.seals or {}).items():
            # a seal split across ranges cannot be: its entries lie outside its recorded range
            seen[seal_id] = stats if seal_id not in seen else (-1, 0, 0, "")
    prev_seal = GENESIS
    sealed = 0
    for seal in seals:
        report.seals += 1
        count, first_id, last_id, digest = seen.pop(seal.id, (0, 0, 0, ""))
        where = f"封存批次 #{seal.id}"
        if count != seal.count or (
            count and (first_id != seal.first_event_id or last_id != seal.last_event_id)
        ):
            report.broken = f"{where}：所含记录数量或范围与封存时不符"
            return report
        if count and digest != seal.digest:
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
        sealed += count
    if seen:  # entries pointing at a seal that does not exist (cannot happen with the foreign key)
        report.broken = f"封存批次 #{min(seen)}：封存记录不存在"
        return report
    report.unsealed = report.events - sealed
    return report
