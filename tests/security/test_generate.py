"""The security generator (datagen): systems walked through their declared workflow with a docket that
verifies, recurring evaluation duties (some lapsed), risk assessments; the overview reads them."""

import pytest

from infogov.core.docket import verify as docket_verify
from infogov.core.models import Obligation
from infogov.datagen import runner as generate
from infogov.org.models import User
from infogov.security import selectors
from infogov.security.generate import GENERATOR, system_count
from infogov.security.models import Evaluation, InformationSystem, Risk

pytestmark = [pytest.mark.slow, pytest.mark.article(30)]

SMALL = generate.spec_for("city", projects=1500, systems=300, events=300 * 6)


@pytest.mark.django_db
def test_the_named_scales_generate_their_systems():
    assert system_count(generate.spec_for("province")) == 20_000
    assert system_count(generate.spec_for("city")) == 2_000


@pytest.mark.django_db
def test_generates_systems_through_their_workflow(monkeypatch):
    # this app's generator alone (the other apps' generators are tested in tests/datagen)
    monkeypatch.setattr(generate, "app_generators", lambda: {"security": GENERATOR})
    report = generate.generate(SMALL, seed=5, reset=True)
    assert InformationSystem.objects.count() == 300 == report.counts["security_informationsystem"]
    assert set(InformationSystem.objects.exclude(level=None).values_list("level", flat=True)) == {1, 2, 3, 4}
    assert set(InformationSystem.objects.values_list("state", flat=True)) >= {
        "registered",
        "graded",
        "reviewed",
        "filed",
    }
    assert Evaluation.objects.exists() and Risk.objects.exists()
    evaluations = Obligation.objects.filter(code="sec-evaluation")
    assert evaluations.filter(fulfilled_at__isnull=False).exists() and evaluations.overdue().exists()
    result = docket_verify.verify()
    assert result.ok, result.broken
    ov = selectors.overview(User.objects.get(pk=report.logins["city_authority"]))
    assert ov.level3_total and ov.evaluation_overdue and ov.high_risk_count
