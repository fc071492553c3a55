"""Web hardening: security headers and CSP on every page, no inline script anywhere in the templates,
`check --deploy` clean for production settings."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "infogov"
TEMPLATES = sorted(p for p in SRC.rglob("*.html") if "templates" in p.parts)

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[:\-a-z]*)\s*=", re.I)


def test_templates_were_found():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_inline_script_or_event_handler(path):
    text = path.read_text()
    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to static/js/"
    assert not EVENT_HANDLER.search(text), "on*= handler: bind it in static/js/"


@pytest.mark.django_db
def test_security_headers_on_a_page(world, client):
    client.force_login(world.city.dept_user)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert '"includeIndicatorStyles": false' in response.content.decode()


@pytest.mark.django_db
def test_the_login_page_has_them_too(client):
    response = client.get("/accounts/login/")
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_the_one_allowed_inline_style_hash_matches_the_template():
    import base64
    import hashlib

    from django.conf import settings

    text = (SRC / "core" / "templates" / "core" / "regulation.html").read_text()
    styles = re.findall(r'style="([^"]*)"', text)
    hashes = {f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in styles}
    allowed = set(settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["style-src"])
    assert hashes <= allowed


def _deploy_check(secret: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        {
            "DJANGO_SECRET_KEY": secret,
            "DJANGO_SETTINGS_MODULE": "infogov.settings.production",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        }
    )
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_for_production():
    result = _deploy_check(secrets.token_urlsafe(45))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_refuses_a_weak_secret_key():
    result = _deploy_check("x" * 60)
    assert result.returncode != 0 and "security.W009" in result.stderr


def test_production_turns_the_identity_controls_on():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings as s; "
            "print(s.INFOGOV_REQUIRE_2FA, s.INFOGOV_FORCE_PASSWORD_CHANGE, s.SECURE_SSL_REDIRECT, "
            "s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS >= 31536000)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "INFOGOV_REQUIRE_2FA")},
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(45),
            "DJANGO_SETTINGS_MODULE": "infogov.settings.production",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "src")]),
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.split() == ["True"] * 5


@pytest.mark.django_db
def test_csp_header_built_once_and_same_on_every_response(client):
    """The policy string is built once per process (core.web.middleware.CSPMiddleware) and is the one
    django-csp would build: the same header on a page, a JSON answer and an error."""
    from dataclasses import asdict

    from csp.middleware import CSPMiddleware as Library
    from csp.utils import build_policy
    from django.http import HttpResponse
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    expected = build_policy(
        **asdict(Library(lambda r: HttpResponse()).get_policy_parts(request, HttpResponse()))
    )
    headers = {
        client.get(path)["Content-Security-Policy"] for path in ("/", "/api/openapi.json", "/nowhere/")
    }
    assert headers == {expected}
