"""`manage.py seal_docket`: seal every pending docket event into the global chain (第三十四条)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from infogov.core.docket.chain import seal_pending


class Command(BaseCommand):
    help = "将尚未封存的案卷记录封存进全局封存链。"

    def handle(self, *args: Any, **options: Any) -> None:
        seals = events = 0
        while (seal := seal_pending()) is not None:
            seals += 1
            events += seal.count
        self.stdout.write(f"新增 {seals} 个封存批次，封存 {events} 条案卷记录")
