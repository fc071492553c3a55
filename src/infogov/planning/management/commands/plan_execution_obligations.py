"""`manage.py plan_execution_obligations [--year N]`: open the year's execution-report obligations of
every local and special plan in force (第七条); due 31 January of the following year. Idempotent —
run it each January (cron or the task queue)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from infogov.planning.services import execution_obligations_open


class Command(BaseCommand):
    help = "为施行中的县（市）区、开发区规划和部门专项规划开启年度执行情况报送义务（第七条）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--year", type=int, default=None, help="报告年度（默认上一年）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year - 1
        n = execution_obligations_open(year=year)
        self.stdout.write(f"已开启 {year} 年度执行情况报送义务 {n} 项")
