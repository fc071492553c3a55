"""Read replicas: the router sends reads to a replica and writes to the primary, and a user reads
their own writes at once (core/routers.py, core/replica.py).

The unit tests run on any database. The last test starts a real PostgreSQL streaming replica:
pg_basebackup -R into a temporary directory, another port. It replicates the primary the suite
runs against (127.0.0.1:5432) when that primary accepts replication connections; when its
pg_hba.conf has no ``replication`` line it starts a throwaway primary with initdb in the same
temporary directory instead (nothing outside that directory is touched). Replay is paused on the
replica to make the lag visible: the writer still reads the row at once, others do not until it
catches up.
"""

from __future__ import annotations

import copy
import datetime as dt
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.contrib.sessions.models import Session
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.db.utils import load_backend
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.utils import timezone

from infogov.core.db import replica
from infogov.core.db.replica import PIN_COOKIE, ReplicaMiddleware, request_scope
from infogov.core.db.routers import ReplicaRouter

FAKE = ["replica_a", "replica_b"]


@pytest.fixture
def unwatch():
    """Leave the suite's primary connection as we found it (no write watcher, fresh state), and start
    from a fresh routing state: a pin left in the thread's context by an earlier test (the replica-pair
    tests on PostgreSQL write outside any request) would otherwise read as a pin leaking out of this one."""
    with replica.request_scope():
        yield
    wrappers = connections[DEFAULT_DB_ALIAS].execute_wrappers
    while replica.watch_writes in wrappers:
        wrappers.remove(replica.watch_writes)


def _session(key: str) -> Session:
    return Session.objects.create(
        session_key=key, session_data="x", expire_date=timezone.now() + dt.timedelta(days=1)
    )


# -- routing rules, no replica server needed ------------------------------------------------------------


def test_without_replicas_the_router_leaves_everything_on_default():
    r = ReplicaRouter()
    assert r.db_for_read(Session) is None
    assert r.db_for_write(Session) is None
    assert r.allow_migrate(DEFAULT_DB_ALIAS, "sessions") is None
    assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
    response = ReplicaMiddleware(lambda request: HttpResponse("ok"))(RequestFactory().post("/"))
    assert PIN_COOKIE not in response.cookies


@override_settings(DATABASE_REPLICAS=FAKE)
def test_reads_go_to_one_replica_per_scope_and_writes_to_primary(unwatch):
    seen = set()
    for _ in range(40):
        with request_scope():
            first = router.db_for_read(Session)
            assert first in FAKE
            assert all(router.db_for_read(Session) == first for _ in range(5))  # monotonic within a scope
            seen.add(first)
            assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
    assert seen == set(FAKE)  # both replicas take load
    assert ReplicaRouter().allow_migrate("replica_a", "sessions") is False
    assert ReplicaRouter().allow_migrate(DEFAULT_DB_ALIAS, "sessions") is None


@override_settings(DATABASE_REPLICAS=FAKE)
@pytest.mark.parametrize(
    ("sql", "many", "pins"),
    [
        ("SELECT 1", False, False),
        ('  (SELECT "a" FROM "t") UNION (SELECT "b" FROM "t")', False, False),
        (b"SELECT 1", False, False),
        ('INSERT INTO "t" VALUES (1)', False, True),
        ('UPDATE "t" SET a = 1', False, True),
        ('DELETE FROM "t"', False, True),
        ('SELECT * FROM "t" WHERE id = 1 FOR UPDATE', False, True),
        ('SAVEPOINT "s1"', False, False),
        ("BEGIN IMMEDIATE", False, False),
        ('WITH x AS (DELETE FROM "t" RETURNING 1) SELECT * FROM x', False, True),
        ("SELECT 1", True, True),  # executemany is always a write
    ],
)
def test_a_statement_that_is_not_a_read_pins_the_scope_to_the_primary(sql, many, pins, unwatch):
    calls = []
    with request_scope():
        assert router.db_for_read(Session) in FAKE
        result = replica.watch_writes(lambda *a: calls.append(a) or "done", sql, None, many, {})
        assert result == "done" and len(calls) == 1
        assert replica.is_pinned() is pins
        assert (router.db_for_read(Session) == DEFAULT_DB_ALIAS) is pins
    with request_scope():  # the next request starts unpinned
        assert router.db_for_read(Session) in FAKE


