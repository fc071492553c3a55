"""Project pages: list (filters, word search, export), detail, the record forms, import, overview."""

import io

import pytest
from django.test import Client
from openpyxl import Workbook, load_workbook

from infogov.projects.imports import HEADERS
from infogov.projects.models import Project
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_list_filters_search_and_export(walker, assert_max_queries):
    walker.create(title="永吉县智慧农业物联网平台", content="建设农业物联网监测", year=2027)
    for i in range(3):
        walker.create(title=f"项目{i}")
    c = client_for(walker.authority)
    # +2: the menu's 待办 count (core/workflow/inbox.py, cached 30 s); +1 when it is the process' first
    # inbox: the case types' content types, read once (ContentType's cache)
    with assert_max_queries(17):
        r = c.get("/projects/")
    assert r.status_code == 200 and "项目0" in r.content.decode()
    body = c.get("/projects/", {"q": "物联网"}).content.decode()
    assert "智慧农业物联网平台" in body and "项目0" not in body
    body = c.get("/projects/", {"year": "2026"}).content.decode()
    assert "项目0" in body and "物联网平台" not in body
    r = c.get("/projects/", {"export": "xlsx", "q": "物联网"})
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws.max_row == 2 and "物联网" in ws.cell(2, 2).value


@pytest.mark.article(6)
def test_detail_shows_review_funds_similar_and_actions(walker, assert_max_queries):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    c = client_for(walker.authority)
    # 24: the docket names the project's standards, inspections and plan, which the page reads once
    with assert_max_queries(24):
        r = c.get(f"/projects/{p.pk}/")
    html = r.content.decode()
    assert r.status_code == 200
    for text in (
        "评审意见（第九条第二款）",
        "资金和进度（第十四条）",
        "投资风险等级",
        "相似项目和系统",
        "监督检查",
    ):
        assert text in html


def test_other_county_gets_404_on_pages_and_forms(walker, world):
    p = walker.create()
    outsider = client_for(fresh(world.jiaohe.authority_user))
    assert outsider.get(f"/projects/{p.pk}/").status_code == 404
    assert outsider.post(f"/projects/{p.pk}/fire/submit/").status_code == 404
    assert (
        outsider.post(f"/projects/{p.pk}/disbursements/", {"amount": "1", "purpose": "x"}).status_code == 404
    )
    assert "永吉县社区网格化" not in outsider.get("/projects/").content.decode()


@pytest.mark.article(11)
def test_procurement_form_refusal_names_the_article(walker):
    p = walker.to_reviewed()
    c = client_for(walker.owner)
    r = c.post(
        f"/projects/{p.pk}/fire/record_procurement/",
        {
            "method": "公开招标",
            "notice_number": "N-1",
            "supplier": "某公司",
            "contract_amount": "2000000.00",
            "version": p.version,
        },
        follow=True,
    )
    assert "第十一条第一款" in r.content.decode()
    assert Project.objects.get(pk=p.pk).state == "reviewed"
    c.post(
        f"/projects/{p.pk}/fire/record_procurement/",
        {"method": "公开招标", "notice_number": "N-1", "supplier": "某公司", "contract_amount": "900000.00"},
    )
    assert Project.objects.get(pk=p.pk).state == "procured"


def test_finding_and_disbursement_forms(walker):
    p = walker.include(walker.submit(walker.create()))
    c = client_for(walker.authority)
    c.post(f"/projects/{p.pk}/findings/", {"dimension": "layout", "conclusion": "meets", "text": "布局合理"})
    assert p.findings.get().text == "布局合理"


@pytest.mark.article(9)
def test_import_page_reports_row_and_column(walker):
    wb = Workbook()
    wb.active.append(HEADERS)
    wb.active.append(["项目A", "应用系统", "财政性资金", "预算", "", "100", 2026, ""])
    buf = io.BytesIO()
    wb.save(buf)
    buf.name = "p.xlsx"
    buf.seek(0)
    r = client_for(walker.owner).post("/projects/import/", {"file": buf})
    assert r.status_code == 422
    html = r.content.decode()
    assert "import-errors" in html and "建设内容" in html
    assert not Project.objects.exists()


@pytest.mark.article(13)
def test_overview_lists_risk_and_overdue(walker):
    import datetime as dt

    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    walker.fire(
        p, "complete", payload={"completed_on": (dt.date.today() - dt.timedelta(days=200)).isoformat()}
    )
    html = client_for(walker.authority).get("/projects/overview/").content.decode()
    assert "竣工后申请验收" in html
