"""What every browser journey shares: headless Chromium (Debian's /usr/bin/chromium driven by Playwright)
and the axe-core accessibility check (WCAG 2.1 AA, 第二十四条).

Without /usr/bin/chromium the browser tests skip with a message saying how to install it — except when
the environment variable CI is set: there a missing browser is a failure, not a silent skip."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).with_name("axe.min.js")
MISSING_CHROMIUM = (
    "浏览器测试需要 /usr/bin/chromium：apt-get install -y chromium fonts-noto-cjk（或 make system-packages）"
)


def require_chromium() -> None:
    """Skip (on a developer's machine) or fail (in CI) when Chromium is not installed."""
    if CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI 环境缺少 Chromium，不能跳过浏览器测试。{MISSING_CHROMIUM}", pytrace=False)
    pytest.skip(MISSING_CHROMIUM)


@pytest.fixture
def browser(monkeypatch):
    require_chromium()
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu", "--headless"]
        )
        try:
            yield b
        finally:
            b.close()
            # While Playwright's loop runs, the ORM works on a connection of its own (asgiref's context):
            # close it here, or PostgreSQL refuses to drop the test database ("accessed by other users").
            connections.close_all()


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page; the violations of impact serious or critical (WCAG 2.1 A/AA rules)."""
    # evaluated through the driver, not as an inline <script>: the Content-Security-Policy refuses those
    page.evaluate("() => { " + AXE.read_text() + " }")
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
            resultTypes: ["violations"]})"""
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page, where: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{where}: " + json.dumps(violations, ensure_ascii=False)
