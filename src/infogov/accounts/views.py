"""个人安全设置: the TOTP second factor (enrol, verify, remove) and changing one's password."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from infogov.accounts.forms import TokenForm
from infogov.accounts.middleware import HAS_DEVICE
from infogov.accounts.models import mark_password_changed, must_change_password
from infogov.accounts.policy import confirmed_device, requires_2fa
from infogov.core.signals import audit

DEVICE_NAME = "手机验证器"


def _next(request: HttpRequest, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


@login_required
@never_cache
def security(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "accounts/security.html",
        {"device": confirmed_device(user), "required": requires_2fa(user), "verified": user.is_verified()},
    )


def _qr_svg(device: TOTPDevice) -> str:
    return segno.make(device.config_url, error="m").svg_inline(scale=4, title="双因素认证绑定二维码")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Bind a TOTP app: scan the code, type the first token; the device counts once a token matches."""
    user: Any = request.user
    if confirmed_device(user) is not None:  # bound meanwhile (another session): verify, do not re-bind
        request.session[HAS_DEVICE] = True
        if not user.is_verified():
            return redirect(f"{reverse('otp_verify')}?{urlencode({'next': _next(request)})}")
        messages.info(request, "您已绑定手机验证器。如需更换，请先在个人安全设置中解除绑定。")
        return redirect("account_security")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            otp_login(request, device)
            request.session[HAS_DEVICE] = True
            audit("otp_enrol", actor=user, request=request)
            messages.success(
                request, "双因素认证已启用：今后登录时除密码外还须输入手机验证器上的动态验证码。"
            )
            return redirect(_next(request))
        audit("otp_failed", actor=user, request=request, stage="enrol")
        form.add_error("token", "动态验证码不正确或已过期：请核对手机时间后输入验证器上当前显示的6位数字。")
    status = 422 if form.errors else 200
    context = {
        "form": form,
        "qr": _qr_svg(device),
        "secret": _b32(device),
        "required": requires_2fa(user),
        "next": _next(request),
    }
    return render(request, "accounts/otp_setup.html", context, status=status)


def _b32(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in for an account with a TOTP device."""
    user: Any = request.user
    device = confirmed_device(user)
    if device is None:  # removed meanwhile (by the security administrator): bind again if required
        request.session[HAS_DEVICE] = False
        if requires_2fa(user):
            return redirect(f"{reverse('otp_setup')}?{urlencode({'next': _next(request)})}")
        return redirect(_next(request))
    if user.is_verified():
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            audit("otp_verify", actor=user, request=request)
            return redirect(_next(request))
        audit("otp_failed", actor=user, request=request, stage="verify")
        form.add_error(
            "token",
            "动态验证码不正确或已过期，请输入手机验证器上当前显示的6位数字；多次错误后须稍候再试（平台规定）。",
        )
    status = 422 if form.errors else 200
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)}, status=status)


@login_required
@require_POST
def otp_remove(request: HttpRequest) -> HttpResponse:
    """Unbind the TOTP app: only for an account whose role does not require it, after verifying."""
    user: Any = request.user
    if requires_2fa(user):
        messages.error(
            request, "您的角色须启用双因素认证，不能解除绑定；更换手机请联系安全管理员（平台规定）。"
        )
        return redirect("account_security")
    if not user.is_verified():
        messages.error(request, "请先输入动态验证码完成双因素认证，再解除绑定。")
        return redirect("otp_verify")
    TOTPDevice.objects.filter(user=user).delete()
    request.session[HAS_DEVICE] = False
    audit("otp_remove", actor=user, request=request)
    messages.success(request, "已解除手机验证器绑定。")
    return redirect("account_security")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    forced = must_change_password(user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        mark_password_changed(user, by_holder=True)
        update_session_auth_hash(request, form.user)
        audit("password_change", actor=user, request=request, forced=forced)
        messages.success(request, "密码已修改。")
        return redirect(_next(request))
    status = 422 if form.errors else 200
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "forced": forced, "next": _next(request)},
        status=status,
    )
