"""Verification of the docket: every case chain and the global chain of seals, recomputed —
streamed by COPY on PostgreSQL, in parallel processes past PARALLEL_MIN_EVENTS (第三十四条)."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from infogov.core.docket.chain import (
    GENESIS,
    _micros,
    seal_hash,
)
from infogov.core.models import DocketEvent, DocketSeal

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
_CANONICAL_CACHE = 16_000
PARALLEL_MIN_EVENTS = 400_000  # below this one process is quicker than starting workers
COPY_BLOCK_ROWS = 128  # rows checked together: each step runs once per column (in C), in cache

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


# -- PostgreSQL: COPY read in blocks, checked a column at a time ----------------------------------


def _pg_blocks(pgconn: Any, sql: str, *, rows: int | None = None, drain: bool = True) -> Iterator[bytes]:
    """COPY (sql) TO STDOUT in blocks of `rows` lines (each ending in a newline), read through libpq
    directly: psycopg's Copy iterator spends ~2 µs of Python on every row, most of a row's budget.
    `drain`: if the consumer stops early, read the rest so that the connection can be used again
    (the caller's connection); a worker closes its connection instead."""
    from functools import partial
    from itertools import islice
    from operator import itemgetter

    from psycopg import errors, pq

    pgconn.send_query(f"COPY ({sql}) TO STDOUT".encode())
    result = pgconn.get_result()
    if result.status != pq.ExecStatus.COPY_OUT:
        while pgconn.get_result() is not None:
            pass
        raise errors.error_from_result(result)
    lines = iter(partial(pgconn.get_copy_data, 0), (-1, b""))
    second, join, rows = itemgetter(1), b"".join, rows or COPY_BLOCK_ROWS
    finished = False
    try:
        while block := join(map(second, islice(lines, rows))):
            yield block
        finished = True
    finally:
        if finished or drain:
            for _ in lines:
                pass
            error = None
            while (result := pgconn.get_result()) is not None:
                if result.status != pq.ExecStatus.COMMAND_OK and error is None:
                    error = errors.error_from_result(result)
            if error is not None:
                raise error


_COPY_ESCAPES = {ord(k): v for k, v in zip("bfnrtv", (b"\b", b"\f", b"\n", b"\r", b"\t", b"\v"), strict=True)}
# what json escapes in a string: quotes, backslashes, control characters (a block's tabs and newlines
# separate its fields and rows: inside a value COPY would have escaped them, with a backslash)
_JSON_ESCAPED = bytes(range(0x20)).replace(b"\t", b"").replace(b"\n", b"") + b'"\\'


def _uncopy(field: bytes) -> bytes | None:
    """A COPY text field's value: None for NULL, backslash escapes undone."""
    if field == b"\\N":
        return None
    if b"\\" not in field:
        return field
    out, i, n = bytearray(), 0, len(field)
    while i < n:
        j = field.find(b"\\", i)
        if j < 0 or j + 1 >= n:
            out += field[i:]
            break
        out += field[i:j]
        c = field[j + 1]
        out += _COPY_ESCAPES.get(c) or bytes((c,))
        i = j + 2
    return bytes(out)


def _canonical_bytes(text: bytes, cache: dict[bytes, bytes] | None = None) -> bytes | None:
    """The jsonb text's value as event_digest encodes it (None if it has none json can read back),
    remembered in `cache`."""
    value = cache.get(text) if cache is not None else None
    if value is None:
        try:
            value = _CANONICAL(text.decode()).encode()
        except (ValueError, RecursionError):
            return None
        if cache is not None:
            _remember(cache, [text], [value])
    return value


def _remember(cache: dict[bytes, bytes], texts: list[bytes], values: list[bytes]) -> None:
    if len(cache) + len(texts) > _CANONICAL_CACHE:
        _forget(cache)
    cache.update(zip(texts, values, strict=True))


def _forget(cache: dict[bytes, bytes]) -> None:
    cache.clear()
    cache.update(_CANONICAL_SEED)


def _compact(texts: list[bytes]) -> list[bytes] | None:
    """jsonb texts without the spaces jsonb prints after ':' and ',', for texts without a backslash:
    there every '"' opens or closes a string (jsonb escapes a quote inside one), so what lies between
    a closing and the next opening quote is outside any string, where jsonb puts nothing but
    brackets, separators, those spaces, numbers (digits, '-', '.') and true/false/null. One pass
    over a block's texts at once instead of a parse and an encode for each.

    Dropping those spaces keeps the value, and gives the canonical text whenever the keys are
    already in code point order and no number has a fraction: most texts. Where it does not, the
    body does not give the stored hash and the row is checked again with _canonical_bytes. A body
    with a compact text that does give the stored hash proves the same content as the canonical
    one: each is a single JSON value equal to the column's (so the array of fields reads back the
    same), and whoever could choose the hash could as well have hashed the canonical text."""
    from itertools import repeat

    parts = b"\n".join(texts).split(b'"')  # no newline inside: jsonb escapes it in strings
    parts[::2] = map(bytes.replace, parts[::2], repeat(b" "), repeat(b""))
    compact = b'"'.join(parts).split(b"\n")
    return compact if len(compact) == len(texts) else None


def _json_string(value: bytes | None) -> bytes:
    from json.encoder import encode_basestring  # type: ignore[attr-defined]

    return b"null" if value is None else encode_basestring(value.decode()).encode()


# A block's columns: case key, seq - 1, seq, prev_hash, hash, seal id, id; the bodies to hash; the
# rows whose body is unknown (no body event_digest could have hashed); and, for a body that does not
# give the row's hash, the body with every jsonb text in its canonical form (None: there is none).
_Columns = tuple[Any, Any, Any, Any, Any, Any, Any, Iterable[bytes], list[int], Any]


def _plain_rows(lines: list[bytes], cache: dict[bytes, bytes]) -> _Columns | None:
    """A block in which no value needed an escape (no backslash anywhere) and no string needs one in
    JSON: every step runs over a whole column. None when some string does (_careful_rows then)."""
    from itertools import compress, repeat
    from operator import is_

    tab, nl, translate = b"\t", b"\n", bytes.translate
    S, K, M1, SQ, MI, AC, OR, P, H, SE, A, PA, C, E = zip(
        *map(bytes.rsplit, lines, repeat(tab), repeat(13)), strict=True
    )
    strings, prevs = nl.join(S), b"".join(P)
    if (
        translate(strings, None, _JSON_ESCAPED) is not strings
        or translate(prevs, None, _JSON_ESCAPED) is not prevs
    ):
        return None
    quoted = (b'"' + strings.replace(tab, b'","').replace(nl, b'"\n"') + b'"').split(nl)
    if len(cache) > _CANONICAL_CACHE - 3 * len(lines):
        _forget(cache)  # now, so that all this block's texts stay until its bodies are built
    json_columns = []
    for texts in (A, PA, C):
        column = list(map(cache.get, texts))
        if None in column:  # not seen lately: compacted, or canonical if that fails
            missing = list(  # each once: a block often repeats a text (progress reports of one day)
                dict.fromkeys(
                    map(texts.__getitem__, compress(range(len(column)), map(is_, column, repeat(None))))
                )
            )
            values = _compact(missing) or [_canonical_bytes(t) or b"" for t in missing]
            cache.update(zip(missing, values, strict=True))
            column = list(map(cache.get, texts))
        json_columns.append(column)

    def canonical(i: int) -> bytes | None:
        values = [_CANONICAL_SEED.get(t) or _canonical_bytes(t) for t in (A[i], PA[i], C[i])]
        if None in values:
            return None
        _remember(cache, [A[i], PA[i], C[i]], values)  # type: ignore[arg-type]
        return b'["%s",%s,%s,%s,%s,%s,%s,%s,%s,"%s"]' % (
            K[i],
            SQ[i],
            MI[i],
            AC[i],
            OR[i],
            quoted[i],
            *values,
            P[i],
        )

    comma = repeat(b",")
    bodies = map(
        b"".join,
        zip(
            repeat(b'["'),
            K,
            repeat(b'",'),
            SQ,
            comma,
            MI,
            comma,
            AC,
            comma,
            OR,
            comma,
            quoted,
            comma,
            json_columns[0],
            comma,
            json_columns[1],
            comma,
            json_columns[2],
            repeat(b',"'),
            P,
            repeat(b'"]'),
        ),
    )
    return K, M1, SQ, P, H, SE, E, bodies, [], canonical


def _careful_rows(lines: list[bytes]) -> _Columns:
    """A block with escaped values (newlines, tabs, backslashes), strings that JSON escapes, or NULLs
    where the schema allows none: row by row, each value undone from COPY and encoded exactly as
    event_digest encodes it (a NULL as null, as it would hash None)."""
    K, M1, SQ, P, H, SE, E, bodies, failed = [], [], [], [], [], [], [], [], []
    for i, line in enumerate(lines):
        f = [_uncopy(v) for v in line.split(b"\t")]
        key, m1, seq, micros, actor, org, prev, h, seal, att, pay, chg, eid = f[5:]
        jsons = [b"null" if v is None else _canonical_bytes(v) for v in (att, pay, chg)]
        if None in (key, seq, micros, *jsons):  # no body event_digest could have hashed
            failed.append(i)
            body = b""
        else:
            strings = b",".join(map(_json_string, f[:5]))
            body = b'["%s",%s,%s,%s,%s,%s,%s,%s,%s,%s]' % (
                key,
                seq,
                micros,
                actor,
                org,
                strings,
                *jsons,
                _json_string(prev),
            )
        K.append(key or b"")
        M1.append(m1 or b"")
        SQ.append(seq or b"")
        P.append(prev if prev is not None else b"")
        H.append(h or b"")
        SE.append(seal or b"")
        E.append(eid or b"0")
        bodies.append(body)
    return K, M1, SQ, P, H, SE, E, bodies, failed, lambda i: None


def _int(field: bytes) -> int:
    try:
        return int(field)
    except ValueError:  # what a NULL left empty
        return 0


def _key_of(key: bytes) -> tuple[int, int]:
    ct, _, cid = key.partition(b":")
    return (_int(ct), _int(cid))


def _check_copy(blocks: Iterable[bytes], *, first: bool) -> _Part:
    """_check for blocks of _PG_SELECT lines. Per block, a column at a time: the bodies are assembled
    from the fields as bytes (numbers as PostgreSQL prints them, which is how json prints them;
    strings quoted as they are when nothing in them needs escaping, else row by row through json's
    encoder; jsonb as its canonical text, remembered per distinct text, or compacted), hashed, and
    compared with the stored hashes in one comparison; the chains take one dict look-up per row; a
    seal takes the block's hashes at once. Python's cost per row is what limits verify (PostgreSQL
    spends less on producing the row), hence the columns, and no garbage collection meanwhile."""
    import binascii
    import gc
    from itertools import compress
    from operator import ne

    part = _Part(first=first)
    tails: dict[bytes, tuple[bytes, bytes]] = {}
    heads: dict[bytes, tuple[bytes, bytes, bytes]] = {}
    seals: dict[bytes, list[Any]] = {}
    cache = dict(_CANONICAL_SEED)
    get, sha256, hexlify, join = tails.get, hashlib.sha256, binascii.hexlify, b"".join
    digest = type(sha256()).digest
    start = (b"0", GENESIS.encode()) if first else None
    seal: bytes = b""
    entry: list[Any] | None = None  # the seal of the last row: [count, first id, last id, running sha256]
    events = 0
    collecting = gc.isenabled()
    gc.disable()  # nothing here makes a reference cycle; the collector would only walk the tails
    try:
        for block in blocks:
            lines = block.split(b"\n")
            lines.pop()
            columns = _plain_rows(lines, cache) if b"\\" not in block else None
            K, M1, SQ, P, H, SE, E, bodies, failed, canonical = columns or _careful_rows(lines)
            n = len(H)
            D = list(map(digest, map(sha256, bodies)))
            hashes = join(H)
            tampered = None  # index of the first row whose content does not give its hash
            if failed or hexlify(join(D)) != hashes or len(hashes) != 64 * n or max(map(len, H)) != 64:
                mismatched = compress(range(n), map(ne, map(hexlify, D), H))
                for i in sorted({*mismatched, *failed}):
                    body = canonical(i) if i not in failed else None
                    if body is None or hexlify(sha256(body).digest()) != H[i]:
                        tampered = i
                        break
            unlinked = None  # (id, case, last link, this row's link) of the first row off its chain
            for key, link, this, eid in zip(
                K, zip(M1, P, strict=True), zip(SQ, H, strict=True), E, strict=True
            ):
                last = get(key, start)
                if last != link:
                    if last is None:  # first seen in a later range: joined in verify()
                        heads[key] = (eid, this[0], link[1])
                    else:
                        unlinked = (_int(eid), key, last, link, this[0])
                        break
                tails[key] = this
            if unlinked is not None or tampered is not None:
                eid_t = _int(E[tampered]) if tampered is not None else None
                if unlinked is not None and (eid_t is None or unlinked[0] <= eid_t):
                    eid, key, last, link, seq = unlinked
                    where = _key_of(key)
                    if last[0] != link[0]:
                        part.broken = (eid, _gap(eid, where, _int(seq), _int(last[0]) + 1))
                    else:
                        part.broken = (eid, _unlinked(eid, where, _int(seq)))
                elif tampered is not None and eid_t is not None:
                    part.broken = (eid_t, _tampered(eid_t, _key_of(K[tampered]), _int(SQ[tampered])))
                break
            if SE.count(seal) == n:  # the whole block in the seal of the last row (or in none)
                if entry is not None:
                    entry[0] += n
                    entry[2] = E[-1]
                    entry[3].update(hashes)
            else:
                for s, h, eid in zip(SE, H, E, strict=True):
                    if s != seal:
                        seal = s
                        entry = (seals.get(s) or seals.setdefault(s, [0, eid, eid, sha256()])) if s else None
                    if entry is not None:
                        entry[0] += 1
                        entry[2] = eid
                        entry[3].update(h)
            events += n
    finally:
        if collecting:
            gc.enable()
    part.events = events
    part.sealed = sum(s[0] for s in seals.values())
    part.tails = {_key_of(k): (_int(s), h.decode()) for k, (s, h) in tails.items()}
    part.heads = {_key_of(k): (_int(e), _int(s), p.decode()) for k, (e, s, p) in heads.items()}
    part.seals = {_int(k): (c, _int(a), _int(b), d.hexdigest()) for k, (c, a, b, d) in seals.items()}
    return part


def _pg_connect_params() -> dict[str, Any]:
    """What Django connects with (OPTIONS included: sslmode, service, …) without its Python-side
    settings: verify's own connections (its snapshot, the workers') are plain psycopg ones."""
    from django.db import connection

    params = dict(connection.get_connection_params())
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


def _pg_snapshot_connection(params: dict[str, Any], snapshot: str | None = None) -> Any:
    """A read-only REPEATABLE READ connection, on `snapshot` (pg_export_snapshot) if given: the parent
    and its workers all read the docket as it was at one instant, whatever is appended or sealed
    meanwhile. Tuned for the id-ordered COPY: a merge join of the two primary keys, no parallel plan
    (the workers are the parallelism)."""
    import psycopg
    from psycopg import sql

    conn = psycopg.connect(**params)
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True
    if snapshot is not None:
        conn.execute(sql.SQL("SET TRANSACTION SNAPSHOT {}").format(sql.Literal(snapshot)))
    conn.execute("SET enable_hashjoin = off")
    conn.execute("SET max_parallel_workers_per_gather = 0")
    return conn


def _pg_worker(args: tuple[dict[str, Any], int, int, bool, str | None]) -> _Part:
    params, lo, hi, first, snapshot = args
    conn = _pg_snapshot_connection(params, snapshot)
    try:
        return _check_copy(_pg_blocks(conn.pgconn, _pg_select(lo, hi), drain=False), first=first)
    finally:
        conn.close()  # not a commit: the COPY may have been left unread


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


def default_workers(events: int) -> int:
    """Processes for a docket of about `events` events on PostgreSQL."""
    return min(os.cpu_count() or 1, 4) if events >= PARALLEL_MIN_EVENTS else 1


def verify(*, workers: int | None = None) -> VerifyReport:
    """Recompute every event's hash and every per-case link, then every seal and the seal chain.

    `workers`: processes for a large docket on PostgreSQL (default: default_workers()); 1 checks in
    this process. Outside a transaction the docket is read on a snapshot of its own (shared with the
    workers); inside one, on the caller's connection, so that its own uncommitted events count (and
    in this process unless `workers` asks otherwise: workers cannot see them)."""
    from django.db import connection

    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        return _verify_pg_snapshot(workers)
    bounds = DocketEvent.objects.aggregate(lo=models.Min("id"), hi=models.Max("id"))
    seals = list(DocketSeal.objects.order_by("id").values_list(*_SEAL_FIELDS))
    parts: list[_Part] = []
    if bounds["lo"] is not None:
        lo, hi = bounds["lo"], bounds["hi"]
        if connection.vendor != "postgresql":
            parts = [_check(_generic_rows(lo, hi), first=True, decode=False)]
        else:
            ranges = _ranges(lo, hi, [(s[0], s[2], s[3]) for s in seals], workers or 1)
            if len(ranges) > 1:
                parts = _pg_pool(_pg_connect_params(), ranges, None)
            else:
                connection.ensure_connection()
                parts = [
                    _check_copy(_pg_blocks(connection.connection.pgconn, _pg_select(lo, hi)), first=True)
                ]
    return _report(parts, seals)


def _pg_pool(params: dict[str, Any], ranges: list[tuple[int, int]], snapshot: str | None) -> list[_Part]:
    import multiprocessing

    jobs = [(params, a, b, i == 0, snapshot) for i, (a, b) in enumerate(ranges)]
    with multiprocessing.get_context("fork").Pool(len(jobs)) as pool:
        return pool.map(_pg_worker, jobs)


def _verify_pg_snapshot(workers: int | None) -> VerifyReport:
    params = _pg_connect_params()
    conn = _pg_snapshot_connection(params)
    try:
        lo, hi = conn.execute("SELECT min(id), max(id) FROM core_docketevent").fetchone()
        seals = conn.execute(_PG_SEALS).fetchall()
        parts: list[_Part] = []
        if lo is not None:
            if workers is None:
                workers = default_workers(hi - lo + 1)
            ranges = _ranges(lo, hi, [(s[0], s[2], s[3]) for s in seals], workers)
            if len(ranges) > 1:
                snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
                parts = _pg_pool(params, ranges, snapshot)
            else:
                parts = [_check_copy(_pg_blocks(conn.pgconn, _pg_select(lo, hi)), first=True)]
    finally:
        conn.close()
    return _report(parts, seals)


def _report(parts: list[_Part], seals: list[tuple[Any, ...]]) -> VerifyReport:
    """Join the ranges (each chain continues where the previous range left it), then check every seal
    and the seal chain. `seals`: rows of _SEAL_FIELDS in id order."""
    report = VerifyReport()
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
    for seal_id, seal_count, seal_first, seal_last, seal_digest_, seal_prev, seal_hash_ in seals:
        report.seals += 1
        count, first_id, last_id, digest = seen.pop(seal_id, (0, 0, 0, ""))
        where = f"封存批次 #{seal_id}"
        if count != seal_count or (count and (first_id != seal_first or last_id != seal_last)):
            report.broken = f"{where}：所含记录数量或范围与封存时不符"
            return report
        if count and digest != seal_digest_:
            report.broken = f"{where}：所封存记录的哈希与封存摘要不符"
            return report
        if (
            seal_prev != prev_seal
            or seal_hash(
                count=seal_count, first=seal_first, last=seal_last, digest=seal_digest_, prev_hash=seal_prev
            )
            != seal_hash_
        ):
            report.broken = f"{where}：全局封存链断开"
            return report
        prev_seal = seal_hash_
        sealed += count
    if seen:  # entries pointing at a seal that does not exist (cannot happen with the foreign key)
        report.broken = f"封存批次 #{min(seen)}：封存记录不存在"
        return report
    report.unsealed = report.events - sealed
    return report
