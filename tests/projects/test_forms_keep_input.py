"""The project page's own step forms keep what was typed after a refusal (issue 11): the expert opinion
form (第九条第二款), the acceptance filing form (第十三条第二款), the review-condition forms (answer,
return; 第九条第二款) and the funds card's payment and progress forms (第十四条) come back with the
typed values and the refusal beside the field it concerns — or, for a rule that concerns no single field,
beside the form — and nothing is written."""

from __future__ import annotations

import html

import pytest

from infogov.core.models import DocketEvent
from infogov.org.choices import Role
from infogov.projects import services
from infogov.projects.models import AcceptanceFiling, Project, ProjectExpertReview, ReviewCondition
from tests.conftest import fresh
from tests.factories import make_user
from tests.projects.conftest import acceptance_report

pytestmark = [pytest.mark.django_db]


def _page(client, project_id: int) -> str:
    return html.unescape(client.get(f"/projects/{project_id}/").content.decode())


def _version(project_id: int) -> int:
    return Project.objects.get(pk=project_id).version


def _events(project: Project) -> int:
    return DocketEvent.objects.for_case(project).count()


@pytest.mark.article(9)
def test_a_refused_expert_opinion_comes_back_with_what_the_expert_typed(walker, world, client):
    planned = walker.findings(walker.include(walker.submit(walker.create())))
    experts = [fresh(world.expert), make_user("expert2", world.expert_pool, Role.EXPERT)]
    services.experts_convene(project=planned, user=walker.authority, experts=experts)
    client.force_login(fresh(world.expert))
    before = _events(planned)
    form = {
        "version": _version(planned.pk),
        "layout_conclusion": "meets",
        "layout_comment": "符合全市信息化发展规划的布局（已核对）",
        "standards_conclusion": "conditions",
        "standards_comment": "须补充 GB 18030-2022 的测试",
        "security_conclusion": "meets",
        "security_comment": "",  # refused: every dimension needs its comment
        "sharing_conclusion": "meets",
        "sharing_comment": "数据目录已报送共享平台",
        "summary": "建议有条件通过，补测后实施",
    }
    response = client.post(f"/projects/{planned.pk}/fire/expert_opinion/", form)
    assert response.status_code == 303
    assert _events(planned) == before  # nothing written
    assert ProjectExpertReview.objects.get(project=planned, expert=world.expert).submitted_at is None
    page = _page(client, planned.pk)
    assert "符合全市信息化发展规划的布局（已核对）" in page and "须补充 GB 18030-2022 的测试" in page
    assert "数据目录已报送共享平台" in page and "建议有条件通过，补测后实施" in page
    assert '<option value="conditions" selected>' in page  # the chosen conclusion is still chosen
    error = page.split('id="eo-security-t-error"', 1)[1].split("</div>", 1)[0]
    assert error.strip(">").strip()  # the refusal is beside the field it concerns
    assert 'id="eo-security-t" name="security_comment" rows="1" required aria-invalid="true"' in page
    # the next rendering starts clean
    again = _page(client, planned.pk)
    assert "符合全市信息化发展规划的布局（已核对）" not in again and "eo-security-t-error" not in again


@pytest.mark.article(13)
def test_a_refused_acceptance_filing_comes_back_with_the_typed_report(walker, client):
    accepted = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    report = acceptance_report(accepted, walker.owner)
    client.force_login(walker.owner)
    before = _events(accepted)
    form = {
        "version": _version(accepted.pk),
        "organiser": "永吉县卫生健康局验收组",
        "report_date": "2026-12-28",
        "participants": "永吉县工业和信息化局、永吉县财政局",
        "conclusion": "",  # refused: the conclusion is required
        "issues": "培训资料待补充",
        "attachments": str(report["attachments"][0]),
    }
    response = client.post(f"/projects/{accepted.pk}/fire/acceptance_filing/", form)
    assert response.status_code == 303  # refused before the confirmation page
    assert _events(accepted) == before and not AcceptanceFiling.objects.filter(project=accepted).exists()
    page = _page(client, accepted.pk)
    assert 'value="永吉县卫生健康局验收组"' in page and 'value="2026-12-28"' in page
    assert 'value="永吉县工业和信息化局、永吉县财政局"' in page and "培训资料待补充</textarea>" in page
    assert f'value="{report["attachments"][0]}" id="af-a-{report["attachments"][0]}" checked' in page
    assert 'id="af-con-error"' in page and "未报送" in page


