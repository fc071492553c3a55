"""我的待办 in a real browser: each actor finds the step waiting for them in 待办 after the previous actor
has taken theirs, and takes it from there — the department submits its project, the authority includes
it in the annual plan and submits the plan (a batch action from the inbox), the county government
approves the plan, the authority then finds the review. The expert finds the plan review assigned; the
city authority finds a county plan to file; the leader sees the summary. Screenshots of each role's 待办
for docs/inbox.md; axe-core on every page visited (WCAG 2.1 AA)."""

from __future__ import annotations

from decimal import Decimal
from importlib import import_module

import pytest
from django.apps import apps

from infogov.core.models import DocketEvent
from infogov.core.workflow import engine
from infogov.org.choices import Role
from infogov.planning.choices import PlanLevel
from infogov.projects import services
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.browser.conftest import assert_accessible
from tests.browser.screenshots import DOCS_IMG
from tests.factories import make_user
from tests.planning.helpers import PlanWorld

pytestmark = [pytest.mark.browser]

PASSWORD = "demo-pass-123"


@pytest.fixture
def standards(db):
    import_module("infogov.projects.migrations.0002_standards_catalogue").load(apps, None)


def sign_in(browser, live_server, user):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def steps_table(page) -> str:
    return page.locator("#inbox-steps").inner_text() if page.locator("#inbox-steps").count() else ""


def shot(page, name: str) -> None:
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMG / name), full_page=True)


def test_each_actor_finds_and_takes_the_next_step_from_the_inbox(live_server, world, standards, browser):
    land = world.yongji
    project = services.project_create(
        user=land.dept_user,
        title="永吉县全民健康信息平台",
        category="application",
        funding_kind="fiscal",
        budget=Decimal("3800000.00"),
        budget_source="2026年永吉县本级财政预算",
        special_fund="信息化发展专项资金",
        year=2026,
        content="建设县域全民健康信息平台，汇聚电子病历、电子健康档案和全员人口信息。",
        security_plan="按第二级等级保护要求同步规划、同步建设、同步运行。",
        security_level=2,
        standards=["GB 17859-1999", "GB 18030-2022"],
    )
    plan = services.plan_create(user=land.authority_user, jurisdiction=land.jurisdiction, year=2026)

    # -- the department: its draft waits to be submitted ---------------------------------------------
    dept = sign_in(browser, live_server, land.dept_user)
    assert "申报列入年度计划" in steps_table(dept) and project.reference in steps_table(dept)
    assert dept.get_by_role("link", name="我的待办").first.inner_text().strip().startswith("我的待办")
    shot(dept, "inbox-department.png")
    assert_accessible(dept, "/ (department)")
    dept.locator("#inbox-steps").get_by_role("link", name="申报列入年度计划").click()
    dept.wait_for_url(f"{live_server.url}/projects/{project.pk}/#actions-title")
    dept.get_by_role("button", name="申报列入年度计划").click()
    dept.wait_for_selector("#case-state:has-text('已申报')")
    dept.get_by_role("link", name="我的待办").first.click()
    assert project.reference not in steps_table(dept)  # nothing left to do on it
    dept.get_by_role("link", name="已办").click()
    assert "申报列入年度计划" in dept.locator("main").inner_text()
    assert_accessible(dept, "/inbox/done/")

    # -- the authority: the new 申报 is in its 待办; it includes the project from there ------------------
    auth = sign_in(browser, live_server, land.authority_user)
    assert "列入年度计划" in steps_table(auth) and project.reference in steps_table(auth)
    assert "报本级人民政府批准" not in steps_table(auth)  # an empty plan is not yet to be submitted
    shot(auth, "inbox-authority.png")
    assert_accessible(auth, "/ (authority)")
    auth.locator("#inbox-steps").get_by_role("link", name="列入年度计划").click()
    auth.get_by_label("年度建设计划").select_option(label=f"{plan.title}（{plan.reference}）")
    auth.get_by_role("button", name="列入年度计划").click()
    auth.wait_for_selector("#case-state:has-text('已列入年度计划')")
    auth.get_by_role("button", name="关注").click()  # the authority follows the project
    auth.wait_for_selector("#follow-button:has-text('已关注')")

    # the plan now holds a project: submitting it is a step without input — a batch action
    auth.get_by_role("link", name="我的待办").first.click()
    assert "报本级人民政府批准" in steps_table(auth)
    auth.get_by_label(f"选择：报本级人民政府批准 {plan.reference}").check()
    auth.get_by_role("button", name="批量办理所选事项").click()
    auth.wait_for_selector(".alert-success:has-text('已报本级人民政府批准')")
    assert AnnualConstructionPlan.objects.get(pk=plan.pk).state == "submitted"
    assert DocketEvent.objects.for_case(plan).filter(action="submit_plan", actor=land.authority_user).exists()
    auth.get_by_role("link", name="关注").click()
    assert project.title in auth.locator("main").inner_text()
    assert_accessible(auth, "/inbox/following/")

    # -- the county government: the plan awaits its approval ---------------------------------------------
    gov = sign_in(browser, live_server, land.approver)
    assert "批准年度计划" in steps_table(gov) and plan.reference in steps_table(gov)
    shot(gov, "inbox-government.png")
    assert_accessible(gov, "/ (government)")
    gov.get_by_label(f"选择：批准年度计划 {plan.reference}").check()
    gov.get_by_role("button", name="批量办理所选事项").click()  # not confirmed: refused, nothing written
    gov.wait_for_selector(".alert-danger:has-text('须先勾选确认')")
    assert AnnualConstructionPlan.objects.get(pk=plan.pk).state == "submitted"
    gov.get_by_label(f"选择：批准年度计划 {plan.reference}").check()
    gov.get_by_label("我已逐项核对所选事项", exact=False).check()
    gov.get_by_role("button", name="批量办理所选事项").click()
    gov.wait_for_selector(".alert-success:has-text('已批准年度计划')")
    assert AnnualConstructionPlan.objects.get(pk=plan.pk).state == "approved"
    assert_accessible(gov, "/ (government, after)")

    # -- back to the authority: the review is due (第九条第二款, with its duty's date) ------------------
    auth.goto(f"{live_server.url}/")
    table = steps_table(auth)
    assert "审查通过" in table and project.reference in table and "剩余" in table
    leader = sign_in(browser, live_server, land.leader)
    assert leader.get_by_role("region", name="负责人概览").is_visible()
    assert "信息化工程项目：1 件" in leader.locator("main").inner_text()
    shot(leader, "inbox-leader.png")
    assert_accessible(leader, "/ (leader)")
    assert Project.objects.get(pk=project.pk).state == "planned"


