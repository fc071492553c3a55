"""`manage.py projects_docs [--write]`: the Mermaid state diagrams of the project and annual-plan
workflows, generated from their declarations, and the duplicate-detection measurement on the labelled
set, for docs/projects.md.
With --write, the generated block between the markers in docs/projects.md is replaced."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from infogov.projects import similarity
from infogov.projects.workflows import PLAN_WORKFLOW, PROJECT_WORKFLOW

BEGIN, END = "<!-- projects_docs:begin -->", "<!-- projects_docs:end -->"


def generated() -> str:
    m = similarity.evaluate_on_labelled_set()
    names = {"fused": "词与字二元组融合、同义词归一、繁简转换（当前）", "baseline": "改进前：仅 jieba 词"}
    rows = "\n".join(
        f"| {names.get(name, name)} | "
        + " | ".join(str(r[k]) for k in ("threshold", "precision", "recall", "f1", "auc"))
        + " |"
        for name, r in m.items()
    )
    return "\n".join(
        [
            BEGIN,
            "### 信息化工程项目（由 `PROJECT_WORKFLOW.diagram()` 生成）",
            "```mermaid",
            PROJECT_WORKFLOW.diagram(),
            "```",
            "### 年度建设计划（由 `PLAN_WORKFLOW.diagram()` 生成）",
            "```mermaid",
            PLAN_WORKFLOW.diagram(),
            "```",
            "### 重复建设查重：标注集 `projects/data/duplicate_pairs.yaml` 上的测量"
            "（`similarity.evaluate_on_labelled_set()`）",
            "| 方法 | 阈值 | 精确率 | 召回率 | F1 | AUC |",
            "|---|---|---|---|---|---|",
            rows,
            f"\n标注集 {m['fused']['pairs']} 对，其中重复 {m['fused']['duplicates']} 对。",
            END,
        ]
    )


class Command(BaseCommand):
    help = "生成信息化工程项目用户指南中的状态图和查重测量结果"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", action="store_true", help="写入 docs/projects.md")

    def handle(self, *args: Any, **options: Any) -> None:
        block = generated()
        if not options["write"]:
            self.stdout.write(block + "\n")
            return
        path = Path(settings.PROJECT_DIR) / "docs" / "projects.md"
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        if not pattern.search(text):
            raise SystemExit(f"{path} 中没有 {BEGIN} … {END} 标记")
        path.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
        self.stdout.write(f"已更新 {path}\n")
