"""Background tasks (huey): sealing the docket every five minutes and a daily count of overdue duties.

huey's Django integration is not installed as an app; the huey instance is built from
settings.HUEY (`huey_class` names the storage: SqliteHuey in development, RedisHuey in
production, MemoryHuey in tests). Run the consumer with

    DJANGO_SETTINGS_MODULE=infogov.settings.production huey_consumer infogov.core.tasks.HUEY
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from typing import Any

import django
from django.apps import apps

if not apps.ready and not apps.loading:  # imported by huey_consumer, outside Django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infogov.settings.local")
    django.setup()

from django.conf import settings
from django.utils.module_loading import import_string
from huey import Huey, crontab

logger = logging.getLogger(__name__)


def build_huey(config: dict[str, Any] | None = None) -> Huey:
    """A huey instance from a settings.HUEY-style dict: {"huey_class": "huey.RedisHuey", "name": …, …}."""
    options = dict(config if config is not None else settings.HUEY)
    huey_class = import_string(options.pop("huey_class", "huey.SqliteHuey"))
    name = options.pop("name", "infogov")
    return huey_class(name, **options)


HUEY = build_huey()


@HUEY.periodic_task(crontab(minute="*/5"), name="seal_docket")
def seal_docket() -> int:
    """Seal the pending docket events into the global chain (第三十四条); returns how many were sealed."""
    from infogov.core.docket.chain import seal_pending

    sealed = 0
    while (seal := seal_pending()) is not None:
        sealed += seal.count
    if sealed:
        logger.info("sealed %d docket events", sealed)
    return sealed


@HUEY.periodic_task(crontab(minute="0", hour="7"), name="count_overdue_obligations")
def count_overdue_obligations() -> dict[int, int]:
    """Count each organisation's overdue statutory duties and log them.

    Nothing is stored and nobody is messaged: the overdue duties already show, highlighted, in
    each user's 我的待办; this count is for the operators' log (and a future notification channel).
    """
    from infogov.core.models import Obligation

    counts = Counter(Obligation.objects.overdue().values_list("owed_by_id", flat=True))
    for org_id, n in sorted(counts.items()):
        logger.info("organisation %s has %d overdue obligations", org_id, n)
    return dict(counts)


def autodiscover_tasks() -> None:
    """Import every installed app's ``tasks`` module so that its periodic tasks join this huey."""
    from importlib import import_module

    for config in apps.get_app_configs():
        if config.name.startswith("infogov.") and config.name != "infogov.core":
            try:
                import_module(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise


autodiscover_tasks()