@override_settings(DATABASE_REPLICAS=FAKE)
def test_inside_a_transaction_and_after_a_write_reads_use_the_primary(transactional_db, unwatch):
    with request_scope():
        assert Session.objects.all().db in FAKE
        with transaction.atomic():
            assert Session.objects.all().db == DEFAULT_DB_ALIAS  # a service's reads see its own writes
        assert Session.objects.all().db in FAKE  # a transaction that wrote nothing leaves no pin
    with request_scope():
        _session("w1")  # autocommit, outside any transaction: the watcher sees the INSERT
        assert replica.has_written()
        qs = Session.objects.filter(pk="w1")
        assert qs.db == DEFAULT_DB_ALIAS and qs.exists()
    with replica.use_primary(), request_scope():
        assert Session.objects.all().db in FAKE  # a fresh scope inside is fresh
    with request_scope(), replica.use_primary():
        assert Session.objects.all().db == DEFAULT_DB_ALIAS


@override_settings(DATABASE_REPLICAS=FAKE)
def test_middleware_pins_unsafe_methods_writers_and_the_pin_cookie(transactional_db, unwatch):
    seen: dict[str, str] = {}

    def view(request):
        seen["before"] = Session.objects.all().db
        if request.GET.get("write"):
            _session(request.GET["write"])
        seen["after"] = Session.objects.all().db
        return HttpResponse("ok")

    mw = ReplicaMiddleware(view)
    rf = RequestFactory()

    response = mw(rf.get("/"))
    assert seen["before"] in FAKE and seen["after"] in FAKE
    assert PIN_COOKIE not in response.cookies

    response = mw(rf.get("/", {"write": "m1"}))  # a GET that wrote (e.g. a session save)
    assert seen["before"] in FAKE and seen["after"] == DEFAULT_DB_ALIAS
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["httponly"] and 0 < int(cookie["max-age"]) <= 60

    request = rf.get("/")
    request.COOKIES[PIN_COOKIE] = "1"  # the page the write redirected to
    mw(request)
    assert seen["before"] == DEFAULT_DB_ALIAS

    response = mw(rf.post("/"))
    assert seen["before"] == DEFAULT_DB_ALIAS
    assert PIN_COOKIE in response.cookies
    assert not replica.is_pinned()  # nothing leaks out of the request


# -- a real streaming replica ------------------------------------------------------------------------------


def _pg_bin(major: int | None) -> Path | None:
    """Debian keeps the server binaries in /usr/lib/postgresql/<major>/bin; prefer the server's major."""
    dirs = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(Path(d).parent.name), reverse=True
    )
    if major is not None:
        dirs = [d for d in dirs if Path(d).parent.name == str(major)] or dirs
    for d in dirs:
        if all((Path(d) / name).exists() for name in ("pg_basebackup", "pg_ctl", "initdb")):
            return Path(d)
    found = shutil.which("pg_ctl")
    if found and shutil.which("pg_basebackup") and shutil.which("initdb"):
        return Path(found).parent
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Cluster:
    bin: Path
    root: Path  # the temporary directory; everything we create lives in it

    def run(self, *cmd: str, check: bool = True, timeout: int = 120) -> subprocess.CompletedProcess:
        argv = [str(self.bin / cmd[0]), *cmd[1:]]
        if os.geteuid() == 0:  # the server refuses to run as root
            argv = ["runuser", "-u", "postgres", "--", *argv]
        return subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=check)

    def start(self, datadir: Path, log: str) -> None:
        res = self.run(
            "pg_ctl", "-D", str(datadir), "-l", str(self.root / log), "-w", "-t", "60", "start", check=False
        )
        if res.returncode != 0:
            tail = (self.root / log).read_text(errors="replace")[-2000:] if (self.root / log).exists() else ""
            raise RuntimeError(f"pg_ctl start {datadir.name} failed: {res.stderr}\n{tail}")

    def stop(self, datadir: Path) -> None:
        if (datadir / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(datadir), "-m", "immediate", "-w", "-t", "30", "stop", check=False)


