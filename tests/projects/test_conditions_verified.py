"""第九条第二款: a condition of a conditional pass counts as 已落实 only once the authority has verified the
construction unit's answer; a returned condition (with its reason) is answered again, and blocks what an
unmet condition blocks."""

from __future__ import annotations

import pytest

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.projects import services
from infogov.projects.choices import ConditionStatus
from infogov.projects.models import Project, ReviewCondition
from tests.conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]


@pytest.fixture
def tested_with_condition(walker) -> Project:
    p = walker.include(walker.submit(walker.create()))
    p = walker.findings(p, conclusion="conditions")
    p = walker.review(p, conditions=[{"text": "接入市统一身份认证", "due_date": "2026-06-30"}])
    p = walker.procure(p)
    p = walker.fire(p, "start_construction")
    p = walker.fire(p, "complete", payload={"completed_on": "2026-12-20"})
    return walker.fire(
        p,
        "record_test",
        payload={"tester": "测评中心", "passed": True, "standards": ["GB 17859-1999", "GB 18030-2022"]},
    )


def _accept_refused(walker, p: Project) -> str:
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "accept", payload=walker.accept_payload())
    assert exc.value.article == "第九条第二款"
    return exc.value.failures[0]["message"]


def test_answered_is_not_met_until_verified(walker, tested_with_condition):
    p = tested_with_condition
    c = ReviewCondition.objects.get(project=p)
    assert "1 项待答复" in _accept_refused(walker, p)
    c = services.review_condition_answer(condition=c, user=walker.owner, answer="已接入统一身份认证")
    assert c.status == ConditionStatus.ANSWERED
    verify = Obligation.objects.for_case(p).open().get(code=c.verify_code)
    assert verify.owed_by == walker.land.authority
    assert "1 项已答复待核实" in _accept_refused(walker, p)
    c = services.review_condition_verify(condition=c, user=walker.authority)
    assert c.status == ConditionStatus.VERIFIED and c.verified_by == walker.authority
    assert not Obligation.objects.for_case(p).open().filter(code=c.verify_code).exists()
    assert walker.fire(p, "accept", payload=walker.accept_payload()).state == "accepted"


def test_a_returned_condition_blocks_acceptance_like_an_unmet_one(walker, tested_with_condition):
    p = tested_with_condition
    c = ReviewCondition.objects.get(project=p)
    services.review_condition_answer(condition=c, user=walker.owner, answer="已开始对接")
    c = services.review_condition_return(
        condition=c, user=walker.authority, reason="尚未完成对接测试，请提供测试记录"
    )
    assert c.status == ConditionStatus.RETURNED and c.return_reason.startswith("尚未完成对接测试")
    assert "1 项已退回重新落实" in _accept_refused(walker, p)
    again = Obligation.objects.for_case(p).open().get(code=c.obligation_code)
    assert again.owed_by == walker.land.department and "重新落实" in again.title
    event = DocketEvent.objects.for_case(p).filter(action="condition_return").get()
    assert event.changes[f"reviewcondition#{c.pk}"]["status"] == {"before": "answered", "after": "returned"}
    # answered again: the owner's duty is fulfilled, the authority verifies again
    c = services.review_condition_answer(
        condition=c, user=walker.owner, answer="已完成对接测试，测试记录见附件"
    )
    assert c.status == ConditionStatus.ANSWERED
    assert not Obligation.objects.for_case(p).open().filter(code=c.obligation_code).exists()
    services.review_condition_verify(condition=c, user=walker.authority)
    assert walker.fire(p, "accept", payload=walker.accept_payload()).state == "accepted"


def test_only_an_answered_condition_is_verified_or_returned(walker, tested_with_condition):
    c = ReviewCondition.objects.get(project=tested_with_condition)
    with pytest.raises(RuleViolation) as exc:  # not answered yet
        services.review_condition_verify(condition=c, user=walker.authority)
    assert (exc.value.code, exc.value.article) == ("A9-2-CONDITION-TO-VERIFY", "第九条第二款")
    services.review_condition_answer(condition=c, user=walker.owner, answer="已接入")
    services.review_condition_verify(condition=c, user=walker.authority)
    with pytest.raises(RuleViolation) as exc:  # verified: final
        services.review_condition_return(condition=c, user=walker.authority, reason="再看看")
    assert exc.value.code == "A9-2-CONDITION-TO-VERIFY"
    with pytest.raises(RuleViolation) as exc:  # and the answer is not rewritten
        services.review_condition_answer(condition=c, user=walker.owner, answer="改写")
    assert exc.value.code == "A9-2-CONDITION-OPEN"


def test_only_the_competent_authority_verifies_and_a_return_needs_its_reason(
    walker, world, tested_with_condition
):
    c = ReviewCondition.objects.get(project=tested_with_condition)
    services.review_condition_answer(condition=c, user=walker.owner, answer="已接入")
    for outsider in (walker.owner, fresh(world.jiaohe.authority_user)):
        with pytest.raises(NotPermitted):
            services.review_condition_verify(condition=c, user=outsider)
    with pytest.raises(InvalidInput) as exc:
        services.review_condition_return(condition=c, user=walker.authority, reason=" ")
    assert exc.value.details[0]["field"] == "reason"
    assert ReviewCondition.objects.get(pk=c.pk).status == ConditionStatus.ANSWERED


def test_the_page_shows_the_status_and_offers_verify_and_return(walker, tested_with_condition, client):
    c = ReviewCondition.objects.get(project=tested_with_condition)
    services.review_condition_answer(condition=c, user=walker.owner, answer="已接入统一身份认证")
    client.force_login(walker.authority)
    page = client.get(f"/projects/{c.project_id}/").content.decode()
    assert "已答复待核实" in page and "核实已落实" in page and "退回理由" in page
    version = Project.objects.get(pk=c.project_id).version
    client.post(
        f"/projects/{c.project_id}/fire/condition_return/",
        {"version": version, "condition_id": c.pk, "reason": "未见联调记录"},
    )
    client.force_login(walker.owner)
    page = client.get(f"/projects/{c.project_id}/").content.decode()
    assert "已退回重新落实" in page and "退回理由：未见联调记录" in page
