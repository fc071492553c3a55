"""第四条 at the selector and object level: restrict() and Scope.can_view() tell the same story.

Expected sets are written out from the rules of 第四条, not computed with the code under test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType

from infogov.core.models import CaseAssignment
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.permissions import Scope, restrict, scope_of
from infogov.org.choices import Role
from infogov.org.models import Jurisdiction, Organisation
from tests.conftest import fresh
from tests.factories import make_user
from tests.testapp.models import Widget

pytestmark = [pytest.mark.django_db, pytest.mark.article(4)]

LANDS = ("city", "yongji", "jiaohe")


@pytest.fixture
def cases(world):
    """Per land: a co-supervised case (budget > 0) and one without budget, both owned by the land's
    department; plus one case owned by the land's authority itself."""
    out = {}
    for name in LANDS:
        land = getattr(world, name)
        for tag, owner, budget in (
            ("cosup", land.department, "250000"),
            ("free", land.department, "0"),
            ("auth", land.authority, "0"),
        ):
            user = land.dept_user if owner == land.department else land.authority_user
            out[f"{name}-{tag}"] = workflow.create(
                Widget,
                user=user,
                title=f"{name}-{tag}",
                jurisdiction=land.jurisdiction,
                owner=owner,
                budget=Decimal(budget),
                has_security_plan=True,
            )
    # the expert is assigned to one jiaohe case, and to another model's record with the id of a yongji case
    ct = ContentType.objects.get_for_model(Widget)
    CaseAssignment.objects.create(
        case_type=ct, case_id=out["jiaohe-free"].pk, jurisdiction=world.jiaohe.jurisdiction, user=world.expert
    )
    CaseAssignment.objects.create(
        case_type=ContentType.objects.get_for_model(Organisation),
        case_id=out["yongji-cosup"].pk,
        jurisdiction=world.yongji.jurisdiction,
        user=world.expert,
    )
    # someone else's assignment does not show the case to this expert
    other_expert = make_user("expert2", world.expert_pool, Role.EXPERT)
    CaseAssignment.objects.create(
        case_type=ct, case_id=out["city-free"].pk, jurisdiction=world.city.jurisdiction, user=other_expert
    )
    return out


def land_cases(name):
    return {f"{name}-cosup", f"{name}-free", f"{name}-auth"}


ALL = {f"{n}-{t}" for n in LANDS for t in ("cosup", "free", "auth")}


def expected(world) -> dict[str, set[str]]:
    return {
        # the city authority supervises the whole city (第四条第一款)
        "city_authority": ALL,
        "city_leader": ALL,
        # the city government approves for the city and sees what it approves
        "city_approver": ALL,
        # a department works on its own organisation's cases only
        "city_dept": {"city-cosup", "city-free"},
        # co-supervisors (第四条第三款): the co-supervised cases of their jurisdiction and below
        "city_finance": {"city-cosup", "yongji-cosup", "jiaohe-cosup"},
        # a county authority: its own county only (第四条第二款)
        "yongji_authority": land_cases("yongji"),
        "yongji_leader": land_cases("yongji"),
        "yongji_approver": land_cases("yongji"),
        "yongji_dept": {"yongji-cosup", "yongji-free"},
        "yongji_finance": {"yongji-cosup"},
        "jiaohe_authority": land_cases("jiaohe"),
        "jiaohe_leader": land_cases("jiaohe"),
        "jiaohe_approver": land_cases("jiaohe"),
        "jiaohe_dept": {"jiaohe-cosup", "jiaohe-free"},
        "jiaohe_finance": {"jiaohe-cosup"},
        # experts: what they are assigned to, of this case type
        "expert": {"jiaohe-free"},
        # the three administrators: no case data at all
        "sysadmin": set(),
        "secadmin": set(),
        "auditadmin": set(),
    }


def all_users(world):
    users = [world.expert, world.sys_admin, world.sec_admin, world.audit_admin]
    for name in LANDS:
        land = getattr(world, name)
        users += [land.authority_user, land.leader, land.approver, land.dept_user, land.finance_user]
    return [fresh(u) for u in users]


def test_restrict_matrix(world, cases):
    exp = expected(world)
    users = all_users(world)
    assert {u.username for u in users} == set(exp)
    by_pk = {w.pk: key for key, w in cases.items()}
    for user in users:
        seen = {by_pk[pk] for pk in restrict(Widget.objects.all(), user).values_list("pk", flat=True)}
        assert seen == exp[user.username], user.username


def test_can_view_agrees_with_restrict_for_every_pair(world, cases):
    users = all_users(world)
    for user in users:
        visible = set(restrict(Widget.objects.all(), user).values_list("pk", flat=True))
        scope = scope_of(user)
        for key, case in cases.items():
            case = Widget.objects.get(pk=case.pk)
            assert scope.can_view(case) is (case.pk in visible), (user.username, key)
            assert user.has_perm("testapp.view_widget", case) is (case.pk in visible), (user.username, key)


