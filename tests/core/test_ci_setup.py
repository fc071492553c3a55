"""The set-up is honest: under CI a missing PostgreSQL or Chromium fails the run instead of skipping its
tests; on a developer's machine they skip with a Chinese message. And the test tiers: the workflow
properties take their number of examples from the Hypothesis profile (tests/conftest.py)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from tests.browser import conftest as browser_conftest

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = "postgres://postgres@127.0.0.1:1/infogov"  # nothing listens on port 1


def _env(ci: bool, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = "true"
    env.update(extra)
    return env


def _pg_ready(ci: bool) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "pg_ready.py"), UNREACHABLE],
        env=_env(ci),
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_pg_ready_fails_under_ci_when_postgresql_does_not_answer():
    done = _pg_ready(ci=True)
    assert done.returncode == 1, done
    assert "CI 中不能跳过 PostgreSQL 测试" in done.stderr


def test_pg_ready_lets_a_developer_skip_when_postgresql_does_not_answer():
    done = _pg_ready(ci=False)
    assert done.returncode == 2, done
    assert "跳过 PostgreSQL 测试" in done.stderr


def _system_packages(tmp_path: Path, ci: bool) -> subprocess.CompletedProcess[str]:
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "id").write_text("#!/bin/sh\necho 1000\n")  # not root: nothing may be installed
    (fake / "id").chmod(0o755)
    env = _env(ci, PATH=f"{fake}:{os.environ['PATH']}", INFOGOV_CHROMIUM=str(tmp_path / "no-chromium"))
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "system_packages.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_system_packages_fails_under_ci_when_chromium_cannot_be_installed(tmp_path):
    done = _system_packages(tmp_path, ci=True)
    assert done.returncode == 1, done
    assert "CI 中浏览器测试不能跳过" in done.stderr


def test_system_packages_is_best_effort_for_a_developer(tmp_path):
    done = _system_packages(tmp_path, ci=False)
    assert done.returncode == 0, done
    assert "浏览器测试将跳过" in done.stdout


def test_browser_tests_fail_under_ci_without_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_conftest, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI 环境缺少 Chromium"):
        browser_conftest.require_chromium()


def test_browser_tests_skip_for_a_developer_without_chromium(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_conftest, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make system-packages"):
        browser_conftest.require_chromium()


def test_hypothesis_profiles():
    default, ci, deep = (settings.get_profile(n) for n in ("default", "ci", "deep"))
    assert default.max_examples == ci.max_examples < deep.max_examples
    assert default.deadline is not None and ci.deadline is None and deep.deadline is None


def test_workflow_properties_take_their_examples_from_the_profile():
    from tests.core import test_properties
    from tests.projects import test_workflow_properties as projects_properties

    profile = settings.default.max_examples
    assert projects_properties.PROPERTY_SETTINGS.max_examples == profile
    for fn in (
        test_properties.test_random_attempts_never_break_the_procedure,
        test_properties.test_explain_and_fire_agree,
    ):
        assert fn._hypothesis_internal_use_settings.max_examples == profile
