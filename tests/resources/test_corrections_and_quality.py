"""The correction loop (校核纠错, 第二十七条第一款), timeliness duty and data quality (第二十七、二十八条)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.models import Obligation
from infogov.core.workflow import engine
from infogov.resources import quality, services
from infogov.resources.models import Resource
from infogov.resources.workdays import add_working_days

from .conftest import PEOPLE

pytestmark = [pytest.mark.django_db, pytest.mark.article(27)]


def test_a_correction_report_opens_a_duty_the_provider_closes(ex):
    r = ex.published()
    ex.load(r, PEOPLE)
    ex.grant(ex.request(r))
    client = Client()
    client.force_login(ex.consumer)
    body = {
        "record_id": PEOPLE[0]["id_number"],
        "field_code": "name",
        "problem": "姓名应为张三峰",
        "evidence": "户籍证明",
    }
    response = client.post(f"/api/catalogue/{r.pk}/corrections", body, content_type="application/json")
    assert response.status_code == 201, response.content
    report_id = response.json()["id"]
    r = Resource.objects.get(pk=r.pk)
    duty = Obligation.objects.for_case(r).get(code=f"resource-correction-{report_id}")
    assert duty.owed_by_id == r.owner_id and duty.owed_to_id == ex.consumer.organisation_id
    assert duty.due_date == add_working_days(timezone.localdate(), 5)
    with pytest.raises(NotPermitted) as e:
        engine.fire(
            r,
            "answer_error",
            user=ex.consumer,
            payload={"report_id": report_id, "outcome": "corrected", "answer": "x"},
        )
    assert e.value.code == "A27-1-PROVIDER"
    engine.fire(
        r,
        "answer_error",
        user=ex.provider,
        payload={"report_id": report_id, "outcome": "corrected", "answer": "已更正"},
    )
    duty.refresh_from_db()
    assert not duty.is_open
    figures = quality.figures(r)
    assert figures.confirmed_errors == 1 and figures.open_corrections == 0
    with pytest.raises(RuleViolation) as e:
        engine.fire(
            Resource.objects.get(pk=r.pk),
            "answer_error",
            user=ex.provider,
            payload={"report_id": report_id, "outcome": "confirmed", "answer": "再答"},
        )
    assert e.value.code == "A27-1-CORRECTION-OPEN"


def test_only_a_grantee_reports_and_names_a_field(ex, world):
    r = ex.published()
    with pytest.raises(NotPermitted) as e:
        engine.fire(
            r,
            "report_error",
            user=ex.consumer,
            payload={"record_id": "1", "field_code": "name", "problem": "错"},
        )
    assert e.value.code == "A27-1-CORRECTION-USER"
    ex.grant(ex.request(r))
    with pytest.raises(RuleViolation) as e:
        engine.fire(
            Resource.objects.get(pk=r.pk),
            "report_error",
            user=ex.consumer,
            payload={"record_id": "1", "field_code": "salary", "problem": "错"},
        )
    assert e.value.code == "A27-1-CORRECTION-FIELD"


def test_a_stale_resource_is_a_duty_closed_by_the_next_load(ex):
    r = ex.published()
    ex.load(r, PEOPLE)
    r = Resource.objects.get(pk=r.pk)
    with pytest.raises(RuleViolation) as e:
        engine.fire(r, "remind_stale", user=ex.authority)
    assert e.value.code == "A27-1-STALE"
    Resource.objects.filter(pk=r.pk).update(last_loaded_at=timezone.now() - dt.timedelta(days=10))
    r = Resource.objects.get(pk=r.pk)
    assert quality.figures(r).stale
    r = engine.fire(r, "remind_stale", user=ex.authority)
    duty = Obligation.objects.for_case(r).get(code="resource-update")
    assert duty.is_open and duty.owed_by_id == r.owner_id
    ex.load(r, PEOPLE[:1])
    duty.refresh_from_db()
    assert not duty.is_open


@pytest.mark.article(28)
def test_quality_figures_by_sql(ex):
    r = ex.published()
    ex.load(r, PEOPLE)
    f = quality.figures(Resource.objects.get(pk=r.pk))
    assert f.records == 3
    assert f.completeness == 1.0  # id_number and name filled in every record
    assert f.validity == 1.0 and f.uniqueness == 1.0
    report = quality.report(Resource.objects.filter(pk=r.pk))
    assert report["city"]["records"] == 3 and report["providers"][0]["provider"] == r.owner.name
    client = Client()
    client.force_login(ex.consumer)
    assert client.get("/api/catalogue/quality").json()["city"]["records"] == 3
    assert client.get("/resources/quality/").status_code == 200
    assert client.get(f"/resources/catalogue/{r.pk}/").status_code == 200
    assert client.get("/resources/catalogue/?q=人口").status_code == 200
    assert services is not None


def test_correction_from_the_entry_page(ex):
    r = ex.published()
    ex.grant(ex.request(r))
    client = Client()
    client.force_login(ex.consumer)
    page = client.get(f"/resources/catalogue/{r.pk}/")
    assert "报告数据错误" in page.content.decode()
    response = client.post(
        f"/resources/catalogue/{r.pk}/corrections/",
        {"record_id": "X1", "field_code": "name", "problem": "姓名错误"},
    )
    assert response.status_code == 303
    assert r.corrections.count() == 1


@pytest.mark.article(27)
def test_quality_counts_bad_stored_values_the_same_on_either_database(ex):
    """Records stored before the checks (or by another path): a bad ID number, a phone and a code outside
    their formats, a missing required name, an identifier field that is not the record's — the figures
    are the same on SQLite (ORM aggregates) and PostgreSQL (one pass over the values)."""
    from infogov.resources.models import DataRecord

    r = ex.published()
    good = PEOPLE[0]["id_number"]
    rows = [
        (good, {"id_number": good, "name": "甲", "phone": "13812345678", "district": "永吉县"}),
        ("2", {"id_number": "12345", "name": "乙", "phone": "123", "district": "火星"}),
        ("3", {"id_number": "3", "born_on": "2020-01-01"}),
        ("4", {"name": "丁", "born_on": "2020/1/1"}),
    ]
    DataRecord.objects.bulk_create(DataRecord(resource=r, record_id=k, data=d) for k, d in rows)
    f = quality.figures(Resource.objects.get(pk=r.pk))
    assert f.records == 4
    assert f.completeness == round(6 / 8, 4)  # id_number 3 of 4, name 3 of 4
    # given typed values: id 3 (1 valid), phone 2 (1), district 2 (1), born_on 2 (1)
    assert f.validity == round(4 / 9, 4)
    assert f.uniqueness == round(2 / 4, 4)  # the first and the third hold their own identifier


@pytest.mark.article(28)
def test_quality_of_an_entry_without_fields_is_figured_not_a_500(ex):
    """An entry whose field list is empty (a draft being catalogued, or one made by an administrator)
    has figures of its own: the SQL of the figures needs no field (PostgreSQL refused the empty list)."""
    r = ex.published()
    r.fields.all().delete()
    Resource.objects.filter(pk=r.pk).update(record_key="")
    f = quality.figures(Resource.objects.get(pk=r.pk))
    assert f.records == 0 and f.completeness is None
    client = Client()
    client.force_login(ex.consumer)
    assert client.get(f"/resources/catalogue/{r.pk}/").status_code == 200
