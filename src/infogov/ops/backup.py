"""Backup and restore of the platform (GB/T 22239-2019 8.1.4.9 数据备份恢复): one archive holds the
database (PostgreSQL `pg_dump -Fc`; SQLite through its online backup API), the attachments (MEDIA_ROOT)
and a manifest: the sha256 of every member, the row count of every table and the heads of the docket's
and the audit trail's hash chains, all read from the same snapshot as the dump. Beside the archive, a
`.sha256` file holds the archive's own checksum (`sha256sum -c` checks it).

`restore` puts an archive into an EMPTY database (never over live data) and then proves it: the member
checksums, the row counts, the docket and audit chains (recomputed) and every attachment's sha256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_DB = "database.sqlite3"
MEDIA = "media"


class BackupError(Exception):
    """A refusal or a failed check, in Chinese, for the command to print (exit code 1)."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- what the manifest records: row counts and chain heads, from one cursor ---------------------------


def _quote(connection: Any, name: str) -> str:
    return connection.ops.quote_name(name)


def table_counts(cursor: Any, tables: list[str], quote: Any) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = int(cursor.fetchone()[0])
    return counts


def chain_heads(cursor: Any) -> dict[str, str | None]:
    """The last hash of the docket's per-event and seal chains and of the audit trail."""
    heads: dict[str, str | None] = {}
    for key, sql in (
        ("docket_event", "SELECT hash FROM core_docketevent ORDER BY id DESC LIMIT 1"),
        ("docket_seal", "SELECT hash FROM core_docketseal ORDER BY id DESC LIMIT 1"),
        ("audit", "SELECT hash FROM core_auditevent ORDER BY seq DESC LIMIT 1"),
    ):
        cursor.execute(sql)
        row = cursor.fetchone()
        heads[key] = row[0] if row else None
    return heads


# -- backup --------------------------------------------------------------------------------------------


def _pg_env(params: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """libpq connection options for pg_dump/pg_restore; the password through the environment only."""
    env = dict(os.environ)
    args = []
    for key, flag in (("host", "--host"), ("port", "--port"), ("user", "--username")):
        if params.get(key):
            args += [flag, str(params[key])]
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    if params.get("sslmode"):
        env["PGSSLMODE"] = str(params["sslmode"])
    return args, env


def _pg_params(alias: str) -> dict[str, Any]:
    params = dict(connections[alias].get_connection_params())
    for key in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(key, None)
    return params


def _dump_postgres(alias: str, staging: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """pg_dump on an exported snapshot, with the counts and heads read in that same snapshot."""
    import psycopg

    params = _pg_params(alias)
    dbname = params.pop("dbname")
    with psycopg.connect(dbname=dbname, **params) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            row = cursor.fetchone()
            assert row is not None
            snapshot = row[0]
            cursor.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
            )
            tables = [r[0] for r in cursor.fetchall()]
            counts = table_counts(cursor, tables, lambda t: '"' + t.replace('"', '""') + '"')
            heads = chain_heads(cursor)
            args, env = _pg_env(params)
            result = subprocess.run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={staging / PG_DUMP}",
                    *args,
                    "--dbname",
                    dbname,
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if result.returncode != 0:
                raise BackupError(f"pg_dump 失败：{result.stderr.strip()}")
    return counts, heads


def _dump_sqlite(alias: str, staging: Path) -> tuple[dict[str, int], dict[str, Any]]:
    """The online backup API copies a consistent database while others keep writing; counts and
    heads are then read from the copy itself."""
    name = connections[alias].settings_dict["NAME"]
    target = staging / SQLITE_DB
    source = sqlite3.connect(str(name), timeout=30)
    try:
        dest = sqlite3.connect(str(target))
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()
    return _sqlite_facts(target)


def _sqlite_facts(path: Path) -> tuple[dict[str, int], dict[str, Any]]:
    conn = sqlite3.connect(str(path))
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [r[0] for r in cursor.fetchall()]
        counts = table_counts(cursor, tables, lambda t: '"' + t.replace('"', '""') + '"')
        return counts, chain_heads(cursor)
    finally:
        conn.close()


def _media_files(root: Path) -> list[Path]:
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def backup(output_dir: Path, *, alias: str = "default") -> Path:
    """Write one archive (and its .sha256) into `output_dir`; return the archive's path."""
    output_dir.mkdir(parents=True, exist_ok=True)
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"不支持的数据库类型：{vendor}")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    archive = output_dir / f"infogov-backup-{stamp}.tar.gz"
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory(prefix="infogov-backup-") as tmp:
        staging = Path(tmp)
        if vendor == "postgresql":
            counts, heads = _dump_postgres(alias, staging)
            db_member = PG_DUMP
        else:
            counts, heads = _dump_sqlite(alias, staging)
            db_member = SQLITE_DB
        members = {db_member: sha256_file(staging / db_member)}
        media = _media_files(media_root)
        for path in media:
            members[f"{MEDIA}/{path.relative_to(media_root).as_posix()}"] = sha256_file(path)
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(),
            "vendor": vendor,
            "database": db_member,
            "members": members,
            "row_counts": counts,
            "heads": heads,
        }
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
            tar.add(staging / db_member, arcname=db_member)
            for path in media:
                tar.add(path, arcname=f"{MEDIA}/{path.relative_to(media_root).as_posix()}")
        partial.rename(archive)  # a crash mid-way never leaves something that looks like a backup
    checksum = archive.with_name(archive.name + ".sha256")
    checksum.write_text(f"{sha256_file(archive)}  {archive.name}\n")
    return archive


