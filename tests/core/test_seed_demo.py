"""`seed_demo`: the demo city, idempotent, with a verified docket."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from infogov.core.demo import DEMO_PASSWORD, demo_logins
from infogov.core.workflow.permissions import scope_of
from infogov.org.choices import ADMIN_ROLES, CoSupervision, JurisdictionKind, OrganisationKind, Role
from infogov.org.models import Jurisdiction, Membership, Organisation, User
from infogov.org.selectors import authority_of, city, government_of

pytestmark = pytest.mark.slow  # seeds the whole demo city: the slowest setup of the suite


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


@pytest.fixture
def seeded(db) -> str:
    return seed()


@pytest.mark.article(4, 34)
def test_the_demo_city_is_complete_verified_and_idempotent(seeded, client):
    """One seeding (the slowest setup of the suite) for every property of the demo city; then a second
    run that must change nothing."""
    check_output_lists_the_logins(seeded)
    check_twelve_jurisdictions_each_with_authority_and_government()
    check_city_departments_and_other_organisations()
    check_demo_logins_work_with_their_roles(client)
    check_the_three_administrators_are_staff_not_superusers()
    check_docket_verifies_after_seeding()
    before = counts()
    users = dict(User.objects.values_list("username", "password"))
    seed()
    assert counts() == before, "a second seed_demo changed the data"
    assert dict(User.objects.values_list("username", "password")) == users


def check_twelve_jurisdictions_each_with_authority_and_government() -> None:
    assert Jurisdiction.objects.count() == 12
    root = city()
    assert (root.code, root.name, root.kind) == ("220200", "吉林市", JurisdictionKind.CITY)
    kinds = dict(Jurisdiction.objects.values_list("code", "kind"))
    assert [kinds[c] for c in ("220202", "220203", "220204", "220211")] == [JurisdictionKind.DISTRICT] * 4
    assert kinds["220221"] == JurisdictionKind.COUNTY
    assert [kinds[c] for c in ("220281", "220282", "220283", "220284")] == [JurisdictionKind.COUNTY_CITY] * 4
    assert kinds["220271"] == kinds["220272"] == JurisdictionKind.DEV_ZONE
    for j in Jurisdiction.objects.all():
        assert root.covers(j)
        assert authority_of(j).kind == OrganisationKind.AUTHORITY
        assert government_of(j).kind == OrganisationKind.GOVERNMENT
        for cosup in (CoSupervision.DRC, CoSupervision.FINANCE, CoSupervision.AUDIT):
            assert Organisation.objects.filter(jurisdiction=j, cosupervision=cosup).exists(), (j, cosup)
    assert authority_of(root).name == "吉林市工业和信息化局"
    zone = Jurisdiction.objects.get(code="220271")
    assert government_of(zone).name == "吉林高新技术产业开发区管理委员会"
    assert authority_of(zone).name == "吉林高新技术产业开发区经济发展局"
    sort = list(Jurisdiction.objects.order_by("sort_order").values_list("code", flat=True))
    assert sort[0] == "220200" and sort[-2:] == ["220271", "220272"]


def check_city_departments_and_other_organisations() -> None:
    root = city()
    departments = Organisation.objects.filter(jurisdiction=root, kind=OrganisationKind.DEPARTMENT)
    assert departments.count() >= 20
    assert Organisation.objects.get(name="吉林市自然资源局").cosupervision == CoSupervision.PLANNING
    assert Organisation.objects.get(name="吉林市发展和改革委员会").cosupervision == CoSupervision.DRC
    assert Organisation.objects.filter(kind=OrganisationKind.PUBLIC_SERVICE).count() >= 2
    assert Organisation.objects.filter(kind=OrganisationKind.ENTERPRISE).count() >= 2
    pool = Organisation.objects.get(kind=OrganisationKind.EXPERT_POOL)
    experts = User.objects.filter(memberships__organisation=pool, memberships__role=Role.EXPERT)
    assert experts.count() == 8
    assert all(e.full_name for e in experts)


def check_demo_logins_work_with_their_roles(client) -> None:
    logins = demo_logins()
    assert len({u["username"] for u in logins}) == len(logins)
    for login in logins:
        user = User.objects.get(username=login["username"])
        assert user.check_password(DEMO_PASSWORD)
        assert user.organisation.name == login["organisation"]
        roles = {Role(r).label for r in user.role_set}
        assert roles == {login["role"]}
    assert client.login(username="authority", password=DEMO_PASSWORD)
    authority = User.objects.get(username="authority")
    assert scope_of(authority).is_authority_for(city().pk)
    assert not scope_of(User.objects.get(username="yongji_authority")).is_authority_for(city().pk)


def check_the_three_administrators_are_staff_not_superusers() -> None:
    admins = User.objects.filter(memberships__role__in=ADMIN_ROLES)
    assert sorted(admins.values_list("username", flat=True)) == ["auditadmin", "secadmin", "sysadmin"]
    assert all(u.is_staff and not u.is_superuser for u in admins)
    assert not User.objects.filter(is_superuser=True).exists()
    assert not User.objects.exclude(memberships__role__in=ADMIN_ROLES).filter(is_staff=True).exists()
    for u in admins:  # each holds exactly one role
        assert Membership.objects.filter(user=u).count() == 1


def check_docket_verifies_after_seeding() -> None:
    out = StringIO()
    call_command("docket_verify", stdout=out)
    assert "校验通过" in out.getvalue()
    assert "0 条待封存" in out.getvalue()


def check_output_lists_the_logins(seeded: str) -> None:
    assert "演示账号" in seeded
    assert "auditadmin" in seeded and DEMO_PASSWORD in seeded


@pytest.mark.django_db
def test_logins_option_prints_without_seeding():
    out = StringIO()
    call_command("seed_demo", "--logins", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].split() == ["用户名", "姓名", "单位", "角色", "密码"]
    assert len(lines) == 2 + len(demo_logins())
    assert not Jurisdiction.objects.exists()
