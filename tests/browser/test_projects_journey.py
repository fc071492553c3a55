"""A fiscal project's journey in a real browser (第三、九、十二、三十一条): the construction unit registers
it through the form and submits it; the authority draws up the annual plan, includes the project in it
(a choice of the open plans), records the four findings and passes the review once the government has
approved the plan. Screenshots for docs/projects.md; axe-core on the new pages (WCAG 2.1 AA)."""

from __future__ import annotations

import re
from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from infogov.core.models import DocketEvent
from infogov.projects import services
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.browser.conftest import assert_accessible
from tests.browser.screenshots import DOCS_IMG

pytestmark = [pytest.mark.browser]

PASSWORD = "demo-pass-123"


@pytest.fixture
def standards(db):
    """The standards catalogue comes from a data migration that a transactional test's flush empties."""
    import_module("infogov.projects.migrations.0002_standards_catalogue").load(apps, None)


def sign_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    dialogs: list[str] = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page, dialogs


def test_register_submit_plan_review_in_the_browser(live_server, world, standards, browser):
    land = world.yongji
    # Other projects of the county, so that the list looks like a register.
    others = (
        ("永吉县电子政务外网升级改造", "infrastructure", "1250000.00", "升级县乡两级电子政务外网骨干链路。"),
        ("永吉县乡镇视频会议系统扩容", "application", "560000.50", "为各乡镇会议室增配高清视频会议终端。"),
    )
    for title, category, budget, content in others:
        services.project_create(
            user=land.dept_user,
            title=title,
            category=category,
            funding_kind="fiscal",
            budget=Decimal(budget),
            budget_source="2026年永吉县本级财政预算",
            year=2026,
            content=content,
        )

    # -- the construction unit registers the project through the form ---------------------------------
    dept, _ = sign_in(browser, live_server, land.dept_user)
    dept.get_by_role("link", name="信息化工程项目").first.click()
    dept.get_by_role("link", name="新建项目").click()
    dept.wait_for_url(f"{live_server.url}/projects/new/")
    assert dept.get_by_role("heading", name="登记信息化工程项目").is_visible()
    # 第十二条: the mandatory standards of the category are ticked; switching the category adds its own
    assert dept.get_by_label(re.compile("^GB 18030-2022")).is_checked()
    assert not dept.get_by_label(re.compile("^GB 50174-2017")).is_checked()
    dept.get_by_label("项目类别").select_option(label="公共基础设施")
    assert dept.get_by_label(re.compile("^GB 50174-2017")).is_checked()
    dept.get_by_label("项目类别").select_option(label="应用系统")
    for code in ("GB 50174-2017", "GB 50311-2016"):
        dept.get_by_label(re.compile(f"^{code}")).uncheck()
    assert_accessible(dept, "/projects/new/")

    dept.get_by_label("项目名称").fill("永吉县全民健康信息平台")
    dept.get_by_label("建设年度").fill("2026")
    dept.get_by_label("预算金额（元）").fill("3,800,000.00")
    dept.get_by_label("建设内容", exact=False).first.fill(
        "建设县域全民健康信息平台，汇聚电子病历、电子健康档案和全员人口信息，支撑家庭医生签约和分级诊疗。"
    )
    dept.get_by_label("新建或改造的信息系统").fill("全民健康信息平台\n家庭医生签约系统")
    dept.get_by_label("产生的信息资源").fill("电子健康档案库")
    dept.get_by_label("使用的信息资源").fill("人口基础信息库")
    dept.get_by_label("计划开工").fill("2026-03-01")
    dept.get_by_label("计划竣工").fill("2026-12-31")
    dept.get_by_label("信息安全保障方案").fill("按第二级等级保护要求同步规划、同步建设、同步运行。")
    dept.get_by_label("拟定安全保护等级").select_option(label="第二级")
    # security measures are a checklist (GB/T 22239-2019), with room for others (issue #11)
    dept.get_by_label("边界防护", exact=True).check()
    dept.get_by_label("日志审计", exact=True).check()
    dept.get_by_label("预算来源").fill("2026年永吉县本级财政预算")
    dept.get_by_label("信息化发展专项资金").fill("信息化发展专项资金")
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    dept.screenshot(path=str(DOCS_IMG / "project-new.png"), full_page=True)

    # Without the budget source the error summary says what to fix, in Chinese, and nothing is saved.
    dept.get_by_label("预算来源").fill("")
    dept.get_by_role("button", name="登记项目（保存为草稿）").click()
    summary = dept.locator("#form-errors")
    summary.wait_for()
    assert "第三条" in summary.inner_text()
    assert dept.evaluate("document.activeElement.id") == "form-errors"
    assert dept.get_by_label("预算来源").get_attribute("aria-invalid") == "true"
    assert not Project.objects.filter(title="永吉县全民健康信息平台").exists()
    assert_accessible(dept, "/projects/new/ with errors")

    dept.get_by_label("预算来源").fill("2026年永吉县本级财政预算")
    dept.get_by_role("button", name="登记项目（保存为草稿）").click()
    dept.wait_for_selector("#case-state:has-text('草稿')")
    project = Project.objects.get(title="永吉县全民健康信息平台")
    assert dept.url == f"{live_server.url}/projects/{project.pk}/"
    assert "3,800,000.00 元" in dept.locator("#project-budget").inner_text()
    assert project.budget == Decimal("3800000.00")
    assert sorted(project.standards.values_list("code", flat=True)) == ["GB 17859-1999", "GB 18030-2022"]

    # A draft can be corrected: the change goes into the docket field by field.
    dept.get_by_role("link", name="修改登记信息").click()
    dept.wait_for_url(f"{live_server.url}/projects/{project.pk}/edit/")
    assert_accessible(dept, f"/projects/{project.pk}/edit/")
    dept.get_by_label("落实的规划任务").fill("吉林市“十四五”信息化发展规划 任务 3.2")
    dept.get_by_role("button", name="保存修改").click()
    dept.wait_for_selector(".alert-success:has-text('已保存修改')")
    changes = dept.locator(".ig-timeline .ig-changes").inner_text()
    assert "落实的规划任务" in changes and "任务 3.2" in changes

    dept.get_by_role("button", name="申报列入年度计划").click()
    dept.wait_for_selector("#case-state:has-text('已申报')")
    assert not dept.get_by_role("link", name="修改登记信息").count()  # the submitted version stands

    # -- the authority draws up the annual plan and includes the project -------------------------------
    auth, dialogs = sign_in(browser, live_server, land.authority_user)
    auth.get_by_role("link", name="年度建设计划").first.click()
    auth.get_by_role("link", name="新建年度计划").click()
    auth.wait_for_url(f"{live_server.url}/annual-plans/new/")
    auth.locator("#id_year").fill("2026")
    assert_accessible(auth, "/annual-plans/new/")
    auth.get_by_role("button", name="新建计划").click()
    auth.wait_for_selector("#case-state:has-text('编制中')")
    plan = AnnualConstructionPlan.objects.get(jurisdiction=land.jurisdiction, year=2026)

    auth.goto(f"{live_server.url}/projects/{project.pk}/")
    auth.get_by_label("年度建设计划").select_option(label=f"{plan.title}（{plan.reference}）")
    auth.get_by_role("button", name="列入年度计划").click()
    auth.wait_for_selector("#case-state:has-text('已列入年度计划')")

    # the case record names the plan too, with its reference (a link): the case's own field is exact
    auth.get_by_role("link", name=plan.title, exact=True).click()  # the plan page lists its projects
    assert "3,800,000.00" in auth.locator("section:has(#plan-projects-title)").inner_text()
    assert_accessible(auth, f"/annual-plans/{plan.pk}/")

    # The plan is submitted and approved by the county government (第九条第一款), through the services.
    plan = services.plan_fire(plan=plan, user=land.authority_user, name="submit_plan")
    services.plan_fire(plan=plan, user=land.approver, name="approve_plan")

    # -- the review: four findings, then the decision (第九条第二款) --------------------------------------
    auth.goto(f"{live_server.url}/projects/{project.pk}/")
    for dimension in ("规划布局", "技术标准", "网络与信息安全", "信息资源共享"):
        auth.get_by_label("评审内容").select_option(label=dimension)
        auth.get_by_label("结论").select_option(label="符合")
        auth.get_by_label("评审意见", exact=True).fill(f"{dimension}符合要求。")
        auth.get_by_role("button", name="保存评审意见").click()
        auth.wait_for_selector(".alert-success:has-text('已录入评审意见')")
    assert project.findings.count() == 4
    assert auth.get_by_role("button", name="审查通过").is_enabled()
    auth.get_by_label("审查通过意见（选填）").fill("同意建设，按批准预算执行。")
    auth.get_by_role("button", name="审查通过").click()
    # checked by the server first, then confirmed on "请核对" (no browser dialog)
    auth.wait_for_selector("h1:has-text('请核对：审查通过')")
    assert "审查意见作出后记入案卷且不可撤销" in auth.locator("#confirm-consequence").inner_text()
    auth.get_by_role("button", name="确认审查通过").click()
    auth.wait_for_selector("#case-state:has-text('审查通过')")
    assert dialogs == []

    timeline = auth.locator(".ig-timeline").inner_text()
    order = [timeline.index(step) for step in ("创建", "申报列入年度计划", "录入评审意见", "审查通过")]
    assert order == sorted(order)
    assert timeline.count("录入评审意见") == 4 and "已申报 → 已列入年度计划" in timeline
    assert "已列入年度计划 → 审查通过" in timeline
    actions = list(DocketEvent.objects.for_case(project).order_by("seq").values_list("action", flat=True))
    assert actions == ["create", "edit", "submit", "include_in_plan", *["review_finding"] * 4, "review_pass"]
    auth.screenshot(path=str(DOCS_IMG / "project-page.png"), full_page=True)
    assert_accessible(auth, f"/projects/{project.pk}/")

    auth.get_by_role("link", name="信息化工程项目").first.click()
    auth.wait_for_url(f"{live_server.url}/projects/")
    table = auth.locator("#case-table").inner_text()
    assert "3,800,000.00" in table and "560,000.50" in table
    auth.screenshot(path=str(DOCS_IMG / "projects-list.png"), full_page=True)
    assert_accessible(auth, "/projects/")
