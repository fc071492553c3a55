"""数据备份恢复 (GB/T 22239-2019 level 3): `backup` then `restore` into a second, empty database gives
the same rows in every table, the same chain heads, verified chains and attachments; a non-empty target,
a damaged archive or a changed attachment is refused."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from infogov.core.attachments import attachment_add
from infogov.core.docket.chain import seal_pending
from infogov.core.signals import audit
from infogov.ops.backup import MANIFEST, chain_heads, check, table_counts
from tests.core.test_attachments import PDF, PNG, new_widget, upload

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


@pytest.fixture
def data(world, media):
    w = new_widget(world.city)
    attachment_add(case=w, user=world.city.dept_user, upload=upload("方案.pdf", PDF))
    attachment_add(case=w, user=world.city.dept_user, upload=upload("图.png", PNG))
    new_widget(world.yongji)
    seal_pending()
    new_widget(world.jiaohe)  # one left unsealed
    audit("login", actor=world.city.dept_user)
    return w


def _live_facts():
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        return table_counts(cursor, tables, connection.ops.quote_name), chain_heads(cursor)


def _restore(archive: Path, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "INFOGOV_MEDIA_ROOT": str(media_root),
        "DJANGO_SETTINGS_MODULE": "infogov.settings.test",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "restore", str(archive)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def second_database(tmp_path):
    """A new, empty database of the same kind: (url, facts-reader)."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def facts():
            conn = sqlite3.connect(str(path))
            try:
                cur = conn.cursor()
                cur.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")
                tables = [r[0] for r in cur.fetchall()]
                return table_counts(cur, tables, lambda t: f'"{t}"'), chain_heads(cur)
            finally:
                conn.close()

        yield f"sqlite:///{path}", facts
        return
    import psycopg

    params = dict(connection.get_connection_params())
    for key in ("cursor_factory", "context", "prepare_threshold", "dbname"):
        params.pop(key, None)
    name = f"infogov_restore_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    settings_dict = connection.settings_dict
    url = (
        f"postgres://{settings_dict['USER']}:{settings_dict.get('PASSWORD') or ''}@"
        f"{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{name}"
    )

    def facts():
        with psycopg.connect(dbname=name, **params) as conn, conn.cursor() as cur:
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            tables = [r[0] for r in cur.fetchall()]
            return table_counts(cur, tables, lambda t: f'"{t}"'), chain_heads(cur)

    try:
        yield url, facts
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _backup(tmp_path) -> Path:
    out = tmp_path / "backups"
    call_command("backup", output=str(out))
    (archive,) = out.glob("*.tar.gz")
    return archive


def test_round_trip_into_an_empty_database(data, tmp_path, second_database):
    url, restored_facts = second_database
    archive = _backup(tmp_path)
    checksum = archive.with_name(archive.name + ".sha256").read_text().split()
    assert checksum[1] == archive.name and len(checksum[0]) == 64
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
        names = tar.getnames()
    assert manifest["database"] in names and sum(n.startswith("media/") for n in names) == 2
    live_counts, live_heads = _live_facts()
    assert manifest["row_counts"] == live_counts
    assert manifest["heads"] == live_heads and live_heads["docket_seal"] and live_heads["audit"]

    restored_media = tmp_path / "restored-media"
    result = _restore(archive, url, restored_media)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "恢复完成，校验通过" in result.stdout
    counts, heads = restored_facts()
    assert counts == live_counts
    assert heads == live_heads
    assert len([p for p in restored_media.rglob("*") if p.is_file()]) == 2

    # a second restore into the same (now non-empty) database is refused
    again = _restore(archive, url, restored_media)
    assert again.returncode == 1
    assert "目标数据库不是空库" in again.stderr


def test_a_damaged_archive_is_refused(data, tmp_path, second_database):
    url, _ = second_database
    archive = _backup(tmp_path)
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    archive.write_bytes(bytes(raw))
    result = _restore(archive, url, tmp_path / "m")
    assert result.returncode == 1 and "校验文件" in result.stderr


def test_restore_refuses_the_live_database(data, tmp_path):
    archive = _backup(tmp_path)
    with pytest.raises(CommandError) as exc:
        call_command("restore", str(archive))
    assert "不是空库" in str(exc.value)


def test_the_check_finds_a_changed_attachment_and_a_missing_row(data, tmp_path, media):
    archive = _backup(tmp_path)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile(MANIFEST))
    assert check(manifest).ok
    victim = next(p for p in media.rglob("*") if p.is_file())
    victim.write_bytes(victim.read_bytes() + b"x")
    manifest["row_counts"]["org_user"] += 1
    problems = "；".join(check(manifest).problems)
    assert "sha256 不符" in problems and "org_user" in problems
