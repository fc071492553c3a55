"""Settings for the test suite: the test-only workflow app and fast password hashing."""

import os

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS, VAR_DIR

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
HUEY = {"huey_class": "huey.MemoryHuey", "name": "infogov-test", "immediate": True}
DATABASES["default"]["CONN_MAX_AGE"] = 0
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory: the concurrency tests race real threads, each with its own connection,
    # and they must share one database that honours the busy timeout (shared-cache memory databases
    # fail at once with "table is locked"). The pid keeps concurrent runs apart; pytest-xdist adds
    # _gw0, _gw1 … per worker; Django deletes the file when the run ends.
    (VAR_DIR / "test-db").mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db" / f"test-infogov-{os.getpid()}.sqlite3")}
else:
    DATABASES["default"]["TEST"] = {"NAME": None}
ROOT_URLCONF = "tests.testapp.urls"
# Tests change tokens in the database between requests; tests/core/test_tokens.py turns the cache on
INFOGOV_TOKEN_CACHE_SECONDS = 0.0
# the resource exchange's demo (100,000 people, 20,000 legal persons in `make run`) kept small in tests
RESOURCES_DEMO_PEOPLE = 2000
RESOURCES_DEMO_LEGAL_PERSONS = 300
