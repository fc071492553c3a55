"""Demo of the resource exchange: the base databases of 第二十六条 with synthetic, valid-format but
fictitious records (synthetic.py), published through the workflow (编目 → 审核 → 发布), with sharing
requests in every state, an exchange token, pulls in the access log and an open correction report.
Idempotent: a resource that exists (by catalogue code) is left as it is, and its records are only topped
up to the demo's size. 100,000 people and 20,000 legal persons (settings RESOURCES_DEMO_PEOPLE and
RESOURCES_DEMO_LEGAL_PERSONS; the test settings keep them small), loaded through the load step in batches
of 50,000 — each validated, each one docket event; `manage.py resources_generate --people N` loads more."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from infogov.core.workflow import engine
from infogov.org.models import User

from . import services
from .models import Resource, SharingRequest
from .synthetic import DISTRICTS, legal_persons, people

PEOPLE = int(getattr(settings, "RESOURCES_DEMO_PEOPLE", 100_000))
LEGAL_PERSONS = int(getattr(settings, "RESOURCES_DEMO_LEGAL_PERSONS", 20_000))
BATCH = 50_000

POPULATION_FIELDS = [
    {
        "code": "id_number",
        "name": "公民身份号码",
        "field_type": "resident_id",
        "field_sensitivity": "sensitive_personal",
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
    {
        "code": "gender",
        "name": "性别",
        "field_type": "code",
        "field_sensitivity": "personal",
        "code_list": ["男", "女"],
    },
    {"code": "born_on", "name": "出生日期", "field_type": "date", "field_sensitivity": "personal"},
    {
        "code": "district",
        "name": "户籍所在区县代码",
        "field_type": "code",
        "field_sensitivity": "internal",
        "code_list": list(DISTRICTS),
        "required": True,
    },
    {"code": "address", "name": "住址", "field_sensitivity": "personal"},
    {"code": "phone", "name": "联系电话", "field_type": "phone", "field_sensitivity": "personal"},
]
LEGAL_FIELDS = [
    {
        "code": "uscc",
        "name": "统一社会信用代码",
        "field_type": "credit_code",
        "field_sensitivity": "public",
        "required": True,
        "record_key": True,
    },
    {"code": "name", "name": "机构名称", "field_sensitivity": "public", "required": True},
    {
        "code": "kind",
        "name": "机构类别",
        "field_type": "code",
        "field_sensitivity": "public",
        "code_list": ["医院", "卫生院", "诊所", "社区卫生服务中心", "门诊部"],
    },
    {
        "code": "representative",
        "name": "法定代表人",
        "field_type": "person_name",
        "field_sensitivity": "personal",
    },
    {
        "code": "district",
        "name": "所在区县代码",
        "field_type": "code",
        "field_sensitivity": "public",
        "code_list": list(DISTRICTS),
    },
    {"code": "registered_on", "name": "登记日期", "field_type": "date", "field_sensitivity": "public"},
]
SPATIAL_FIELDS = [
    {"code": "code", "name": "网格编码", "field_sensitivity": "public", "required": True, "record_key": True},
    {
        "code": "district",
        "name": "所在区县代码",
        "field_type": "code",
        "field_sensitivity": "public",
        "code_list": list(DISTRICTS),
    },
    {"code": "longitude", "name": "中心经度", "field_type": "decimal", "field_sensitivity": "public"},
    {"code": "latitude", "name": "中心纬度", "field_type": "decimal", "field_sensitivity": "public"},
]

RESOURCES: list[dict[str, Any]] = [
    {
        "owner": "police",
        "authority": "authority",
        "title": "吉林市人口基础信息",
        "catalogue_code": "1-01-001-001",
        "provider_code": "JLGA-RK-0001",
        "summary": "全市户籍人口的公民身份号码、姓名、性别、出生日期、户籍地和联系方式（人口基础库）",
        "base_category": "population",
        "update_frequency": "daily",
        "share_type": "conditional",
        "share_basis": "依法履行职责需要核验人员身份的部门申请，按最小必要提供；个人信息脱敏",
        "source_system": "吉林市人口信息管理系统",
        "fields": POPULATION_FIELDS,
        "rows": "people",
    },
    {
        "owner": "dept",
        "authority": "authority",
        "title": "吉林市医疗卫生机构法人信息",
        "catalogue_code": "1-02-003-001",
        "provider_code": "JLWJ-FR-0001",
        "summary": (
            "全市医疗卫生机构的统一社会信用代码、名称、类别、法定代表人、所在区县和登记日期（法人基础库）"
        ),
        "base_category": "legal_person",
        "update_frequency": "weekly",
        "share_type": "conditional",
        "share_basis": "法定代表人姓名属个人信息，按申请用途提供",
        "source_system": "吉林市医疗机构登记系统",
        "fields": LEGAL_FIELDS,
        "rows": "legal",
    },
    {
        "owner": "yongji_dept",
        "authority": "yongji_authority",
        "title": "永吉县卫生服务网格空间信息",
        "catalogue_code": "1-03-002-001",
        "summary": "永吉县卫生服务网格的编码、所在区县和中心点坐标（自然资源和空间地理基础库）",
        "base_category": "natural_spatial",
        "update_frequency": "yearly",
        "share_type": "unconditional",
        "fields": SPATIAL_FIELDS,
        "rows": "grid",
    },
    {
        "owner": "police",
        "authority": "authority",
        "title": "户籍迁移审批档案",
        "catalogue_code": "3-01-004-001",
        "summary": "户籍迁移的审批材料（部门信息资源）",
        "base_category": "departmental",
        "update_frequency": "monthly",
        "share_type": "not_shared",
        "share_basis": "含审批过程材料，依《中华人民共和国户口登记条例》及公安机关内部规定不予共享",
        "fields": [
            {"code": "file_no", "name": "档案号", "field_sensitivity": "internal", "record_key": True}
        ],
        "rows": "",
    },
]


def _grid() -> list[dict[str, Any]]:
    return [
        {
            "code": f"YJ-{i:03d}",
            "district": "220221",
            "longitude": f"{126.3 + i * 0.01:.4f}",
            "latitude": f"{43.6 + (i % 7) * 0.01:.4f}",
        }
        for i in range(1, 61)
    ]


def _rows(kind: str, skip: int = 0) -> Iterator[dict[str, Any]]:
    """The demo's records of `kind` after the first `skip` (the generators are deterministic)."""
    if kind == "people":
        return itertools.islice(people(PEOPLE), skip, None)
    if kind == "legal":
        return itertools.islice(legal_persons(LEGAL_PERSONS), skip, None)
    if kind == "grid":
        return itertools.islice(iter(_grid()), skip, None)
    return iter(())


