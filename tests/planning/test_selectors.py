"""Reads are scoped (第四条): a 永吉县 user cannot list or read a 蛟河市 plan; the portal shows only
published city/local plans and open consultations."""

from __future__ import annotations

import pytest

from infogov.core.errors import NotFound
from infogov.planning import selectors
from infogov.planning.choices import PlanLevel
from tests.conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(4)]


def test_scoping_by_jurisdiction_and_role(pw):
    w = pw.world
    city = pw.city_plan_in_force()
    yongji = pw.draft(PlanLevel.LOCAL, w.yongji)
    jiaohe = pw.draft(PlanLevel.LOCAL, w.jiaohe)
    special = pw.draft(PlanLevel.SPECIAL, w.city)
    seen = set(selectors.versions_list(fresh(w.yongji.authority_user)).values_list("pk", flat=True))
    assert seen == {yongji.pk}
    with pytest.raises(NotFound):
        selectors.version_get(fresh(w.yongji.authority_user), jiaohe.pk)
    assert set(selectors.versions_list(fresh(w.city.authority_user)).values_list("pk", flat=True)) == {
        city.pk,
        yongji.pk,
        jiaohe.pk,
        special.pk,
    }
    # a department sees its own plans; the county government its county; co-supervisors their area
    assert set(selectors.versions_list(fresh(w.city.dept_user)).values_list("pk", flat=True)) == {special.pk}
    assert set(selectors.versions_list(fresh(w.jiaohe.approver)).values_list("pk", flat=True)) == {jiaohe.pk}
    assert jiaohe.pk in set(
        selectors.versions_list(fresh(w.jiaohe.finance_user)).values_list("pk", flat=True)
    )
    # platform administrators see no plans; experts only assigned ones
    assert not selectors.versions_list(fresh(w.audit_admin)).exists()
    assert set(selectors.versions_list(fresh(pw.experts[0])).values_list("pk", flat=True)) == {city.pk}


def test_filters_and_search(pw):
    w = pw.world
    city = pw.city_plan_in_force()
    special = pw.draft(PlanLevel.SPECIAL, w.city, tasks=["建设全民健康信息平台"])
    user = fresh(w.city.authority_user)
    assert list(selectors.versions_list(user, level="special")) == [special]
    assert list(selectors.versions_list(user, q="健康信息")) == [special]
    assert list(selectors.versions_list(user, q="政务云", state="in_force")) == [city]
    assert list(selectors.versions_list(user, period="2026-2030", level="city")) == [city]
    assert not selectors.versions_list(user, period="2031").exists()


def test_public_selectors(pw):
    w = pw.world
    city = pw.city_plan_in_force()
    consulting = pw.open_consultation(pw.draft(PlanLevel.SPECIAL, w.city))
    draft = pw.draft(PlanLevel.LOCAL, w.yongji)
    assert list(selectors.public_versions()) == [city]
    assert list(selectors.public_consultations()) == [consulting]
    assert selectors.public_version_get(consulting.pk) == consulting
    with pytest.raises(NotFound):
        selectors.public_version_get(draft.pk)


def test_a_consulted_version_stays_on_the_portal_with_its_answers_until_decided(pw):
    """第六条第一款: after the window the public still sees its comments and the published answers;
    a special plan leaves the portal on approval (it is filed, not published: 第五条第三款)."""
    w = pw.world
    pw.city_plan_in_force()
    v = pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.SPECIAL, w.city)))
    assert selectors.public_version_get(v.pk) == v
    assert list(selectors.public_consultations_closed()) == [v]
    v = pw.approve(pw.submit(pw.review(v)))
    with pytest.raises(NotFound):
        selectors.public_version_get(v.pk)
    assert not selectors.public_consultations_closed().exists()
