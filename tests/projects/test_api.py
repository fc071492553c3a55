"""Projects on the REST API: the same steps and guards as the services, with article-cited errors."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infogov.projects.models import Project
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def post(c, url, body=None):
    return c.post(url, data=json.dumps(body or {}), content_type="application/json")


@pytest.mark.article(9)
def test_walk_through_the_api(walker, world):
    owner, authority = client_for(walker.owner), client_for(walker.authority)
    r = post(
        owner,
        "/api/projects/",
        {
            "title": "永吉县政务服务中心排队叫号系统",
            "category": "application",
            "funding_kind": "fiscal",
            "budget": "500000.00",
            "budget_source": "2026年县本级预算",
            "year": 2026,
            "content": "建设排队叫号和评价系统",
            "security_plan": "二级等保",
            "security_level": 2,
            "security_measures": ["边界防护"],
            "standards": ["GB 17859-1999", "GB 18030-2022"],
        },
    )
    assert r.status_code == 201, r.content.decode()
    pid = r.json()["id"]
    r = post(owner, f"/api/projects/{pid}/transitions/submit")
    assert r.status_code == 200 and r.json()["state"] == "proposed"
    walker.include(Project.objects.get(pk=pid))
    # no review yet → no procurement (第九条第二款)
    r = post(
        owner,
        f"/api/projects/{pid}/procurement",
        {
            "method": "open_tender",
            "notice_number": "N1",
            "supplier": "某公司",
            "contract_amount": "400000.00",
        },
    )
    assert r.status_code == 422 and r.json()["article"] == "第九条第二款"
    for dim in ("layout", "standards", "security", "sharing"):
        r = post(
            authority,
            f"/api/projects/{pid}/review/findings",
            {"dimension": dim, "conclusion": "meets", "text": "符合"},
        )
        assert r.status_code == 200, r.content.decode()
    r = post(authority, f"/api/projects/{pid}/review/decision", {"passed": True, "comment": "同意"})
    assert r.status_code == 200 and r.json()["opinion"] == "pass"
    r = post(
        owner,
        f"/api/projects/{pid}/procurement",
        {
            "method": "open_tender",
            "notice_number": "N1",
            "supplier": "某公司",
            "contract_amount": "500000.01",
        },
    )
    assert r.status_code == 422 and r.json()["article"] == "第十一条第一款"
    r = post(
        owner,
        f"/api/projects/{pid}/procurement",
        {
            "method": "open_tender",
            "notice_number": "N1",
            "supplier": "某公司",
            "contract_amount": "450000.00",
        },
    )
    assert r.status_code == 200 and r.json()["state"] == "procured"
    r = post(owner, f"/api/projects/{pid}/transitions/start_construction")
    assert r.status_code == 200
    r = post(owner, f"/api/projects/{pid}/disbursements", {"amount": "100000.00", "purpose": "首付款"})
    assert r.status_code == 201 and r.json()["disbursed"] == "100000.00"
    r = owner.get(f"/api/projects/{pid}/risk")
    assert r.status_code == 200 and 1 <= r.json()["level"] <= 5
    detail = owner.get(f"/api/projects/{pid}").json()
    assert detail["state"] == "construction" and any(o["transition"] == "complete" for o in detail["options"])
    docket = owner.get(f"/api/projects/{pid}/docket").json()
    assert [e["action"] for e in docket][:2] == ["create", "submit"]


@pytest.mark.article(4)
def test_other_county_cannot_list_read_or_act(walker, world):
    p = walker.submit(walker.create())
    outsider = client_for(fresh(world.jiaohe.authority_user))
    assert p.pk not in [i["id"] for i in outsider.get("/api/projects/").json()["items"]]
    assert outsider.get(f"/api/projects/{p.pk}").status_code == 404
    assert (
        post(outsider, f"/api/projects/{p.pk}/transitions/return_proposal", {"comment": "x"}).status_code
        == 404
    )
    assert outsider.get(f"/api/projects/{p.pk}/funds").status_code == 404
    assert client_for(walker.authority).get(f"/api/projects/{p.pk}").status_code == 200


def test_list_filters_and_chinese_search(walker, world, assert_max_queries):
    walker.create(title="永吉县智慧农业物联网平台", content="建设农业物联网监测", year=2027)
    walker.create()
    c = client_for(walker.authority)
    with assert_max_queries(8):
        r = c.get("/api/projects/", {"text": "物联网", "year": 2027})
    items = r.json()["items"]
    assert [i["title"] for i in items] == ["永吉县智慧农业物联网平台"]
    assert c.get("/api/projects/", {"funding_kind": "non_fiscal"}).json()["count"] == 0
    assert c.get("/api/projects/", {"ordering": "bogus"}).status_code == 422


def test_bad_input_is_422_with_chinese_message(walker):
    c = client_for(walker.owner)
    p = walker.create()
    r = post(c, f"/api/projects/{p.pk}/disbursements", {"amount": "-1", "purpose": ""})
    assert r.status_code == 422 and r.json()["message"]


def test_import_endpoint_reports_rows(walker):
    from openpyxl import Workbook

    from infogov.projects.imports import HEADERS

    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    ws.append(["项目A", "应用系统", "财政性资金", "县本级预算", "", "abc", 2026, "内容"])
    buf = io.BytesIO()
    wb.save(buf)
    c = client_for(walker.owner)
    r = c.post("/api/projects/import", {"file": SimpleUploadedFile("p.xlsx", buf.getvalue())})
    assert r.status_code == 422
    body = r.json()
    assert body["details"][0]["row"] == 2 and body["details"][0]["column"] == "预算金额（元）"
    assert not Project.objects.exists()


@pytest.mark.article(14)
def test_risk_ranking_endpoint(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    r = client_for(walker.authority).get("/api/projects/overview/risk")
    assert r.status_code == 200 and r.json()[0]["project_id"] == p.pk
    assert r.json()[0]["factors"]