def test_yongji_users_never_see_jiaohe_cases(world, cases):
    jiaohe = {cases[k].pk for k in land_cases("jiaohe")}
    for land in (world.yongji, world.jiaohe):
        other = {cases[k].pk for k in land_cases("jiaohe" if land is world.yongji else "yongji")}
        for user in (land.authority_user, land.leader, land.approver, land.dept_user, land.finance_user):
            visible = set(restrict(Widget.objects.all(), fresh(user)).values_list("pk", flat=True))
            assert not visible & other, user.username
    assert jiaohe <= set(
        restrict(Widget.objects.all(), fresh(world.city.authority_user)).values_list("pk", flat=True)
    )


def test_restrict_composes_with_other_filters_and_anonymous_sees_nothing(world, cases):
    qs = restrict(Widget.objects.filter(budget__gt=0), fresh(world.yongji.authority_user))
    assert set(qs.values_list("title", flat=True)) == {"yongji-cosup"}
    assert restrict(Widget.objects.all(), AnonymousUser()).count() == 0
    assert not scope_of(AnonymousUser()).can_view(cases["city-free"])
    assert Scope.anonymous().case_q(Widget) is not None


def test_an_inactive_user_sees_nothing(world, cases):
    world.city.authority_user.is_active = False
    world.city.authority_user.save()
    assert restrict(Widget.objects.all(), fresh(world.city.authority_user)).count() == 0


def test_a_user_with_two_memberships_sees_the_union(world, cases):
    from infogov.org.models import Membership

    Membership.objects.create(
        user=world.yongji.dept_user, organisation=world.jiaohe.finance, role=Role.CO_SUPERVISOR
    )
    seen = set(restrict(Widget.objects.all(), fresh(world.yongji.dept_user)).values_list("title", flat=True))
    assert seen == {"yongji-cosup", "yongji-free", "jiaohe-cosup"}


def test_jurisdiction_below_a_county_is_covered_by_its_authority_not_by_a_sibling(world, cases):
    zone = Jurisdiction.objects.create(
        code="220221-01", name="永吉经济开发区", kind="dev_zone", parent=world.yongji.jurisdiction
    )
    dept = Organisation.objects.create(name="永吉经开区管委会办公室", kind="department", jurisdiction=zone)
    w = workflow.create(
        Widget,
        user=make_user("zone_dept", dept),
        title="zone",
        jurisdiction=zone,
        owner=dept,
        budget=Decimal("1"),
    )
    visible = {
        u: w.pk in set(restrict(Widget.objects.all(), fresh(u)).values_list("pk", flat=True))
        for u in (
            world.yongji.authority_user,
            world.city.authority_user,
            world.jiaohe.authority_user,
            world.yongji.finance_user,
            world.yongji.dept_user,
        )
    }
    assert visible == {
        world.yongji.authority_user: True,
        world.city.authority_user: True,
        world.jiaohe.authority_user: False,
        world.yongji.finance_user: True,
        world.yongji.dept_user: False,
    }


def test_can_change_owner_side_or_competent_authority(world, cases):
    w = cases["yongji-free"]
    # the owner side and the authority of the case's own level (本级); the city authority above reads and
    # supervises but does not edit a county's case (第四条第二款)
    changers = {
        world.yongji.dept_user,
        world.yongji.authority_user,
        world.yongji.leader,
    }
    for user in all_users(world):
        expected_change = any(user.pk == c.pk for c in changers)
        assert scope_of(user).can_change(w) is expected_change, user.username
        assert user.has_perm("testapp.change_widget", w) is expected_change, user.username


def test_scope_facts(world):
    city = scope_of(fresh(world.city.authority_user))
    assert city.authority_jurisdictions == {
        world.city.jurisdiction.pk,
        world.yongji.jurisdiction.pk,
        world.jiaohe.jurisdiction.pk,
        world.chuanying.jurisdiction.pk,
        world.gaoxin.jurisdiction.pk,
    }
    assert city.own_authority_jurisdictions == {world.city.jurisdiction.pk}
    county = scope_of(fresh(world.yongji.authority_user))
    assert county.authority_jurisdictions == {world.yongji.jurisdiction.pk}
    assert county.is_authority_for(world.yongji.jurisdiction.pk)
    assert not county.is_authority_for(world.city.jurisdiction.pk)
    approver = scope_of(fresh(world.jiaohe.approver))
    assert approver.government_jurisdictions == {world.jiaohe.jurisdiction.pk}
    assert approver.authority_jurisdictions == frozenset()
    assert scope_of(fresh(world.yongji.finance_user)).cosupervised_jurisdictions == {
        world.yongji.jurisdiction.pk
    }
    assert scope_of(fresh(world.expert)).is_expert
    for admin in (world.sys_admin, world.sec_admin, world.audit_admin):
        s = scope_of(fresh(admin))
        assert s.org_ids == frozenset() and not s.authority_jurisdictions and not s.is_expert


def test_the_audit_log_permission_belongs_to_the_audit_admin_only(world):
    for user in all_users(world):
        assert user.has_perm("core.view_auditevent") is (user.username == "auditadmin"), user.username
