"""Navigation by role for the UI shell."""

from __future__ import annotations

import functools
from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from infogov.core.registry import MenuEntry, menu

HOME = MenuEntry("我的待办", "home", lambda u: True, order=0)
# The platform's own entries, after every app's business entries (core/registry.py).
PLATFORM = (
    MenuEntry("法规条款", "regulation", lambda u: True, order=900),
    MenuEntry("接口令牌", "tokens", lambda u: not u.is_platform_admin, order=910),
    MenuEntry("审计日志", "audit_log", lambda u: u.has_role("audit_admin"), order=920),
    MenuEntry("系统管理", "admin:index", lambda u: u.has_role("sys_admin", "sec_admin"), order=930),
)


@functools.cache
def nav() -> list[tuple[str, str, Any]]:
    """(label, url name, predicate on the user): 我的待办, the registered apps' entries, the platform's."""
    return [(m.label, m.url_name, m.visible) for m in (HOME, *menu(PLATFORM))]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items: list[dict[str, Any]] = []
    for label, name, allowed in nav():
        try:
            if allowed(user):
                items.append({"label": label, "url": reverse(name), "active": False, "count": None})
        except NoReverseMatch:
            continue
    # The current section is the item whose URL is the longest prefix of this page
    # (/plans/assessment/ belongs to 规划执行考核, not to 信息化发展规划 at /plans/).
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    if items and items[0]["url"] == "/" and not user.is_platform_admin:
        from infogov.core.workflow.inbox import count_label, todo_count

        n = todo_count(user)  # 我的待办: bounded ("99+"), cached for a few seconds per user
        items[0]["count"] = count_label(n) if n else 0
    return {"nav_items": items}
