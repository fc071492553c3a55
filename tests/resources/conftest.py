"""A population resource of 永吉县's 卫生健康局 (the provider) and 蛟河市's 卫生健康局 (the consumer)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from infogov.core.text.identifiers import (
    credit_code_check_char,
    organisation_code_check_char,
    resident_id_check_char,
)
from infogov.core.workflow import engine
from infogov.resources import services
from tests.conftest import World, fresh


def resident_id(region: str = "220221", born: str = "19900101", seq: str = "123") -> str:
    first = f"{region}{born}{seq}"
    return first + resident_id_check_char(first)


def credit_code(org8: str = "MA123456", region: str = "220200") -> str:
    body = f"91{region}{org8}{organisation_code_check_char(org8)}"
    return body + credit_code_check_char(body)


POPULATION_FIELDS = [
    {
        "code": "id_number",
        "name": "公民身份号码",
        "field_type": "resident_id",
        "field_sensitivity": "personal",
        "required": True,
        "record_key": True,
    },
    {
        "code": "name",
        "name": "姓名",
        "field_type": "person_name",
        "field_sensitivity": "personal",
        "required": True,
    },
    {"code": "phone", "name": "联系电话", "field_type": "phone", "field_sensitivity": "personal"},
    {
        "code": "district",
        "name": "所属区县",
        "field_type": "code",
        "field_sensitivity": "public",
        "code_list": ["永吉县", "蛟河市", "船营区"],
    },
    {"code": "born_on", "name": "出生日期", "field_type": "date", "field_sensitivity": "internal"},
]


def resource_data(**over: Any) -> dict[str, Any]:
    return {
        "title": "永吉县人口基础信息",
        "catalogue_code": "1-01-001-001",
        "summary": "永吉县户籍人口的基础信息",
        "base_category": "population",
        "update_frequency": "daily",
        "share_type": "conditional",
        "share_basis": "用于履行法定职责，按最小必要提供",
        **over,
    }


@dataclass
class Exchange:
    world: World
    provider: Any  # user of 永吉县卫生健康局
    consumer: Any  # user of 蛟河市卫生健康局
    authority: Any  # 永吉县工业和信息化局

    def draft(self, fields: list[dict[str, Any]] | None = None, **over: Any) -> Any:
        r = services.resource_create(user=self.provider, data=resource_data(**over))
        for f in POPULATION_FIELDS if fields is None else fields:
            r = engine.fire(r, "add_field", user=self.provider, payload=f)
        return r

    def published(self, fields: list[dict[str, Any]] | None = None, **over: Any) -> Any:
        r = self.draft(fields, **over)
        r = engine.fire(r, "submit", user=self.provider)
        return engine.fire(r, "publish", user=self.authority)

    def load(self, r: Any, rows: list[dict[str, Any]]) -> Any:
        return services.records_load(
            user=self.provider, resource=r, rows=rows, source="测试", file_format="api"
        )

    def request(self, r: Any, **over: Any) -> Any:
        today = timezone.localdate()
        data = {
            "resource": r.pk,
            "purpose": "核实医保参保人员身份",
            "fields": ["id_number", "name", "district"],
            "legal_basis": "《社会保险法》",
            "period_start": today.isoformat(),
            "period_end": (today + dt.timedelta(days=365)).isoformat(),
            "consumer_system": "蛟河市医保核验系统",
            **over,
        }
        return services.request_create(user=self.consumer, data=data)

    def grant(self, req: Any, **payload: Any) -> Any:
        return engine.fire(req, "grant", user=self.provider, payload=payload or None)


@pytest.fixture
def ex(world: World) -> Exchange:
    return Exchange(
        world,
        fresh(world.yongji.dept_user),
        fresh(world.jiaohe.dept_user),
        fresh(world.yongji.authority_user),
    )


PEOPLE = [
    {
        "id_number": resident_id(seq="101"),
        "name": "张三丰",
        "phone": "13812345678",
        "district": "永吉县",
        "born_on": "1990-01-01",
    },
    {
        "id_number": resident_id(seq="102"),
        "name": "李四",
        "phone": "13987654321",
        "district": "蛟河市",
        "born_on": "1990-01-01",
    },
    {"id_number": resident_id(seq="103"), "name": "王五", "district": "永吉县", "born_on": "1990/1/1"},
]
