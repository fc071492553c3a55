"""How much to generate: the named scales (city, province) and reduced ones for tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

UTC = dt.UTC
TZ_SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class GenSpec:
    """How much to generate. `events` is a target: the docket follows from each case's history."""

    scale: str
    cities: int
    projects: int
    systems: int
    events: int
    first_year: int = 2016
    last_year: int = 2025

    @property
    def events_per_project(self) -> float:
        return self.events / max(1, self.projects)


SCALES: dict[str, GenSpec] = {
    # 吉林市 over ten years: 12 jurisdictions, ~300 organisations
    "city": GenSpec("city", cities=1, projects=10_000, systems=2_000, events=500_000),
    # 吉林省: ten cities of that size under the province
    "province": GenSpec("province", cities=10, projects=100_000, systems=20_000, events=5_000_000),
}


def spec_for(scale: str, **overrides: Any) -> GenSpec:
    """A named scale, or a reduced one for tests: spec_for("city", projects=500, events=10_000)."""
    base = SCALES[scale]
    if not overrides:
        return base
    return GenSpec(**{**asdict(base), **overrides, "scale": overrides.get("scale", f"{scale}-custom")})
