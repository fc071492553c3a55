"""The administration site in Chinese (三员分立): every page each of the three administrators can open
shows no English label (Django's untranslated strings, field names without verbose names, third-party
models) and no `---------` empty choice; the audit administrator finds the export from the audit trail."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from infogov.core.signals import audit

# words an administrator may legitimately read in Latin letters: product names and standards
ALLOWED = {"IP", "CSV", "Excel", "TOTP", "API"}


class _Visible(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "select", "textarea"):
            self.hidden += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "select", "textarea"):
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def english(html: str, data: set[str]) -> set[str]:
    parser = _Visible()
    parser.feed(html)
    text = re.sub(r"\{[a-z_]+\}", " ", " ".join(parser.parts))  # a format's placeholders ({year})
    # the records' own values (user names, paths) are data, not labels: the longest first
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    return {w for w in re.findall(r"[A-Za-z][A-Za-z’' ]{2,}[A-Za-z]", text) if w.strip() not in ALLOWED}


@pytest.mark.parametrize("who", ["sys_admin", "sec_admin", "audit_admin"])
def test_every_admin_page_is_chinese(client, world, who):
    user = getattr(world, who)
    user.is_staff = True
    user.save()
    audit("login", actor=world.yongji.dept_user, target="yongji_dept")
    client.force_login(user)
    data = {u.username for u in type(user).objects.all()} | {"yongji_dept", "GET", "POST"}
    data |= {"admin", "apitoken", "core", "login", "org", "otp_totp"}  # the trail's recorded paths and codes
    index = client.get("/admin/").content.decode()
    assert not english(index, data), english(index, data)
    pages = sorted(set(re.findall(r'href="(/admin/[a-z_]+/[a-z_]+/)"', index)))
    assert pages
    for url in pages:
        for page in (url, url + "add/"):
            response = client.get(page)
            if response.status_code != 200:
                continue
            html = response.content.decode()
            assert not english(html, data), (page, english(html, data))
            assert "---------" not in html, page


def test_audit_trail_links_to_filtering_and_export(client, world):
    world.audit_admin.is_staff = True
    world.audit_admin.save()
    audit("login", actor=world.yongji.dept_user, target="yongji_dept")
    client.force_login(world.audit_admin)
    html = client.get("/admin/core/auditevent/").content.decode()
    assert "筛选和导出（CSV、Excel）" in html and 'href="/audit/"' in html
    assert ">登录<" in html  # the action by its Chinese name
    export = client.get("/audit/?export=csv&action=login")
    assert export.status_code == 200 and "yongji_dept" in export.content.decode("utf-8-sig")
