"""Regulation coverage: for each of the 35 articles, the rules that enforce it and the tests that prove it.

Rules come from the rule registry (core.rules.REGISTRY) once every installed app's `rules` and
`workflows` modules are imported; test-only rules (declared under tests/) do not count. Tests are
found statically, by parsing tests/**/*.py: a test proves article N when it carries
`@pytest.mark.article(N)` itself, on its class, or through the module's `pytestmark`.
"""

from __future__ import annotations

import ast
import importlib
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings

from infogov.core.regulation.articles import articles, to_chinese_number
from infogov.core.workflow.rules import REGISTRY, Rule


def repo_root() -> Path:
    """The checkout: the directory that holds manage.py."""
    candidates = [Path(settings.PROJECT_DIR), *Path(__file__).resolve().parents]
    for path in candidates:
        if (path / "manage.py").is_file():
            return path
    return Path(settings.PROJECT_DIR)


# -- rules ----------------------------------------------------------------------------------------


def _import_optional(module: str) -> None:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name != module:
            raise


def platform_rules() -> list[Rule]:
    """Every registered rule of the platform, test-only rules excluded."""
    for config in apps.get_app_configs():
        if config.name.startswith("infogov."):
            _import_optional(f"{config.name}.rules")
            _import_optional(f"{config.name}.workflows")
    return [
        r for r in REGISTRY.values() if not (getattr(r.check, "__module__", "") or "").startswith("tests.")
    ]


# -- tests ----------------------------------------------------------------------------------------


def _article_numbers(node: ast.expr) -> list[int]:
    """[4] for `pytest.mark.article(4)` (or `mark.article(4)`), [9, 31] for `article(9, 31)`;
    the union over a list or tuple of marks; [] for anything else."""
    if isinstance(node, ast.List | ast.Tuple):
        return [n for elt in node.elts for n in _article_numbers(elt)]
    if not isinstance(node, ast.Call):
        return []
    func = node.func
    if not (isinstance(func, ast.Attribute) and func.attr == "article"):
        return []
    owner = func.value
    is_mark = (isinstance(owner, ast.Attribute) and owner.attr == "mark") or (
        isinstance(owner, ast.Name) and owner.id == "mark"
    )
    if not is_mark:
        return []
    return [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, int)]


def _decorated(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> list[int]:
    return [n for d in node.decorator_list for n in _article_numbers(d)]


def _pytestmark(body: list[ast.stmt]) -> list[int]:
    numbers: list[int] = []
    for stmt in body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in targets):
            numbers.extend(_article_numbers(value))
    return numbers


def _walk(body: list[ast.stmt], prefix: str, inherited: list[int]) -> Iterator[tuple[str, list[int]]]:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            numbers = sorted(set(inherited + _decorated(node)))
            if numbers:
                yield f"{prefix}::{node.name}", numbers
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            yield from _walk(
                node.body, f"{prefix}::{node.name}", inherited + _decorated(node) + _pytestmark(node.body)
            )


def marked_tests(root: Path | None = None) -> dict[int, list[str]]:
    """{article number: ["tests/…/test_x.py::test_name", …]} from the test sources, statically."""
    root = root or repo_root()
    found: dict[int, list[str]] = {}
    for path in sorted((root / "tests").rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for test_id, numbers in _marks_of(path, rel):
            for n in numbers:
                found.setdefault(n, []).append(test_id)
    return found


# (path, relative name) → ((mtime, size), marks): a file is parsed again only when it changed
_MARKS: dict[tuple[Path, str], tuple[tuple[int, int], list[tuple[str, list[int]]]]] = {}


def _marks_of(path: Path, rel: str) -> list[tuple[str, list[int]]]:
    st = path.stat()
    stamp = (st.st_mtime_ns, st.st_size)
    known = _MARKS.get((path, rel))
    if known is not None and known[0] == stamp:
        return known[1]
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError):
        marks: list[tuple[str, list[int]]] = []
    else:
        marks = list(_walk(tree.body, rel, _pytestmark(tree.body)))
    _MARKS[(path, rel)] = (stamp, marks)
    return marks


# -- the report -----------------------------------------------------------------------------------


def coverage(root: Path | None = None) -> dict[str, Any]:
    rules_by_article: dict[int, list[Rule]] = {}
    for r in platform_rules():
        rules_by_article.setdefault(r.article, []).append(r)
    tests = marked_tests(root)
    out = []
    for number, art in sorted(articles().items()):
        out.append(
            {
                "number": number,
                "citation": f"第{to_chinese_number(number)}条",
                "duty": art.duty,
                "summary": art.summary,
                "rules": [
                    {"code": r.code, "citation": r.citation, "summary": r.summary}
                    for r in sorted(rules_by_article.get(number, []), key=lambda r: (r.citation, r.code))
                ],
                "tests": tests.get(number, []),
            }
        )
    return {"articles": out}


def status(entry: dict[str, Any]) -> str:
    """✓ covered; 缺规则 / 缺测试 for a duty article lacking them; — for an article with no duty."""
    if not entry["duty"]:
        return "✓" if entry["rules"] or entry["tests"] else "—"
    missing = [label for label, key in (("缺规则", "rules"), ("缺测试", "tests")) if not entry[key]]
    return "、".join(missing) if missing else "✓"


def gaps(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Duty articles lacking rules or tests."""
    return [a for a in report["articles"] if a["duty"] and not (a["rules"] and a["tests"])]


# -- plain-text tables (also used by seed_demo) --------------------------------------------------


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_table(header: list[str], rows: list[list[str]]) -> str:
    """An aligned table for the terminal; the last column is left ragged."""
    widths = [max(display_width(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]

    def line(cells: list[str]) -> str:
        padded = [c + " " * (w - display_width(c)) for c, w in zip(cells, widths, strict=False)]
        return "  ".join([*padded, cells[-1]]).rstrip()

    rule = "  ".join("-" * w for w in widths) + "  " + "-" * max(4, display_width(header[-1]))
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