def _load(r: Resource, owner: User, kind: str) -> Resource:
    """Top the resource's records up to the demo's size, a batch at a time (idempotent)."""
    from .models import DataRecord

    have = DataRecord.objects.filter(resource=r).count()
    rows = _rows(kind, skip=have)
    while batch := list(itertools.islice(rows, BATCH)):
        r = services.records_load(
            user=owner, resource=r, rows=batch, source="演示数据（虚构）", file_format="api"
        )
    return r


def _publish(spec: dict[str, Any], users: dict[str, User]) -> Resource:
    owner = users[spec["owner"]]
    data = {k: v for k, v in spec.items() if k not in {"owner", "authority", "fields", "rows"}}
    r = services.resource_create(user=owner, data=data)
    for f in spec["fields"]:
        r = engine.fire(r, "add_field", user=owner, payload=f)
    r = engine.fire(r, "submit", user=owner)
    r = engine.fire(r, "publish", user=users[spec["authority"]])
    return _load(r, owner, spec["rows"])


def _request(user: User, r: Resource, fields: list[str], purpose: str) -> SharingRequest:
    today = timezone.localdate()
    return services.request_create(
        user=user,
        data={
            "resource": r.pk,
            "purpose": purpose,
            "fields": fields,
            "legal_basis": "履行法定职责",
            "period_start": today,
            "period_end": today + dt.timedelta(days=365),
            "consumer_system": "业务办理系统",
        },
    )


def seed(stdout: Any = None) -> dict[str, int]:
    names = {
        "police",
        "dept",
        "yongji_dept",
        "chuanying_dept",
        "gaoxin_dept",
        "authority",
        "yongji_authority",
    }
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    if len(users) != len(names):
        if stdout is not None:
            stdout.write("政务信息资源：缺少核心演示用户，跳过\n")
        return {"resources": 0}
    created = 0
    with transaction.atomic():
        by_code: dict[str, Resource] = {}
        for spec in RESOURCES:
            found = Resource.objects.filter(catalogue_code=spec["catalogue_code"]).first()
            if found is None:
                found = _publish(spec, users)
                created += 1
            elif found.state == "published":
                found = _load(found, users[spec["owner"]], spec["rows"])
            by_code[spec["catalogue_code"]] = found
        if created:
            population = by_code["1-01-001-001"]
            granted = _request(
                users["yongji_dept"],
                population,
                ["id_number", "name", "district"],
                "核验家庭医生签约居民身份",
            )
            granted = engine.fire(granted, "grant", user=users["police"], comment="同意，个人信息脱敏提供")
            services.token_issue(user=users["yongji_dept"], grant=granted)
            _request(
                users["chuanying_dept"],
                population,
                ["id_number", "name", "born_on"],
                "老年人健康管理服务对象核验",
            )
            _request(
                users["gaoxin_dept"],
                by_code["1-03-002-001"],
                ["code", "longitude", "latitude"],
                "开发区卫生服务规划",
            )
            population = Resource.objects.get(pk=population.pk)
            first = population_first_id(population)
            engine.fire(
                population,
                "report_error",
                user=users["yongji_dept"],
                payload={
                    "record_id": first,
                    "field_code": "name",
                    "problem": "签约时居民出示的身份证姓名与库中不一致",
                    "evidence": "家庭医生签约现场核验记录",
                },
            )
    if stdout is not None:
        stdout.write(f"政务信息资源 {Resource.objects.count()} 项（本次新建 {created} 项）\n")
    return {"resources": Resource.objects.count()}


def population_first_id(r: Resource) -> str:
    from .models import DataRecord

    return DataRecord.objects.filter(resource=r).order_by("record_id").values_list("record_id", flat=True)[0]
