"""`manage.py similarity_reindex [--pending]`: build the duplicate-construction index (第六条) again
from every submitted project and information system — after a bulk load, or to refresh the weights
the searches rank their candidates by. With --pending, only bring it up to date with what changed
(what the next submission would otherwise do)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from infogov.projects import similarity_index


class Command(BaseCommand):
    help = "重建重复建设查重索引（第六条）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pending", action="store_true", help="只更新有变化的项目和信息系统")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["pending"]:
            n = similarity_index.sync()
            self.stdout.write(f"查重索引：更新 {n} 个文档")
            return
        report = similarity_index.rebuild(log=self.stdout.write)
        self.stdout.write(
            f"查重索引已重建：{report.documents:,} 个文档，{report.words:,} 个词，"
            f"{report.postings:,} 条倒排，用时 {report.seconds} s"
        )
