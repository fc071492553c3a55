"""The security demo: ~40 systems across units and jurisdictions at levels 1–4 with current, overdue and
missing evaluations, risks, drills, incidents and hidden dangers; idempotent."""

import io

import pytest

from infogov.core import demo as core_demo
from infogov.core.models import Obligation
from infogov.org.models import User
from infogov.security import demo, selectors
from infogov.security.models import HiddenDanger, Incident, InformationSystem, Risk

pytestmark = [pytest.mark.django_db, pytest.mark.article(30)]


def test_demo_has_a_realistic_mix_and_is_idempotent():
    core_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    assert InformationSystem.objects.count() == 40
    assert InformationSystem.objects.values("jurisdiction").distinct().count() >= 5
    assert set(InformationSystem.objects.exclude(level=None).values_list("level", flat=True)) == {1, 2, 3, 4}
    ov = selectors.overview(User.objects.get(username="authority"))
    assert ov.evaluation_current and ov.evaluation_overdue and ov.evaluation_missing
    assert ov.high_risk_count and ov.flagged_plans and ov.open_incidents and ov.late_reports
    assert ov.overdue_dangers and Obligation.objects.overdue().filter(code="sec-filing").exists()
    assert Risk.objects.exists() and Incident.objects.filter(state="closed").exists()
    assert set(HiddenDanger.objects.values_list("status", flat=True)) == {
        "open",
        "answered",
        "verified",
        "returned",
    }
    demo.seed(io.StringIO())
    assert InformationSystem.objects.count() == 40
