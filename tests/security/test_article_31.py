"""第三十一条第二款: a communications-infrastructure project's security plan is filed with the CITY
authority."""

from __future__ import annotations

import pytest

from infogov.core.errors import NotPermitted
from infogov.core.models import Obligation
from infogov.security import services
from tests.conftest import fresh

from .conftest import fire

pytestmark = [pytest.mark.django_db, pytest.mark.article(31)]


def test_a_telecom_projects_security_plan_can_only_be_filed_with_the_city_authority(world):
    land = world.yongji  # a county project: still filed with the city (第三十一条第二款)
    filing = services.telecom_filing_create(
        user=fresh(land.dept_user), title="永吉县5G基站建设项目安全保障方案"
    )
    filing = fire(
        filing,
        "submit",
        land.dept_user,
        {
            "project_name": "永吉县5G基站建设项目",
            "plan_summary": "基站接入安全、传输加密",
            "submitted_on": "2026-11-01",
        },
    )
    ob = Obligation.objects.for_case(filing).get(code="sec-telecom-filing")
    assert ob.owed_by == world.city.authority
    payload = {"filed_on": "2026-11-05", "filing_number": "JLSXXH-TX-2026-001", "receipt": "已备案"}
    with pytest.raises(NotPermitted) as exc:
        fire(filing, "file", land.authority_user, payload)  # the county's own authority may not
    assert exc.value.code == "A31-2-CITY" and exc.value.article == "第三十一条第二款"
    filing = fire(filing, "file", world.city.authority_user, payload)
    assert filing.state == "filed" and filing.filing_number == "JLSXXH-TX-2026-001"
    assert not Obligation.objects.for_case(filing).open().exists()
