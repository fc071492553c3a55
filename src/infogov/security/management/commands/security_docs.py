"""`manage.py security_docs [--write]`: the Mermaid state diagrams of the security workflows and the
table of the security policies, generated from their declarations, for docs/security.md. With --write,
the generated block between the markers in docs/security.md is replaced."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from infogov.core.regulation.policy import policies
from infogov.security.workflows import (
    INCIDENT_WORKFLOW,
    INSPECTION_WORKFLOW,
    RESPONSIBILITY_WORKFLOW,
    SYSTEM_WORKFLOW,
    TELECOM_WORKFLOW,
)

BEGIN, END = "<!-- security_docs:begin -->", "<!-- security_docs:end -->"
DIAGRAMS = (
    ("信息系统（等级保护）", "SYSTEM_WORKFLOW", SYSTEM_WORKFLOW),
    ("网络安全事件", "INCIDENT_WORKFLOW", INCIDENT_WORKFLOW),
    ("安全检查", "INSPECTION_WORKFLOW", INSPECTION_WORKFLOW),
    ("安全责任制", "RESPONSIBILITY_WORKFLOW", RESPONSIBILITY_WORKFLOW),
    ("通信基础设施安全保障方案备案", "TELECOM_WORKFLOW", TELECOM_WORKFLOW),
)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "；".join(f"{k}：{_value(v)}" for k, v in value.items())
    return str(value)


def generated() -> str:
    lines = [BEGIN]
    for title, name, wf in DIAGRAMS:
        lines += [f"### {title}（由 `{name}.diagram()` 生成）", "```mermaid", wf.diagram(), "```"]
    lines += [
        "### 平台规定的期限和周期（由 `core/regulation/policy.py` 的声明生成）",
        "",
        "| 参数 | 取值（自某日起） | 依据 | 来源 |",
        "|---|---|---|---|",
    ]
    for p in policies():
        if not p.key.startswith("security."):
            continue
        values = "<br>".join(f"{day.isoformat()} 起：{_value(v)}" for day, v in p.timeline())
        lines.append(f"| {p.label}（`{p.key}`，{p.unit}） | {values} | {p.note} | {p.source} |")
    lines.append(END)
    return "\n".join(lines)


class Command(BaseCommand):
    help = "生成信息安全用户指南中的状态图和平台规定表"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--write", action="store_true", help="写入 docs/security.md")

    def handle(self, *args: Any, **options: Any) -> None:
        block = generated()
        if not options["write"]:
            self.stdout.write(block + "\n")
            return
        path = Path(settings.PROJECT_DIR) / "docs" / "security.md"
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(re.escape(BEGIN) + ".*?" + re.escape(END), re.S)
        if not pattern.search(text):
            raise SystemExit(f"{path} 中没有 {BEGIN} … {END} 标记")
        path.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
        self.stdout.write(f"已更新 {path}\n")