def _connect(port: int, dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(
        host="127.0.0.1", port=port, user="postgres", dbname=dbname, autocommit=True, connect_timeout=5
    )


def _server_settings(conn: psycopg.Connection) -> dict[str, str]:
    """Settings a hot standby must match or exceed."""
    names = (
        "max_connections",
        "max_worker_processes",
        "max_wal_senders",
        "max_prepared_transactions",
        "max_locks_per_transaction",
    )
    return {n: conn.execute(f"SHOW {n}").fetchone()[0] for n in names}


def _write_standby_config(datadir: Path, port: int, root: Path, primary: dict[str, str]) -> None:
    lines = [
        f"port = {port}",
        "listen_addresses = '127.0.0.1'",
        f"unix_socket_directories = '{root}'",
        "hot_standby = on",
        "shared_buffers = 16MB",
        "fsync = off",
        *(f"{k} = {v}" for k, v in primary.items()),
    ]
    (datadir / "postgresql.conf").write_text("\n".join(lines) + "\n")
    (datadir / "pg_hba.conf").write_text("local all all trust\nhost all all 127.0.0.1/32 trust\n")
    (datadir / "pg_ident.conf").write_text("")


@dataclass
class Pair:
    primary_port: int
    replica_port: int
    dbname: str
    source: str  # "the primary on 127.0.0.1:5432" or "a throwaway primary (…)"


@pytest.fixture
def pg_pair(django_db_setup, django_db_blocker) -> Iterator[Pair]:
    default = connections[DEFAULT_DB_ALIAS].settings_dict
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        pytest.skip(
            "the replica test needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/…"
        )
    host, port = default.get("HOST") or "127.0.0.1", int(default.get("PORT") or 5432)
    try:
        with _connect(port) as c:
            major = int(c.execute("SHOW server_version_num").fetchone()[0]) // 10000
    except psycopg.Error as exc:
        pytest.skip(f"no PostgreSQL primary answers on {host}:{port}: {exc}")
    pgbin = _pg_bin(major)
    if pgbin is None:
        pytest.skip("pg_basebackup, pg_ctl and initdb not found (Debian: apt-get install postgresql)")
    if os.geteuid() == 0 and not shutil.which("runuser"):
        pytest.skip("running as root without runuser: cannot start PostgreSQL as the postgres user")

    root = Path(tempfile.mkdtemp(prefix="infogov-replica-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    root.chmod(0o700)
    cluster = Cluster(pgbin, root)
    own, standby = root / "primary", root / "replica"
    replica_port = _free_port()
    started: list[Path] = []
    dbname = f"infogov_replica_{uuid.uuid4().hex[:10]}"
    primary_port = port
    try:
        backup = cluster.run(
            "pg_basebackup",
            "-h",
            host,
            "-p",
            str(port),
            "-U",
            "postgres",
            "-D",
            str(standby),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            check=False,
            timeout=300,
        )
        if backup.returncode == 0 and host in {"127.0.0.1", "localhost"}:
            source = f"the primary on {host}:{port}"
        else:
            if "replication" not in backup.stderr and "pg_hba" not in backup.stderr:
                pytest.fail(f"pg_basebackup from {host}:{port} failed: {backup.stderr}")
            # pg_hba.conf of the system primary has no replication line: use our own primary.
            shutil.rmtree(standby, ignore_errors=True)
            primary_port = _free_port()
            cluster.run(
                "initdb",
                "-D",
                str(own),
                "-U",
                "postgres",
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            )
            with (own / "postgresql.conf").open("a") as conf:
                conf.write(
                    f"\nport = {primary_port}\nlisten_addresses = '127.0.0.1'\n"
                    f"unix_socket_directories = '{root}'\nwal_level = replica\nmax_wal_senders = 4\n"
                    "max_connections = 30\nshared_buffers = 16MB\nfsync = off\n"
                )
            cluster.start(own, "primary.log")
            started.append(own)
            cluster.run(
                "pg_basebackup",
                "-h",
                "127.0.0.1",
                "-p",
                str(primary_port),
                "-U",
                "postgres",
                "-D",
                str(standby),
                "-R",
                "-X",
                "stream",
                "-c",
                "fast",
            )
            source = (
                f"a throwaway primary on 127.0.0.1:{primary_port} (the primary on {host}:{port} "
                "refuses replication connections: no 'replication' line in its pg_hba.conf)"
            )
        with _connect(primary_port) as c:
            _write_standby_config(standby, replica_port, root, _server_settings(c))
            c.execute(f'CREATE DATABASE "{dbname}"')
        cluster.start(standby, "replica.log")
        started.append(standby)
        with django_db_blocker.unblock():
            yield Pair(primary_port, replica_port, dbname, source)
    finally:
        for datadir in reversed(started):
            cluster.stop(datadir)
        if not started or started[0] != own:  # the system primary: drop what we created there
            try:
                with _connect(primary_port) as c:
                    c.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            except psycopg.Error:
                pass
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def routed(pg_pair: Pair, unwatch) -> Iterator[tuple[Pair, str]]:
    """Point Django at the pair: "default" = the primary's database, one replica alias = the standby."""
    alias = f"replica_t{os.getpid()}"
    base = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
    base.update(HOST="127.0.0.1", NAME=pg_pair.dbname, CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    primary_settings = {**base, "PORT": str(pg_pair.primary_port)}
    replica_settings = {**copy.deepcopy(base), "PORT": str(pg_pair.replica_port)}
    backend = load_backend(base["ENGINE"])
    saved_default = connections[DEFAULT_DB_ALIAS]
    primary_conn = backend.DatabaseWrapper(primary_settings, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = primary_conn
    connections.settings[alias] = replica_settings
    try:
        with override_settings(DATABASE_REPLICAS=[alias]):
            with primary_conn.schema_editor() as editor:
                editor.create_model(Session)
            _wait_replayed(pg_pair)
            yield pg_pair, alias
    finally:
        if hasattr(connections._connections, alias):
            connections[alias].close()
            del connections[alias]
        del connections.settings[alias]
        primary_conn.close()
        connections[DEFAULT_DB_ALIAS] = saved_default


def _wait_replayed(pair: Pair, timeout: float = 30) -> None:
    with _connect(pair.primary_port) as p, _connect(pair.replica_port) as r:
        lsn = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while not r.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn]).fetchone()[0]:
            if time.monotonic() > deadline:
                raise AssertionError(f"the replica did not replay up to {lsn} within {timeout} s")
            time.sleep(0.05)


def _in_recovery(alias: str) -> bool:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return cursor.fetchone()[0]


def _set_replay(pair: Pair, paused: bool) -> None:
    with _connect(pair.replica_port) as r:
        r.execute("SELECT pg_wal_replay_pause()" if paused else "SELECT pg_wal_replay_resume()")
        want = "paused" if paused else "not paused"
        deadline = time.monotonic() + 10
        while r.execute("SELECT pg_get_wal_replay_pause_state()").fetchone()[0] != want:
            assert time.monotonic() < deadline, f"replay did not become {want}"
            time.sleep(0.02)


@pytest.mark.slow  # starts a streaming standby cluster
@pytest.mark.postgres
def test_streaming_replica_serves_reads_primary_takes_writes_and_users_read_their_own_writes(routed):
    pair, alias = routed
    print(f"replica of {pair.source} on 127.0.0.1:{pair.replica_port}")  # shown with -s

    # reads go to the replica: the connection the router chose is a standby in recovery
    with request_scope():
        chosen = router.db_for_read(Session)
        assert chosen == alias
        assert _in_recovery(chosen) is True
        assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
        assert _in_recovery(DEFAULT_DB_ALIAS) is False

    # a row committed on the primary is read, after catch-up, through the replica alias
    with _connect(pair.primary_port, pair.dbname) as p:
        p.execute("INSERT INTO django_session VALUES ('direct', 'x', now() + interval '1 day')")
    _wait_replayed(pair)
    with request_scope():
        qs = Session.objects.filter(pk="direct")
        assert qs.db == alias and qs.exists()

    # the replica cannot take a write: everything written below went to the primary
    with pytest.raises(DatabaseError), connections[alias].cursor() as cursor:
        cursor.execute("INSERT INTO django_session VALUES ('nope', 'x', now())")

    _set_replay(pair, paused=True)  # from here the replica lags behind the primary
    try:
        with request_scope():  # one user's request: read, write, read their own write at once
            assert Session.objects.filter(pk="mine").db == alias
            _session("mine")
            qs = Session.objects.filter(pk="mine")
            assert qs.db == DEFAULT_DB_ALIAS and qs.exists()
        with request_scope():  # someone else's request reads the lagging replica
            qs = Session.objects.filter(pk="mine")
            assert qs.db == alias and not qs.exists()
            with transaction.atomic():  # inside a service's transaction: the primary
                assert Session.objects.filter(pk="mine").exists()

        # the same through the middleware, as a browser would: a GET that writes, the page it
        # redirects to (pin cookie), an unsafe request, and a request by someone else
        seen: dict[str, object] = {}

        def view(request):
            key = request.GET.get("write")
            if key:
                _session(key)
            qs = Session.objects.filter(pk=request.GET.get("read", key))
            seen.update(db=qs.db, found=qs.exists())
            return HttpResponse("ok")

        mw, rf = ReplicaMiddleware(view), RequestFactory()
        response = mw(rf.get("/", {"write": "via-mw"}))
        assert seen == {"db": DEFAULT_DB_ALIAS, "found": True}
        request = rf.get("/", {"read": "via-mw"})
        request.COOKIES[PIN_COOKIE] = response.cookies[PIN_COOKIE].value
        mw(request)
        assert seen == {"db": DEFAULT_DB_ALIAS, "found": True}
        mw(rf.post("/?read=via-mw"))
        assert seen == {"db": DEFAULT_DB_ALIAS, "found": True}
        mw(rf.get("/", {"read": "via-mw"}))
        assert seen == {"db": alias, "found": False}
    finally:
        _set_replay(pair, paused=False)

    _wait_replayed(pair)
    with request_scope():  # caught up: everyone reads the rows from the replica
        assert Session.objects.filter(pk__in=["mine", "via-mw"]).db == alias
        assert Session.objects.filter(pk__in=["mine", "via-mw"]).count() == 2
