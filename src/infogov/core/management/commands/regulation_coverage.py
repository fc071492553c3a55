"""`manage.py regulation_coverage [--format table|json] [--article N] [--strict] [--complete] [--trace DIR]`:
which articles have rules and tests; one article in full; and, with the rule trace of the last test run,
whether every rule has a test that makes it refuse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from infogov.core.workflow.coverage import coverage, gaps, status, text_table
from infogov.core.workflow.navigation import load_trace, navigate, refusal_gaps


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


def render_article(nav: dict[str, Any]) -> str:
    lines = [f"{nav['citation']}（{'义务条款' if nav['duty'] else '非义务条款'}）", nav["text"], "", "规则："]
    for r in nav["rules"]:
        lines.append(f"  {r['code']}  {r['citation']}  {r['location']}  {r['summary']}")
        if r["refused_by"] is None:
            lines.append("    使之拒绝的测试：（无测试记录，请先运行测试）")
        elif not r["refused_by"]:
            lines.append("    使之拒绝的测试：无")
        else:
            lines.extend(f"    拒绝：{t}" for t in r["refused_by"])
    if not nav["rules"]:
        lines.append("  （无）")
    lines.append("依据本条的办理步骤：")
    lines.extend(f"  {s['workflow']} · {s['label']}（{s['step']}，{s['citation']}）" for s in nav["steps"])
    if not nav["steps"]:
        lines.append("  （无）")
    lines.append("本条产生的法定义务：")
    lines.extend(
        f"  {d['workflow']} · {d['title']}（{d['code']}，由“{d['opened_by']}”产生）" for d in nav["duties"]
    )
    if not nav["duties"]:
        lines.append("  （无）")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "列出《吉林市信息化促进办法》各条款对应的规则、办理步骤、法定义务和测试（条款覆盖情况）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--article", type=int, help="只看一条：条文、规则（代码、位置）、办理步骤、义务、测试"
        )
        parser.add_argument(
            "--strict",
            action="store_true",
            help="每条规则须有使之拒绝的测试（读取最近一次测试的规则记录），否则以退出码 1 结束",
        )
        parser.add_argument(
            "--complete",
            action="store_true",
            help="并要求每一义务条款都已有规则和测试（尚未建设的条款也算缺口）",
        )
        parser.add_argument("--trace", type=Path, help="规则记录目录（默认 var/rule-trace，由测试写入）")

    def handle(self, *args: Any, **options: Any) -> None:
        trace = load_trace(options["trace"])
        if options["article"] is not None:
            nav = navigate(options["article"], trace)
            if options["format"] == "json":
                self.stdout.write(json.dumps(nav, ensure_ascii=False, indent=2))
            else:
                self.stdout.write(render_article(nav))
            return
        report = coverage()
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(render_table(report))
        problems = []
        if options["complete"]:
            problems += [f"{a['citation']}（{status(a)}）" for a in gaps(report)]
        if options["strict"] or options["complete"]:
            problems += [
                f"{a['citation']}（有规则，缺测试）"
                for a in report["articles"]
                if a["rules"] and not a["tests"]
            ]
            if trace is None:
                raise CommandError(
                    "没有规则记录：请先运行测试（make test 会写入 var/rule-trace）", returncode=1
                )
            problems += [f"{r.code}（{r.citation}，没有使之拒绝的测试）" for r in refusal_gaps(trace)]
        if problems:
            raise CommandError("条款覆盖不全：" + "；".join(problems), returncode=1)
