"""第三十条第二款: incidents — measures, records, timely reports to the competent authority, closing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.models import Obligation
from infogov.core.regulation.policy import override_policy
from infogov.security import selectors, services
from infogov.security.models import Incident
from infogov.security.policies import INCIDENT_REPORT_HOURS, report_hours
from tests.conftest import fresh

from .conftest import fire, register

pytestmark = [pytest.mark.django_db, pytest.mark.article(30)]

TZ = timezone.get_default_timezone()


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


def open_incident(
    land, detected: dt.datetime, grade: str = "较大", cii: bool = False, systems=()
) -> Incident:
    return services.incident_open(
        user=fresh(land.dept_user),
        title="网格平台遭勒索软件攻击",
        detected_at=detected,
        grade=grade,
        critical_operator=cii,
        system_ids=[s.pk for s in systems],
        affected_data="居民网格事件数据约2万条",
        measures="断开受感染服务器网络",
    )


def test_the_deadline_is_set_by_grade_and_operator_kind_from_the_2025_measures():
    assert report_hours("较大", True, dt.date(2025, 11, 1)) == 1
    assert report_hours("重大", False, dt.date(2025, 11, 1)) == 4
    assert report_hours("一般", False, dt.date(2025, 11, 1)) == 24


def test_an_incident_reported_after_its_deadline_shows_late(world):
    land = world.yongji
    system = register(land)
    incident = open_incident(land, at(2026, 11, 20, 9, 0), systems=[system])
    assert incident.report_deadline == at(2026, 11, 20, 13, 0)  # 较大, not CII: 4 hours
    ob = Obligation.objects.for_case(incident).get(code="sec-incident-report")
    assert ob.due_date == dt.date(2026, 11, 20) and ob.owed_to == land.authority
    assert incident.minutes_remaining(at(2026, 11, 20, 12, 30)) == 30
    fire(
        incident,
        "add_update",
        land.dept_user,
        {"at": "2026-11-20 10:00", "kind": "处置", "content": "隔离受感染主机"},
    )
    fire(
        incident,
        "report",
        land.dept_user,
        {"reported_at": "2026-11-20 14:10", "recipient": "永吉县委网信办", "content": "初报"},
    )
    incident = Incident.objects.get(pk=incident.pk)
    assert incident.reported_late and incident.minutes_remaining() is None
    [report] = incident.reports.all()
    assert report.late and report.minutes_late == 70
    assert not Obligation.objects.for_case(incident).open().exists()
    assert selectors.overview(fresh(land.authority_user)).late_reports == 1


def test_a_cii_operator_has_one_hour_and_tests_change_the_policy(world):
    incident = open_incident(world.yongji, at(2026, 11, 20, 9, 0), cii=True)
    assert incident.report_deadline == at(2026, 11, 20, 10, 0)
    table = {"cii": {"较大": 2}, "other": {"较大": 6}}
    with override_policy(INCIDENT_REPORT_HOURS, table):
        incident = open_incident(world.yongji, at(2026, 11, 21, 9, 0))
    assert incident.report_deadline == at(2026, 11, 21, 15, 0)


def test_only_the_unit_opens_an_incident_on_its_own_systems(world):
    with pytest.raises(NotPermitted) as exc:
        services.incident_open(
            user=fresh(world.yongji.finance_user),
            title="越权",
            detected_at=at(2026, 11, 1, 8, 0),
            grade="一般",
        )
    assert exc.value.code == "A30-2-OWN-UNIT" and exc.value.article == "第三十条第二款"
    other = register(world.jiaohe, title="蛟河市政务服务平台")
    with pytest.raises(RuleViolation) as exc:
        open_incident(world.yongji, at(2026, 11, 1, 8, 0), systems=[other])
    assert exc.value.code == "A30-2-SYSTEMS"


def test_a_timeline_entry_before_detection_is_refused(world):
    incident = open_incident(world.yongji, at(2026, 11, 20, 9, 0))
    with pytest.raises(RuleViolation) as exc:
        fire(
            incident, "add_update", world.yongji.dept_user, {"at": "2026-11-20 08:00", "content": "早于发现"}
        )
    assert exc.value.code == "A30-2-TIME"


def test_closing_needs_a_report_a_root_cause_and_lessons(world):
    land = world.yongji
    incident = open_incident(land, at(2026, 11, 20, 9, 0))
    close = {"closed_on": "2026-11-25", "root_cause": "弱口令被暴力破解", "lessons": "启用双因素认证"}
    with pytest.raises(RuleViolation) as exc:
        fire(incident, "close", land.dept_user, close)
    assert exc.value.code == "A30-2-REPORTED"
    fire(
        incident,
        "report",
        land.dept_user,
        {"reported_at": "2026-11-20 10:00", "recipient": "永吉县委网信办", "content": "初报"},
    )
    incident = fire(incident, "close", land.dept_user, close)
    assert incident.state == "closed" and not incident.reported_late
