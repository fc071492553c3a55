"""The plan journey in a real browser (第五条至第七条, on the demo city): a member of the public comments
on a plan under consultation on the portal page, without an account; the owner's staff answer the
comments in bulk from a template and publish the answers (the commenter who left contact details is
notified); the public sees the answer; the city authority inspects and scores the plans in force and
exports the assessment table. Screenshots for docs/planning.md; axe-core on the public pages, the
most accessibility-critical pages of the platform (第二十四条)."""

from __future__ import annotations

import datetime as dt

import pytest

from infogov.core import demo as core_demo
from infogov.core.workflow import engine as workflow
from infogov.org.models import User
from infogov.planning import demo as plan_demo
from infogov.planning.models import CommentNotification, PlanScore, PlanVersion, PublicComment
from tests.browser.conftest import assert_accessible
from tests.browser.screenshots import DOCS_IMG

PASSWORD = core_demo.DEMO_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.article(5, 6, 7)]


def sign_in(browser, live_server, username: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def test_public_comment_staff_answer_and_city_assessment(live_server, browser):
    core_demo.seed()
    plan_demo.seed()
    health = PlanVersion.objects.get(title=plan_demo.HEALTH_TITLE)
    assert health.state == "consultation" and health.comments.count() == 3
    task = health.tasks.order_by("seq").last()

    # -- the public, no account: the portal lists the plan under consultation ---------------------
    public = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    public.goto(f"{live_server.url}/public/plans/")
    assert public.get_by_role("heading", name="正在征求意见").is_visible()
    assert_accessible(public, "/public/plans/")
    public.get_by_role("link", name=plan_demo.HEALTH_TITLE).click()
    public.wait_for_url(f"{live_server.url}/public/plans/{health.pk}/")
    assert_accessible(public, "public plan page")
    # the comment form is labelled for screen readers and keyboard users; a single task can be targeted
    public.get_by_label("针对").select_option(f"task:{task.pk}")
    public.get_by_label("意见内容").fill("建议电子健康卡同时支持社保卡和医保电子凭证，方便老年人就医。")
    public.get_by_label("姓名（选填）").fill("赵先生")
    public.get_by_label("联系方式（选填，答复后通知您）").fill("zhao@example.cn")
    public.get_by_role("button", name="提交意见").click()
    public.wait_for_selector(".alert-success")
    assert "感谢您的意见" in public.locator(".alert-success").inner_text()
    mine = PublicComment.objects.get(contact="zhao@example.cn")
    assert (mine.version_id, mine.task_id, mine.name, mine.client_hash != "") == (
        health.pk,
        task.pk,
        "赵先生",
        True,
    )
    comments = public.locator("#comments")
    assert "老年人就医" in comments.inner_text()
    assert "赵先生" not in comments.inner_text() and "zhao@example.cn" not in public.content()  # never public
    public.screenshot(path=str(DOCS_IMG / "plan-public.png"), full_page=True)
    assert_accessible(public, "public plan page after commenting")
    # the honeypot field is out of the accessibility tree and of the tab order: from the contact
    # field, Tab goes straight to the submit button
    assert public.locator("div[aria-hidden=true] #id_website").get_attribute("tabindex") == "-1"
    public.get_by_label("联系方式（选填，答复后通知您）").focus()
    public.keyboard.press("Tab")
    assert public.evaluate("document.activeElement.textContent") == "提交意见"

    # -- the window ends (a service step: time passes) --------------------------------------------
    dept = User.objects.get(username="dept")
    workflow.fire(
        health, "close_consultation", user=dept, today=health.consultation_end + dt.timedelta(days=1)
    )

    # -- the owner's staff answer all comments in bulk from a template and publish together --------
    staff = sign_in(browser, live_server, "dept")
    staff.get_by_role("navigation", name="主导航").get_by_role("link", name="信息化发展规划").click()
    staff.get_by_role("link", name=plan_demo.HEALTH_TITLE).first.click()
    staff.wait_for_url(f"{live_server.url}/plans/{health.pk}/")
    assert staff.locator("#case-state").inner_text() == "专家论证"
    boxes = staff.locator("input[name=comment_ids]")
    assert boxes.count() == 4
    for i in range(boxes.count()):
        boxes.nth(i).check()
    staff.get_by_label("答复模板").select_option("partly")
    staff.get_by_label("理由 / 答复意见").fill("将在实施方案中统筹考虑。")
    staff.get_by_role("button", name="起草所选意见的答复").click()
    staff.wait_for_selector(".alert-success")
    assert "已起草答复" in staff.locator(".alert-success").inner_text()
    assert not PublicComment.objects.filter(answer_published_at__isnull=False, version=health).exists()
    staff.get_by_role("button", name="统一公布已起草的答复并通知意见人").click()
    staff.wait_for_selector(".alert-success")
    assert "已公布答复" in staff.locator(".alert-success").inner_text()
    assert staff.locator("#comments-title").is_visible()
    staff.screenshot(path=str(DOCS_IMG / "plan-page.png"), full_page=True)
    assert_accessible(staff, "staff plan page")
    mine.refresh_from_db()
    assert mine.answer_status == "partly" and mine.answer_published_at is not None
    notes = {n.address: n.message for n in CommentNotification.objects.filter(comment__version=health)}
    assert set(notes) == {"zhao@example.cn", "liu@example.cn"}  # those who left contact details
    assert "部分采纳" in notes["zhao@example.cn"] and "统筹考虑" in notes["zhao@example.cn"]

    # -- the public sees the answer on the same page ------------------------------------------------
    public.reload()
    assert "征求意见已结束" in public.content()
    answer = public.locator("#comments .card", has_text="老年人就医")
    assert "答复（部分采纳）" in answer.inner_text() and "统筹考虑" in answer.inner_text()
    assert public.get_by_role("button", name="提交意见").count() == 0
    assert_accessible(public, "public plan page with answers")

    # -- the city authority inspects and scores the plans in force, and exports the table --------
    year = dt.date.today().year - 1
    authority = sign_in(browser, live_server, "authority")
    authority.get_by_role("navigation", name="主导航").get_by_role("link", name="规划执行考核").click()
    authority.wait_for_url(f"{live_server.url}/plans/assessment/")
    assert authority.get_by_role("heading", level=1).inner_text().startswith(f"{year} 年度")
    authority.get_by_role("button", name="抽取检查对象").click()
    authority.wait_for_selector(".alert-success")
    police = PlanVersion.objects.get(title=plan_demo.POLICE_TITLE)
    form = authority.locator("form", has_text=police.title)
    form.get_by_label("问题性质").select_option("general")
    form.get_by_label("发现的问题").fill("视频点位接入台账不完整")
    form.get_by_label("检查结论").fill("基本按规划推进")
    form.get_by_role("button", name="记录检查结果").click()
    authority.wait_for_selector(".alert-success")
    authority.get_by_role("button", name="按评分表计算得分").click()
    authority.wait_for_selector(".alert-success")
    score = PlanScore.objects.get(version=police, year=year)
    assert score.findings_score == 15 and score.timeliness_score == 0  # one general finding; no report
    table = authority.get_by_role("table", name="考核结果")
    assert "吉林市公安局" in table.inner_text() and "吉林高新技术产业开发区" in table.inner_text()
    authority.set_viewport_size({"width": 1280, "height": 1500})
    authority.screenshot(path=str(DOCS_IMG / "plan-assessment.png"))  # the top: sheet, inspection, table
    assert_accessible(authority, "assessment page")
    data = authority.request.get(f"{live_server.url}/plans/assessment/?year={year}&format=json").json()
    places = [r for r in data["rows"] if r["类别"] == "县（市）区和开发区"]
    assert len(places) == 11
    police_row = next(r for r in data["rows"] if r["考核对象"] == "吉林市公安局")
    assert police_row["总分"] == float(score.total)
    xlsx = authority.request.get(f"{live_server.url}/plans/assessment/?year={year}&format=xlsx")
    assert xlsx.ok and xlsx.body()[:2] == b"PK"
