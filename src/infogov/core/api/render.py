"""The API's JSON: datetimes in local time (Asia/Shanghai, +08:00) with microseconds, Decimals as
strings, Chinese unescaped. One renderer for ninja and for the endpoints that render themselves
(core.api_cases' list)."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class ApiJSONEncoder(NinjaJSONEncoder):
    """Datetimes in local time (Asia/Shanghai) with offset and microseconds; Decimals as strings."""

    def default(self, o: Any) -> Any:
        if type(o) is dt.datetime:  # the common case first: an aware UTC datetime from the database
            return (o if o.tzinfo is None else o.astimezone(timezone.get_current_timezone())).isoformat()
        if isinstance(o, dt.datetime):
            return (timezone.localtime(o) if timezone.is_aware(o) else o).isoformat()
        if isinstance(o, (dt.date, dt.time)):
            return o.isoformat()
        if isinstance(o, decimal.Decimal):
            return str(o)
        if isinstance(o, Promise):
            return str(o)
        return super().default(o)


class ApiRenderer(JSONRenderer):
    encoder_class = ApiJSONEncoder
    json_dumps_params = {"ensure_ascii": False}


api_renderer = ApiRenderer()
