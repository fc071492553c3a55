"""Settings of the gunicorn server `make bench` starts: the platform's own settings (base: persistent
connections, DEBUG off, the same middleware) plus the bench peers' URLs and, when installed, DRF."""

import importlib.util
import os

from infogov.settings.base import *  # noqa: F403
from infogov.settings.base import INSTALLED_APPS

DEBUG = False
ROOT_URLCONF = "bench.peers.urls"
if importlib.util.find_spec("rest_framework") is not None:
    INSTALLED_APPS = [*INSTALLED_APPS, "rest_framework"]
    REST_FRAMEWORK = {
        "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
        "UNAUTHENTICATED_USER": None,
    }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("INFOGOV_LOG_LEVEL", "ERROR")},
}
