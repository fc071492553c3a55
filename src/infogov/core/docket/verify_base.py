"""Verification basics shared by both readers: the report, the canonical form of jsonb texts, the
checks of one run of events (per-case chains, seals) and their messages."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from infogov.core.docket.chain import (
    GENESIS,
    _micros,
)
from infogov.core.models import DocketEvent

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
_CANONICAL_SEED = {b"[]": b"[]", b"{}": b"{}"}
# jsonb texts kept per pass with the form that verified: the same opinion, progress report … recurs,
# mostly soon (16,000 find about as many as 1,000,000 and stay in the processor's cache)
PARALLEL_MIN_EVENTS = 400_000  # below this one process is quicker than starting workers

# One COPY line per event: the fields event_digest hashes, printed by PostgreSQL as json prints them
# (integers; a NULL actor or organisation as null), strings as text, jsonb as jsonb prints it (the
# cast costs nothing on a jsonb column and guarantees that form), in the order that needs the least
# Python to reassemble (the five strings first, so one rsplit leaves them together); then what the
# chains and seals need: case key, seq - 1, seq, prev_hash, hash, seal id ('' if none), id.
# date_part gives the epoch as a double: before 2106 the two roundings (µs → s → µs) stay within
# 0.49 µs, so the bigint is exactly what _micros() computes (for any time after 1970: record() writes
# the current time). The seal entries are read over the same id range: each worker's merge join then
# starts at its own range instead of at the first entry.
_PG_SELECT = (
    "SELECT e.action, e.from_state, e.to_state, e.citation, e.comment, "
    "e.case_type_id || ':' || e.case_id, e.seq - 1, e.seq, (date_part('epoch', e.at) * 1000000)::bigint, "
    "coalesce(e.actor_id::text, 'null'), coalesce(e.organisation_id::text, 'null'), e.prev_hash, e.hash, "
    "coalesce(s.seal_id::text, ''), e.attachments::jsonb, e.payload::jsonb, e.changes::jsonb, e.id "
    "FROM core_docketevent e LEFT JOIN core_docketsealentry s "
    "ON s.event_id = e.id AND s.event_id BETWEEN {lo} AND {hi} "
    "WHERE e.id BETWEEN {lo} AND {hi} ORDER BY e.id"
)
_PG_SEALS = (
    "SELECT id, count, first_event_id, last_event_id, digest, prev_hash, hash "
    "FROM core_docketseal ORDER BY id"
)
_SEAL_FIELDS = ("id", "count", "first_event_id", "last_event_id", "digest", "prev_hash", "hash")


def _pg_select(lo: int, hi: int) -> str:
    return _PG_SELECT.format(lo=int(lo), hi=int(hi))


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
