"""The demo plans: a city plan in force, two district plans at different stages, a special plan under
consultation with public comments — idempotent."""

from __future__ import annotations

import pytest

from infogov.core import demo as core_demo
from infogov.core.workflow.obligations import todo_for
from infogov.org.models import User
from infogov.planning import demo
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import PlanVersion

pytestmark = pytest.mark.django_db


def test_demo_plans(assert_max_queries):
    core_demo.seed()
    first = demo.seed()
    assert demo.seed() == first  # idempotent
    states = {v.title: v.state for v in PlanVersion.objects.all()}
    assert states[demo.CITY_TITLE] == PlanState.IN_FORCE
    assert states[demo.YONGJI_TITLE] == PlanState.EXPERT_REVIEW
    assert states[demo.JIAOHE_TITLE] == PlanState.DRAFT
    health = PlanVersion.objects.get(title=demo.HEALTH_TITLE)
    assert health.state == PlanState.CONSULTATION and health.level == PlanLevel.SPECIAL
    assert health.comments.count() == 3
    assert states[demo.POLICE_TITLE] == PlanState.IN_FORCE
    owed = todo_for(User.objects.get(username="police")).filter(code__startswith="plan-execution-")
    assert owed.count() == 2 and owed.overdue().count() == 1


@pytest.mark.article(7)
def test_assessment_of_the_demo_city_lists_every_jurisdiction_and_department():
    """第七条: the table for the city's performance assessment has a row for each of the 11 counties,
    districts and development zones below the city and for each department, with its score."""
    import datetime as dt

    from infogov.org.choices import OrganisationKind
    from infogov.org.models import Jurisdiction, Organisation
    from infogov.planning import assessment, services

    core_demo.seed()
    demo.seed()
    year = dt.date.today().year - 1
    authority = User.objects.get(username="authority")
    assert services.scores_compute(user=authority, year=year) >= 1
    rows = assessment.assessment_json(year)["rows"]
    places = [r["考核对象"] for r in rows if r["类别"] == "县（市）区和开发区"]
    below_city = Jurisdiction.objects.filter(parent__parent__isnull=True, parent__isnull=False)
    assert len(places) == below_city.count() == 11
    assert set(places) == set(below_city.values_list("name", flat=True))
    assert {"昌邑区", "永吉县", "蛟河市", "吉林高新技术产业开发区"} <= set(places)
    departments = [r["考核对象"] for r in rows if r["类别"] == "部门"]
    expected = Organisation.objects.filter(
        kind__in=(OrganisationKind.DEPARTMENT, OrganisationKind.PUBLIC_SERVICE)
    ).values_list("name", flat=True)
    assert sorted(departments) == sorted(expected)  # each exactly once
    by_subject = {r["考核对象"]: r for r in rows}
    police = by_subject["吉林市公安局"]
    assert police["规划"] == demo.POLICE_TITLE and police["说明"] == ""
    assert police["总分"] == 20.0  # no report for last year (0 + 0), no inspection findings (20)
    assert by_subject["吉林市教育局"]["总分"] == 0 and "无施行中" in by_subject["吉林市教育局"]["说明"]
    assert all(isinstance(r["总分"], int | float) for r in rows)
