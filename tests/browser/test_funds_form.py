"""登记支付 in a real browser (issue 11): a payment the server refuses — more than the contract leaves
(第十四条) — comes back with what was typed and the refusal above the form, and nothing is recorded;
axe-core on the page that shows it."""

from __future__ import annotations

from importlib import import_module

import pytest
from django.apps import apps

from tests.browser.conftest import assert_accessible
from tests.browser.test_inbox_journey import sign_in
from tests.projects.conftest import Walker

pytestmark = [pytest.mark.browser, pytest.mark.article(14)]


@pytest.fixture
def catalogue(db):
    import_module("infogov.projects.migrations.0002_standards_catalogue").load(apps, None)


def test_a_refused_payment_keeps_what_was_typed(live_server, world, catalogue, browser):
    walker = Walker(world, world.yongji)
    project = walker.fire(walker.procure(walker.to_reviewed(), amount="800000.00"), "start_construction")
    page = sign_in(browser, live_server, walker.owner)
    page.goto(f"{live_server.url}/projects/{project.pk}/")
    form = page.locator("#disbursement-form")
    form.get_by_label("金额（元）").fill("900000.00")
    form.get_by_label("用途").fill("超出合同的进度款")
    form.get_by_role("button", name="登记支付").click()
    page.wait_for_selector("#disbursement-form .alert-danger")
    form = page.locator("#disbursement-form")
    assert form.get_by_label("金额（元）").input_value() == "900000.00"
    assert form.get_by_label("用途").input_value() == "超出合同的进度款"
    assert "第十四条" in form.locator(".alert-danger").inner_text()
    assert project.disbursements.count() == 0
    assert_accessible(page, "登记支付被拒绝后的项目页")
    page.reload()  # the kept submission is shown once
    assert page.locator("#disbursement-form").get_by_label("用途").input_value() == ""
