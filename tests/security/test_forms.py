"""The security forms (issue #12): opening an incident (第三十条第二款), planning an inspection and recording
a hidden danger (第三十二条). Each is validated through its step's schema, keeps what was typed after a
refusal with the refusal beside its field, asks for confirmation after the server check, and is
reachable from its list page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from infogov.core.models import Obligation
from infogov.security import services
from infogov.security.models import HiddenDanger, Incident, Inspection
from tests.conftest import fresh

from .conftest import fire, register

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    c = Client()
    c.force_login(fresh(user))
    return c


def _confirm(c: Client, url: str, page) -> object:
    """Press 确认 on the 请核对 page: post its hidden values and token back."""
    html = page.content.decode()
    form = html.split('name="_confirm"')[0].rsplit("<form", 1)[1]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    token = re.search(r'name="_confirm" value="([^"]+)"', html)
    assert token, html
    data: dict[str, list[str]] = {}
    for name, value in hidden:
        if name != "csrfmiddlewaretoken":
            data.setdefault(name, []).append(value.replace("&amp;", "&").replace("&quot;", '"'))
    data["_confirm"] = [token.group(1)]
    return c.post(url, data)


def _local(minutes_ago: int) -> str:
    return (timezone.localtime() - dt.timedelta(minutes=minutes_ago)).strftime("%Y-%m-%dT%H:%M")


# -- 登记网络安全事件 (第三十条第二款) ----------------------------------------------------------------


@pytest.mark.article(30)
def test_the_incident_form_checks_then_confirms_then_opens_with_its_report_duty(world):
    land = world.yongji
    system = register(land)
    c = client_of(land.dept_user)
    listing = c.get(reverse("security_incidents:list")).content.decode()
    url = reverse("security_incidents:create")
    assert url in listing and "登记网络安全事件" in listing
    form = c.get(url).content.decode()
    for name in ("title", "grade", "critical_operator", "detected_at", "system_ids", "description"):
        assert f'name="{name}"' in form
    assert system.reference in form  # the unit's register offers its systems
    values = {
        "title": "网格平台遭勒索软件攻击",
        "grade": "较大",
        "critical_operator": "true",
        "detected_at": _local(30),
        "system_ids": [str(system.pk)],
        "description": "值班人员发现服务器文件被加密",
        "measures": "断网隔离",
    }
    check = c.post(url, values)
    assert check.status_code == 200 and "请核对" in check.content.decode()
    assert not Incident.objects.exists()  # checked, not opened
    assert "关键信息基础设施运营者" in check.content.decode() and system.reference in check.content.decode()
    done = _confirm(c, url, check)
    assert done.status_code == 303
    incident = Incident.objects.get()
    assert incident.owner == land.department and list(incident.systems.all()) == [system]
    assert incident.critical_operator and incident.report_deadline - incident.detected_at == dt.timedelta(
        hours=1
    )
    assert Obligation.objects.for_case(incident).filter(code="sec-incident-report").exists()
    page = c.get(done["Location"]).content.decode()
    assert "值班人员发现服务器文件被加密" in page  # the account is the docket's first entry


@pytest.mark.article(30)
def test_a_refused_incident_keeps_the_typed_values_with_the_refusal_beside_its_field(world):
    land = world.yongji
    other = register(world.jiaohe, title="蛟河市门户网站")  # not the unit's own system
    c = client_of(land.dept_user)
    url = reverse("security_incidents:create")
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = c.post(
        url, {"title": "门户网站被篡改", "grade": "一般", "detected_at": future, "description": "首页被篡改"}
    )
    html = r.content.decode()
    assert r.status_code == 422 and not Incident.objects.exists()
    assert 'value="门户网站被篡改"' in html and "首页被篡改" in html and f'value="{future}"' in html
    assert re.search(r'id="e-detected_at">发现时间不能晚于现在[^<]*（第三十条第二款）', html)
    r = c.post(url, {"title": "x", "grade": "一般", "detected_at": _local(5), "system_ids": [str(other.pk)]})
    assert r.status_code == 422 and "受影响的系统须是本单位登记的信息系统" in r.content.decode()
    assert 'id="e-system_ids"' in r.content.decode()
    r = c.post(url, {"title": "", "grade": "严重", "detected_at": "明天"})
    html = r.content.decode()
    assert r.status_code == 422 and 'id="e-title"' in html and 'id="e-grade"' in html
    assert 'id="e-detected_at"' in html and 'value="明天"' in html
    r = c.post(url, {"title": "a\x00b", "grade": "一般", "detected_at": _local(5)})
    assert r.status_code == 422 and "空字符" in r.content.decode()  # never reaches PostgreSQL
    assert not Incident.objects.exists()


@pytest.mark.article(30)
def test_a_tampered_confirmation_opens_nothing(world):
    land = world.yongji
    c = client_of(land.dept_user)
    url = reverse("security_incidents:create")
    check = c.post(url, {"title": "页面篡改", "grade": "一般", "detected_at": _local(10)})
    token = re.search(r'name="_confirm" value="([^"]+)"', check.content.decode()).group(1)
    r = c.post(url, {"title": "另一事件", "grade": "一般", "detected_at": _local(10), "_confirm": token})
    assert r.status_code == 422 and not Incident.objects.exists()
    back = c.post(url, {"title": "页面篡改", "grade": "一般", "detected_at": _local(10), "_back": "1"})
    assert back.status_code == 200 and 'value="页面篡改"' in back.content.decode()


@pytest.mark.article(30)
def test_a_co_supervisor_cannot_open_an_incident_page(world):
    c = client_of(world.yongji.finance_user)
    assert "登记网络安全事件" not in c.get(reverse("security_incidents:list")).content.decode()
    r = c.get(reverse("security_incidents:create"))
    assert r.status_code == 403 and "第三十条第二款" in r.content.decode()


# -- 制定安全检查计划 (第三十二条) -------------------------------------------------------------------


@pytest.mark.article(32)
def test_the_city_authority_plans_an_inspection_through_the_page(world):
    system = register(world.yongji)
    c = client_of(world.city.authority_user)
    listing = c.get(reverse("security_inspections:list")).content.decode()
    url = reverse("security_inspections:create")
    assert url in listing and "制定安全检查计划" in listing
    form = c.get(url).content.decode()
    assert system.reference in form and world.yongji.department.name in form
    values = {
        "title": "2026年重点领域网络与信息系统安全检查",
        "scope": "卫生健康领域三级以上信息系统",
        "planned_start": "2026-03-01",
        "planned_end": "2026-04-30",
        "inspectors": "市工信局、市公安局网安支队",
        "unit_ids": [str(world.yongji.department.pk)],
        "system_ids": [str(system.pk)],
    }
    check = c.post(url, values)
    assert check.status_code == 200 and "请核对" in check.content.decode() and not Inspection.objects.exists()
    done = _confirm(c, url, check)
    assert done.status_code == 303
    inspection = Inspection.objects.get()
    assert inspection.owner == world.city.authority
    assert world.yongji.department.name in inspection.scope and system.reference in inspection.scope


@pytest.mark.article(32)
def test_a_refused_inspection_plan_keeps_the_typed_values(world):
    system = register(world.yongji)
    c = client_of(world.city.authority_user)
    url = reverse("security_inspections:create")
    r = c.post(
        url,
        {
            "title": "年度检查",
            "scope": "全市政务网络",
            "planned_start": "2026-05-01",
            "planned_end": "2026-04-01",
            "system_ids": [str(system.pk)],
        },
    )
    html = r.content.decode()
    assert r.status_code == 422 and not Inspection.objects.exists()
    assert 'value="年度检查"' in html and "全市政务网络" in html and 'value="2026-05-01"' in html
    assert re.search(r'id="e-planned_end">计划结束日期不能早于计划开始日期（第三十二条）', html)
    assert re.search(rf'<option value="{system.pk}" selected>', html)  # the chosen system stays chosen
    r = c.post(url, {"title": "年度检查", "scope": "全市", "system_ids": ["999999"]})
    assert r.status_code == 422 and re.search(
        r'id="e-system_ids">被检查的信息系统须是已登记', r.content.decode()
    )


@pytest.mark.article(32)
@pytest.mark.parametrize("who", ["yongji_authority", "chuanying_authority", "yongji_dept"])
def test_a_non_city_authority_cannot_plan_an_inspection_through_the_page(world, who):
    land, role = who.split("_")
    user = getattr(world, land).authority_user if role == "authority" else getattr(world, land).dept_user
    c = client_of(user)
    if role == "authority":
        assert "制定安全检查计划" not in c.get(reverse("security_inspections:list")).content.decode()
    url = reverse("security_inspections:create")
    for r in (c.get(url), c.post(url, {"title": "县级检查", "scope": "全县"})):
        assert r.status_code == 403 and "第三十二条" in r.content.decode()
    assert not Inspection.objects.exists()


# -- 登记安全隐患 (第三十二条) ------------------------------------------------------------------------


def _underway(world) -> Inspection:
    inspection = services.inspection_plan(
        user=fresh(world.city.authority_user), title="2026年安全检查", scope="政务领域三级以上信息系统"
    )
    return fire(inspection, "start", world.city.authority_user)


@pytest.mark.article(32)
def test_a_hidden_danger_is_recorded_through_its_form_with_confirmation(world):
    system = register(world.yongji)
    inspection = _underway(world)
    c = client_of(world.city.authority_user)
    detail = c.get(reverse("security_inspections:detail", args=[inspection.pk])).content.decode()
    url = reverse("security_inspections:danger", args=[inspection.pk])
    assert url in detail and 'data-transition="record_danger"' not in detail
    form = c.get(url).content.decode()
    assert f'<option value="{system.pk}">{system.reference}' in form
    values = {
        "system_id": str(system.pk),
        "found_on": timezone.localdate().isoformat(),
        "description": "数据库端口暴露在互联网",
        "severity": "较大",
        "version": str(inspection.version),
    }
    check = c.post(url, values)
    assert check.status_code == 200 and "请核对" in check.content.decode()
    assert system.reference in check.content.decode() and not HiddenDanger.objects.exists()
    done = _confirm(c, url, check)
    assert done.status_code == 303
    danger = HiddenDanger.objects.get()
    assert danger.system == system and danger.severity == "较大"
    assert Obligation.objects.filter(code=danger.duty_code, owed_by=world.yongji.department).exists()


@pytest.mark.article(32)
def test_a_refused_hidden_danger_keeps_the_typed_values(world):
    system = register(world.yongji)
    inspection = _underway(world)
    c = client_of(world.city.authority_user)
    url = reverse("security_inspections:danger", args=[inspection.pk])
    r = c.post(
        url,
        {
            "system_id": str(system.pk),
            "found_on": "2026-06-01",
            "deadline": "2026-05-01",
            "description": "未开启审计日志",
            "severity": "一般",
            "version": str(inspection.version),
        },
    )
    html = r.content.decode()
    assert r.status_code == 422 and not HiddenDanger.objects.exists()
    assert "未开启审计日志" in html and f'<option value="{system.pk}" selected>' in html
    assert re.search(r'id="e-deadline">整改期限不能早于发现日期（第三十二条）', html)
    back = c.post(url, {"system_id": str(system.pk), "description": "端口暴露", "_back": "1"})
    assert back.status_code == 303
    again = c.get(url).content.decode()
    assert "端口暴露" in again and f'<option value="{system.pk}" selected>' in again


@pytest.mark.article(32)
def test_a_county_authority_cannot_record_a_hidden_danger(world):
    inspection = _underway(world)
    c = client_of(world.yongji.authority_user)
    url = reverse("security_inspections:danger", args=[inspection.pk])
    # the city's inspection is not the county's to see: not found, its existence not revealed
    assert c.get(url).status_code in (403, 404)
    assert c.post(url, {"description": "x"}).status_code in (403, 404)
    assert not HiddenDanger.objects.exists()


# -- the API takes the same schemas -------------------------------------------------------------------


@pytest.mark.article(32)
def test_the_api_opens_incidents_and_inspections_with_the_forms_schemas(world):
    system = register(world.yongji)
    c = client_of(world.yongji.dept_user)
    body = {
        "title": "门户网站被篡改",
        "grade": "一般",
        "detected_at": (timezone.now() - dt.timedelta(minutes=20)).isoformat(),
        "system_ids": [system.pk],
        "description": "巡检发现首页被篡改",
    }
    r = c.post("/api/security/incidents/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    future = {**body, "detected_at": (timezone.now() + dt.timedelta(hours=2)).isoformat()}
    r = c.post("/api/security/incidents/", future, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "A30-2-DETECTED"
    county = client_of(world.yongji.authority_user)
    plan = {"title": "县级检查", "scope": "全县", "unit_ids": [world.yongji.department.pk]}
    r = county.post("/api/security/inspections/", plan, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "A32-1-CITY"
    city = client_of(world.city.authority_user)
    r = city.post("/api/security/inspections/", plan, content_type="application/json")
    assert r.status_code == 201, r.content
    assert world.yongji.department.name in Inspection.objects.get(pk=r.json()["id"]).scope
    bad = {**plan, "planned_start": "2026-05-01", "planned_end": "2026-04-01"}
    r = city.post("/api/security/inspections/", bad, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "A32-1-SCHEDULE"