@pytest.mark.article(13)
def test_a_filing_refused_by_a_rule_shows_the_rule_beside_the_form(walker, client):
    accepted = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    client.force_login(walker.owner)
    form = {
        "version": _version(accepted.pk),
        "organiser": "永吉县卫生健康局",
        "participants": "永吉县工业和信息化局",
        "conclusion": "验收合格，同意交付使用",
    }  # no report file ticked: a rule refuses (A13-2-FILING-REPORT or the like), no field error
    client.post(f"/projects/{accepted.pk}/fire/acceptance_filing/", form)
    assert not AcceptanceFiling.objects.filter(project=accepted).exists()
    page = _page(client, accepted.pk)
    assert "验收合格，同意交付使用</textarea>" in page
    alert = page.split('id="acceptance-filing-form"', 1)[1].split("</fieldset>", 1)[0]
    assert "未报送：" in alert and "第十三条" in alert


def _condition_answered(walker) -> ReviewCondition:
    p = walker.include(walker.submit(walker.create()))
    p = walker.findings(p, conclusion="conditions")
    p = walker.review(p, conditions=[{"text": "接入市统一身份认证", "due_date": "2026-06-30"}])
    return ReviewCondition.objects.get(project=p)


@pytest.mark.article(9)
def test_a_refused_condition_return_keeps_the_reason_typed(walker, client):
    c = _condition_answered(walker)
    services.review_condition_answer(condition=c, user=walker.owner, answer="已接入统一身份认证")
    client.force_login(walker.authority)
    typed = "未见联调记录" + "。" * 5000  # refused: longer than the 5,000 characters any text may hold
    client.post(
        f"/projects/{c.project_id}/fire/condition_return/",
        {"version": _version(c.project_id), "condition_id": c.pk, "reason": typed},
    )
    assert ReviewCondition.objects.get(pk=c.pk).status == "answered"  # nothing written
    page = _page(client, c.project_id)
    assert f'value="{typed}"' in page
    error = page.split(f'id="return-{c.pk}-error">', 1)[1].split("</div>", 1)[0]
    assert error.strip()


@pytest.mark.article(9)
def test_a_refused_condition_answer_keeps_the_answer_typed(walker, client):
    c = _condition_answered(walker)
    client.force_login(walker.owner)
    typed = "已接入统一身份认证" + "。" * 5000  # refused: longer than the 5,000 characters allowed
    client.post(f"/projects/conditions/{c.pk}/answer/", {"text": typed})
    assert ReviewCondition.objects.get(pk=c.pk).answer == ""  # nothing written
    page = _page(client, c.project_id)
    assert f'value="{typed}"' in page
    error = page.split(f'id="answer-{c.pk}-error">', 1)[1].split("</div>", 1)[0]
    assert error.strip()


def _building(walker) -> Project:
    return walker.fire(walker.procure(walker.to_reviewed(), amount="800000.00"), "start_construction")


@pytest.mark.article(14)
def test_a_payment_refused_by_a_rule_keeps_what_was_typed(walker, client):
    p = _building(walker)
    client.force_login(walker.owner)
    before = _events(p)
    posted = {"amount": "900000.00", "purpose": "超出合同的进度款", "paid_on": ""}
    assert client.post(f"/projects/{p.pk}/disbursements/", posted).status_code == 303
    page = _page(client, p.pk)
    assert 'value="900000.00"' in page and 'value="超出合同的进度款"' in page
    assert "未登记支付：" in page and "第十四条" in page
    assert _events(p) == before and p.disbursements.count() == 0
    assert "超出合同的进度款" not in _page(client, p.pk)  # shown once


@pytest.mark.article(14)
def test_a_payment_with_a_bad_amount_marks_the_amount(walker, client):
    p = _building(walker)
    client.force_login(walker.owner)
    posted = {"amount": "十万元", "purpose": "进度款", "paid_on": ""}
    assert client.post(f"/projects/{p.pk}/disbursements/", posted).status_code == 303
    page = _page(client, p.pk)
    assert 'id="d-amt" name="amount" inputmode="decimal" required value="十万元" aria-invalid="true"' in page
    assert 'id="d-amt-error"' in page and 'value="进度款"' in page
    assert p.disbursements.count() == 0


@pytest.mark.article(14)
def test_a_refused_progress_report_keeps_what_was_typed(walker, client):
    p = _building(walker)
    client.force_login(walker.owner)
    posted = {"percent": "150", "note": "超过全部"}
    assert client.post(f"/projects/{p.pk}/progress/", posted).status_code == 303
    page = _page(client, p.pk)
    assert 'value="150"' in page and 'value="超过全部"' in page and "未报告进度：" in page
    assert p.progress_reports.count() == 0
