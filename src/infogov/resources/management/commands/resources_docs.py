"""`manage.py resources_docs [--write]`: the Mermaid state diagrams of the catalogue entry and the sharing
request, generated from their declarations, and the working-day calendar's source, for docs/resources.md.
With --write, the generated block between the markers in docs/resources.md is replaced."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from infogov.resources import workdays
from infogov.resources.workflows import SHARING_WORKFLOW, WORKFLOW

BEGIN, END = "<!-- resources_docs:begin -->", "<!-- resources_docs:end -->"


def generated() -> str:
    years = "、".join(str(y) for y in sorted(workdays.covered_years()))
    return "\n".join(
        [
            BEGIN,
            "### 政务信息资源目录条目（由 `WORKFLOW.diagram()` 生成）",
            "```mermaid",
            WORKFLOW.diagram(),
            "```",
            "### 信息资源共享申请（由 `SHARING_WORKFLOW.diagram()` 生成）",
            "```mermaid",
            SHARING_WORKFLOW.diagram(),
            "```",
            f"工作日历覆盖 {years} 年；来源：{workdays.source()}",
            END,
        ]
    )


class Command(BaseCommand):
    help = "生成政务信息资源用户指南中的状态图"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", action="store_true", help="写入 docs/resources.md")

    def handle(self, *args: Any, **options: Any) -> None:
        block = generated()
        if not options["write"]:
            self.stdout.write(block + "\n")
            return
        path = Path(settings.PROJECT_DIR) / "docs" / "resources.md"
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        if not pattern.search(text):
            raise SystemExit(f"{path} 中没有 {BEGIN} … {END} 标记")
        path.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
        self.stdout.write(f"已更新 {path}\n")
