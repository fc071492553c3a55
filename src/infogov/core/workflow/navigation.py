"""Regulation navigation: for one article, its text, the rules that enforce it (code, file:line,
summary), the steps that cite it, the duties it opens, and the tests that make each rule refuse —
read from the rule trace the test suite writes (tests/rule_trace.py → var/rule-trace/*.json).

`refusal_gaps()` is what `regulation_coverage --strict` fails on: a rule of the platform that no test
makes refuse proves nothing."""

from __future__ import annotations

import contextlib
import inspect
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from infogov.core.regulation.articles import Citation, articles, to_chinese_number
from infogov.core.workflow.coverage import platform_rules, repo_root
from infogov.core.workflow.rules import Rule
from infogov.core.workflow.steps import REGISTRY as WORKFLOWS

Trace = dict[str, dict[str, set[str]]]


def trace_dir() -> Path:
    return repo_root() / "var" / "rule-trace"


def load_trace(folder: Path | None = None) -> Trace | None:
    """The merged rule trace of the last test run, or None when there is none."""
    folder = folder or trace_dir()
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        return None
    merged: Trace = defaultdict(lambda: {"refused": set(), "passed": set()})
    for path in files:
        for code, seen in json.loads(path.read_text(encoding="utf-8")).items():
            for kind in ("refused", "passed"):
                merged[code][kind].update(seen.get(kind, ()))
    return dict(merged)


def rule_location(r: Rule) -> str:
    """file:line of the rule's check function, relative to the checkout."""
    try:
        path = Path(inspect.getsourcefile(r.check) or "")
        line = inspect.getsourcelines(r.check)[1]
    except (OSError, TypeError):
        return "?"
    with contextlib.suppress(ValueError):  # a rule outside the checkout keeps its absolute path
        path = path.resolve().relative_to(repo_root())
    return f"{path.as_posix()}:{line}"


def _article_of(citation: str) -> int | None:
    return Citation.parse(citation).article if citation else None


def navigate(number: int, trace: Trace | None = None) -> dict[str, Any]:
    """Everything the platform does for article `number`."""
    art = articles()[number]
    rules = sorted((r for r in platform_rules() if r.article == number), key=lambda r: (r.citation, r.code))
    steps, duties = [], []
    for wf in WORKFLOWS.values():
        if wf.model.__module__.startswith("tests."):
            continue
        for step in wf.steps.values():
            if _article_of(step.citation) == number:
                steps.append(
                    {"workflow": wf.title, "step": step.name, "label": step.label, "citation": step.citation}
                )
            for duty in step.opens:
                if _article_of(duty.citation) == number:
                    duties.append(
                        {
                            "workflow": wf.title,
                            "code": duty.code,
                            "title": duty.title,
                            "opened_by": step.label,
                        }
                    )
    return {
        "number": number,
        "citation": f"第{to_chinese_number(number)}条",
        "text": art.text,
        "duty": art.duty,
        "rules": [
            {
                "code": r.code,
                "citation": r.citation,
                "summary": r.summary,
                "location": rule_location(r),
                "refused_by": sorted(trace.get(r.code, {}).get("refused", ())) if trace is not None else None,
            }
            for r in rules
        ],
        "steps": steps,
        "duties": duties,
    }


def refusal_gaps(trace: Trace) -> list[Rule]:
    """The platform's rules that no test of the traced run made refuse."""
    return [r for r in platform_rules() if not trace.get(r.code, {}).get("refused")]