# -- restore -------------------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    tables: int = 0
    rows: int = 0
    attachments: int = 0
    docket_events: int = 0
    audit_events: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _check_archive_checksum(archive: Path) -> None:
    checksum = archive.with_name(archive.name + ".sha256")
    if not checksum.exists():
        return
    expected = checksum.read_text().split()[0]
    if sha256_file(archive) != expected:
        raise BackupError(
            f"备份文件 {archive.name} 与其校验文件 {checksum.name} 不符，文件可能已损坏或被改动，拒绝恢复。"
        )


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        path = Path(m.name)
        if path.is_absolute() or ".." in path.parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"备份文件含有不安全的成员 {m.name}，拒绝恢复。")
        members.append(m)
    return members


def _database_is_empty(alias: str) -> bool:
    connection = connections[alias]
    with connection.cursor():
        return not connection.introspection.table_names()


@contextmanager
def _extracted(archive: Path):
    with tempfile.TemporaryDirectory(prefix="infogov-restore-") as tmp:
        root = Path(tmp)
        try:
            with tarfile.open(archive, "r:gz") as tar:
                tar.extractall(root, members=_safe_members(tar), filter="data")
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise BackupError(f"无法读取备份文件 {archive.name}：{exc}") from exc
        yield root


def restore(archive: Path, *, alias: str = "default") -> RestoreReport:
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}。")
    _check_archive_checksum(archive)
    connection = connections[alias]
    if not _database_is_empty(alias):
        raise BackupError(
            "目标数据库不是空库：恢复只写入新建的空数据库，以免覆盖现有数据。"
            "请新建空数据库并让 DATABASE_URL 指向它后重试。"
        )
    with _extracted(archive) as root:
        try:
            manifest = json.loads((root / MANIFEST).read_text())
        except (OSError, ValueError) as exc:
            raise BackupError("备份文件缺少有效的清单（manifest.json），拒绝恢复。") from exc
        if manifest.get("vendor") != connection.vendor:
            raise BackupError(
                f"备份来自 {manifest.get('vendor')} 数据库，不能恢复到 {connection.vendor} 数据库。"
            )
        for name, digest in manifest["members"].items():
            path = root / name
            if not path.is_file() or sha256_file(path) != digest:
                raise BackupError(f"备份成员 {name} 缺失或校验值不符，备份已损坏，拒绝恢复。")
        if connection.vendor == "postgresql":
            _restore_postgres(alias, root / manifest["database"])
        else:
            _restore_sqlite(alias, root / manifest["database"])
        _restore_media(root / MEDIA, Path(settings.MEDIA_ROOT))
    return check(manifest, alias=alias)


def _restore_postgres(alias: str, dump: Path) -> None:
    params = _pg_params(alias)
    dbname = params.pop("dbname")
    args, env = _pg_env(params)
    connections[alias].close()
    result = subprocess.run(
        [
            "pg_restore",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            *args,
            "--dbname",
            dbname,
            str(dump),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore 失败：{result.stderr.strip()}")


def _restore_sqlite(alias: str, copy: Path) -> None:
    connection = connections[alias]
    name = connection.settings_dict["NAME"]
    connection.close()
    source = sqlite3.connect(str(copy))
    try:
        dest = sqlite3.connect(str(name), timeout=30)
        try:
            source.backup(dest)
        finally:
            dest.close()
    finally:
        source.close()


def _restore_media(source: Path, media_root: Path) -> None:
    if not source.exists():
        return
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        target = media_root / path.relative_to(source)
        if target.exists() and sha256_file(target) == sha256_file(path):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def check(manifest: dict[str, Any], *, alias: str = "default") -> RestoreReport:
    """The restored database against the manifest: counts, chain heads, the chains, the attachments."""
    from infogov.core.audit import verify as verify_audit
    from infogov.core.docket.verify import verify as verify_docket
    from infogov.core.models import Attachment

    report = RestoreReport()
    connection = connections[alias]
    with connection.cursor() as cursor:
        counts = table_counts(cursor, list(manifest["row_counts"]), connection.ops.quote_name)
        heads = chain_heads(cursor)
    report.tables, report.rows = len(counts), sum(counts.values())
    for table, expected in manifest["row_counts"].items():
        if counts.get(table) != expected:
            report.problems.append(f"表 {table}：清单 {expected} 行，恢复后 {counts.get(table)} 行")
    for key, expected in manifest["heads"].items():
        if heads.get(key) != expected:
            report.problems.append(f"{key} 哈希链末端与清单不符")
    docket = verify_docket(workers=1)
    report.docket_events = docket.events
    if not docket.ok:
        report.problems.append(f"案卷记录哈希链校验失败：{docket.broken}")
    audit = verify_audit(using=alias)
    report.audit_events = audit.events
    if not audit.ok:
        report.problems.append("审计日志哈希链校验失败：" + "；".join(audit.broken))
    media_root = Path(settings.MEDIA_ROOT)
    for att in Attachment.objects.using(alias).only("pk", "file", "sha256").iterator():
        report.attachments += 1
        path = media_root / att.file.name
        if not path.is_file():
            report.problems.append(f"附件 #{att.pk}（{att.file.name}）的文件缺失")
        elif sha256_file(path) != att.sha256:
            report.problems.append(f"附件 #{att.pk}（{att.file.name}）的内容与登记的 sha256 不符")
    return report
