"""The exchange (第二十一条、第二十九条): the grant's token, granted fields only, masking, filters, cursor
pages, streaming, rate limit, the chained access log (and its refusal when it cannot be written)."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from infogov.core.audit import verify as verify_audit
from infogov.core.models import AuditEvent
from infogov.core.regulation.policy import override_policy
from infogov.core.workflow import engine
from infogov.resources import services
from infogov.resources.policy import PULLS_PER_MINUTE

from .conftest import PEOPLE

pytestmark = [pytest.mark.django_db, pytest.mark.article(21)]


@pytest.fixture
def granted(ex):
    r = ex.published()
    ex.load(r, PEOPLE)
    req = ex.grant(ex.request(r, fields=["id_number", "name", "district"]))
    token = services.token_issue(user=ex.consumer, grant=req)
    return r, req, token


def pull(token: str | None, resource: int, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return Client().get(f"/api/exchange/{resource}/records", params, **headers)


def test_request_grant_pull_returns_exactly_the_granted_fields_masked(granted):
    r, req, token = granted
    response = pull(token, r.pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["fields"] == ["id_number", "name", "district"]
    first = body["records"][0]
    assert set(first) == {"record_id", "id_number", "name", "district"}
    assert first["id_number"] == PEOPLE[0]["id_number"][:6] + "********" + PEOPLE[0]["id_number"][-4:]
    assert first["name"] == "张*"
    assert first["district"] == "永吉县"
    assert "phone" not in json.dumps(body)
    event = AuditEvent.objects.filter(action="exchange_pull").latest("seq")
    assert event.detail["rows"] == 3 and event.detail["grant"] == req.pk
    assert "张三丰" not in json.dumps(event.detail, ensure_ascii=False)  # never the records


@pytest.mark.article(29)
def test_clear_text_when_the_grant_allows_it(ex):
    r = ex.published()
    ex.load(r, PEOPLE)
    req = ex.grant(ex.request(r, fields=["name", "phone"], clear_text_requested=True), clear_text=True)
    token = services.token_issue(user=ex.consumer, grant=req)
    names = {rec["name"] for rec in pull(token, r.pk).json()["records"]}
    assert "张三丰" in names


def test_phone_masking(ex):
    r = ex.published()
    ex.load(r, PEOPLE)
    req = ex.grant(ex.request(r, fields=["phone"]))
    token = services.token_issue(user=ex.consumer, grant=req)
    phones = [rec["phone"] for rec in pull(token, r.pk).json()["records"]]
    assert "138****5678" in phones and None in phones


def test_filters_on_granted_fields_and_cursor_pages(granted):
    r, _, token = granted
    body = pull(token, r.pk, **{"f.district": "永吉县"}).json()
    assert len(body["records"]) == 2
    refused = pull(token, r.pk, **{"f.phone": "13812345678"})
    assert refused.status_code == 422 and refused.json()["code"] == "A21-1-GRANTED-FIELDS"
    page1 = pull(token, r.pk, limit=2).json()
    assert len(page1["records"]) == 2 and page1["next_cursor"]
    page2 = pull(token, r.pk, limit=2, cursor=page1["next_cursor"]).json()
    assert len(page2["records"]) == 1 and page2["next_cursor"] is None
    assert pull(token, r.pk, cursor="!!!").status_code == 422


def test_streaming_csv_and_ndjson(granted):
    r, _, token = granted
    response = pull(token, r.pk, format="csv")
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "记录标识,公民身份号码,姓名,所属区县" and len(lines) == 4
    response = pull(token, r.pk, format="ndjson")
    rows = [json.loads(x) for x in b"".join(response.streaming_content).decode().splitlines()]
    assert len(rows) == 3 and rows[0]["name"] == "张*"
    ends = AuditEvent.objects.filter(action="exchange_pull", detail__stream="end")
    assert sorted(e.detail["rows"] for e in ends) == [3, 3]


def test_pull_without_grant_is_403_and_logged(granted):
    r, _, token = granted
    before = AuditEvent.objects.filter(action="exchange_refused").count()
    assert pull(None, r.pk).status_code == 403
    assert pull("gx_bad_token", r.pk).status_code == 403
    other = pull(token, r.pk + 1000)
    assert other.status_code == 403 and other.json()["code"] == "A21-1-GRANT"
    assert AuditEvent.objects.filter(action="exchange_refused").count() == before + 3


def test_revoked_suspended_and_expired_grants_get_403(granted, ex):
    r, req, token = granted
    req = type(req).objects.get(pk=req.pk)
    req = engine.fire(req, "suspend", user=ex.provider, comment="核查使用情况")
    assert pull(token, r.pk).status_code == 403
    req = engine.fire(req, "resume", user=ex.provider)
    assert pull(token, r.pk).status_code == 200
    engine.fire(req, "revoke", user=ex.provider, comment="超范围使用")
    response = pull(token, r.pk)
    assert response.status_code == 403 and "撤销" in response.json()["message"]


def test_expired_grant(granted):
    import datetime as dt

    r, req, token = granted
    type(req).objects.filter(pk=req.pk).update(period_end=timezone.localdate() - dt.timedelta(days=1))
    response = pull(token, r.pk)
    assert response.status_code == 403 and "到期" in response.json()["message"]


def test_rate_limit_per_grant(granted):
    r, _, token = granted
    from django.core.cache import cache

    cache.clear()
    with override_policy(PULLS_PER_MINUTE, 2):
        assert pull(token, r.pk).status_code == 200
        assert pull(token, r.pk).status_code == 200
        assert pull(token, r.pk).status_code == 429


def test_no_log_no_pull(granted, monkeypatch):
    r, _, token = granted

    def broken(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(AuditEvent, "save", broken)
    response = pull(token, r.pk)
    assert response.status_code == 503
    assert "张" not in response.content.decode()


def test_tampering_with_the_access_log_is_detected(granted):
    """The access log is the platform's chained audit trail: docket_verify recomputes it."""
    from django.core.management import CommandError, call_command

    from tests.platform.test_audit import _lift_triggers, _restore_triggers

    r, _, token = granted
    assert pull(token, r.pk).status_code == 200
    assert verify_audit().ok
    event = AuditEvent.objects.filter(action="exchange_pull").latest("seq")
    _lift_triggers()
    try:
        AuditEvent.objects.filter(pk=event.pk).update(detail={**event.detail, "rows": 0})
    finally:
        _restore_triggers()
    report = verify_audit()
    assert not report.ok and "篡改" in report.broken[0]
    with pytest.raises(CommandError):
        call_command("docket_verify", "--workers", "1")
