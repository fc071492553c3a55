"""Navigation by role for the UI shell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# (label, url name, predicate on the user): each app adds its entries here when it lands.
NAV: list[tuple[str, str, Any]] = [
    ("我的待办", "home", lambda u: True),
    ("法规条款", "regulation", lambda u: True),
    ("接口令牌", "tokens", lambda u: not u.is_platform_admin),
    ("审计日志", "audit_log", lambda u: u.has_role("audit_admin")),
    ("系统管理", "admin:index", lambda u: u.has_role("sys_admin", "sec_admin")),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, allowed in NAV:
        try:
            if allowed(user):
                url = reverse(name)
                # a section is current on its own pages too (/widgets/5/ is under /widgets/)
                active = request.path == url or (url != "/" and request.path.startswith(url))
                items.append({"label": label, "url": url, "active": active})
        except NoReverseMatch:
            continue
    return {"nav_items": items}
