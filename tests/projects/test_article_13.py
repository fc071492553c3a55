"""第十三条: testing, acceptance, no delivery without it; fiscal acceptance results are filed."""

import datetime as dt

import pytest
from django.test import override_settings

from infogov.core.errors import RuleViolation
from infogov.core.models import Obligation
from infogov.core.obligations import todo_for
from infogov.projects import services
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


@override_settings(PROJECTS_ACCEPTANCE_APPLY_DAYS=90)
def test_acceptance_deadline_is_configurable(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    p = walker.fire(p, "complete", payload={"completed_on": "2026-01-01"})
    assert Obligation.objects.for_case(p).get(code="acceptance-apply").due_date == dt.date(2026, 4, 1)


def test_fiscal_acceptance_result_is_filed_with_the_authority(walker):
    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    duty = Obligation.objects.for_case(p).open().get(code="acceptance-filing")
    assert duty.owed_to == walker.land.authority and duty.citation == "第十三条第二款"
    services.acceptance_file(project=p, user=walker.owner)
    duty.refresh_from_db()
    assert duty.fulfilled_at is not None
