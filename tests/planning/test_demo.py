"""The demo plans: a city plan in force, two district plans at different stages, a special plan under
consultation with public comments — idempotent."""

from __future__ import annotations

import pytest

from infogov.core import demo as core_demo
from infogov.core.obligations import todo_for
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
