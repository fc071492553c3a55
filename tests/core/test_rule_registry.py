"""Refusals only from the registry (Core v2): every rule code that appears in the platform's source is
a registered rule citing an article, codes read A{article}-{paragraph}-{NAME} with the article they
cite, each rules.py is in article order, and no refusal is built outside the rules modules."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from infogov.core.regulation.articles import Citation
from infogov.core.workflow.coverage import platform_rules

SRC = Path(__file__).resolve().parents[2] / "src" / "infogov"
CODE = re.compile(r"^A(\d{1,2})-(?:(\d)-)?[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)*$")
LOOKS_LIKE_A_CODE = re.compile(r"^(A\d{1,2}|P\d{1,2}|ROLE)-[A-Z0-9-]+$")


def _sources() -> list[Path]:
    return [p for p in SRC.rglob("*.py") if "migrations" not in p.parts]


def test_every_platform_rule_code_names_the_article_and_paragraph_it_cites():
    wrong = []
    for r in platform_rules():
        m = CODE.match(r.code)
        cite = Citation.parse(r.citation)
        if (
            m is None
            or int(m.group(1)) != cite.article
            or (m.group(2) and cite.paragraph is not None and int(m.group(2)) != cite.paragraph)
        ):
            wrong.append(f"{r.code} cites {r.citation}")
    assert not wrong, (
        "rule codes must read A{article}-{paragraph}-{NAME} and match their citation: " + "; ".join(wrong)
    )


def test_every_rule_code_in_the_source_is_a_registered_rule():
    registered = {r.code for r in platform_rules()}
    unknown = []
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and LOOKS_LIKE_A_CODE.match(node.value)
            ) and node.value not in registered:
                unknown.append(f"{path.relative_to(SRC)}:{node.lineno} {node.value}")
    assert not unknown, "codes that are not registered rules: " + "; ".join(unknown)


def _builds_a_refusal(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
    return name in {"RuleFailure", "RuleViolation"}


def test_no_refusal_is_built_outside_the_rules_modules():
    """A refusal is a registered rule evaluated by the engine; core's own engine and the rules
    modules are the only places that construct one."""
    allowed = {
        "core/workflow/rules.py",
        "core/workflow/engine.py",
        "core/errors.py",
    }
    found = []
    for path in _sources():
        rel = path.relative_to(SRC).as_posix()
        if rel in allowed or re.fullmatch(r"[a-z_]+/rules(_[a-z_]+)?\.py", rel):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if _builds_a_refusal(node):
                found.append(f"{rel}:{node.lineno}")
    assert not found, "refusals built outside the rules modules: " + "; ".join(found)


@pytest.mark.parametrize("module", sorted(p.relative_to(SRC).as_posix() for p in SRC.glob("*/rules*.py")))
def test_each_rules_module_is_in_article_order(module):
    text = (SRC / module).read_text(encoding="utf-8")
    articles = [int(a) for a in re.findall(r'@rule\(\s*"A(\d{1,2})-', text)]
    assert articles == sorted(articles), f"{module}: rules out of article order: {articles}"
