"""Background task of development plans (huey): each year on 2 January, open the execution-report
obligations of every local and special plan in force for the year just ended (第七条; due 31 January).

Registered on core's huey instance when this module is imported; the consumer imports it through
core.tasks' discovery of ``<app>.tasks`` (the same as `manage.py plan_execution_obligations`).
"""

from __future__ import annotations

import logging

from django.utils import timezone
from huey import crontab

from infogov.core.tasks import HUEY

logger = logging.getLogger(__name__)


@HUEY.periodic_task(crontab(month="1", day="2", hour="1", minute="0"), name="plan_execution_obligations")
def plan_execution_obligations() -> int:
    from .services import execution_obligations_open

    year = timezone.localdate().year - 1
    n = execution_obligations_open(year=year)
    logger.info("opened %d execution-report obligations for %d", n, year)
    return n
