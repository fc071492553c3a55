"""The working-day calendar (工作日) of the People's Republic of China: weekends and public holidays off,
adjusted working days (调休上班) on. The days are data (data/holidays.json, with its source); a year not
in the file counts Monday to Friday only. Deadlines "within N working days" (共享申请答复、校核纠错) are
counted with it."""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path

DATA = Path(__file__).with_name("data") / "holidays.json"


@functools.cache
def _calendar() -> tuple[frozenset[dt.date], frozenset[dt.date], frozenset[int], str]:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    holidays = frozenset(dt.date.fromisoformat(d) for days in raw["holidays"].values() for d in days)
    workdays = frozenset(dt.date.fromisoformat(d) for days in raw["workdays"].values() for d in days)
    years = frozenset(int(y) for y in raw["holidays"])
    return holidays, workdays, years, raw["source"]


def source() -> str:
    return _calendar()[3]


def covered_years() -> frozenset[int]:
    return _calendar()[2]


def is_working_day(day: dt.date) -> bool:
    holidays, workdays, _, _ = _calendar()
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The N-th working day after `start` (the day of the act does not count)."""
    day, left = start, n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        count += is_working_day(day)
    return count
