"""Settings for the test suite: the test-only workflow app and fast password hashing."""

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {"huey_class": "huey.MemoryHuey", "name": "infogov-test", "immediate": True}
DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": None}
ROOT_URLCONF = "tests.testapp.urls"
