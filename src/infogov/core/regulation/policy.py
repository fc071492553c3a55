"""Platform policy: the numbers the regulation does not set (OpenFisca-style dated parameters).

《吉林市信息化促进办法》 says *that* an acceptance is applied for after completion (第十三条第一款), not
within how many days; it says *that* a plan is consulted on, not for how long. Where the platform needs a
number the regulation leaves open, it is a ``Policy``: a named value with the dates from which each value
applies, the article it serves (``basis``) and where the number comes from (``source``). A step asks for
the value in force on the date of its act (``policy.on(act_date)``), so changing a number from a future
date never rewrites duties already opened, and every screen labels it "平台规定（依据第X条设定）" instead of
citing the article as if the article said it.

Deployments change a value from a date with the ``INFOGOV_POLICY`` setting::

    INFOGOV_POLICY = {"projects.acceptance_apply_days": {"2027-01-01": 120}}

Tests use ``override_policy(POLICY, value)``. ``manage.py policy_list`` prints every policy with its
history (docs/policy.md is written from it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from .articles import Citation

_REGISTRY: dict[str, Policy] = {}
_OVERRIDES: dict[str, Any] = {}

ALWAYS = dt.date(1949, 10, 1)  # the earliest act date the platform records


@dataclass(frozen=True)
class Policy:
    """A platform-set number: ``history`` maps the first day a value applies to the value."""

    key: str  # "projects.acceptance_apply_days"
    label: str  # "验收申请期限"
    unit: str  # "天", "小时", "工作日", "月"
    basis: str  # the article the policy serves: "第十三条第一款"
    source: str  # where the number comes from, in Chinese
    history: dict[dt.date, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        Citation.parse(self.basis)
        if not self.history:
            raise ValueError(f"政策参数 {self.key} 没有取值")
        if self.key in _REGISTRY and _REGISTRY[self.key] is not self:
            raise ValueError(f"政策参数 {self.key} 重复声明")
        _REGISTRY[self.key] = self

    def __hash__(self) -> int:
        return hash(self.key)

    @property
    def note(self) -> str:
        """How a screen names it: 平台规定（依据第十三条第一款设定）."""
        return f"平台规定（依据{self.basis}设定）"

    def timeline(self) -> list[tuple[dt.date, Any]]:
        """Every (from, value), the deployment's INFOGOV_POLICY entries merged over the declared ones."""
        merged = dict(self.history)
        for day, value in (getattr(settings, "INFOGOV_POLICY", {}) or {}).get(self.key, {}).items():
            merged[day if isinstance(day, dt.date) else dt.date.fromisoformat(day)] = value
        return sorted(merged.items())

    def on(self, day: dt.date | None = None) -> Any:
        """The value in force on ``day`` (the date of the act; today when not given)."""
        if self.key in _OVERRIDES:
            return _OVERRIDES[self.key]
        day = day or dt.date.today()
        value = None
        for start, v in self.timeline():
            if start <= day:
                value = v
            else:
                break
        if value is None:  # an act before the first value: the first value applies
            value = self.timeline()[0][1]
        return value

    def describe(self, day: dt.date | None = None) -> str:
        """ "30天（平台规定（依据第九条第二款设定））" for help texts and duty rows."""
        return f"{self.on(day)}{self.unit}（{self.note}）"


def policies() -> list[Policy]:
    return sorted(_REGISTRY.values(), key=lambda p: p.key)


def get(key: str) -> Policy:
    return _REGISTRY[key]


@contextmanager
def override_policy(policy: Policy, value: Any) -> Iterator[None]:
    """For tests: the policy has ``value`` on every date while the block runs."""
    before = _OVERRIDES.get(policy.key, _MISSING)
    _OVERRIDES[policy.key] = value
    try:
        yield
    finally:
        if before is _MISSING:
            _OVERRIDES.pop(policy.key, None)
        else:
            _OVERRIDES[policy.key] = before


_MISSING = object()
