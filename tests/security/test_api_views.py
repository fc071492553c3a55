"""The security API (create operations, typed steps, overview) and pages (overview with charts and
Excel export, the register form), scoped by 第四条."""

import io

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from infogov.security.exports import safe_cell
from infogov.security.models import InformationSystem
from tests.conftest import fresh

from .conftest import filed_system, fire, grading, register

pytestmark = [pytest.mark.django_db, pytest.mark.article(30)]


def client_of(user) -> Client:
    c = Client()
    c.force_login(fresh(user))
    return c


def test_the_api_registers_a_system_and_takes_a_typed_step(world):
    c = client_of(world.yongji.dept_user)
    r = c.post(
        "/api/security/systems/",
        {"title": "永吉县政务服务平台", "data_categories": ["个人信息"]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    body = {
        "payload": {
            "object_harmed": "society",
            "harm_degree": "serious",
            "declared_level": 2,
            "reasoning": "x",
            "determined_on": "2026-01-05",
        }
    }
    r = c.post(
        f"/api/security/systems/{pk}/transitions/determine_level", body, content_type="application/json"
    )
    assert (
        r.status_code == 422
        and r.json()["code"] == "A30-1-GRADING"
        and r.json()["article"] == "第三十条第一款"
    )
    body["payload"]["declared_level"] = 3
    r = c.post(
        f"/api/security/systems/{pk}/transitions/determine_level", body, content_type="application/json"
    )
    assert r.status_code == 200 and InformationSystem.objects.get(pk=pk).level == 3
    r = c.post(
        f"/api/security/systems/{pk}/transitions/determine_level",
        {"payload": {**body["payload"], "reasoning": "a\x00b"}},
        content_type="application/json",
    )
    assert r.status_code in (400, 422)  # a NUL never reaches PostgreSQL


def test_the_overview_api_is_scoped(world):
    system = filed_system(world)
    city = client_of(world.city.authority_user).get("/api/security/overview").json()
    assert city["systems_by_level"] == {"第三级": 1}
    other = client_of(world.jiaohe.authority_user).get("/api/security/overview").json()
    assert other["systems_by_level"] == {} and system.reference not in str(other)


def test_the_overview_page_renders_charts_without_inline_script_and_exports_neutralised_excel(world):
    register(world.yongji, title='=HYPERLINK("http://x")')
    c = client_of(world.yongji.authority_user)
    page = c.get(reverse("security:overview"))
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "vendor/echarts/echarts.min.js" in html and 'id="security-chart-data" type="application/json"' in html
    )
    assert "<script>" not in html
    graded = register(world.yongji, title="永吉县电子证照系统")
    fire(graded, "determine_level", world.yongji.dept_user, grading(level=3))
    mine = client_of(world.yongji.dept_user).get(reverse("security:overview")).content.decode()
    assert "本单位接下来的义务" in mine and "信息安全风险评估" in mine and "定级后向公安机关备案" in mine
    xlsx = c.get(reverse("security:overview") + "?export=xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert wb.sheetnames == ["按辖区", "未处置高风险", "缺预案或演练"]
    assert (
        safe_cell("=1+1") == "'=1+1"
        and safe_cell("@x") == "'@x"
        and safe_cell("\tx") == "'\tx"
        and safe_cell("正常") == "正常"
    )


def test_the_register_form_creates_a_system_of_the_users_unit(world):
    c = client_of(world.yongji.dept_user)
    assert c.get(reverse("security_systems:create")).status_code == 200
    r = c.post(
        reverse("security_systems:create"),
        {"title": "永吉县教育云平台", "network": "internet", "data_categories": ["个人信息"]},
    )
    assert r.status_code == 303
    system = InformationSystem.objects.get(title="永吉县教育云平台")
    assert system.owner == world.yongji.department and system.data_categories == ["个人信息"]
    detail = c.get(reverse("security_systems:detail", args=[system.pk]))
    assert detail.status_code == 200 and "等级保护" in detail.content.decode()
    refused = client_of(world.yongji.finance_user).post(reverse("security_systems:create"), {"title": "越权"})
    assert refused.status_code == 200 and not InformationSystem.objects.filter(title="越权").exists()


def test_the_incident_page_shows_minutes_remaining(world):
    import datetime as dt

    from django.utils import timezone

    from infogov.security import services

    incident = services.incident_open(
        user=fresh(world.yongji.dept_user),
        title="页面篡改",
        detected_at=timezone.now() - dt.timedelta(minutes=30),
        grade="较大",
    )
    page = client_of(world.yongji.dept_user).get(reverse("security_incidents:detail", args=[incident.pk]))
    assert page.status_code == 200 and "剩余 2" in page.content.decode()  # 4 hours less the 30 minutes gone
