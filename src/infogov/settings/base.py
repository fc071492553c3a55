"""Settings shared by every environment; everything site-specific comes from the environment."""

from __future__ import annotations

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
    "infogov.org",
    "infogov.core",
    "infogov.planning",
    "infogov.projects",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "infogov.core.db.replica.ReplicaMiddleware",  # read replicas: reads stay on the primary after a write
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "infogov.core.web.middleware.DomainErrorMiddleware",
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
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
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
