"""The main journey in a real browser: sign in, see 我的待办, open a case, fire a transition;
screenshots for the user guide and an axe-core accessibility check (WCAG 2.1 AA, 第二十四条)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from tests.browser.conftest import axe_violations
from tests.browser.screenshots import DOCS_IMG
from tests.testapp.models import Widget

pytestmark = [pytest.mark.browser]


def test_sign_in_see_todo_open_case_and_approve(live_server, world, browser):
    land = world.yongji
    on_time = workflow.create(
        Widget,
        user=land.dept_user,
        title="永吉县政务数据共享交换平台",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        has_security_plan=True,
    )
    on_time = workflow.fire(on_time, "submit", user=land.dept_user, comment="请审查")
    late = workflow.create(
        Widget,
        user=land.dept_user,
        title="永吉县电子政务外网升级改造",
        jurisdiction=land.jurisdiction,
        owner=land.department,
        has_security_plan=True,
        budget=1_200_000,
        description="覆盖县直部门与各乡镇",
    )
    late = workflow.fire(late, "submit", user=land.dept_user, comment="已附信息安全方案，请审查")
    Obligation.objects.for_case(late).update(due_date=timezone.localdate() - dt.timedelta(days=4))

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)

    # Sign in as the county authority's case officer: the reviews are owed by the authority.
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill(land.authority_user.username)
    page.get_by_label("密码").fill("demo-pass-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="我的待办").is_visible()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 2
    assert "已逾期 4 天" in rows.nth(0).inner_text()  # overdue first
    assert late.reference in rows.nth(0).inner_text()
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / "home.png"), full_page=True)
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False)

    # Keyboard users can skip straight to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "跳到主要内容"

    # Open the overdue case from the to-do list.
    rows.nth(0).get_by_role("link", name=late.reference).click()
    page.wait_for_url(f"{live_server.url}/widgets/{late.pk}/")
    assert page.locator("#case-state").inner_text() == "已提交"
    assert page.get_by_role("button", name="批准").is_enabled()
    page.screenshot(path=str(DOCS_IMG / "case.png"), full_page=True)
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False)

    # Approve: the server checks the step first, then "请核对" asks for confirmation (no browser dialog);
    # confirmed, the page comes back with the new state.
    page.get_by_label("批准意见（选填）").fill("同意建设，按批准预算执行")
    page.get_by_role("button", name="批准").click()
    page.wait_for_selector("h1:has-text('请核对：批准')")
    assert "同意建设，按批准预算执行" in page.locator("#confirm-values").inner_text()
    assert "批准后不可撤销，确定批准吗？" in page.locator("#confirm-consequence").inner_text()
    assert axe_violations(page) == []
    page.get_by_role("button", name="确认批准").click()
    page.wait_for_selector("#case-state:has-text('已批准')")
    assert dialogs == []
    assert "已批准" in page.locator(".alert-success").inner_text()
    assert "已提交 → 已批准" in page.locator(".ig-timeline").inner_text()
    event = DocketEvent.objects.for_case(late).get(action="approve")
    assert event.actor == land.authority_user and event.comment == "同意建设，按批准预算执行"

    # The to-do list no longer holds the approved case's review.
    page.get_by_role("link", name="我的待办").first.click()
    assert page.locator("main table tbody tr").count() == 1


def test_case_list_filters_through_htmx(live_server, world, browser):
    land = world.yongji
    for title in ("县政务云扩容", "县数据共享平台", "乡镇视频会议系统"):
        workflow.create(
            Widget, user=land.dept_user, title=title, jurisdiction=land.jurisdiction, owner=land.department
        )
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(land.dept_user.username)
    page.get_by_label("密码").fill("demo-pass-123")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/widgets/")
    assert page.locator("#case-table tbody tr").count() == 3
    page.evaluate("window.__notReloaded = true")
    page.get_by_label("搜索").fill("政务云")
    expect(page.locator("#case-table tbody tr")).to_have_count(1)  # no string eval under the CSP
    assert "县政务云扩容" in page.locator("#case-table").inner_text()
    assert page.evaluate("window.__notReloaded") is True  # swapped in place, not a full page load
    assert "q=" in page.url  # the filter is in the address bar (bookmarkable)
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, ensure_ascii=False)

    # The other shell pages pass the same accessibility check.
    for path in ("/regulation/", "/tokens/"):
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        assert violations == [], f"{path}: " + json.dumps(violations, ensure_ascii=False)
