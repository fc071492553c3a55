"""身份鉴别 (GB/T 22239-2019 level 3): password policy and history, lockout, idle timeout, TOTP,
forced password change."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from infogov.accounts.middleware import LAST_SEEN
from infogov.accounts.models import AccountSecurity, PasswordHistory
from infogov.core.models import AuditEvent
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-123"  # tests/factories.py


def codes(exc: ValidationError) -> set[str]:
    return {e.code for e in exc.error_list}


# -- password policy ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Ab1!xyz", "password_too_short"),
        ("abcdefghijkz", "password_too_simple"),  # one class
        ("abcdefgh1234", "password_too_simple"),  # two classes
        ("Password1234", "password_too_common"),
        ("1234567890123", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused_in_chinese(world, password, code):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        validate_password(password, world.city.dept_user)
    assert code in codes(exc.value)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in " ".join(exc.value.messages))


def test_a_password_like_the_username_is_refused(world):
    user = world.city.dept_user  # username city_dept
    with pytest.raises(ValidationError) as exc:
        validate_password("City_Dept!9", user)
    assert "password_too_similar" in codes(exc.value)


def test_a_strong_password_passes(world):
    validate_password("Qz7#mwe-Lp2v", world.city.dept_user)


def test_the_last_five_passwords_cannot_be_reused(world):
    user = world.city.dept_user
    passwords = [f"Strong-{i}-Pw#x{i}Q" for i in range(6)]
    for pw in passwords:
        validate_password(pw, user)
        user.set_password(pw)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for pw in passwords[1:]:  # the last five, including the current one
        with pytest.raises(ValidationError) as exc:
            validate_password(pw, user)
        assert codes(exc.value) == {"password_reused"}
        assert "最近5次" in exc.value.messages[0]
    validate_password(passwords[0], user)  # the sixth-last is allowed again


def test_the_current_password_of_a_user_without_history_cannot_be_reused(world):
    with pytest.raises(ValidationError) as exc:
        validate_password(PASSWORD, world.city.dept_user)
    assert "password_reused" in codes(exc.value)


def test_password_change_page_refuses_reuse_and_accepts_a_new_one(world, client):
    user = world.city.dept_user
    client.force_login(user)
    response = client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 422
    assert "最近5次" in response.content.decode()
    new = "Qz7#mwe-Lp2v"
    response = client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    assert AccountSecurity.objects.get(user=user).must_change_password is False
    assert AuditEvent.objects.filter(action="password_change", actor=user).exists()
    assert client.get("/").status_code == 200  # still signed in (session hash updated)


# -- lockout (django-axes) -------------------------------------------------------------------------------


def _fail(client, username, password="wrong-Password-1"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_five_failures_lock_the_account_for_fifteen_minutes(world, client):
    user = world.city.dept_user
    for _ in range(4):
        response = _fail(client, user.username)
        assert response.status_code == 200  # the form again, with its error
    response = _fail(client, user.username)
    assert response.status_code == 429
    text = response.content.decode()
    assert "账号因连续5次登录失败已锁定15分钟，请稍后再试或联系系统管理员" in text
    # now even the right password is refused, from any client
    other = client.__class__()
    response = other.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in other.session
    event = AuditEvent.objects.filter(action="account_locked").first()
    assert event is not None and event.target == user.username == event.actor_name
    assert AuditEvent.objects.filter(action="login_failed").count() >= 5


def test_four_failures_do_not_lock_and_success_resets(world, client):
    user = world.city.dept_user
    for _ in range(4):
        _fail(client, user.username)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(action="account_locked").exists()


def test_the_lockout_ends_after_the_cool_off(world, client):
    from axes.models import AccessAttempt

    user = world.city.dept_user
    for _ in range(5):
        _fail(client, user.username)
    assert _fail(client, user.username, PASSWORD).status_code == 429
    past = AccessAttempt.objects.get(username=user.username)
    AccessAttempt.objects.filter(pk=past.pk).update(
        attempt_time=past.attempt_time - __import__("datetime").timedelta(minutes=16),
    )
    from axes.models import AccessAttemptExpiration

    AccessAttemptExpiration.objects.all().delete()
    fresh_client = client.__class__()
    response = fresh_client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


# -- idle timeout ----------------------------------------------------------------------------------------


def _age_session(client, seconds):
    session = client.session
    session[LAST_SEEN] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_signed_out(world, client):
    client.force_login(world.city.dept_user)
    assert client.get("/").status_code == 200
    _age_session(client, 31 * 60)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="session_timeout", actor=world.city.dept_user).exists()
    follow = client.get(response["Location"])
    assert "分钟未操作" in follow.content.decode()


def test_activity_within_the_limit_keeps_the_session(world, client):
    client.force_login(world.city.dept_user)
    client.get("/")
    _age_session(client, 29 * 60)
    assert client.get("/").status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - 5  # the clock restarted


@override_settings(INFOGOV_SESSION_IDLE_MINUTES=5)
def test_the_idle_limit_comes_from_the_setting(world, client):
    client.force_login(world.city.dept_user)
    client.get("/")
    _age_session(client, 6 * 60)
    assert client.get("/").status_code == 302


# -- TOTP second factor ----------------------------------------------------------------------------------


def _token(device: TOTPDevice, offset: int = 0) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift + offset):06d}"


@pytest.mark.parametrize("who", ["leader", "approver"])
@override_settings(INFOGOV_REQUIRE_2FA=True)
def test_deciders_must_enrol_before_any_page(world, client, who):
    user = getattr(world.city, who)
    client.force_login(user)
    response = client.get("/projects/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/security/otp/setup/")
    assert client.get("/api/projects").status_code == 403


@pytest.mark.parametrize("who", ["sys_admin", "sec_admin", "audit_admin"])
@override_settings(INFOGOV_REQUIRE_2FA=True)
def test_administrators_must_enrol(world, client, who):
    client.force_login(getattr(world, who))
    response = client.get("/")
    assert response["Location"].startswith("/accounts/security/otp/setup/")


@override_settings(INFOGOV_REQUIRE_2FA=True)
def test_others_are_not_forced(world, client):
    client.force_login(world.city.dept_user)
    assert client.get("/").status_code == 200


@override_settings(INFOGOV_REQUIRE_2FA=False)
def test_without_the_setting_nobody_is_forced(world, client):
    client.force_login(world.city.leader)
    assert client.get("/").status_code == 200


@override_settings(INFOGOV_REQUIRE_2FA=True)
def test_enrolment_with_a_wrong_then_a_right_code(world, client):
    user = world.city.leader
    client.force_login(user)
    page = client.get("/accounts/security/otp/setup/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = f"{(int(_token(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/security/otp/setup/", {"token": wrong})
    assert response.status_code == 422 and "动态验证码不正确" in response.content.decode()
    assert client.get("/").status_code == 302
    response = client.post("/accounts/security/otp/setup/", {"token": "abcdef"})
    assert response.status_code == 422 and "6位数字" in response.content.decode()
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    response = client.post("/accounts/security/otp/setup/", {"token": _token(device)})
    assert response.status_code == 302
    assert TOTPDevice.objects.get(user=user).confirmed
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="otp_enrol", actor=user).exists()
    assert AuditEvent.objects.filter(action="otp_failed", actor=user).exists()


@override_settings(INFOGOV_REQUIRE_2FA=True)
def test_an_enrolled_user_is_asked_for_a_code_at_each_sign_in(world, client):
    user = world.city.approver
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    response = client.get("/")
    assert response["Location"].startswith("/accounts/security/otp/verify/")
    wrong = f"{(int(_token(device)) + 1) % 1_000_000:06d}"
    response = client.post("/accounts/security/otp/verify/?next=/", {"token": wrong})
    assert response.status_code == 422
    assert client.get("/").status_code == 302
    device.refresh_from_db()
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    response = client.post("/accounts/security/otp/verify/?next=/projects/", {"token": _token(device)})
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert client.get("/").status_code == 200


def test_an_optional_user_may_enrol_and_is_then_asked_too(world, client):
    user = world.city.dept_user
    client.force_login(user)
    assert "未启用" in client.get("/accounts/security/").content.decode()
    client.get("/accounts/security/otp/setup/")
    device = TOTPDevice.objects.get(user=user)
    assert client.post("/accounts/security/otp/setup/", {"token": _token(device)}).status_code == 302
    assert "已启用" in client.get("/accounts/security/").content.decode()
    client.logout()
    client.force_login(user)
    assert client.get("/")["Location"].startswith("/accounts/security/otp/verify/")


def test_an_optional_user_may_remove_the_device_but_a_required_one_may_not(world, client):
    user = world.city.dept_user
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    client.force_login(user)
    client.post("/accounts/security/otp/verify/", {"token": _token(device)})
    assert client.post("/accounts/security/otp/remove/").status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
    with override_settings(INFOGOV_REQUIRE_2FA=True):
        leader = world.city.leader
        device = TOTPDevice.objects.create(user=leader, name="t", confirmed=True)
        other = client.__class__()
        other.force_login(leader)
        other.post("/accounts/security/otp/verify/", {"token": _token(device)})
        other.post("/accounts/security/otp/remove/")
        assert TOTPDevice.objects.filter(user=leader).exists()


# -- forced password change ------------------------------------------------------------------------------


@override_settings(INFOGOV_FORCE_PASSWORD_CHANGE=True)
def test_first_sign_in_must_change_the_password(world, client):
    user = world.city.dept_user
    client.force_login(user)
    response = client.get("/projects/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/security/password/")
    assert client.get("/accounts/security/password/").status_code == 200
    new = "Qz7#mwe-Lp2v"
    client.post(
        "/accounts/security/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert client.get("/projects/").status_code == 200


@override_settings(INFOGOV_FORCE_PASSWORD_CHANGE=True)
def test_a_password_set_by_an_administrator_must_be_changed_again(world, client):
    user = world.city.dept_user
    AccountSecurity.objects.create(user=user, must_change_password=False)
    client.force_login(user)
    assert client.get("/").status_code == 200
    user.set_password("Admin-Set-Pw#7")
    user.save()
    client.force_login(user)
    assert client.get("/")["Location"].startswith("/accounts/security/password/")


@override_settings(INFOGOV_FORCE_PASSWORD_CHANGE=False)
def test_without_the_setting_no_change_is_forced(world, client):
    client.force_login(world.city.dept_user)
    assert client.get("/").status_code == 200


def test_a_new_account_created_here_may_still_sign_in(world, client):
    user = make_user("newcomer", world.city.department, "dept_staff")
    assert (
        client.post("/accounts/login/", {"username": user.username, "password": PASSWORD}).status_code == 302
    )


def test_a_device_removed_during_a_session_does_not_loop(world, client):
    user = world.city.dept_user
    device = TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    client.force_login(user)
    assert client.get("/")["Location"].startswith("/accounts/security/otp/verify/")
    device.delete()
    response = client.get("/accounts/security/otp/verify/?next=/projects/")
    assert response["Location"] == "/projects/"
    assert client.get("/projects/").status_code == 200


@override_settings(INFOGOV_REQUIRE_2FA=True)
def test_a_device_bound_in_another_session_is_verified_not_bound_again(world, client):
    user = world.city.leader
    client.force_login(user)
    assert client.get("/")["Location"].startswith("/accounts/security/otp/setup/")
    TOTPDevice.objects.create(user=user, name="t", confirmed=True)
    response = client.get("/accounts/security/otp/setup/")
    assert response["Location"].startswith("/accounts/security/otp/verify/")
    assert client.get(response["Location"]).status_code == 200


@override_settings(INFOGOV_REQUIRE_2FA=True)
def test_the_session_api_refuses_an_unverified_decider_with_json(world, client):
    client.force_login(world.city.leader)
    response = client.get("/api/projects")
    assert response.status_code == 403 and response.json()["code"] == "otp_required"


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


def test_the_security_administrator_unbinds_a_lost_phone_and_it_is_audited(world, client):
    from django.urls import reverse

    device = TOTPDevice.objects.create(user=world.city.leader, name="t", confirmed=True)
    client.force_login(_staff(world.sec_admin))
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
    response = client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="admin_delete", detail__model="otp_totp.TOTPDevice").exists()


@pytest.mark.parametrize("who", ["sys_admin", "audit_admin"])
def test_other_administrators_cannot_touch_devices(world, client, who):
    from django.urls import reverse

    device = TOTPDevice.objects.create(user=world.city.leader, name="t", confirmed=True)
    client.force_login(_staff(getattr(world, who)))
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403
    client.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
