"""What an authenticated request must have passed before any page (GB/T 22239-2019 8.1.4.1):
not idle too long, the second factor if required or enrolled, a password its holder chose."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

LAST_SEEN = "_ig_last_seen"
HAS_DEVICE = "_ig_otp_device"  # cached per session: whether the account has a confirmed TOTP device
_TOUCH_SECONDS = 60  # the session is written at most once a minute for the idle clock
_ALWAYS_OPEN = ("/static/", "/media/", "/healthz", "/public/")


class AccountSecurityMiddleware:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            # no session, so nobody is signed in by it (an API call with a token, the public pages):
            # nothing to check, and the lazy user is not loaded for nothing
            return self.get_response(request)
        user: Any = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(_ALWAYS_OPEN):
            return self.get_response(request)
        if not hasattr(request, "session"):
            return self.get_response(request)
        refusal = (
            self._idle(request, user) or self._second_factor(request, user) or self._password(request, user)
        )
        return refusal or self.get_response(request)

    # -- 会话超时 -------------------------------------------------------------------------------------
    def _idle(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        now = int(time.time())
        last = request.session.get(LAST_SEEN)
        idle = int(settings.INFOGOV_SESSION_IDLE_MINUTES) * 60
        if isinstance(last, int) and now - last > idle:
            from infogov.core.signals import audit

            audit("session_timeout", actor=user, request=request, idle_minutes=(now - last) // 60)
            logout(request)
            message = (
                f"您已超过{settings.INFOGOV_SESSION_IDLE_MINUTES}分钟未操作，"
                "为保护账号安全已自动退出，请重新登录（平台规定）。"
            )
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"code": "session_timeout", "message": message, "article": None}, status=401
                )
            messages.warning(request, message)
            return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        if not isinstance(last, int) or now - last >= _TOUCH_SECONDS:
            request.session[LAST_SEEN] = now
        return None

    # -- 双因素认证 -----------------------------------------------------------------------------------
    def _second_factor(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        from infogov.accounts.policy import confirmed_device, requires_2fa

        if user.is_verified():
            return None
        has_device = request.session.get(HAS_DEVICE)
        if has_device is None:
            has_device = confirmed_device(user) is not None
            request.session[HAS_DEVICE] = has_device
        if not (has_device or requires_2fa(user)):
            return None
        target = "otp_verify" if has_device else "otp_setup"
        if request.path in _open_paths(target):
            return None
        message = (
            "请输入手机验证器（TOTP）上的6位动态验证码，完成双因素认证后继续（平台规定）。"
            if has_device
            else "您的角色须启用双因素认证：请先用手机验证器扫码绑定（平台规定）。"
        )
        if request.path.startswith("/api/"):
            return JsonResponse({"code": "otp_required", "message": message, "article": None}, status=403)
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

    # -- 首次登录修改密码 -------------------------------------------------------------------------------
    def _password(self, request: HttpRequest, user: Any) -> HttpResponse | None:
        if not settings.INFOGOV_FORCE_PASSWORD_CHANGE:
            return None
        from infogov.accounts.models import must_change_password

        if request.path in _open_paths("password_change") or not must_change_password(user):
            return None
        message = "首次登录或密码由他人设置后，须先修改为只有您知道的密码（平台规定）。"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "password_change_required", "message": message, "article": None}, status=403
            )
        return redirect(f"{reverse('password_change')}?{urlencode({'next': request.get_full_path()})}")


def _open_paths(page: str) -> set[str]:
    """The pages an account held at `page` may still open: that page and signing out."""
    return {reverse(page), reverse("logout")}
