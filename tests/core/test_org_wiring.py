"""What core hooks onto the organisation register (core/org_signals.py), now that org imports
nothing of ours: User.role_set read from core's cached Scope, scope keys renewed, tokens forgotten."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.test.utils import CaptureQueriesContext

from infogov.core import org_signals
from infogov.core.workflow.permissions import forget_scopes, scope_of
from infogov.org import models as org_models
from infogov.org.choices import Role
from infogov.org.models import Membership, User, use_roles_reader
from tests.conftest import fresh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    forget_scopes()
    yield
    forget_scopes()


def test_core_reads_roles_from_its_cached_scope(world):
    assert org_models._roles_reader is org_signals.roles_from_scope
    scope_of(fresh(world.yongji.authority_user))  # the first request of the user computes the scope
    user = fresh(world.yongji.authority_user)
    with CaptureQueriesContext(connection) as ctx:
        roles = user.role_set
    assert roles == {Role.AUTHORITY_STAFF}
    assert len(ctx.captured_queries) == 0


def test_org_alone_reads_roles_from_the_memberships(world):
    try:
        use_roles_reader(None)
        user = fresh(world.yongji.authority_user)
        with CaptureQueriesContext(connection) as ctx:
            assert user.role_set == {Role.AUTHORITY_STAFF}
        assert len(ctx.captured_queries) == 1
        user.is_active = False
        user.__dict__.pop("role_set")
        assert user.role_set == frozenset()  # as core's scope: an inactive account holds no role
    finally:
        org_signals.connect()
    assert org_models._roles_reader is org_signals.roles_from_scope


def test_connecting_twice_connects_each_receiver_once(world):
    org_signals.connect()
    org_signals.connect()
    for signal in (post_save, post_delete):
        receivers = [r for r in signal._live_receivers(Membership)[0] if r is org_signals._membership_changed]
        assert len(receivers) == 1


def test_the_callers_own_user_sees_a_new_role_at_once(world):
    user = fresh(world.yongji.dept_user)
    assert not user.has_role(Role.EXPERT)
    before = scope_of(user)
    Membership.objects.create(user=user, organisation=world.yongji.department, role=Role.EXPERT)
    assert user.has_role(Role.EXPERT)
    assert scope_of(user) is not before and scope_of(user).is_expert


def test_a_scope_is_kept_on_the_user_object_until_its_key_changes(world):
    user = fresh(world.yongji.authority_user)
    first = scope_of(user)
    forget_scopes()  # the process cache emptied: the user object keeps its own
    assert scope_of(user) is first
    User.objects.filter(pk=user.pk).update(scope_key="0" * 16)
    user.refresh_from_db(fields=["scope_key"])
    assert scope_of(user) is not first
