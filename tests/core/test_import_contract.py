"""Which way the platform's packages depend (pyproject.toml, [tool.importlinter]): domain apps →
core → org; org imports nothing of ours; core imports no domain app; a domain app reads another only
through that app's selectors; no import circles. `make lint` runs `lint-imports`; here the suite
runs it too, and shows that each contract refuses the import it exists to refuse."""

from __future__ import annotations

import ast
import copy
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import grimp
import pytest
from importlinter.application.use_cases import read_user_options
from importlinter.configuration import configure
from importlinter.contracts.acyclic_siblings import AcyclicSiblingsContract
from importlinter.contracts.forbidden import ForbiddenContract
from importlinter.contracts.independence import IndependenceContract
from importlinter.contracts.layers import LayersContract

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
CONTRACT_TYPES: dict[str, Any] = {
    "layers": LayersContract,
    "forbidden": ForbiddenContract,
    "independence": IndependenceContract,
    "acyclic_siblings": AcyclicSiblingsContract,
}


@pytest.fixture(scope="module")
def options() -> Any:
    configure()  # what the lint-imports command does first: where options are read from
    return read_user_options(config_filename=str(PYPROJECT))


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("infogov", cache_dir=None)


def broken(options: Any, graph: grimp.ImportGraph) -> set[str]:
    """The ids of the contracts this graph breaks."""
    out = set()
    for contract_options in options.contracts_options:
        contract = CONTRACT_TYPES[contract_options["type"]](
            name=contract_options["name"],
            session_options=options.session_options,
            contract_options=contract_options,
        )
        if not contract.check(copy.deepcopy(graph), verbose=False).kept:
            out.add(contract_options["id"])
    return out


def with_import(graph: grimp.ImportGraph, importer: str, imported: str) -> grimp.ImportGraph:
    g = copy.deepcopy(graph)
    g.add_import(importer=importer, imported=imported, line_number=1, line_contents=f"import {imported}")
    return g


def test_lint_imports_keeps_every_contract():
    """What `make lint` runs."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--no-cache", "--no-logo", str(PYPROJECT)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_every_contract_is_checked_here(options):
    ids = {c["id"] for c in options.contracts_options}
    assert ids == {"layers", "org", "core", "apps", "acyclic"}
    assert {c["type"] for c in options.contracts_options} <= set(CONTRACT_TYPES)


def test_the_platform_as_it_is_breaks_none(options, graph):
    assert broken(options, graph) == set()


@pytest.mark.parametrize(
    ("importer", "imported", "refused_by"),
    [
        # org imports nothing of ours (User.scope once imported core: now core's scope_of(user))
        ("infogov.org.models", "infogov.core.workflow.permissions", {"org", "layers", "acyclic"}),
        ("infogov.org.models", "infogov.datagen", {"org"}),
        # core finds the domain apps through registration, never by importing them
        ("infogov.core.web.views", "infogov.planning.models", {"core", "layers", "acyclic"}),
        ("infogov.core.workflow.engine", "infogov.projects.services", {"core", "layers", "acyclic", "apps"}),
        # a domain app reads another only through that app's selectors
        ("infogov.projects.services", "infogov.planning.models", {"apps"}),
        ("infogov.projects.views", "infogov.planning.services", {"apps"}),
        ("infogov.planning.views", "infogov.projects.models", {"apps"}),
        # no import circles, inside a package either
        ("infogov.projects.words", "infogov.projects.similarity", {"acyclic"}),
        ("infogov.core.regulation.articles", "infogov.core.workflow.rules", {"acyclic"}),
    ],
)
def test_a_forbidden_import_is_refused(options, graph, importer, imported, refused_by):
    # the named contracts refuse it (an import that also closes a longer chain may break others too)
    assert refused_by <= broken(options, with_import(graph, importer, imported))


def test_reading_another_app_through_its_selectors_is_allowed(options, graph):
    assert (
        broken(options, with_import(graph, "infogov.projects.services", "infogov.planning.selectors"))
        == set()
    )


def test_a_new_app_must_take_its_place_in_the_layers(options, graph):
    g = copy.deepcopy(graph)
    g.add_module("infogov.infrastructure")  # an app not yet built
    assert broken(options, g) == {"layers"}


def _is_user(node: ast.expr) -> bool:
    """`user`, `request.user`, `self.user`, `owner_user`, `u` …: an expression naming a user."""
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return name in {"u", "who", "actor"} or "user" in name.lower()


def scope_reads(source: str) -> list[int]:
    """The lines of Python `source` that read `scope` as an attribute of a user (an inspection's 检查范围
    or a candidate row's scope is another thing of the same name)."""
    tree = ast.parse(source)
    return [
        n.lineno
        for n in ast.walk(tree)
        if isinstance(n, ast.Attribute) and n.attr == "scope" and _is_user(n.value)
    ]


def test_nothing_reads_a_users_scope_as_an_attribute():
    """User.scope is gone (org may not import core): what a user may see is core's
    `scope_of(user)` (infogov.core.workflow.permissions). An old `user.scope` would be a 500."""
    found = []
    for path in sorted((ROOT / "src" / "infogov").rglob("*.py")):
        found += [f"{path.relative_to(ROOT)}:{n}" for n in scope_reads(path.read_text(encoding="utf-8"))]
    for path in sorted((ROOT / "src" / "infogov").rglob("*.html")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\.scope\b", line):
                found.append(f"{path.relative_to(ROOT)}:{n}")
    assert found == [], "use scope_of(user) instead of user.scope: " + ", ".join(found)


def test_the_scope_check_finds_an_attribute_read():
    assert scope_reads("x = 1\nif request.user.scope.can_view(case):\n    pass\n") == [2]
    assert scope_reads("scope = scope_of(user)\nscope.can_view(case)\n") == []
    assert scope_reads("u = fresh(x)\nu.scope\nself.user.scope\n") == [2, 3]
    assert scope_reads("lines = [given.scope]\nrow.scope\n") == []
