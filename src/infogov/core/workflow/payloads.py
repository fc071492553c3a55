"""Typed step input: validate a step's payload once, against its declared schema, and answer bad input
in Chinese (one translation table for the API and the web forms).

A step's schema is a pydantic model. Its fields carry the limits (dates in a sane window, amounts
finite and non-negative, text stripped and not blank, no NUL characters), so the OpenAPI document says
what the server accepts and the guards read typed values."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from infogov.core.errors import InvalidInput

# The window of dates a step accepts: the measures came into force on 2015-01-01 (第三十五条); acts
# recorded from before are historical (see engine.fire); nothing older than 1949 or later than 2100
# is a date an official means. Platform policy, documented in docs/platform.md.
EARLIEST_DATE = dt.date(1949, 10, 1)
LATEST_DATE = dt.date(2100, 12, 31)


def field_message(err: Any) -> str:
    """One pydantic error in Chinese: the one translation the API and the web forms share."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    fixed = {
        "missing": "为必填项",
        "int_parsing": "应为整数",
        "int_type": "应为整数",
        "int_from_float": "应为整数",
        "float_parsing": "应为数字",
        "float_type": "应为数字",
        "decimal_parsing": "应为数字",
        "decimal_type": "应为数字",
        "bool_parsing": "应为 true 或 false",
        "bool_type": "应为 true 或 false",
        "string_type": "应为文本",
        "dict_type": "应为 JSON 对象",
        "model_type": "应为 JSON 对象",
        "model_attributes_type": "应为 JSON 对象",
        "list_type": "应为数组",
        "datetime_parsing": "应为日期时间（如 2026-01-31T09:00:00+08:00）",
        "datetime_type": "应为日期时间",
        "datetime_from_date_parsing": "应为日期时间（如 2026-01-31T09:00:00+08:00）",
        "date_parsing": "应为日期（如 2026-01-31）",
        "date_type": "应为日期",
        "date_from_datetime_parsing": "应为日期",
        "extra_forbidden": "不是可接受的字段",
        "json_invalid": "不是有效的 JSON",
    }
    if kind in fixed:
        return fixed[kind]
    if kind == "value_error":  # a validator's own (Chinese) message, without pydantic's prefix
        return str(err.get("msg", "")).removeprefix("Value error, ")
    if kind == "string_too_short":
        return "不能为空" if ctx.get("min_length") == 1 else f"至少 {ctx.get('min_length')} 个字"
    if kind == "string_too_long":
        return f"不能超过 {ctx.get('max_length')} 个字"
    if kind == "greater_than_equal":
        return f"不能小于 {ctx.get('ge')}"
    if kind == "greater_than":
        return f"须大于 {ctx.get('gt')}"
    if kind == "less_than_equal":
        return f"不能大于 {ctx.get('le')}"
    if kind == "less_than":
        return f"须小于 {ctx.get('lt')}"
    if kind in {"enum", "literal_error"}:
        expected = str(ctx.get("expected", "")).replace(" or ", "、").replace("'", "")
        return f"应为以下之一：{expected}"
    if kind in {"too_long", "list_too_long"}:
        return f"最多 {ctx.get('max_length')} 项"
    if kind in {"too_short", "list_too_short"}:
        return f"至少 {ctx.get('min_length')} 项"
    if kind == "decimal_max_places":
        return f"最多 {ctx.get('decimal_places')} 位小数"
    if kind == "decimal_max_digits":
        return f"最多 {ctx.get('max_digits')} 位数字"
    if kind == "decimal_whole_digits":
        return f"整数部分最多 {ctx.get('whole_digits')} 位"
    if kind in {"finite_number", "decimal_finite_number"}:
        return "应为有限的数值"
    if kind == "multiple_of":
        return f"应为 {ctx.get('multiple_of')} 的整数倍"
    return str(err.get("msg", "无效"))


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("含有不允许的空字符（NUL），请删除后重试")
    return value


def _not_blank(value: str) -> str:
    value = _no_nul(value).strip()
    if not value:
        raise ValueError("不能为空")
    return value


def _in_window(value: dt.date) -> dt.date:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValueError(f"应在 {EARLIEST_DATE.isoformat()} 至 {LATEST_DATE.isoformat()} 之间")
    return value


def date_in_window(value: dt.date | None) -> None:
    """The same window for a Django form field (validators=[date_in_window])."""
    from django.core.exceptions import ValidationError

    if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(f"日期应在 {EARLIEST_DATE.isoformat()} 至 {LATEST_DATE.isoformat()} 之间")


def _finite(value: Decimal) -> Decimal:
    if not value.is_finite() or (isinstance(value, float) and not math.isfinite(value)):
        raise ValueError("应为有限的数值")
    return value


# the length limit first: pydantic then checks it on the string itself (a translated string_too_long);
# a schema may narrow it with a Field(max_length=…) of its own
Text = Annotated[str, Field(max_length=5000), AfterValidator(_no_nul)]
RequiredText = Annotated[str, Field(max_length=5000), AfterValidator(_not_blank)]
ActDate = Annotated[dt.date, AfterValidator(_in_window)]
Amount = Annotated[Decimal, AfterValidator(_finite), Field(ge=0, max_digits=14, decimal_places=2)]


class StepInput(BaseModel):
    """Base of every step's payload schema: unknown fields refused, text kept as typed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _details(exc: PydanticValidationError, labels: dict[str, str]) -> list[dict[str, Any]]:
    out = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        name = ".".join(loc) or "payload"
        field_label = labels.get(loc[0], name) if loc else "请求"
        msg = err.get("msg", "") if err.get("type") == "value_error" else field_message(err)
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        out.append({"loc": loc, "field": name, "label": field_label, "msg": msg, "type": err.get("type", "")})
    return out


def labels_of(schema: type[BaseModel]) -> dict[str, str]:
    return {name: (f.title or name) for name, f in schema.model_fields.items()}


def validate(schema: type[BaseModel] | None, raw: Any) -> tuple[BaseModel | None, dict[str, Any]]:
    """The payload as the step's schema reads it: (the model, its fields as typed values). Without a
    schema, the raw dict is passed on (checked for NUL characters only). Bad input is a 422 in Chinese
    naming each field."""
    if schema is None:
        return None, dict(raw or {})
    if isinstance(raw, schema):
        model = raw
    else:
        try:
            model = schema.model_validate(raw or {})
        except PydanticValidationError as exc:
            details = _details(exc, labels_of(schema))
            message = "；".join(f"{d['label']}{d['msg']}" for d in details) or "填写的内容有误"
            raise InvalidInput(message, code="invalid", details=details) from None
    return model, {name: getattr(model, name) for name in type(model).model_fields}


def stored(model: BaseModel) -> dict[str, Any]:
    """The payload as the docket keeps it: JSON values (dates ISO, decimals as text)."""
    return model.model_dump(mode="json")
