"""第十三条第二款: the acceptance result is filed with its report (summary and files), the authority has a
duty to confirm receipt, and the receipt gives the filing its 备案号 — a step of its own, with no input
beyond an optional note (so that several can be confirmed from the inbox at once)."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from infogov.core.attachments import attachment_add
from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.projects import services
from infogov.projects.models import AcceptanceFiling, Project
from tests.conftest import fresh
from tests.projects.conftest import acceptance_report

pytestmark = [pytest.mark.django_db, pytest.mark.article(13)]


@pytest.fixture
def accepted(walker) -> Project:
    return walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())


def test_the_filing_carries_the_report_and_opens_the_authoritys_duty_to_confirm(walker, accepted):
    filing = walker.file_acceptance(accepted, issues="培训资料待补充", report_date="2026-12-28")
    assert filing.organiser == "永吉县卫生健康局" and filing.issues == "培训资料待补充"
    assert filing.participants == ["永吉县工业和信息化局", "永吉县财政局", "张三（专家）"]
    assert str(filing.report_date) == "2026-12-28"
    files = list(filing.attachments.all())
    assert [a.name for a in files] == ["验收报告.pdf"]
    event = DocketEvent.objects.for_case(accepted).filter(action="acceptance_filing").get()
    assert event.changes["attachments"]["after"] == [
        {"id": files[0].pk, "name": "验收报告.pdf", "sha256": files[0].sha256}
    ]
    assert event.payload["conclusion"].startswith("项目按批准的建设内容建成")
    duties = Obligation.objects.for_case(accepted)
    assert duties.get(code="acceptance-filing").fulfilled_at is not None
    receipt = duties.open().get(code="acceptance-receipt")
    assert receipt.owed_by == walker.land.authority and receipt.owed_to == walker.land.department
    assert "平台规定（依据第十三条第二款设定）" in receipt.title


def test_the_authority_confirms_receipt_and_the_filing_gets_its_filing_number(walker, accepted):
    walker.land.authority.short_name = "永吉工信"
    walker.land.authority.save()
    walker.file_acceptance(accepted)
    filing = services.acceptance_receive(project=accepted, user=walker.authority, note="材料齐全")
    assert filing.receipt_number.startswith("永吉工信备〔") and filing.receipt_number.endswith("〕1号")
    assert filing.received_by == walker.authority and filing.receipt_note == "材料齐全"
    assert not Obligation.objects.for_case(accepted).open().filter(code="acceptance-receipt").exists()
    event = DocketEvent.objects.for_case(accepted).filter(action="acceptance_receipt").get()
    assert (event.action_label, event.citation) == ("确认收到验收结果备案", "第十三条第二款")
    assert event.changes[f"acceptancefiling#{filing.pk}"]["receipt_number"]["after"] == filing.receipt_number
    # A13-2-NOT-RECEIVED: once
    with pytest.raises(RuleViolation) as exc:
        services.acceptance_receive(project=accepted, user=walker.authority)
    assert (exc.value.code, exc.value.article) == ("A13-2-NOT-RECEIVED", "第十三条第二款")
    assert AcceptanceFiling.objects.get(pk=filing.pk).receipt_number == filing.receipt_number


def test_nothing_to_confirm_before_the_filing(walker, accepted):
    with pytest.raises(RuleViolation) as exc:
        services.acceptance_receive(project=accepted, user=walker.authority)
    assert (exc.value.code, exc.value.article) == ("A13-2-FILED", "第十三条第二款")


def test_only_the_competent_authority_confirms(walker, world, accepted):
    walker.file_acceptance(accepted)
    for outsider in (walker.owner, fresh(world.jiaohe.authority_user)):
        with pytest.raises(NotPermitted):
            services.acceptance_receive(project=accepted, user=outsider)
    assert AcceptanceFiling.objects.get(project=accepted).received_at is None


def test_the_filing_needs_its_report_file(walker, accepted):
    report = acceptance_report(accepted, walker.owner, attachments=[])
    with pytest.raises(RuleViolation) as exc:
        services.acceptance_file(project=accepted, user=walker.owner, report=report)
    assert (exc.value.code, exc.value.article) == ("A13-2-REPORT", "第十三条第二款")
    assert not AcceptanceFiling.objects.filter(project=accepted).exists()


def test_a_file_of_another_project_is_refused_and_nothing_is_written(walker, accepted):
    other = walker.create(title="永吉县智慧养老服务平台")
    upload = SimpleUploadedFile("他案报告.pdf", b"%PDF-1.4 other", content_type="application/pdf")
    foreign = attachment_add(case=other, user=walker.owner, upload=upload)
    report = acceptance_report(accepted, walker.owner, attachments=[foreign.pk])
    with pytest.raises(InvalidInput) as exc:
        services.acceptance_file(project=accepted, user=walker.owner, report=report)
    assert exc.value.code == "invalid_attachment"
    assert not AcceptanceFiling.objects.filter(project=accepted).exists()
    assert Obligation.objects.for_case(accepted).open().filter(code="acceptance-filing").exists()


def test_the_report_summary_is_required_in_chinese(walker, accepted):
    report = acceptance_report(accepted, walker.owner, conclusion="  ", participants=[])
    with pytest.raises(InvalidInput) as exc:
        services.acceptance_file(project=accepted, user=walker.owner, report=report)
    fields = {d["field"] for d in exc.value.details}
    assert fields == {"conclusion", "participants"}
    assert "验收结论" in exc.value.message


def test_the_api_files_with_the_report(walker, accepted, client):
    from infogov.core.api.tokens import token_create

    _, raw = token_create(user=walker.owner, name="测试")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/projects/{accepted.pk}/acceptance-filing"
    bad = client.post(url, {"organiser": "x"}, content_type="application/json", **headers)
    assert bad.status_code == 422
    report = acceptance_report(accepted, walker.owner)
    ok = client.post(url, report, content_type="application/json", **headers)
    assert ok.status_code == 201, ok.content
    assert ok.json()["attachments"] == report["attachments"]


def test_the_page_files_the_report_and_the_authority_confirms_receipt(walker, accepted, client):
    report = acceptance_report(accepted, walker.owner)  # uploads the report file (not filed yet)
    client.force_login(walker.owner)
    page = client.get(f"/projects/{accepted.pk}/").content.decode()
    assert "验收结果报主管部门备案（第十三条第二款）" in page and "验收报告.pdf" in page
    version = Project.objects.get(pk=accepted.pk).version
    form = {
        "version": version,
        "organiser": "永吉县卫生健康局",
        "participants": "永吉县工业和信息化局、永吉县财政局",
        "conclusion": "验收合格",
        "attachments": str(report["attachments"][0]),  # one ticked box: a single value
    }
    url = f"/projects/{accepted.pk}/fire/acceptance_filing/"
    check = client.post(url, form)  # an irreversible step: the server checks, then asks to confirm
    assert check.status_code == 200 and "验收结果备案报送后不能修改" in check.content.decode()
    token = re.search(r'name="_confirm" value="([^"]+)"', check.content.decode()).group(1)
    assert client.post(url, {**form, "_confirm": token}).status_code in (302, 303)
    filing = AcceptanceFiling.objects.get(project=accepted)
    assert filing.participants == ["永吉县工业和信息化局", "永吉县财政局"]
    assert [a.pk for a in filing.attachments.all()] == report["attachments"]
    client.force_login(walker.authority)
    page = client.get(f"/projects/{accepted.pk}/").content.decode()
    assert "确认收到并编发备案号" in page and "待信息化主管部门确认收到" in page
    version = Project.objects.get(pk=accepted.pk).version
    client.post(f"/projects/{accepted.pk}/fire/acceptance_receipt/", {"version": version, "comment": "齐全"})
    filing.refresh_from_db()
    page = client.get(f"/projects/{accepted.pk}/").content.decode()
    assert filing.receipt_number and filing.receipt_number in page


def test_co_supervisors_read_but_do_not_attach(walker, world, accepted):
    """第四条第三款: finance, DRC and audit supervise a fiscal project — they may read its files, never add
    one (found by the workflow property test: a refused step's report upload had left an event)."""
    from infogov.core.attachments import attachment_for_download
    from infogov.core.workflow.permissions import can_view_case

    finance = fresh(world.yongji.finance_user)
    assert can_view_case(finance, accepted)
    before = DocketEvent.objects.for_case(accepted).count()
    upload = SimpleUploadedFile("意见.pdf", b"%PDF-1.4 finance", content_type="application/pdf")
    with pytest.raises(NotPermitted) as exc:
        attachment_add(case=accepted, user=finance, upload=upload, purpose="监督意见")
    assert exc.value.article == "第四条" and "协同监督" in str(exc.value)
    assert DocketEvent.objects.for_case(accepted).count() == before
    owner_file = attachment_add(
        case=accepted,
        user=fresh(walker.owner),
        upload=SimpleUploadedFile("报告.pdf", b"%PDF-1.4 owner", content_type="application/pdf"),
    )
    assert attachment_for_download(user=finance, attachment_id=owner_file.pk) == owner_file
