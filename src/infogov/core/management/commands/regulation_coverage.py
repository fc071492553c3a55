"""`manage.py regulation_coverage [--format table|json] [--strict]`: which articles have rules and tests."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infogov.core.regulation.coverage import coverage, gaps, status, text_table


def render_table(report: dict[str, Any]) -> str:
    rows = [
        [
            a["citation"],
            "是" if a["duty"] else "否",
            str(len(a["rules"])),
            str(len(a["tests"])),
            status(a),
            a["summary"],
        ]
        for a in report["articles"]
    ]
    table = text_table(["条款", "义务", "规则数", "测试数", "状态", "摘要"], rows)
    duty = [a for a in report["articles"] if a["duty"]]
    missing = gaps(report)
    total_rules = sum(len(a["rules"]) for a in report["articles"])
    total_tests = len({t for a in report["articles"] for t in a["tests"]})
    no_rules = sum(1 for a in duty if not a["rules"])
    no_tests = sum(1 for a in duty if not a["tests"])
    summary = (
        f"共 {len(report['articles'])} 条，其中义务条款 {len(duty)} 条："
        f"{len(duty) - len(missing)} 条规则和测试齐全，{no_rules} 条缺规则，{no_tests} 条缺测试；"
        f"规则 {total_rules} 条，测试 {total_tests} 个。"
    )
    return f"{table}\n\n{summary}"


class Command(BaseCommand):
    help = "列出《吉林市信息化促进办法》各条款对应的规则和测试（条款覆盖情况）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument("--strict", action="store_true", help="有义务条款缺少规则或测试时以退出码 1 结束")

    def handle(self, *args: Any, **options: Any) -> None:
        report = coverage()
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(report))
        if options["strict"]:
            missing = gaps(report)
            if missing:
                raise CommandError(
                    "以下义务条款缺少规则或测试："
                    + "、".join(f"{a['citation']}（{status(a)}）" for a in missing),
                    returncode=1,
                )
