"""The UI shell: sign-in, 我的待办, the regulation page, API tokens, the audit log (三员分立)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from infogov.core.models import ApiToken, AuditEvent, Obligation
from infogov.core.signals import audit
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.obligations import obligation_open
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db


def make_widget(land, title="测试事项", **fields):
    fields.setdefault("has_security_plan", True)
    return workflow.create(
        Widget,
        user=land.dept_user,
        title=title,
        jurisdiction=land.jurisdiction,
        owner=land.department,
        **fields,
    )


def submitted_widget(land, title="测试事项"):
    return workflow.fire(make_widget(land, title), "submit", user=land.dept_user)


# -- shell, sign-in, sign-out ------------------------------------------------------------------------


def test_login_page_renders_in_chinese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-CN">' in html
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html
    assert 'id="main"' in html
    assert re.search(r'<label class="form-label" for="id_username">用户名</label>', html)
    assert re.search(r'<label class="form-label" for="id_password">密码</label>', html)
    assert "/static/vendor/htmx/htmx.min.js" in html  # self-hosted, no CDN
    assert "cdn" not in html.lower()


def test_login_with_password_goes_to_home_and_is_audited(client, world):
    response = client.post(reverse("login"), {"username": "yongji_dept", "password": "demo-pass-123"})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert AuditEvent.objects.filter(action="login", actor=world.yongji.dept_user).exists()


def test_login_with_wrong_password_shows_error(client, world):
    response = client.post(reverse("login"), {"username": "yongji_dept", "password": "wrong"})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=/")


def test_logout_is_a_post_and_returns_to_login(client, world):
    client.force_login(world.yongji.dept_user)
    page = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("logout")}"' in page and 'method="post"' in page
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_header_shows_user_and_organisation_and_landmarks(client, world):
    client.force_login(world.yongji.dept_user)
    html = client.get(reverse("home")).content.decode()
    assert world.yongji.dept_user.display_name in html
    assert "永吉县卫生健康局" in html
    for landmark in ("<header", "<nav", "<main", "<footer"):
        assert landmark in html
    assert 'meta name="csrf-token"' in html


def test_navigation_follows_roles(client, world):
    client.force_login(world.audit_admin)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("audit_log")}"' in html
    client.force_login(world.sys_admin)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("audit_log")}"' not in html
    assert f'href="{reverse("tokens")}"' not in html  # platform administrators hold no API tokens
    client.force_login(world.yongji.dept_user)
    html = client.get(reverse("tokens")).content.decode()
    assert re.search(r'class="nav-link active" href="/tokens/" aria-current="page"', html)
    assert not re.search(r'href="/" aria-current="page"', html)


def test_unknown_page_is_a_chinese_404(client, world):
    client.force_login(world.yongji.dept_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "未找到" in response.content.decode()


# -- 我的待办 ------------------------------------------------------------------------------------------


def test_home_lists_obligations_overdue_first_with_marker(client, world):
    later = submitted_widget(world.yongji, "按期审查的事项")
    late = submitted_widget(world.yongji, "逾期未审的事项")
    today = timezone.localdate()
    Obligation.objects.for_case(late).update(due_date=today - dt.timedelta(days=3))

    client.force_login(world.yongji.authority_user)  # the authority owes the review (第九条第二款)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的待办" in html
    assert html.index("逾期未审的事项") < html.index("按期审查的事项")
    assert "已逾期 3 天" in html
    assert len(re.findall(r'class="badge text-bg-danger[^"]*">已逾期', html)) == 1  # only the late one
    assert f'href="{reverse("widgets:detail", args=[late.pk])}"' in html
    assert late.reference in html and later.reference in html
    assert "第九条第二款" in html
    assert "永吉县卫生健康局" in html  # owed to the owner


def test_home_shows_only_own_organisations_obligations(client, world):
    submitted_widget(world.jiaohe, "蛟河市的事项")
    client.force_login(world.yongji.authority_user)
    html = client.get(reverse("home")).content.decode()
    assert "蛟河市的事项" not in html
    assert "暂无待办事项" in html


def test_home_empty_state(client, world):
    client.force_login(world.yongji.dept_user)
    html = client.get(reverse("home")).content.decode()
    assert "暂无待办事项" in html


def test_home_paginates_and_bounds_queries(client, world, assert_max_queries):
    widgets = [make_widget(world.yongji, f"事项{i:02d}") for i in range(30)]
    ct = ContentType.objects.get_for_model(Widget)
    today = timezone.localdate()
    for i, w in enumerate(widgets):
        obligation_open(
            case=w,
            code="widget-review",
            title=f"审查第{i:02d}号",
            citation="第九条第二款",
            owed_by=world.yongji.authority,
            owed_to=world.yongji.department,
            due_date=today + dt.timedelta(days=i - 5),
        )
    assert Obligation.objects.filter(case_type=ct).count() == 30
    client.force_login(world.yongji.authority_user)
    # the inbox (core/workflow/inbox.py): the scope, the organisations the rules' queries name, one
    # UNION of every case type's steps, the duties and their cases — whatever the number of cases
    with assert_max_queries(16):
        response = client.get(reverse("home"))
    html = response.content.decode()
    assert html.count("<tr") == 1 + 25
    assert "审查第00号" in html and "审查第25号" not in html
    assert "已逾期 5 天" in html
    page2 = client.get(reverse("home") + "?duties=2").content.decode()
    assert page2.count("<tr") == 1 + 5 and "审查第29号" in page2


# -- 法规条款 ------------------------------------------------------------------------------------------


def test_regulation_lists_35_articles_with_their_rules(client, world):
    client.force_login(world.yongji.dept_user)
    response = client.get(reverse("regulation"))
    assert response.status_code == 200
    html = response.content.decode()
    assert len(re.findall(r'<section class="card mb-3 ig-article" id="article-\d+"', html)) == 35
    art31 = html[html.index('id="article-31"') : html.index('id="article-32"')]
    assert "TEST-SECURITY-PLAN" in art31 and "未提交信息安全方案，不能提交" in art31
    assert "信息安全" in art31  # the article's own text
    art4 = html[html.index('id="article-4"') : html.index('id="article-5"')]
    assert "A4-AUTHORITY" in art4


# -- 接口令牌 ------------------------------------------------------------------------------------------


def test_token_created_shows_plaintext_once(client, world):
    user = world.yongji.dept_user
    client.force_login(user)
    response = client.post(reverse("tokens"), {"name": "项目库同步"})
    assert response.status_code == 200
    html = response.content.decode()
    token = ApiToken.objects.get(user=user)
    match = re.search(r'id="new-token">(ig_[^<]+)<', html)
    assert match and match.group(1).startswith(f"ig_{token.prefix}_")
    again = client.get(reverse("tokens")).content.decode()
    assert match.group(1) not in again
    assert "项目库同步" in again and f"{token.prefix}…" in again


def test_token_form_rejects_past_expiry(client, world):
    client.force_login(world.yongji.dept_user)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(reverse("tokens"), {"name": "过期", "expires_on": yesterday.isoformat()})
    assert response.status_code == 422
    assert "有效期不能早于今天" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_token_with_expiry_ends_at_the_end_of_that_day(client, world):
    client.force_login(world.yongji.dept_user)
    day = timezone.localdate() + dt.timedelta(days=10)
    client.post(reverse("tokens"), {"name": "临时", "expires_on": day.isoformat()})
    token = ApiToken.objects.get()
    assert timezone.localtime(token.expires_at) == timezone.make_aware(
        dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min)
    )


def test_token_revoke_own_only(client, world):
    from infogov.core.api.tokens import token_create

    mine, _ = token_create(user=world.yongji.dept_user, name="我的")
    theirs, _ = token_create(user=world.jiaohe.dept_user, name="别人的")
    client.force_login(world.yongji.dept_user)
    page = client.get(reverse("tokens")).content.decode()
    assert "data-confirm=" in page  # revoking asks first
    response = client.post(reverse("token_revoke", args=[mine.pk]))
    assert response.status_code == 303
    mine.refresh_from_db()
    assert mine.revoked_at is not None
    response = client.post(reverse("token_revoke", args=[theirs.pk]), follow=True)
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert "未找到该令牌" in response.content.decode()


# -- 审计日志 (三员分立) -------------------------------------------------------------------------------


def test_audit_log_for_audit_admin(client, world):
    audit("login", actor=world.yongji.dept_user)
    audit("login_failed", username="intruder")
    client.force_login(world.audit_admin)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "intruder" in html and world.yongji.dept_user.username in html
    filtered = client.get(reverse("audit_log"), {"action": "login_failed"}).content.decode()
    assert "intruder" in filtered and f"({world.yongji.dept_user.username})" not in filtered
    by_user = client.get(reverse("audit_log"), {"user": "yongji_dept"}).content.decode()
    assert "intruder" not in by_user and "(yongji_dept)" in by_user


@pytest.mark.parametrize("who", ["sys_admin", "sec_admin"])
def test_audit_log_forbidden_to_other_administrators(client, world, who):
    client.force_login(getattr(world, who))
    response = client.get(reverse("audit_log"))
    assert response.status_code == 403
    assert "仅限安全审计员" in response.content.decode()


def test_audit_log_forbidden_even_to_a_superuser_sys_admin(client, world):
    admin = world.sys_admin
    admin.is_superuser = True
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    assert client.get(reverse("audit_log")).status_code == 403


def test_audit_log_forbidden_to_business_users(client, world):
    client.force_login(world.city.leader)
    assert client.get(reverse("audit_log")).status_code == 403


def test_audit_log_paginates_with_bounded_queries(client, world, assert_max_queries):
    for i in range(40):
        audit("login", actor=world.yongji.dept_user, target=f"t{i}")
    client.force_login(world.audit_admin)
    with assert_max_queries(9):
        html = client.get(reverse("audit_log")).content.decode()
    assert html.count("<tr") == 1 + 25
