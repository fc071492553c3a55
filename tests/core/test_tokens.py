"""API tokens: issued once, stored hashed, revocable, expiring; bearer authentication on the API."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from infogov.core.api import tokens as tokens_mod
from infogov.core.api.tokens import token_authenticate, token_create, token_revoke
from infogov.core.errors import InvalidInput, NotFound
from infogov.core.models import ApiToken, AuditEvent
from infogov.core.workflow import engine as workflow
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db


def bearer(plaintext: str, **kwargs: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", **kwargs)


def session(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_token_is_shown_once_and_stored_hashed(world):
    user = world.yongji.dept_user
    token, plaintext = token_create(user=user, name="预算系统对接")
    assert plaintext.startswith(f"ig_{token.prefix}_") and len(plaintext) > 40
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(plaintext.encode()).hexdigest()
    secret = plaintext.rsplit("_", 1)[-1]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(plaintext not in str(v) and secret not in str(v) for v in row.values())
    event = AuditEvent.objects.get(action="api_token_create")
    assert event.actor == user and token.prefix in event.target
    assert plaintext not in json.dumps(event.detail) and secret not in event.target


def test_token_create_checks_its_input(world):
    user = world.yongji.dept_user
    with pytest.raises(InvalidInput):
        token_create(user=user, name="   ")
    with pytest.raises(InvalidInput):
        token_create(user=user, name="x", expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert not ApiToken.objects.exists()


def test_bearer_token_authenticates_as_its_user(world):
    _, plaintext = token_create(user=world.yongji.authority_user, name="监测")
    response = bearer(plaintext).get("/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == "yongji_authority"


@pytest.mark.article(4)
def test_bearer_token_sees_only_what_its_user_may_see(world):
    ours = workflow.create(
        Widget,
        user=world.yongji.dept_user,
        title="永吉",
        jurisdiction=world.yongji.jurisdiction,
        owner=world.yongji.department,
    )
    theirs = workflow.create(
        Widget,
        user=world.jiaohe.dept_user,
        title="蛟河",
        jurisdiction=world.jiaohe.jurisdiction,
        owner=world.jiaohe.department,
    )
    _, plaintext = token_create(user=world.yongji.dept_user, name="对接")
    client = bearer(plaintext)
    assert [i["id"] for i in client.get("/api/widgets/").json()["items"]] == [ours.pk]
    assert client.get(f"/api/widgets/{theirs.pk}").status_code == 404


def test_bearer_writes_need_no_csrf_token(world):
    widget = workflow.create(
        Widget,
        user=world.yongji.dept_user,
        title="永吉",
        jurisdiction=world.yongji.jurisdiction,
        owner=world.yongji.department,
        has_security_plan=True,
    )
    _, plaintext = token_create(user=world.yongji.dept_user, name="对接")
    client = bearer(plaintext, enforce_csrf_checks=True)
    response = client.post(
        f"/api/widgets/{widget.pk}/transitions/submit", data="{}", content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "submitted"
    docket = client.get(f"/api/widgets/{widget.pk}/docket").json()
    assert docket[-1]["actor_name"] == world.yongji.dept_user.display_name


def _assert_401(response: Any) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["code"] == "unauthenticated" and body["message"] and body["article"] is None


def test_revoked_token_is_refused(world):
    user = world.yongji.dept_user
    token, plaintext = token_create(user=user, name="对接")
    assert bearer(plaintext).get("/api/me").status_code == 200
    token_revoke(user=user, token_id=token.pk)
    _assert_401(bearer(plaintext).get("/api/me"))
    assert AuditEvent.objects.filter(action="api_token_revoke", actor=user).count() == 1


def test_expired_token_is_refused(world):
    token, plaintext = token_create(
        user=world.yongji.dept_user, name="临时", expires_at=timezone.now() + dt.timedelta(days=1)
    )
    assert bearer(plaintext).get("/api/me").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _assert_401(bearer(plaintext).get("/api/me"))


def test_wrong_malformed_or_inactive_tokens_are_refused(world):
    user = world.yongji.dept_user
    token, plaintext = token_create(user=user, name="对接")
    wrong_secret = plaintext[:-4] + ("aaaa" if not plaintext.endswith("aaaa") else "bbbb")
    for bad in (
        wrong_secret,
        f"ig_deadbeef_{plaintext.rsplit('_', 1)[-1]}",
        "ig_",
        "nonsense",
        token.digest,
        "",
    ):
        _assert_401(bearer(bad).get("/api/me"))
    # an offered but wrong token does not fall back to the session
    client = session(user)
    _assert_401(client.get("/api/me", HTTP_AUTHORIZATION=f"Bearer {wrong_secret}"))
    user.is_active = False
    user.save()
    _assert_401(bearer(plaintext).get("/api/me"))


def test_last_used_at_is_written_at_most_once_a_minute(world, django_assert_num_queries):
    token, plaintext = token_create(user=world.yongji.dept_user, name="对接")
    assert token.last_used_at is None
    assert token_authenticate(plaintext) is not None
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the lookup only, no write
        assert token_authenticate(plaintext) is not None
    token.refresh_from_db()
    assert token.last_used_at == first
    earlier = timezone.now() - tokens_mod.LAST_USED_RESOLUTION - dt.timedelta(seconds=1)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=earlier)
    with django_assert_num_queries(2):
        assert token_authenticate(plaintext) is not None
    token.refresh_from_db()
    assert token.last_used_at > earlier


def test_revoke_only_own_tokens(world):
    token, _ = token_create(user=world.yongji.dept_user, name="对接")
    with pytest.raises(NotFound):
        token_revoke(user=world.jiaohe.dept_user, token_id=token.pk)
    token.refresh_from_db()
    assert token.revoked_at is None


# -- the token endpoints --------------------------------------------------------------------------


def test_token_endpoints_create_list_revoke(world):
    user = world.yongji.dept_user
    token_create(user=world.jiaohe.dept_user, name="别人的令牌")
    client = session(user)
    response = client.post(
        "/api/tokens", data=json.dumps({"name": "数据共享平台"}), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["token"].startswith(f"ig_{created['prefix']}_") and created["active"] is True
    listed = client.get("/api/tokens").json()
    assert [t["name"] for t in listed] == ["数据共享平台"]
    assert "token" not in listed[0]
    assert bearer(created["token"]).get("/api/me").status_code == 200
    assert client.delete(f"/api/tokens/{created['id']}").status_code == 204
    _assert_401(bearer(created["token"]).get("/api/me"))
    assert client.get("/api/tokens").json()[0]["active"] is False


def test_token_endpoints_do_not_touch_other_users_tokens(world):
    other, plaintext = token_create(user=world.jiaohe.dept_user, name="别人的令牌")
    client = session(world.yongji.dept_user)
    response = client.delete(f"/api/tokens/{other.pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert bearer(plaintext).get("/api/me").status_code == 200


def test_a_token_cannot_create_tokens(world):
    _, plaintext = token_create(user=world.yongji.dept_user, name="对接")
    response = bearer(plaintext).post(
        "/api/tokens", data=json.dumps({"name": "再来一个"}), content_type="application/json"
    )
    assert response.status_code == 403 and response.json()["code"] == "token_via_token"
    assert ApiToken.objects.count() == 1


def test_token_created_with_a_past_expiry_is_422(world):
    past = (timezone.now() - dt.timedelta(days=1)).isoformat()
    response = session(world.yongji.dept_user).post(
        "/api/tokens", data=json.dumps({"name": "过期", "expires_at": past}), content_type="application/json"
    )
    assert response.status_code == 422 and response.json()["code"] == "invalid"


# -- the management command -----------------------------------------------------------------------


def test_command_creates_and_revokes(world):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "api_token", "create", "yongji_dept", "夜间同步", "--expires", "2999-12-31", stdout=out, stderr=err
    )
    plaintext = out.getvalue().strip()
    token = ApiToken.objects.get()
    assert plaintext.startswith(f"ig_{token.prefix}_") and token.name == "夜间同步"
    assert timezone.localtime(token.expires_at).date() == dt.date(3000, 1, 1)
    assert bearer(plaintext).get("/api/me").json()["username"] == "yongji_dept"
    out = io.StringIO()
    call_command("api_token", "revoke", token.prefix, stdout=out)
    assert token.prefix in out.getvalue()
    _assert_401(bearer(plaintext).get("/api/me"))
    assert AuditEvent.objects.filter(action="api_token_revoke", detail__via="command").exists()


def test_command_errors(world):
    with pytest.raises(CommandError):
        call_command("api_token", "create", "nobody", "x", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("api_token", "revoke", "00000000", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command(
            "api_token",
            "create",
            "yongji_dept",
            "x",
            "--expires",
            "tomorrow",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )


# -- the per-process cache of verified tokens ----------------------------------------------------


@pytest.fixture
def token_cache(settings):
    settings.INFOGOV_TOKEN_CACHE_SECONDS = 5
    tokens_mod.forget_tokens()
    yield
    tokens_mod.forget_tokens()


def test_a_cached_token_costs_no_query(world, token_cache, django_assert_num_queries):
    _, plaintext = token_create(user=world.yongji.dept_user, name="对接")
    first = token_authenticate(plaintext)  # verified, cached, last_used_at written
    assert first is not None
    with django_assert_num_queries(0):
        again = token_authenticate(plaintext)
    assert again is not None and again.user.pk == world.yongji.dept_user.pk
    assert again is not first and again.user is not first.user  # requests never share objects


@pytest.mark.article(4)
def test_revoking_takes_effect_at_once_despite_the_cache(world, token_cache):
    user = world.yongji.dept_user
    token, plaintext = token_create(user=user, name="对接")
    assert bearer(plaintext).get("/api/me").status_code == 200
    token_revoke(user=user, token_id=token.pk)
    _assert_401(bearer(plaintext).get("/api/me"))


@pytest.mark.article(4)
def test_deactivating_the_user_takes_effect_at_once_despite_the_cache(world, token_cache):
    user = world.yongji.dept_user
    _, plaintext = token_create(user=user, name="对接")
    assert bearer(plaintext).get("/api/me").status_code == 200
    user.is_active = False
    user.save()
    _assert_401(bearer(plaintext).get("/api/me"))


def test_a_cached_token_that_expires_is_refused(world, token_cache, monkeypatch):
    _, plaintext = token_create(
        user=world.yongji.dept_user, name="临时", expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    assert token_authenticate(plaintext) is not None
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(tokens_mod.timezone, "now", lambda: later)
    assert token_authenticate(plaintext) is None


def test_another_process_sees_a_revocation_when_its_cache_entry_ages(world, token_cache, monkeypatch):
    token, plaintext = token_create(user=world.yongji.dept_user, name="对接")
    assert token_authenticate(plaintext) is not None
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())  # as another process would
    assert token_authenticate(plaintext) is not None  # within INFOGOV_TOKEN_CACHE_SECONDS
    start = tokens_mod.time.monotonic()
    monkeypatch.setattr(tokens_mod.time, "monotonic", lambda: start + 6)
    assert token_authenticate(plaintext) is None
