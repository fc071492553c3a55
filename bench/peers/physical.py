"""The physical ceiling of the project list: the same two statements through psycopg, the rows
encoded as JSON, served over HTTP/1.1 keep-alive by a minimal asyncio server in N plain processes
(SO_REUSEPORT), no framework. `python bench/peers/physical.py PORT PROCS` with $BENCH_DATABASE_URL
and $BENCH_LIST_SQL set."""

from __future__ import annotations

import asyncio
import datetime as dt
import decimal
import json
import os
import socket
import sys

import psycopg


def _unique(names: list[str]) -> list[str]:
    """Column names as JSON keys: a joined table's "id" after the first becomes "id_2" …"""
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if seen[n] == 1 else f"{n}_{seen[n]}")
    return out


def _default(o: object) -> str:
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    if isinstance(o, decimal.Decimal):
        return str(o)
    raise TypeError(type(o).__name__)


def serve(port: int) -> None:
    sql = json.load(open(os.environ["BENCH_LIST_SQL"], encoding="utf-8"))  # noqa: SIM115
    conn = psycopg.connect(os.environ["BENCH_DATABASE_URL"], autocommit=True)

    def page() -> bytes:
        with conn.cursor() as cur:
            count = cur.execute(sql["count"]).fetchone()[0]
            cur.execute(sql["page"])
            cols = _unique([c.name for c in cur.description])
            items = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
        body = json.dumps({"count": count, "items": items}, default=_default, ensure_ascii=False).encode()
        head = (
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: keep-alive\r\n\r\n"
        ).encode()
        return head + body

    class Http(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            self.transport = transport  # type: ignore[assignment]
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            self.buf += data
            while b"\r\n\r\n" in self.buf:
                _, self.buf = self.buf.split(b"\r\n\r\n", 1)
                self.transport.write(page())  # type: ignore[attr-defined]

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(256)
    loop = asyncio.new_event_loop()
    loop.run_until_complete(loop.create_server(Http, sock=sock))
    loop.run_forever()


def main() -> None:
    port, procs = int(sys.argv[1]), int(sys.argv[2])
    children = []
    for _ in range(procs):
        pid = os.fork()
        if pid == 0:
            serve(port)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    main()
