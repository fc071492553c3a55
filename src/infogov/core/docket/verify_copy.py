"""The PostgreSQL reader of docket verification: COPY read in blocks, checked a column at a time."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

from infogov.core.docket.chain import (
    GENESIS,
)
from infogov.core.docket.verify_base import (
    _CANONICAL,
    _CANONICAL_SEED,
    _gap,
    _Part,
    _tampered,
    _unlinked,
)

_CANONICAL_CACHE = 16_000
COPY_BLOCK_ROWS = 128  # rows checked together: each step runs once per column (in C), in cache


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


def _first_break(
    unlinked: tuple[Any, ...] | None, tampered: int | None, E: list[bytes], K: list[bytes], SQ: list[bytes]
) -> tuple[int, str] | None:
    """The first fault of a block: (event id, message) of the row off its chain or of the row whose
    content does not give its hash, whichever comes first."""
    eid_t = _int(E[tampered]) if tampered is not None else None
    if unlinked is not None and (eid_t is None or unlinked[0] <= eid_t):
        eid, key, last, link, seq = unlinked
        where = _key_of(key)
        if last[0] != link[0]:
            return (eid, _gap(eid, where, _int(seq), _int(last[0]) + 1))
        return (eid, _unlinked(eid, where, _int(seq)))
    if tampered is not None and eid_t is not None:
        return (eid_t, _tampered(eid_t, _key_of(K[tampered]), _int(SQ[tampered])))
    return None


def _seal_block(
    seals: dict[bytes, list[Any]],
    seal: bytes,
    entry: list[Any] | None,
    SE: list[bytes],
    H: list[bytes],
    E: list[bytes],
    hashes: bytes,
) -> tuple[bytes, list[Any] | None]:
    """A block's rows into their seals' running counts and hashes; returns the last row's (seal, entry)."""
    if SE.count(seal) == len(H):  # the whole block in the seal of the last row (or in none)
        if entry is not None:
            entry[0] += len(H)
            entry[2] = E[-1]
            entry[3].update(hashes)
        return seal, entry
    for s, h, eid in zip(SE, H, E, strict=True):
        if s != seal:
            seal = s
            entry = (seals.get(s) or seals.setdefault(s, [0, eid, eid, hashlib.sha256()])) if s else None
        if entry is not None:
            entry[0] += 1
            entry[2] = eid
            entry[3].update(h)
    return seal, entry


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
                part.broken = _first_break(unlinked, tampered, E, K, SQ)
                break
            seal, entry = _seal_block(seals, seal, entry, SE, H, E, hashes)
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
