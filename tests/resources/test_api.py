"""The whole journey through the REST API: catalogue, publish, request, decide, token, pull."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from .conftest import PEOPLE, POPULATION_FIELDS, resource_data

pytestmark = [pytest.mark.django_db, pytest.mark.article(27)]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_journey_through_the_api(ex):
    provider, consumer, authority = client_for(ex.provider), client_for(ex.consumer), client_for(ex.authority)
    created = provider.post("/api/catalogue/", resource_data(), content_type="application/json")
    assert created.status_code == 201, created.content
    rid = created.json()["id"]
    for f in POPULATION_FIELDS:
        step = provider.post(
            f"/api/resources/{rid}/transitions/add_field", {"payload": f}, content_type="application/json"
        )
        assert step.status_code == 200, step.content
    assert (
        provider.post(
            f"/api/resources/{rid}/transitions/submit", {}, content_type="application/json"
        ).status_code
        == 200
    )
    published = authority.post(
        f"/api/resources/{rid}/transitions/publish", {}, content_type="application/json"
    )
    assert published.status_code == 200 and published.json()["state"] == "published"
    assert (
        provider.post(
            f"/api/catalogue/{rid}/records", {"records": PEOPLE}, content_type="application/json"
        ).status_code
        == 200
    )
    listed = consumer.get("/api/catalogue/", {"text": "人口"}).json()
    assert [e["id"] for e in listed["items"]] == [rid]
    entry = consumer.get(f"/api/catalogue/{rid}").json()
    assert entry["quality"]["records"] == 3 and len(entry["fields"]) == 5
    today = timezone.localdate()
    req = consumer.post(
        "/api/sharing/requests",
        {
            "resource": rid,
            "purpose": "核验",
            "fields": ["id_number", "name"],
            "legal_basis": "法",
            "period_start": today.isoformat(),
            "period_end": (today + dt.timedelta(days=30)).isoformat(),
            "consumer_system": "核验系统",
        },
        content_type="application/json",
    )
    assert req.status_code == 201, req.content
    qid = req.json()["id"]
    assert req.json()["state"] == "pending"
    incoming = provider.get("/api/sharing/incoming").json()
    assert [i["id"] for i in incoming] == [qid]
    assert (
        consumer.post(
            f"/api/sharing/incoming/{qid}/steps/grant", {}, content_type="application/json"
        ).status_code
        == 404
    )
    granted = provider.post(
        f"/api/sharing/incoming/{qid}/steps/grant",
        {"payload": {"fields": ["name"]}},
        content_type="application/json",
    )
    assert granted.status_code == 200 and granted.json()["fields_granted"] == ["name"]
    token = consumer.post(f"/api/sharing/{qid}/token", content_type="application/json")
    assert token.status_code == 201
    body = (
        Client()
        .get(f"/api/exchange/{rid}/records", HTTP_AUTHORIZATION=f"Bearer {token.json()['token']}")
        .json()
    )
    assert {tuple(sorted(r)) for r in body["records"]} == {("name", "record_id")}
    assert provider.post(f"/api/sharing/{qid}/token", content_type="application/json").status_code == 404


def test_pages_of_the_journey(ex):
    r = ex.published()
    consumer, provider = client_for(ex.consumer), client_for(ex.provider)
    assert provider.get("/resources/new/").status_code == 200
    bad = provider.post("/resources/new/", {"title": "x", "sensitivity": "state_secret"})
    assert bad.status_code == 422
    today = timezone.localdate()
    page = f"/resources/catalogue/{r.pk}/request/"
    assert consumer.get(page).status_code == 200
    made = consumer.post(
        page,
        {
            "fields": ["name"],
            "purpose": "核验",
            "period_start": today.isoformat(),
            "period_end": today.isoformat(),
            "consumer_system": "系统",
        },
    )
    assert made.status_code == 303
    assert provider.get("/sharing/incoming/").status_code == 200
    from infogov.resources.models import SharingRequest

    req = SharingRequest.objects.get()
    detail = f"/sharing/incoming/{req.pk}/"
    assert provider.get(detail).status_code == 200
    assert provider.post(detail, {"step": "refuse"}).status_code == 422  # a refusal needs reasons
    assert provider.post(detail, {"step": "grant", "fields": ["name"]}).status_code == 303
    token = consumer.post(f"/sharing/{req.pk}/token/")
    assert token.status_code == 200 and "gx_" in token.content.decode()
