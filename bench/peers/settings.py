"""Settings of the gunicorn server `make bench` starts: the platform's own settings (base: persistent
connections, DEBUG off, the same middleware) plus the bench peers' URLs and, when installed, DRF."""

import importlib.util
import os
import sys

from infogov.settings.base import *  # noqa: F403
from infogov.settings.base import INSTALLED_APPS

DEBUG = False
ROOT_URLCONF = "bench.peers.urls"
if importlib.util.find_spec("rest_framework") is not None:
    # DRF (a peer, not part of the platform) imports `requests` when it is installed (the dev extra's
    # schemathesis brings it): ~18 MB in every worker that production, without DRF, does not carry.
    # Marked absent so that the `memory` scenario measures the platform's workers, not the peer's.
    sys.modules.setdefault("requests", None)  # type: ignore[arg-type]
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
