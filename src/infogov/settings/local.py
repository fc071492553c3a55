"""Settings for `make run`: the embedded SQLite database and the debug toolbar-free dev server."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
