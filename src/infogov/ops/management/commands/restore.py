"""`manage.py restore ARCHIVE`: into an empty database, then verified (ops/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infogov.ops.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "把备份恢复到一个空数据库（拒绝非空库），恢复附件，然后校验行数、案卷与审计哈希链、"
        "每个附件的 sha256；不符时以退出码 1 结束。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="backup 命令生成的 .tar.gz 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = restore(Path(options["archive"]))
        except (BackupError, OSError) as exc:
            raise CommandError(f"恢复失败：{exc}", returncode=1)
        self.stdout.write(
            f"已恢复 {report.tables} 张表共 {report.rows} 行、{report.attachments} 个附件；"
            f"已校验 {report.docket_events} 条案卷记录、{report.audit_events} 条审计日志"
        )
        if not report.ok:
            raise CommandError("恢复后校验不通过：" + "；".join(report.problems), returncode=1)
        self.stdout.write(self.style.SUCCESS("恢复完成，校验通过"))
