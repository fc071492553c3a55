"""Production settings: PostgreSQL, Redis, behind nginx. Everything comes from the environment."""

import os

from .base import *  # noqa: F403
from .base import env_bool, env_list

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]

# 安全通信网络 (GB/T 22239-2019 8.1.2.2 通信传输): HTTPS only. nginx terminates TLS and says so in
# X-Forwarded-Proto (deploy/nginx): a plain-HTTP request is redirected, browsers are told to use HTTPS
# for a year (HSTS, subdomains included). The preload flag only makes the domain eligible for the
# browsers' preload list; it gets there only if its operator submits it (INFOGOV_HSTS_PRELOAD=0 to drop).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("INFOGOV_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # the load balancer's probe speaks plain HTTP inside
SECURE_HSTS_SECONDS = int(os.environ.get("INFOGOV_HSTS_SECONDS", 31_536_000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("INFOGOV_HSTS_PRELOAD", True)
# Cookies: over HTTPS only, the session cookie out of JavaScript's reach, not sent on cross-site requests.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# nosniff, Referrer-Policy, X-Frame-Options DENY and the Content-Security-Policy are in base.py.
SECURE_CONTENT_TYPE_NOSNIFF = True

# 身份鉴别: in production the second factor and the first-sign-in password change are on unless the
# environment turns them off explicitly (base.py reads the same variables with False as default).
INFOGOV_REQUIRE_2FA = env_bool("INFOGOV_REQUIRE_2FA", True)
INFOGOV_FORCE_PASSWORD_CHANGE = env_bool("INFOGOV_FORCE_PASSWORD_CHANGE", True)
