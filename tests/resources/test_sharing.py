"""Sharing (第二十七条第二款、第二十九条): requests, grants with working-day deadlines, suspension,
revocation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from infogov.core.errors import NotFound, NotPermitted, RuleViolation
from infogov.core.models import Obligation
from infogov.core.workflow import engine
from infogov.resources import selectors
from infogov.resources.models import SharingRequest
from infogov.resources.workdays import add_working_days, is_working_day

pytestmark = [pytest.mark.django_db, pytest.mark.article(27)]


def test_unconditional_is_granted_on_request(ex):
    r = ex.published(
        fields=[{"code": "code", "name": "机构代码", "field_sensitivity": "public", "record_key": True}],
        base_category="thematic",
        share_type="unconditional",
    )
    req = ex.request(r, fields=["code"])
    assert req.state == "granted" and req.fields_granted == ["code"]


def test_not_shared_cannot_be_requested(ex):
    r = ex.published(share_type="not_shared", share_basis="《统计法》第二十五条")
    with pytest.raises(RuleViolation) as e:
        ex.request(r)
    assert e.value.code == "A27-2-NOT-SHARED"
    assert not SharingRequest.objects.exists()  # nothing kept


def test_only_published_resources_can_be_requested(ex):
    r = ex.draft()
    with pytest.raises(NotFound):  # another unit's draft is not in its catalogue
        ex.request(r)
    from infogov.resources import services

    own = services.request_create  # the provider itself asking for its own draft: refused by the rule
    with pytest.raises(RuleViolation) as e:
        own(
            user=ex.provider,
            data={
                "resource": r.pk,
                "purpose": "自用",
                "fields": ["name"],
                "period_start": timezone.localdate(),
                "period_end": timezone.localdate(),
                "consumer_system": "系统",
            },
        )
    assert e.value.code == "A27-2-PUBLISHED"


def test_minimum_necessary_and_period(ex):
    r = ex.published()
    with pytest.raises(RuleViolation) as e:
        ex.request(r, fields=["name", "salary"])
    assert e.value.code == "A27-2-MINIMUM"
    with pytest.raises(RuleViolation) as e:
        ex.request(r, fields=["name", "name"])
    assert e.value.code == "A27-2-MINIMUM"
    today = timezone.localdate()
    with pytest.raises(RuleViolation) as e:
        ex.request(r, period_end=(today + dt.timedelta(days=4000)).isoformat())
    assert e.value.code == "A27-2-PERIOD"


def test_conditional_decided_by_the_provider_within_ten_working_days(ex):
    r = ex.published()
    req = ex.request(r)
    assert req.state == "pending"
    duty = Obligation.objects.for_case(req).get(code="sharing-decision")
    assert duty.owed_by_id == r.owner_id
    assert duty.due_date == add_working_days(timezone.localdate(), 10)
    with pytest.raises(NotPermitted) as e:
        engine.fire(req, "grant", user=ex.consumer)
    assert e.value.code == "A27-2-PROVIDER"
    with pytest.raises(RuleViolation) as e:
        ex.grant(req, fields=["phone"])
    assert e.value.code == "A27-2-GRANT-FIELDS"
    with pytest.raises(RuleViolation) as e:
        ex.grant(req, clear_text=True)
    assert e.value.code == "A29-1-CLEAR-TEXT"
    req = ex.grant(req, fields=["id_number", "name"])
    assert req.fields_granted == ["id_number", "name"]
    duty.refresh_from_db()
    assert not duty.is_open
    assert [g.pk for g in selectors.users_of(r)] == [req.pk]


def test_refusal_gives_reasons(ex):
    req = ex.request(ex.published())
    from infogov.core.errors import InvalidInput

    with pytest.raises(InvalidInput):
        engine.fire(req, "refuse", user=ex.provider)
    req = engine.fire(req, "refuse", user=ex.provider, comment="用途与所申请信息项不相符")
    assert req.state == "refused"


def test_only_the_consumer_submits(ex):
    r = ex.published()
    req = engine.create(
        SharingRequest,
        user=ex.consumer,
        title="x",
        owner=ex.consumer.organisation,
        jurisdiction=ex.consumer.organisation.jurisdiction,
        resource=r,
        purpose="p",
        fields_requested=["name"],
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        consumer_system="s",
    )
    with pytest.raises(NotPermitted) as e:
        engine.fire(req, "submit", user=ex.provider)
    assert e.value.code == "A27-2-CONSUMER"


def test_wrong_transition_for_the_share_type(ex):
    r = ex.published()
    req = engine.create(
        SharingRequest,
        user=ex.consumer,
        title="x",
        owner=ex.consumer.organisation,
        jurisdiction=ex.consumer.organisation.jurisdiction,
        resource=r,
        purpose="p",
        fields_requested=["name"],
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        consumer_system="s",
    )
    with pytest.raises(RuleViolation) as e:
        engine.fire(req, "request_unconditional", user=ex.consumer)
    assert e.value.code == "A27-2-UNCONDITIONAL"
    u = ex.published(
        fields=[{"code": "code", "name": "代码", "field_sensitivity": "public", "record_key": True}],
        base_category="thematic",
        share_type="unconditional",
        catalogue_code="2-01-001-001",
    )
    req2 = engine.create(
        SharingRequest,
        user=ex.consumer,
        title="y",
        owner=ex.consumer.organisation,
        jurisdiction=ex.consumer.organisation.jurisdiction,
        resource=u,
        purpose="p",
        fields_requested=["code"],
        period_start=timezone.localdate(),
        period_end=timezone.localdate(),
        consumer_system="s",
    )
    with pytest.raises(RuleViolation) as e:
        engine.fire(req2, "submit", user=ex.consumer)
    assert e.value.code == "A27-2-CONDITIONAL"


def test_working_day_calendar():
    assert not is_working_day(dt.date(2026, 10, 1))  # 国庆
    assert is_working_day(dt.date(2026, 10, 10))  # 调休上班（星期六）
    assert not is_working_day(dt.date(2025, 1, 29))  # 春节
    assert is_working_day(dt.date(2025, 1, 26))  # 调休上班（星期日）
    # 2026-09-30 (Wed) + 3 working days: 10-01…10-07 off, 10-08 Thu, 10-09 Fri, 10-10 Sat (调休)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
