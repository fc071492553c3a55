"""Choices the platform knows (issue #11): procurement methods of the Government Procurement Law as a
select, protection level 1–5 (2.5 refused, never stored as 2), standards from the catalogue (typed
"GB18030" read as GB 18030-2022; search; extended by the authority), security measures as a
checklist; irreversible project steps (予以备案, 登记资金支付) confirmed after the server checks."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest
from django.test import Client

from infogov.core.errors import InvalidInput, NotPermitted
from infogov.projects import standards
from infogov.projects.models import Disbursement, Project, Standard
from infogov.security.models import InformationSystem

from .conftest import MANDATORY_APP

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _token(html: str) -> str:
    return re.search(r'name="_confirm" value="([^"]+)"', html).group(1)


# -- 采购方式 ------------------------------------------------------------------------------------------


@pytest.mark.article(11)
def test_the_procurement_form_offers_the_laws_methods_as_a_select(walker):
    p = walker.to_reviewed()
    html = client_for(walker.owner).get(f"/projects/{p.pk}/").content.decode()
    form = html[html.index('data-transition="record_procurement"') :]
    select = form[form.index('name="method"') : form.index("</select>")]
    labels = re.findall(r'<option value="[a-z_]+"[^>]*>([^<]+)</option>', select)
    assert labels == [
        "公开招标",
        "邀请招标",
        "竞争性谈判",
        "竞争性磋商",
        "单一来源采购",
        "询价",
        "框架协议采购",
    ]


@pytest.mark.article(11)
def test_a_method_outside_the_list_is_refused_from_the_form(walker):
    p = walker.to_reviewed()
    c = client_for(walker.owner)
    data = {
        "version": p.version,
        "method": "自行采购",
        "notice_number": "N-1",
        "supplier": "某公司",
        "contract_amount": "900000.00",
    }
    r = c.post(f"/projects/{p.pk}/fire/record_procurement/", data, follow=True)
    assert "采购方式须为政府采购法规定的方式" in r.content.decode()
    assert Project.objects.get(pk=p.pk).state == p.state


# -- 安全保护等级 ----------------------------------------------------------------------------------------


@pytest.mark.article(30)
def test_a_protection_level_of_2_5_is_refused_not_stored_as_2(walker):
    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    with pytest.raises(InvalidInput) as exc:
        walker.fire(p, "deliver", payload={"protection_level": 2.5})
    assert "应为整数" in exc.value.message
    c = client_for(walker.owner)
    page = c.get(f"/projects/{p.pk}/").content.decode()
    form = page[page.index('data-transition="deliver"') :]
    assert re.search(r'<select[^>]*name="protection_level"', form)  # a select, 1–5
    assert '<option value="3">第三级（3级）</option>' in form
    r = c.post(
        f"/projects/{p.pk}/fire/deliver/", {"version": p.version, "protection_level": "2.5"}, follow=True
    )
    assert "应为整数" in r.content.decode()
    assert not InformationSystem.objects.filter(source_project_id=p.pk).exists()
    assert Project.objects.get(pk=p.pk).state == "accepted"


# -- 标准目录 ------------------------------------------------------------------------------------------


@pytest.mark.article(12)
def test_codes_typed_loosely_read_as_the_catalogues():
    got = standards.canonical(
        ["GB18030", "gbt22239-2019", "ＧＢ １７８５９－１９９９", "GB/T 9999-2000", "GB 18030-2022"]
    )
    assert got == ["GB 18030-2022", "GB/T 22239-2019", "GB 17859-1999", "GB/T 9999-2000"]


@pytest.mark.article(12)
def test_a_test_report_citing_gb18030_without_space_passes(walker):
    p = walker.procure(walker.to_reviewed())
    p = walker.fire(p, "start_construction")
    p = walker.fire(p, "complete", payload={"completed_on": "2026-12-20"})
    p = walker.fire(
        p,
        "record_test",
        payload={"tester": "吉林省软件测评中心", "passed": True, "standards": "GB18030、GB17859"},
    )
    assert p.state == "tested"
    assert p.test_reports.get().standards == ["GB 18030-2022", "GB 17859-1999"]


@pytest.mark.article(12)
def test_declaring_standards_reads_loose_codes_and_refuses_unknown_ones(walker):
    p = walker.create(standards=["GB18030", "gb 17859"])
    assert sorted(p.standards.values_list("code", flat=True)) == sorted(MANDATORY_APP)
    with pytest.raises(InvalidInput) as exc:
        walker.fire(p, "standards", payload={"standards": [*MANDATORY_APP, "GB 99999-2099"]})
    assert exc.value.code == "unknown_standard"


@pytest.mark.article(12)
def test_the_catalogue_search_answers_json_for_autocomplete(world):
    c = client_for(world.yongji.dept_user)
    data = json.loads(c.get("/projects/standards/search/", {"q": "gb18030"}).content)
    assert data["results"][0]["code"] == "GB 18030-2022"
    assert data["results"][0]["title"] == "信息技术 中文编码字符集" and data["results"][0]["mandatory"]
    page = c.get("/projects/standards/", {"q": "等级保护"}).content.decode()
    assert "GB/T 22239-2019" in page and '<datalist id="std-list">' in page
    assert "增加标准" not in page  # a department only reads the catalogue


@pytest.mark.article(12)
def test_the_authority_extends_the_catalogue(world):
    c = client_for(world.city.authority_user)
    r = c.post(
        "/projects/standards/",
        {"code": "db22/t 3366-2022", "name": "政务信息系统运维规范", "kind": "local"},
    )
    assert r.status_code == 303
    assert Standard.objects.get(code="DB22/T 3366-2022").name == "政务信息系统运维规范"
    r = c.post(
        "/projects/standards/", {"code": "GB18030-2022", "name": "重复", "kind": "national"}, follow=True
    )
    assert "标准目录中已有 GB 18030-2022" in r.content.decode()
    r = c.post("/projects/standards/", {"code": "某标准", "name": "无编号", "kind": "national"}, follow=True)
    assert "标准编号格式应如" in r.content.decode()
    # A4-2-STANDARDS: a department that builds projects does not list what they must follow
    with pytest.raises(NotPermitted) as exc:
        standards.standard_add(user=world.yongji.dept_user, code="GB/T 1-2020", name="x", kind="national")
    assert (exc.value.code, exc.value.article) == ("A4-2-STANDARDS", "第四条第二款")
    r = client_for(world.yongji.dept_user).post(
        "/projects/standards/", {"code": "GB/T 1-2020", "name": "x", "kind": "national"}, follow=True
    )
    assert (
        "只有信息化主管部门" in r.content.decode()
        and not Standard.objects.filter(code="GB/T 1-2020").exists()
    )


@pytest.mark.article(12)
def test_the_case_record_names_standards_by_code_and_title(walker):
    p = walker.create(standards=["GB 17859-1999"])
    p = walker.fire(p, "standards", payload={"standards": MANDATORY_APP})
    html = client_for(walker.owner).get(f"/projects/{p.pk}/").content.decode()
    timeline = html[html.index('class="ig-timeline"') :]
    assert "GB 18030-2022 信息技术 中文编码字符集" in timeline
    assert "[&#x27;GB" not in timeline and "['GB" not in timeline


# -- 安全措施 ------------------------------------------------------------------------------------------


@pytest.mark.article(31)
def test_security_measures_are_a_checklist_with_room_for_others(walker, world):
    c = client_for(walker.owner)
    page = c.get("/projects/new/").content.decode()
    assert re.search(r'<input type="checkbox" name="security_measures" value="边界防护"', page)
    assert 'name="security_measures_other"' in page


@pytest.mark.article(31)
def test_the_acceptance_form_ticks_the_measures_built(walker):
    p = walker.to_tested()
    html = client_for(walker.owner).get(f"/projects/{p.pk}/").content.decode()
    form = html[html.index('data-transition="accept"') :].split("</form>")[0]
    assert 'type="checkbox" name="security_measures_built"' in form and "边界防护（计划）" in form


# -- confirmation after checking ------------------------------------------------------------------


@pytest.mark.article(14)
def test_a_payment_is_confirmed_after_the_server_checks(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    c = client_for(walker.owner)
    url = f"/projects/{p.pk}/disbursements/"
    data = {"amount": "120000", "purpose": "首期款", "paid_on": "2026-05-10"}
    r = c.post(url, data)
    assert r.status_code == 200 and not Disbursement.objects.filter(project=p).exists()
    html = r.content.decode()
    assert "请核对：登记资金支付" in html and "120,000.00 元" in html and "2026-05-10" in html
    r = c.post(url, {**data, "_confirm": _token(html)})
    assert r.status_code == 303
    assert Disbursement.objects.get(project=p).amount == Decimal("120000.00")
    # a payment beyond the contract is refused before any confirmation page
    r = c.post(url, {"amount": "9000000", "purpose": "超付", "paid_on": "2026-05-11"})
    assert r.status_code == 303 and Disbursement.objects.filter(project=p).count() == 1


@pytest.mark.article(10)
def test_issuing_a_filing_is_confirmed_after_the_server_checks(walker):
    from tests.projects.test_article_10 import security_project

    p = walker.fire(security_project(walker), "submit_filing")
    c = client_for(walker.authority)
    url = f"/projects/{p.pk}/fire/issue_filing/"
    r = c.post(url, {"version": p.version})
    assert r.status_code == 200 and Project.objects.get(pk=p.pk).state == "filing"
    html = r.content.decode()
    assert "请核对：予以备案" in html and "予以备案后将编发备案号" in html
    c.post(url, {"version": p.version, "_confirm": _token(html)})
    assert Project.objects.get(pk=p.pk).state == "filed"


@pytest.mark.article(10)
def test_an_incomplete_filing_is_refused_before_any_confirmation(walker):
    from tests.projects.test_article_10 import security_project

    p = walker.fire(security_project(walker, security_plan=""), "submit_filing")
    r = client_for(walker.authority).post(f"/projects/{p.pk}/fire/issue_filing/", {"version": p.version})
    assert r.status_code == 303 and Project.objects.get(pk=p.pk).state == "filing"


@pytest.mark.article(11)
def test_free_text_stored_before_the_choices_is_mapped_and_the_rest_listed(walker, capsys):
    import datetime as dt
    from importlib import import_module

    from django.apps import apps

    from infogov.projects.models import ProcurementRecord, TestReport

    a, b, c = (walker.create(title=f"项目{i}") for i in range(3))
    day = dt.date(2026, 4, 1)
    money = Decimal("1")
    ProcurementRecord.objects.create(
        project=a,
        method="公开招标",
        notice_number="N",
        supplier="S",
        contract_amount=money,
        contract_date=day,
    )
    ProcurementRecord.objects.create(
        project=b,
        method="私下指定",
        notice_number="N",
        supplier="S",
        contract_amount=money,
        contract_date=day,
    )
    report = TestReport.objects.create(
        project=c, tester="T", tested_on=day, passed=True, standards=["GB18030", "QB/T 9-2020"]
    )
    import_module("infogov.projects.migrations.0014_choices_from_free_text").forwards(apps, None)
    assert ProcurementRecord.objects.get(project=a).method == "open_tender"
    assert ProcurementRecord.objects.get(project=b).method == "私下指定"  # not guessed
    assert TestReport.objects.get(pk=report.pk).standards == ["GB 18030-2022", "QB/T 9-2020"]
    out = capsys.readouterr().out
    assert "采购方式“私下指定”" in out and "标准“QB/T 9-2020”" in out
