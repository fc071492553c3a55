"""Scopes are cached per process under (user id, scope_key); every change to what a user may see
(第四条) renews the key, so the next request that loads the user row computes the new scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infogov.core.workflow.permissions import forget_scopes, scope_of
from infogov.org.choices import JurisdictionKind, Role
from infogov.org.models import Jurisdiction, Membership, Organisation, User
from tests.conftest import fresh
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    forget_scopes()
    yield
    forget_scopes()


def _queries_for_scope(user: User) -> int:
    with CaptureQueriesContext(connection) as ctx:
        scope_of(user)  # computing it is the point
    return len(ctx.captured_queries)


@pytest.mark.article(4)
def test_a_second_request_of_the_same_user_reuses_the_scope(world):
    first, second = fresh(world.yongji.authority_user), fresh(world.yongji.authority_user)
    assert _queries_for_scope(first) == 2  # memberships, jurisdictions below
    assert _queries_for_scope(second) == 0
    assert scope_of(second) is scope_of(first)
    assert second.role_set == {Role.AUTHORITY_STAFF}


@pytest.mark.article(4)
def test_a_new_membership_reaches_the_next_request(world):
    user = fresh(world.yongji.dept_user)
    assert not scope_of(user).authority_jurisdictions
    Membership.objects.create(
        user=world.yongji.dept_user, organisation=world.jiaohe.authority, role=Role.AUTHORITY_STAFF
    )
    again = fresh(world.yongji.dept_user)  # the next request loads the row with its new key
    assert again.scope_key != user.scope_key
    assert world.jiaohe.jurisdiction.pk in scope_of(again).authority_jurisdictions
    assert again.has_role(Role.AUTHORITY_STAFF)


@pytest.mark.article(4)
def test_a_removed_membership_reaches_the_next_request(world):
    user = fresh(world.yongji.authority_user)
    assert world.yongji.jurisdiction.pk in scope_of(user).authority_jurisdictions
    Membership.objects.filter(user=user).delete()
    assert not scope_of(fresh(world.yongji.authority_user)).authority_jurisdictions


@pytest.mark.article(4)
def test_the_callers_own_user_object_sees_a_membership_it_adds(world):
    user = make_user("newcomer", world.yongji.department, Role.DEPT_STAFF)
    assert scope_of(user).org_ids == {world.yongji.department.pk}
    Membership.objects.create(user=user, organisation=world.jiaohe.department, role=Role.DEPT_STAFF)
    assert scope_of(user).org_ids == {world.yongji.department.pk, world.jiaohe.department.pk}


@pytest.mark.article(4)
def test_a_new_jurisdiction_below_is_seen_by_the_authority_above(world):
    city_authority = fresh(world.city.authority_user)
    before = scope_of(city_authority).authority_jurisdictions
    zone = Jurisdiction.objects.create(
        code="220299",
        name="吉林经济技术开发区",
        kind=JurisdictionKind.DEV_ZONE,
        parent=world.city.jurisdiction,
    )
    after = scope_of(fresh(world.city.authority_user)).authority_jurisdictions
    assert zone.pk not in before and zone.pk in after


@pytest.mark.article(4)
def test_an_organisation_losing_its_cosupervision_role_renews_its_members(world):
    member = fresh(world.yongji.finance_user)
    assert scope_of(member).cosupervised_jurisdictions
    org = Organisation.objects.get(pk=world.yongji.finance.pk)
    org.cosupervision = ""
    org.save()
    assert not scope_of(fresh(world.yongji.finance_user)).cosupervised_jurisdictions