def test_expert_and_city_authority_find_plan_work(live_server, world, browser):
    experts = [world.expert] + [make_user(f"expert{i}", world.expert_pool, Role.EXPERT) for i in range(2, 5)]
    pw = PlanWorld(world=world, experts=experts)
    pw.city_plan_in_force()
    # a county plan, approved and published: the city authority files it (第五条第二款)
    county = pw.draft(PlanLevel.LOCAL, world.yongji)
    county = pw.approve(pw.submit(pw.review(pw.close_consultation(pw.open_consultation(county)))))
    county = engine.fire(county, "publish", user=pw.owner_user(county))
    # a special plan under expert review: the fourth expert is assigned and has not given an opinion
    special = pw.draft(PlanLevel.SPECIAL, world.city)
    special = pw.close_consultation(pw.open_consultation(special))
    from infogov.planning import services as plans

    plans.experts_assign(version=special, user=pw.owner_user(special), experts=[experts[3]])

    expert = sign_in(browser, live_server, experts[3])
    assert "提交专家论证意见" in steps_table(expert) and special.reference in steps_table(expert)
    shot(expert, "inbox-expert.png")
    assert_accessible(expert, "/ (expert)")

    city = sign_in(browser, live_server, world.city.authority_user)
    assert "备案" in steps_table(city) and county.reference in steps_table(city)
    shot(city, "inbox-city-authority.png")
    assert_accessible(city, "/ (city authority)")
    city.locator("#inbox-steps").get_by_role("link", name="备案").first.click()
    city.wait_for_selector("#case-state:has-text('已公布')")
    assert_accessible(city, "plan page from the inbox")

    county_auth = sign_in(browser, live_server, world.yongji.authority_user)
    assert county.reference not in steps_table(county_auth)  # the county files nothing itself
    assert "等待他方办理" in county_auth.locator("main").inner_text()
    assert_accessible(county_auth, "/ (county authority)")
