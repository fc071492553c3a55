"""`manage.py docket_verify`: recompute every docket hash, per-case link and the seal chain (第三十四条)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infogov.core.docket.verify import verify


class Command(BaseCommand):
    help = "校验案卷记录的哈希链和封存链，发现篡改、删除或插入时以退出码 1 结束。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="PostgreSQL 上并行校验的进程数（默认按案卷记录数量和处理器核数决定；1 表示单进程）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        workers = options["workers"]
        if workers is not None and workers < 1:
            raise CommandError("--workers 至少为 1")
        report = verify(workers=workers)
        self.stdout.write(
            f"已校验 {report.events} 条案卷记录（{report.cases} 个案件，{report.seals} 个封存批次，"
            f"{report.unsealed} 条待封存）"
        )
        from infogov.core.audit import verify as verify_audit

        audit_report = verify_audit()
        self.stdout.write(f"已校验 {audit_report.events} 条审计日志")
        if not report.ok:
            raise CommandError(f"校验失败：{report.broken}", returncode=1)
        if not audit_report.ok:
            raise CommandError(f"审计日志校验失败：{'；'.join(audit_report.broken)}", returncode=1)
        self.stdout.write(self.style.SUCCESS("校验通过"))
