"""When an annual execution report is due (第七条). The services that open the duty and the
assessment that scores its timeliness both read it, so it lives below both of them."""

from __future__ import annotations

import datetime as dt

EXECUTION_DUE = (1, 31)  # 31 January of the following year, unless the authority sets another date


def execution_due_date(year: int) -> dt.date:
    """The report on `year` is due on 31 January of the following year."""
    return dt.date(year + 1, *EXECUTION_DUE)
