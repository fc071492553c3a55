"""A pytest plugin: records which tests make each registered rule pass and refuse, for
`manage.py regulation_coverage --trace` (every rule must have a test that makes it refuse).

Each process (the controller and every xdist worker) writes var/rule-trace/<name>.json at the end of
its session: {rule code: {"refused": [test ids], "passed": [test ids]}}. The controller clears the
folder first, so the files describe the last run."""

from __future__ import annotations

import json
import os
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

TRACE_DIR = Path(__file__).resolve().parents[1] / "var" / "rule-trace"
_current: str | None = None
_seen: dict[str, dict[str, set[str]]] = defaultdict(lambda: {"refused": set(), "passed": set()})


def _trace(code: str, refused: bool) -> None:
    if _current is not None:
        _seen[code]["refused" if refused else "passed"].add(_current)


def pytest_configure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput"):  # the controller (or a run without xdist)
        shutil.rmtree(TRACE_DIR, ignore_errors=True)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    global _current
    from infogov.core.workflow import rules

    rules.TRACE = _trace
    _current = item.nodeid


def pytest_runtest_teardown(item: pytest.Item) -> None:
    global _current
    _current = None


def pytest_sessionfinish(session: pytest.Session) -> None:
    if not _seen:
        return
    worker: Any = getattr(session.config, "workerinput", {}).get("workerid", "main")
    TRACE_DIR.mkdir(parents=True, exist_ok=True)
    data = {code: {k: sorted(v) for k, v in seen.items()} for code, seen in _seen.items()}
    (TRACE_DIR / f"{worker}-{os.getpid()}.json").write_text(json.dumps(data, ensure_ascii=False))
