"""发布征求意见 in a real browser (issue 11, 第六条第一款): the plan's page shows the step's own date fields
(the step's input is what its rule checks, so the form is there before the rule can pass); a start date
in the past is refused with the article and the dates stay typed; corrected, the plan goes to
consultation. axe-core on each page."""

from __future__ import annotations

import datetime as dt

import pytest

from infogov.org.choices import Role
from infogov.planning.choices import PlanLevel
from infogov.planning.models import PlanVersion
from tests.browser.conftest import assert_accessible
from tests.browser.test_inbox_journey import sign_in
from tests.factories import make_user
from tests.planning.helpers import PlanWorld

pytestmark = [pytest.mark.browser, pytest.mark.article(6)]


def test_a_plan_consultation_is_opened_from_its_page(live_server, world, browser):
    experts = [world.expert] + [make_user(f"expert{i}", world.expert_pool, Role.EXPERT) for i in range(2, 5)]
    plan = PlanWorld(world=world, experts=experts).draft(PlanLevel.CITY)
    page = sign_in(browser, live_server, world.city.authority_user)
    page.goto(f"{live_server.url}/plans/{plan.pk}/")
    assert_accessible(page, "规划草稿页")
    today = dt.date.today()

    page.get_by_label("征求意见开始日期").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_label("征求意见截止日期").fill((today + dt.timedelta(days=10)).isoformat())
    page.get_by_role("button", name="发布征求意见").click()
    page.wait_for_selector("text=征求意见开始日期不能早于今天（第六条第一款）")
    assert page.get_by_label("征求意见截止日期").input_value() == (today + dt.timedelta(days=10)).isoformat()
    assert PlanVersion.objects.get(pk=plan.pk).state == "draft"
    assert_accessible(page, "发布征求意见被拒绝后的规划页")

    page.get_by_label("征求意见开始日期").fill(today.isoformat())
    page.get_by_role("button", name="发布征求意见").click()
    page.wait_for_selector("#case-state:has-text('征求意见')")
    assert PlanVersion.objects.get(pk=plan.pk).state == "consultation"
    assert_accessible(page, "征求意见中的规划页")
