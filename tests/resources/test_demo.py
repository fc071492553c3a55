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


def test_demo_loader_is_idempotent_and_tops_up_in_batches(monkeypatch):
    """A second seed writes nothing (no record, no docket event); a larger demo size tops the same
    resources up with the generator's next records, a batch (one load step) at a time."""
    from infogov.core.models import DocketEvent

    monkeypatch.setattr(demo, "PEOPLE", 120)
    monkeypatch.setattr(demo, "LEGAL_PERSONS", 30)
    monkeypatch.setattr(demo, "BATCH", 50)
    core_seed()
    demo.seed()
    population = Resource.objects.get(catalogue_code="1-01-001-001")
    legal = Resource.objects.get(catalogue_code="1-02-003-001")
    loads = DocketEvent.objects.for_case(population).filter(action="load_records")
    assert DataRecord.objects.filter(resource=population).count() == 120 and loads.count() == 3
    before = (DataRecord.objects.count(), DocketEvent.objects.count(), SharingRequest.objects.count())
    demo.seed()
    assert (DataRecord.objects.count(), DocketEvent.objects.count(), SharingRequest.objects.count()) == before
    monkeypatch.setattr(demo, "PEOPLE", 150)
    demo.seed()
    assert DataRecord.objects.filter(resource=population).count() == 150 and loads.count() == 4
    assert DataRecord.objects.filter(resource=legal).count() == 30
    expected = {p["id_number"] for p in synthetic.people(150)}
    assert set(DataRecord.objects.filter(resource=population).values_list("record_id", flat=True)) == expected
