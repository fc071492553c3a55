"""`manage.py backup [--output DIR]`: one archive of the database and the attachments (ops/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from infogov.ops.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "备份数据库和附件为一个压缩包（含清单：各成员 sha256、各表行数、案卷与审计哈希链末端），"
        "另写 .sha256 校验文件。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--output",
            default=None,
            help="备份目录（默认 INFOGOV_BACKUP_DIR，或 var/backups）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(
            options["output"] or getattr(settings, "INFOGOV_BACKUP_DIR", settings.VAR_DIR / "backups")
        )
        try:
            archive = backup(output)
        except (BackupError, OSError) as exc:
            raise CommandError(f"备份失败：{exc}", returncode=1)
        self.stdout.write(str(archive))
        self.stdout.write(self.style.SUCCESS(f"备份完成：{archive}（校验文件 {archive.name}.sha256）"))
