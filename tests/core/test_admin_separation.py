"""三员分立 in Django admin: the system administrator keeps accounts and the organisation register,
the security administrator grants roles and revokes tokens, the audit administrator reads the audit
trail; nobody else enters. Every change made there lands in the audit trail."""

import pytest
from django.urls import reverse

from infogov.core.models import ApiToken, AuditEvent
from infogov.org.choices import OrganisationKind, Role
from infogov.org.models import Membership, Organisation, User
from tests.conftest import fresh
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.article(34)]


@pytest.fixture
def admins(world):
    for u in (world.sys_admin, world.sec_admin, world.audit_admin):
        u.is_staff = True
        u.save(update_fields=["is_staff"])
    return world


def login(client, user):
    client.force_login(user)
    return client


def admin_url(model: str, view: str = "changelist", *args) -> str:
    return reverse(f"admin:{model}_{view}", args=args)


def app_models(response) -> set[str]:
    return {m["object_name"] for app in response.context["app_list"] for m in app["models"]}


# -- who may enter ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["dept_user", "authority_user", "approver", "finance_user"])
def test_business_users_are_kept_out(world, client, who):
    user = getattr(world.city, who)
    login(client, user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    user.is_staff = True  # even a staff flag does not let a business role in
    user.save(update_fields=["is_staff"])
    assert client.get("/admin/").status_code == 302
    assert client.get(admin_url("org_organisation")).status_code == 302


def test_a_superuser_flag_grants_nothing(world, client):
    root = User.objects.create_superuser("root", password="x-long-password-1")
    login(client, root)
    assert client.get("/admin/").status_code == 302
    assert client.get(admin_url("core_auditevent")).status_code == 302


def test_administrators_need_the_staff_flag(world, client):
    login(client, world.audit_admin)  # the fixture `world` leaves is_staff False
    assert client.get("/admin/").status_code == 302


def test_each_administrator_sees_only_their_models(admins, client):
    assert app_models(login(client, admins.sys_admin).get("/admin/")) == {
        "Jurisdiction",
        "Organisation",
        "User",
        "Membership",
        "DocumentNumberFormat",  # 文号格式: the system administrator configures them (core/docnumbers.py)
    }
    assert app_models(login(client, admins.sec_admin).get("/admin/")) == {
        "Jurisdiction",
        "Organisation",
        "User",
        "Membership",
        "ApiToken",
        "TOTPDevice",  # unbinding a lost phone (accounts/admin.py)
        "DocumentNumberFormat",  # read only: 文号格式 (core/docnumbers.py)
    }
    assert app_models(login(client, admins.audit_admin).get("/admin/")) == {
        "AuditEvent",
        "Membership",
        "ApiToken",
    }


# -- the system administrator --------------------------------------------------------------------


def test_sys_admin_cannot_read_the_audit_trail(admins, client):
    login(client, admins.sys_admin)
    assert client.get(admin_url("core_auditevent")).status_code == 403
    event = AuditEvent.objects.create(action="login", actor_name="x")
    assert client.get(admin_url("core_auditevent", "change", event.pk)).status_code == 403


def test_sys_admin_adds_an_organisation_and_it_is_audited(admins, client):
    login(client, admins.sys_admin)
    assert client.get(admin_url("org_organisation", "add")).status_code == 200
    response = client.post(
        admin_url("org_organisation", "add"),
        {
            "name": "永吉县教育局",
            "short_name": "",
            "kind": OrganisationKind.DEPARTMENT,
            "cosupervision": "",
            "jurisdiction": admins.yongji.jurisdiction.pk,
            "credit_code": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    org = Organisation.objects.get(name="永吉县教育局")
    event = AuditEvent.objects.get(action="admin_add")
    assert event.actor == admins.sys_admin
    assert "永吉县教育局" in event.target
    assert event.detail["model"] == "org.Organisation" and event.detail["object_id"] == org.pk
    assert "name" in event.detail["fields"]


def test_sys_admin_cannot_grant_roles(admins, client):
    login(client, admins.sys_admin)
    assert client.get(admin_url("org_membership")).status_code == 200  # may see them
    assert client.get(admin_url("org_membership", "add")).status_code == 403
    m = Membership.objects.get(user=admins.city.dept_user)
    response = client.post(
        admin_url("org_membership", "change", m.pk),
        {
            "user": admins.city.dept_user.pk,
            "organisation": admins.city.authority.pk,
            "role": Role.AUTHORITY_LEADER,
        },
    )
    assert response.status_code == 403
    assert client.post(admin_url("org_membership", "delete", m.pk), {"post": "yes"}).status_code == 403
    assert fresh(admins.city.dept_user).role_set == {Role.DEPT_STAFF}


def test_sys_admin_creates_an_account_without_roles(admins, client):
    login(client, admins.sys_admin)
    response = client.post(
        admin_url("org_user", "add"),
        {
            "username": "newcomer",
            "full_name": "新同事",
            "organisation": admins.city.department.pk,
            "usable_password": "true",
            "password1": "A-long-pass-2024",
            "password2": "A-long-pass-2024",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="newcomer")
    assert user.check_password("A-long-pass-2024") and user.role_set == frozenset()
    assert AuditEvent.objects.filter(action="admin_add", detail__model="org.User").exists()
    assert "A-long-pass-2024" not in str(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_sys_admin_resets_a_password_and_deactivates_an_account(admins, client):
    login(client, admins.sys_admin)
    target = admins.city.dept_user
    response = client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {"password1": "Reset-pass-2024!", "password2": "Reset-pass-2024!"},
    )
    assert response.status_code == 302
    assert fresh(target).check_password("Reset-pass-2024!")
    response = client.post(admin_url("org_user"), {"action": "deactivate", "_selected_action": [target.pk]})
    assert response.status_code == 302
    assert not fresh(target).is_active
    operations = set(
        AuditEvent.objects.filter(action="admin_change").values_list("detail__operation", flat=True)
    )
    assert operations == {"reset_password", "deactivate"}


def test_sys_admin_cannot_delete_accounts(admins, client):
    login(client, admins.sys_admin)
    target = admins.city.dept_user
    assert client.post(admin_url("org_user", "delete", target.pk), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


def test_user_page_shows_roles_read_only(admins, client):
    login(client, admins.sys_admin)
    response = client.get(admin_url("org_user", "change", admins.city.dept_user.pk))
    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert (
        not inline.has_add_permission
        and not inline.has_change_permission
        and not inline.has_delete_permission
    )
    assert "is_superuser" not in response.context["adminform"].form.fields


# -- the security administrator ------------------------------------------------------------------


def test_sec_admin_grants_a_role_and_it_is_audited(admins, client):
    login(client, admins.sec_admin)
    assert client.get(admin_url("org_membership", "add")).status_code == 200
    response = client.post(
        admin_url("org_membership", "add"),
        {
            "user": admins.city.dept_user.pk,
            "organisation": admins.city.authority.pk,
            "role": Role.AUTHORITY_STAFF,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert fresh(admins.city.dept_user).role_set == {Role.DEPT_STAFF, Role.AUTHORITY_STAFF}
    event = AuditEvent.objects.get(action="admin_add")
    assert event.actor == admins.sec_admin and event.detail["model"] == "org.Membership"
    assert event.detail["changes"]["role"] == Role.AUTHORITY_STAFF


def test_sec_admin_cannot_read_the_audit_trail_or_edit_accounts(admins, client):
    login(client, admins.sec_admin)
    assert client.get(admin_url("core_auditevent")).status_code == 403
    assert client.get(admin_url("org_organisation", "add")).status_code == 403
    assert client.get(admin_url("org_user", "add")).status_code == 403
    assert (
        client.get(admin_url("org_user", "change", admins.city.dept_user.pk)).status_code == 200
    )  # view only
    response = client.post(
        reverse("admin:auth_user_password_change", args=[admins.city.dept_user.pk]),
        {"password1": "Reset-pass-2024!", "password2": "Reset-pass-2024!"},
    )
    assert response.status_code == 403


def test_administrative_roles_stay_apart(admins, client):
    login(client, admins.sec_admin)
    response = client.post(
        admin_url("org_membership", "add"),
        {"user": admins.sec_admin.pk, "organisation": admins.city.authority.pk, "role": Role.AUDIT_ADMIN},
    )
    assert response.status_code == 200 and "不能给自己" in response.content.decode()
    response = client.post(
        admin_url("org_membership", "add"),
        {
            "user": admins.sys_admin.pk,
            "organisation": admins.sys_admin.organisation.pk,
            "role": Role.AUDIT_ADMIN,
        },
    )
    assert response.status_code == 200 and "须单独持有" in response.content.decode()
    response = client.post(
        admin_url("org_membership", "add"),
        {
            "user": admins.audit_admin.pk,
            "organisation": admins.city.authority.pk,
            "role": Role.AUTHORITY_STAFF,
        },
    )
    assert response.status_code == 200 and "不能再授予业务角色" in response.content.decode()
    assert not AuditEvent.objects.filter(action="admin_add").exists()


def test_sec_admin_revokes_api_tokens(admins, client):
    token = ApiToken.objects.create(
        user=admins.city.dept_user, name="数据交换", prefix="abc123", digest="0" * 64
    )
    login(client, admins.sec_admin)
    response = client.post(admin_url("core_apitoken"), {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="admin_change")
    assert event.detail["operation"] == "revoke" and event.actor == admins.sec_admin
    assert client.get(admin_url("core_apitoken", "add")).status_code == 403
    login(client, admins.sys_admin)
    assert client.get(admin_url("core_apitoken")).status_code == 403


# -- the audit administrator ---------------------------------------------------------------------


def test_audit_admin_reads_the_audit_trail(admins, client):
    login(client, admins.sys_admin)
    client.post(admin_url("org_user"), {"action": "deactivate", "_selected_action": [admins.city.leader.pk]})
    login(client, admins.audit_admin)
    response = client.get(admin_url("core_auditevent"))
    assert response.status_code == 200
    assert "admin_change" in response.content.decode()
    event = AuditEvent.objects.filter(action="admin_change").first()
    assert client.get(admin_url("core_auditevent", "change", event.pk)).status_code == 200
    assert client.post(admin_url("core_auditevent", "change", event.pk), {"action": "x"}).status_code == 403
    assert client.post(admin_url("core_auditevent", "delete", event.pk), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize(
    "model",
    [
        "org_jurisdiction",
        "org_organisation",
        "org_user",
        "org_membership",
        "core_apitoken",
        "core_auditevent",
    ],
)
def test_audit_admin_changes_nothing(admins, client, model):
    login(client, admins.audit_admin)
    assert client.get(admin_url(model, "add")).status_code == 403
    objects = {
        "org_jurisdiction": admins.city.jurisdiction,
        "org_organisation": admins.city.department,
        "org_user": admins.city.dept_user,
        "org_membership": Membership.objects.first(),
        "core_apitoken": ApiToken.objects.create(
            user=admins.city.dept_user, name="t", prefix="p1", digest="0" * 64
        ),
        "core_auditevent": AuditEvent.objects.create(action="login"),
    }
    pk = objects[model].pk
    assert client.post(admin_url(model, "change", pk), {}).status_code == 403
    assert client.post(admin_url(model, "delete", pk), {"post": "yes"}).status_code == 403


def test_audit_admin_cannot_revoke_tokens(admins, client):
    token = ApiToken.objects.create(user=admins.city.dept_user, name="t", prefix="p2", digest="0" * 64)
    login(client, admins.audit_admin)
    response = client.post(admin_url("core_apitoken"), {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code in (200, 302)
    token.refresh_from_db()
    assert token.revoked_at is None


def test_admin_deletion_is_audited(admins, client):
    member = make_user("temp", admins.city.department, Role.DEPT_STAFF)
    m = Membership.objects.get(user=member)
    login(client, admins.sec_admin)
    response = client.post(admin_url("org_membership", "delete", m.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=m.pk).exists()
    event = AuditEvent.objects.get(action="admin_delete")
    assert event.actor == admins.sec_admin and event.detail["object_id"] == m.pk


def test_sys_admin_edits_an_account_and_the_change_is_audited(admins, client):
    login(client, admins.sys_admin)
    target = admins.city.dept_user
    url = admin_url("org_user", "change", target.pk)
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if k in form.fields and v is not None and k != "password"}
    data.update(
        {
            "organisation": target.organisation_id,
            "full_name": "改名后",
            "is_active": "on",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        }
    )
    data.pop("is_staff", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert fresh(target).full_name == "改名后"
    assert fresh(target).role_set == {Role.DEPT_STAFF}
    event = AuditEvent.objects.get(action="admin_change")
    assert event.detail["changes"] == {"full_name": [target.full_name, "改名后"]}


def test_sec_admin_finds_accounts_and_organisations_to_grant(admins, client):
    login(client, admins.sec_admin)
    for field, term in (("user", admins.city.dept_user.username), ("organisation", "永吉县")):
        response = client.get(
            "/admin/autocomplete/",
            {"app_label": "org", "model_name": "membership", "field_name": field, "term": term},
        )
        assert response.status_code == 200
        assert response.json()["results"]


@pytest.mark.parametrize("who", ["sys_admin", "sec_admin", "audit_admin"])
def test_every_admin_page_answers_without_error(admins, client, who):
    login(client, getattr(admins, who))
    AuditEvent.objects.create(action="login", actor=admins.city.dept_user)
    ApiToken.objects.create(user=admins.city.dept_user, name="t", prefix="p3", digest="0" * 64)
    for model, obj in (
        ("org_jurisdiction", admins.city.jurisdiction),
        ("org_organisation", admins.city.department),
        ("org_user", admins.city.dept_user),
        ("org_membership", Membership.objects.first()),
        ("core_apitoken", ApiToken.objects.first()),
        ("core_auditevent", AuditEvent.objects.first()),
    ):
        for url in (admin_url(model), admin_url(model, "add"), admin_url(model, "change", obj.pk)):
            assert client.get(url).status_code in (200, 403), url
