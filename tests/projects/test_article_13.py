"""第十三条: testing, acceptance, no delivery without it; fiscal acceptance results are filed."""

import datetime as dt

import pytest

from infogov.core.errors import RuleViolation
from infogov.core.models import Obligation
from infogov.core.workflow.obligations import todo_for
from infogov.core.workflow.rules import RuleContext
from infogov.projects.models import Project

pytestmark = [pytest.mark.django_db, pytest.mark.article(13)]


def test_no_acceptance_no_delivery(walker):
    p = walker.to_tested()
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "deliver")
    assert exc.value.article == "第十三条第一款"
    assert Project.objects.get(pk=p.pk).state == "tested"


def test_failed_acceptance_returns_to_completed_and_blocks_delivery(walker):
    p = walker.to_tested()
    p = walker.fire(p, "fail_acceptance", comment="性能不达标", payload={"committee": ["张三", "李四"]})
    assert p.state == "completed"
    assert p.acceptances.get().passed is False


def test_failed_test_cannot_be_recorded_as_tested(walker):
    p = walker.procure(walker.to_reviewed())
    p = walker.fire(walker.fire(p, "start_construction"), "complete")
    with pytest.raises(RuleViolation) as exc:
        walker.fire(
            p,
            "record_test",
            payload={"tester": "测评中心", "passed": False, "standards": ["GB 17859-1999", "GB 18030-2022"]},
        )
    assert exc.value.article == "第十三条第一款"


def test_acceptance_application_due_six_months_after_completion_and_overdue_in_todo(walker):
    p = walker.procure(walker.to_reviewed())
    p = walker.fire(p, "start_construction")
    long_ago = dt.date.today() - dt.timedelta(days=200)
    p = walker.fire(p, "complete", payload={"completed_on": long_ago.isoformat()})
    duty = Obligation.objects.for_case(p).get(code="acceptance-apply")
    assert duty.due_date == long_ago + dt.timedelta(days=183)
    assert duty.is_overdue()
    assert duty in todo_for(walker.owner)


def test_acceptance_deadline_is_configurable(walker):
    from infogov.core.regulation.policy import override_policy
    from infogov.projects.deadlines import ACCEPTANCE_APPLY_DAYS

    with override_policy(ACCEPTANCE_APPLY_DAYS, 90):  # platform policy, not the article's number
        p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
        p = walker.fire(p, "complete", payload={"completed_on": "2026-06-01"})
    assert Obligation.objects.for_case(p).get(code="acceptance-apply").due_date == dt.date(2026, 8, 30)


def test_fiscal_acceptance_result_is_filed_with_the_authority(walker):
    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    duty = Obligation.objects.for_case(p).open().get(code="acceptance-filing")
    assert duty.owed_to == walker.land.authority and duty.citation == "第十三条第二款"
    walker.file_acceptance(p)
    duty.refresh_from_db()
    assert duty.fulfilled_at is not None


# -- 第十三条第一款: the acceptance recorded last decides, and dates follow the record -----------------------


def _retested(walker, p):
    return walker.fire(
        p,
        "record_test",
        payload={
            "tester": "吉林省软件测评中心",
            "passed": True,
            "standards": ["GB 17859-1999", "GB 18030-2022"],
        },
    )


def test_article_13_acceptance_dated_before_the_last_recorded_one_is_refused(walker):
    from infogov.core.models import DocketEvent

    p = walker.to_tested()
    p = walker.fire(
        p, "fail_acceptance", comment="性能不达标", payload={"committee": ["张三"], "held_on": "2027-03-10"}
    )
    p = _retested(walker, p)
    seen = (p.state, p.version, p.acceptances.count())
    for name, comment in (("accept", ""), ("fail_acceptance", "仍不达标")):
        with pytest.raises(RuleViolation) as exc:
            walker.fire(
                p, name, comment=comment, payload={**walker.accept_payload(), "held_on": "2027-03-09"}
            )
        assert (exc.value.status, exc.value.code) == (422, "A13-1-ACCEPTANCE-ORDER")
        assert exc.value.article == "第十三条第一款" and "第十三条" in exc.value.message
        assert "2027-03-10" in exc.value.message
    p = Project.objects.get(pk=p.pk)
    assert (p.state, p.version, p.acceptances.count()) == seen  # nothing written
    assert DocketEvent.objects.for_case(p).filter(action="accept").count() == 0
    # the same day, or later, is accepted; that acceptance decides
    p = walker.fire(p, "accept", payload={**walker.accept_payload(), "held_on": "2027-03-10"})
    assert p.state == "accepted"
    walker.file_acceptance(p)
    assert p.acceptance_filing.acceptance.passed is True
    assert walker.fire(p, "deliver").state == "delivered"


def test_article_13_the_acceptance_recorded_last_decides_not_the_latest_date(walker):
    """Records written before the order rule may disagree with their dates: the conclusion recorded
    last is the project's acceptance result, in the rule (delivery) and in the service (filing)."""
    from infogov.projects.models import Acceptance
    from infogov.projects.rules import acceptance_passed, latest_acceptance

    def acceptance(p, day, passed):
        return Acceptance.objects.create(project=p, held_on=day, committee=["张三"], passed=passed)

    # failed on 1 April, then (recorded later) passed with an earlier date: not stuck, it is accepted
    p = walker.to_tested()
    acceptance(p, dt.date(2027, 4, 1), False)
    passed = acceptance(p, dt.date(2027, 3, 1), True)
    assert latest_acceptance(p) == passed
    assert acceptance_passed.evaluate(p, RuleContext()) is None
    assert walker.file_acceptance(p).acceptance == passed
    assert walker.fire(p, "deliver").state == "delivered"

    # passed on 1 April, then (recorded later) failed with an earlier date: not deliverable
    q = walker.to_tested(title="永吉县智慧养老服务平台", year=2027)  # 2026 plan is approved: next year's
    acceptance(q, dt.date(2027, 4, 1), True)
    acceptance(q, dt.date(2027, 3, 1), False)
    assert acceptance_passed.evaluate(q, RuleContext()).code == "A13-1-ACCEPTED"
    with pytest.raises(RuleViolation) as exc:
        walker.file_acceptance(q)
    assert exc.value.article == "第十三条第一款"
    with pytest.raises(RuleViolation):
        walker.fire(q, "deliver")


@pytest.mark.article(13, 35)
def test_article_13_a_failed_test_recorded_as_history_does_not_open_the_acceptance(walker):
    """A test dated before the measures (第三十五条) is recorded as history without the 2015 rules, so a
    failed one can stand as the last test: the acceptance (an act under the measures) still needs a
    passed test (A13-1-TESTED)."""
    p = walker.procure(walker.to_reviewed())
    p = walker.fire(walker.fire(p, "start_construction"), "complete", payload={"completed_on": "2014-11-20"})
    p = walker.fire(
        p,
        "record_test",
        payload={"tester": "测评中心", "passed": False, "tested_on": "2014-12-01", "standards": []},
    )
    assert p.state == "tested"
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "accept", payload={**walker.accept_payload(), "held_on": "2026-12-28"})
    assert exc.value.code == "A13-1-TESTED"
    assert exc.value.article == "第十三条第一款"
