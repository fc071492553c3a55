"""Helpers to walk security cases through their procedures in tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from infogov.core.workflow import engine as workflow
from infogov.security import services
from infogov.security.models import InformationSystem
from tests.conftest import Land, World, fresh

D = dt.date
GRADED_ON, REVIEWED_ON, FILED_ON = D(2025, 3, 1), D(2025, 3, 20), D(2025, 4, 1)


def register(land: Land, title: str = "永吉县社区网格化服务管理平台", **fields: Any) -> InformationSystem:
    return services.system_register(user=fresh(land.dept_user), title=title, **fields)


def fire(case: Any, step: str, user: Any, payload: dict[str, Any] | None = None, **kw: Any) -> Any:
    return workflow.fire(type(case).objects.get(pk=case.pk), step, user=fresh(user), payload=payload, **kw)


def grading(level: int = 3, harmed: str = "society", degree: str = "serious", on: dt.date = GRADED_ON):
    return {
        "object_harmed": harmed,
        "harm_degree": degree,
        "declared_level": level,
        "reasoning": "系统承载全县社区网格事件办理，遭破坏将严重损害社会秩序和公共利益。",
        "determined_on": on.isoformat(),
    }


def review(level: int = 3, on: dt.date = REVIEWED_ON, reasons: str = "") -> dict[str, Any]:
    return {
        "reviewed_on": on.isoformat(),
        "experts": "张伟、李娜、王强",
        "opinion": "定级对象明确，定级理由充分。",
        "reviewed_level": level,
        "override_reasons": reasons,
    }


def filing(on: dt.date = FILED_ON) -> dict[str, Any]:
    return {
        "filed_on": on.isoformat(),
        "filing_number": "22020099001-25001",
        "filing_organ": "吉林市公安局网安支队",
    }


def evaluation(
    on: dt.date, result: str = "良", score: str = "85.5", issues: list | None = None
) -> dict[str, Any]:
    return {
        "evaluated_on": on.isoformat(),
        "agency": "吉林省信息安全测评中心",
        "report_number": f"DJCP-{on:%Y%m%d}",
        "result": result,
        "score": score,
        "issues": issues or [],
    }


def filed_system(world: World, level: int = 3, **kw: Any) -> InformationSystem:
    """A system of 永吉县's department graded, reviewed and filed in 2025."""
    land = world.yongji
    system = register(land, **kw)
    harmed, degree = {
        1: ("citizens", "general"),
        2: ("society", "general"),
        3: ("society", "serious"),
        4: ("state", "serious"),
    }[level]
    fire(system, "determine_level", land.dept_user, grading(level, harmed, degree))
    fire(system, "review_grading", land.dept_user, review(level))
    return fire(system, "file_record", land.dept_user, filing())


@pytest.fixture
def yongji(world: World) -> Land:
    return world.yongji
