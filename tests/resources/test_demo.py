"""The demo: the base databases load with valid synthetic records, through the workflow."""

from __future__ import annotations

import pytest

from infogov.core.demo import seed as core_seed
from infogov.core.text.identifiers import credit_code_error, resident_id_error
from infogov.resources import demo, synthetic
from infogov.resources.models import DataRecord, Resource, SharingRequest

pytestmark = [pytest.mark.django_db, pytest.mark.article(26)]


def test_synthetic_identifiers_are_valid():
    assert all(resident_id_error(p["id_number"]) is None for p in synthetic.people(300))
    assert all(p["id_number"][:6] in synthetic.DISTRICTS for p in synthetic.people(50))
    assert all(credit_code_error(x["uscc"]) is None for x in synthetic.legal_persons(300))


def test_demo_seeds_the_base_databases(monkeypatch):
    monkeypatch.setattr(demo, "PEOPLE", 200)
    monkeypatch.setattr(demo, "LEGAL_PERSONS", 50)
    core_seed()
    demo.seed()
    assert Resource.objects.filter(state="published").count() == 4
    population = Resource.objects.get(catalogue_code="1-01-001-001")
    assert DataRecord.objects.filter(resource=population).count() == 200
    assert set(SharingRequest.objects.values_list("state", flat=True)) == {"granted", "pending"}
    assert population.corrections.count() == 1
    demo.seed()  # idempotent
    assert Resource.objects.count() == 4
