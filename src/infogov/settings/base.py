"""Settings shared by every environment; everything site-specific comes from the environment."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/infogov
PROJECT_DIR = BASE_DIR.parent.parent  # the checkout
VAR_DIR = Path(os.environ.get("INFOGOV_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "insecure-development-key-change-me-in-production")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "infogov.core.admin_site.InfogovAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "infogov.org",
    "infogov.core",
    "infogov.planning",
    "infogov.projects",
    "infogov.security",
    "infogov.resources",
    "infogov.datagen",
    "infogov.accounts",
    "infogov.ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "infogov.core.web.middleware.RejectNulMiddleware",  # ?q=%00: a 400, never a PostgreSQL 500
    "infogov.core.db.replica.ReplicaMiddleware",  # read replicas: reads stay on the primary after a write
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): TOTP second factor passed
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "infogov.core.web.middleware.CSPMiddleware",  # django-csp, the header built once (core/web)
    # idle timeout, then TOTP enrolment/verification, then a forced password change (accounts/)
    "infogov.accounts.middleware.AccountSecurityMiddleware",
    "infogov.core.web.middleware.DomainErrorMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a locked-out sign-in into the lockout page
]

ROOT_URLCONF = "infogov.urls"
WSGI_APPLICATION = "infogov.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "infogov.core.web.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'infogov.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite: WAL for concurrent readers, IMMEDIATE transactions so that two writers
    # conflict at BEGIN rather than deadlocking on lock upgrade.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
# Read replicas (core/routers.py, core/replica.py): DATABASE_REPLICA_URLS="postgres://…,postgres://…".
DATABASE_REPLICAS = [f"replica_{i}" for i, _ in enumerate(env_list("DATABASE_REPLICA_URLS"), 1)]
for _alias, _url in zip(DATABASE_REPLICAS, env_list("DATABASE_REPLICA_URLS"), strict=True):
    DATABASES[_alias] = dj_database_url.parse(_url, conn_max_age=600, conn_health_checks=True)
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["infogov.core.db.routers.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    # first: refuses a locked-out username before any password is checked (django-axes)
    "infogov.accounts.backends.LockoutBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# 身份鉴别 (GB/T 22239-2019 8.1.4.1 a): at least 10 characters of three of the four classes, not a common
# password, not like the account's names, none of the last five (accounts/validators.py).
AUTH_PASSWORD_VALIDATORS = [
    # Django's four, worded in Chinese (accounts/validators.py)
    {"NAME": "infogov.accounts.validators.UserAttributeSimilarityValidator"},
    {"NAME": "infogov.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "infogov.accounts.validators.CommonPasswordValidator"},
    {"NAME": "infogov.accounts.validators.NumericPasswordValidator"},
    {"NAME": "infogov.accounts.validators.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "infogov.accounts.validators.PasswordHistoryValidator", "OPTIONS": {"history": 5}},
]

# 登录失败处理 (8.1.4.1 b): five failures within 15 minutes lock the account for 15 minutes (django-axes).
# Locked by username alone: a guesser cannot get round it by changing address, and one office behind
# one NAT address is not locked out by a colleague's typos. A failure during the lockout restarts it.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_USE_ATTEMPT_EXPIRATION = True  # failures older than the cool-off no longer count: "5 in 15 minutes"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLE_ADMIN = False  # the lockout records are managed by the security administrator's unlock page
AXES_VERBOSE = False
# axes.W006 asks for the IP address among the lockout parameters against clients that rotate cookies or
# user agents; locking by username already counts every attempt at the account whatever the client.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# 会话超时 (8.1.4.1 b): signed out after this many idle minutes (accounts/middleware.py); the session
# cookie lives for a working day at most and ends with the browser.
INFOGOV_SESSION_IDLE_MINUTES = int(os.environ.get("INFOGOV_SESSION_IDLE_MINUTES", 30))
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# 双因素认证 (8.1.4.1 d): TOTP for authority leaders, government approvers and the three administrators
# (accounts/policy.py); others may enrol. Off by default for development and the demo; production: on.
INFOGOV_REQUIRE_2FA = env_bool("INFOGOV_REQUIRE_2FA", False)
INFOGOV_FORCE_PASSWORD_CHANGE = env_bool("INFOGOV_FORCE_PASSWORD_CHANGE", False)
OTP_TOTP_ISSUER = "吉林市信息化治理平台"

# Content Security Policy (django-csp 4): scripts and styles from our own origin only, no inline script
# (templates load static/js/*.js). The one inline style attribute (the regulation page's sticky table of
# contents) is allowed by its hash; htmx's own indicator <style> is turned off (meta htmx-config).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": [
            "'self'",
            "'unsafe-hashes'",
            "'sha256-SZY2MjZyYei8Y27FG8EpunaQ/HbDa0qBIA1EuFn28fE='",
        ],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # vendored assets and app.css/app.js (no CDN)
MEDIA_ROOT = Path(os.environ.get("INFOGOV_MEDIA_ROOT", VAR_DIR / "media"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"

# Attachments (core.attachments): the ceiling on one upload, and what we accept by content.
ATTACHMENT_MAX_BYTES = int(os.environ.get("INFOGOV_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024))
# A verified API token is reused by its process for this many seconds (core/tokens.py): a revoked token
# or a deactivated user is refused at once by the process that did it and within this time by the others.
INFOGOV_TOKEN_CACHE_SECONDS = float(os.environ.get("INFOGOV_TOKEN_CACHE_SECONDS", 5))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

HUEY = {
    "huey_class": "huey.SqliteHuey",
    "name": "infogov",
    "filename": str(VAR_DIR / "huey.sqlite3"),
    "immediate": False,
}
if os.environ.get("REDIS_URL"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "infogov",
        "url": os.environ["REDIS_URL"],
        "immediate": False,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("INFOGOV_LOG_LEVEL", "WARNING")},
}
