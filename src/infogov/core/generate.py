"""Synthetic data at the scale of a city or a province, for `make bench` and the index checks.

`manage.py generate_data --scale city|province [--seed N]` (see GenSpec for the sizes): jurisdictions,
organisations, users and their roles, then each app's cases with their records, their docket (hash
chains computed with docket.event_digest, the same function record() uses; sealed in batches of
50,000 like seal_pending) and their obligations. Deterministic for a scale and seed: the same
database content every time (ids included, on an empty database).

Fast: cases are produced by worker processes, each from its own random stream (one per case, so
the data does not depend on the number of workers); on PostgreSQL rows go in with COPY, the docket
through per-month files merged in time order so that ids grow with time as in a real docket (the
events of a case are interleaved with every other case's, as they are in production). On SQLite
(tests) the same rows go in with executemany. Every case is validated with the model's own field
validation (clean_fields) before it is written.

The population records of the exchange store (1,000,000 / 4,000,000) and the catalogued resources
are not generated: the resources app (exchange API, catalogue) does not exist yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from django.db import connection, transaction

from infogov.core import demo
from infogov.core.docket.chain import GENESIS, seal_digest, seal_hash
from infogov.core.docket.verify import _ENCODE
from infogov.org.choices import JurisdictionKind, OrganisationKind, Role

MARKER_TABLE = "infogov_generated"
SEAL_BATCH = 50_000  # docket.seal_pending's default batch
UTC = dt.UTC
TZ_SHANGHAI = dt.timezone(dt.timedelta(hours=8))


# -- sizes ------------------------------------------------------------------------------------------


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


# -- the world: jurisdictions, organisations, users ------------------------------------------------

PROVINCE = ("220000", "吉林省")
# The other cities of the province (吉林市 is core.demo's, with its real subordinate divisions).
OTHER_CITIES = [
    ("220100", "长春市"),
    ("220300", "四平市"),
    ("220400", "辽源市"),
    ("220500", "通化市"),
    ("220600", "白山市"),
    ("220700", "松原市"),
    ("220800", "白城市"),
    ("222400", "延边朝鲜族自治州"),
    ("220581", "梅河口市"),
]
SUB_ROOTS = [
    "朝阳",
    "南关",
    "宽城",
    "二道",
    "绿园",
    "双阳",
    "九台",
    "农安",
    "榆树",
    "德惠",
    "公主岭",
    "铁西",
    "铁东",
    "梨树",
    "伊通",
    "双辽",
    "龙山",
    "西安",
    "东丰",
    "东辽",
    "东昌",
    "二道江",
    "集安",
    "辉南",
    "柳河",
    "浑江",
    "江源",
    "临江",
    "抚松",
    "靖宇",
    "长白",
    "宁江",
    "前郭",
    "长岭",
    "乾安",
    "扶余",
    "洮北",
    "镇赉",
    "通榆",
    "洮南",
    "大安",
    "延吉",
    "图们",
    "敦化",
    "珲春",
    "龙井",
    "和龙",
    "汪清",
    "安图",
    "山城",
    "海龙",
    "新合",
    "曙光",
    "进化",
    "中和",
    "黑山",
    "一座营",
    "康大营",
    "湾龙",
    "兴华",
    "水道",
    "李炉",
    "杨树",
    "小杨",
    "吉乐",
    "牛心",
    "红梅",
    "双兴",
    "庆云",
    "水道口",
    "花园",
    "和平",
    "光明",
    "胜利",
    "团结",
    "新华",
    "民主",
    "青年",
    "建设",
    "长青",
    "松花",
    "鸭绿",
    "图们江",
    "天池",
    "白桦",
    "黄松",
    "红松",
    "雾凇",
    "金川",
    "银河",
    "龙湾",
    "碧水",
    "青山",
    "蓝天",
    "白云",
    "松林",
    "桦林",
    "榆林",
    "杨林",
]
SUB_KINDS = (
    [JurisdictionKind.DISTRICT] * 4 + [JurisdictionKind.COUNTY] * 3 + [JurisdictionKind.COUNTY_CITY] * 2
)
SUB_KINDS += [JurisdictionKind.DEV_ZONE] * 2
COUNTY_DEPARTMENTS = [
    "卫生健康局",
    "教育局",
    "公安局",
    "民政局",
    "人力资源和社会保障局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "生态环境局",
    "应急管理局",
    "医疗保障局",
    "市场监督管理局",
    "文化和旅游局",
    "自然资源局",
    "水利局",
    "统计局",
]
PUBLIC_SERVICE = [
    "第一人民医院",
    "第二人民医院",
    "中医院",
    "妇幼保健院",
    "疾病预防控制中心",
    "急救中心",
    "中心血站",
    "公共资源交易中心",
    "信息技术服务中心",
    "政务服务中心",
    "不动产登记中心",
    "社会保险事业管理局",
    "住房公积金管理中心",
    "融媒体中心",
    "图书馆",
    "博物馆",
    "第一中学",
    "职业技术学院",
    "档案馆",
    "大数据中心",
]
TELECOMS = ["移动通信分公司", "联通分公司", "电信分公司", "广电网络分公司", "铁塔分公司"]
COMPANY_PREFIX = ["华信", "博远", "中软", "数联", "云帆", "汇智", "长白", "松江", "北辰", "启明"]
COMPANY_SUFFIX = ["信息技术", "软件", "网络科技", "数据服务", "系统集成"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = "建国淑华志刚晓燕立新海峰丽娟德明文斌振华海涛雪梅建军丽萍国庆春燕志强晓红立军冬伟静明辉秀英桂兰玉兰凤英红梅金凤丹丹宇航子涵浩然欣怡梓萱一鸣思远佳怡俊杰婷婷雨轩"  # noqa: E501


@dataclass
class OrgInfo:
    id: int
    name: str
    short: str
    kind: str
    jurisdiction_id: int
    city: int  # index of the city (0 = 吉林市)
    level: str  # "province" | "city" | "sub"
    cosup: str = ""
    ordinal: int = 0  # position in the generation order (ids differ between databases, this does not)
    users: list[tuple[int, str, str]] = field(default_factory=list)  # (user id, full name, role)


@dataclass
class World:
    """What the case generators need, picklable for the worker processes."""

    province_id: int | None
    city_ids: list[int]  # per city: the city jurisdiction
    jurisdictions: dict[int, tuple[str, str, int]]  # id → (code, name, city index)
    orgs: dict[int, OrgInfo]
    authority_of: dict[int, int]  # jurisdiction → authority organisation
    government_of: dict[int, int]
    builders: dict[int, list[int]]  # city index → organisations that build projects
    logins: dict[str, int]  # bench logins: name → user id


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def _jurisdiction_rows(spec: GenSpec) -> list[tuple[str, str, str, int, int]]:
    """(code, name, kind, city index, parent row index or -1) in creation order."""
    rows: list[tuple[str, str, str, int, int]] = []
    top = -1
    if spec.cities > 1:
        rows.append((PROVINCE[0], PROVINCE[1], JurisdictionKind.CITY, -1, -1))
        top = 0
    code, name, kind = demo.CITY
    rows.append((code, name, kind, 0, top))
    parent = len(rows) - 1
    for c, n, k in demo.SUBORDINATE:
        rows.append((c, n, k, 0, parent))
    roots = iter(SUB_ROOTS)
    for ci, (ccode, cname) in enumerate(OTHER_CITIES[: spec.cities - 1], start=1):
        rows.append((ccode, cname, JurisdictionKind.CITY, ci, top))
        parent = len(rows) - 1
        for i, k in enumerate(SUB_KINDS, start=1):
            root = next(roots)
            suffix = {"district": "区", "county": "县", "county_city": "市", "dev_zone": "经济开发区"}[k]
            rows.append((f"{ccode}{i:02d}", f"{cname}{root}{suffix}", k, ci, parent))
    return rows


def build_world(spec: GenSpec, seed: int) -> World:
    """Jurisdictions, organisations, users and memberships (bulk inserts, validated)."""
    from infogov.org.models import Jurisdiction, Membership, Organisation, User

    rng = random.Random(f"{seed}:world")
    rows = _jurisdiction_rows(spec)
    jur_objs: list[Jurisdiction] = []
    for order, (code, name, kind, _ci, parent) in enumerate(rows):
        j = Jurisdiction(code=code, name=name, kind=kind, sort_order=order % 100)
        j.path = (jur_objs[parent].path if parent >= 0 else "") + f"{code}/"
        j.clean_fields(exclude=["parent", "path"])
        jur_objs.append(j)
    # parents first: insert level by level so that parent ids exist
    for depth in (0, 1, 2):
        level = [(i, j) for i, j in enumerate(jur_objs) if j.path.count("/") == depth + 1 and j.pk is None]
        for i, j in level:
            parent = rows[i][4]
            j.parent_id = jur_objs[parent].pk if parent >= 0 else None
        Jurisdiction.objects.bulk_create([j for _, j in level])
    if any(j.pk is None for j in jur_objs):  # SQLite < 3.35 gives no ids back
        by_code = dict(Jurisdiction.objects.values_list("code", "pk"))
        for j in jur_objs:
            j.pk = by_code[j.code]
    jurisdictions = {j.pk: (j.code, j.name, rows[i][3]) for i, j in enumerate(jur_objs)}
    province_id = jur_objs[0].pk if spec.cities > 1 else None
    city_ids = [
        j.pk for i, j in enumerate(jur_objs) if rows[i][2] == JurisdictionKind.CITY and rows[i][3] >= 0
    ]

    # organisations
    # name, short name, kind, jurisdiction id, city index, level, co-supervision
    org_specs: list[tuple[str, str, str, int, int, str, str]] = []

    def add(name: str, kind: str, jid: int, cosup: str = "", short: str = "") -> None:
        ci = jurisdictions[jid][2]
        level = "province" if jid == province_id else ("city" if jid in city_ids else "sub")
        org_specs.append((name, short or name, kind, jid, ci, level, cosup))

    if province_id is not None:
        add("吉林省工业和信息化厅", OrganisationKind.AUTHORITY, province_id)
        add("吉林省人民政府", OrganisationKind.GOVERNMENT, province_id)
    for i, j in enumerate(jur_objs):
        ci = rows[i][3]
        if ci < 0:
            continue
        kind = rows[i][2]
        add(demo.authority_name(j.name, kind), OrganisationKind.AUTHORITY, j.pk)
        add(demo.government_name(j.name, kind), OrganisationKind.GOVERNMENT, j.pk)
        if kind == JurisdictionKind.CITY:
            for dept, cosup in demo.CITY_DEPARTMENTS:
                short = dept.removeprefix("吉林市")
                add(f"{j.name}{short}", OrganisationKind.DEPARTMENT, j.pk, cosup, short)
            for unit in PUBLIC_SERVICE:
                add(f"{j.name}{unit}", OrganisationKind.PUBLIC_SERVICE, j.pk, "", unit)
            for t in TELECOMS:
                add(f"{j.name}{t}", OrganisationKind.ENTERPRISE, j.pk)
            for k in range(20):
                prefix, suffix = COMPANY_PREFIX[k % 10], COMPANY_SUFFIX[k // 10 + (k % 3)]
                add(f"{j.name}{prefix}{suffix}有限公司", OrganisationKind.ENTERPRISE, j.pk)
            add(f"{j.name}信息化专家库", OrganisationKind.EXPERT_POOL, j.pk)
            if ci == 0:
                add(demo.PLATFORM, OrganisationKind.PLATFORM, j.pk)
        else:
            for name, cosup in demo.cosupervisor_names(j.name, kind):
                add(name, OrganisationKind.DEPARTMENT, j.pk, cosup, name.removeprefix(j.name))
            for dept in COUNTY_DEPARTMENTS:
                add(f"{j.name}{dept}", OrganisationKind.DEPARTMENT, j.pk, "", dept)
    org_objs = []
    for name, _short, kind, jid, _ci, _level, cosup in org_specs:
        org = Organisation(
            name=name, short_name=_short[:40], kind=kind, jurisdiction_id=jid, cosupervision=cosup
        )
        org.clean_fields(exclude=["jurisdiction"])
        org_objs.append(org)
    Organisation.objects.bulk_create(org_objs, batch_size=2000)
    if any(org.pk is None for org in org_objs):
        by_name = dict(Organisation.objects.values_list("name", "pk"))
        for org in org_objs:
            org.pk = by_name[org.name]
    orgs = {
        obj.pk: OrgInfo(obj.pk, obj.name, spec_[1], spec_[2], spec_[3], spec_[4], spec_[5], spec_[6], k)
        for k, (obj, spec_) in enumerate(zip(org_objs, org_specs, strict=True))
    }

    # users: staff per organisation, by kind
    plan: list[tuple[OrgInfo, str, str]] = []  # org, role, username
    for info in orgs.values():
        o = info
        roles: list[Any]
        if o.kind == OrganisationKind.AUTHORITY:
            roles = [Role.AUTHORITY_STAFF] * 3 + [Role.AUTHORITY_LEADER]
        elif o.kind == OrganisationKind.GOVERNMENT:
            roles = [Role.GOV_APPROVER]
        elif o.kind in (OrganisationKind.DEPARTMENT, OrganisationKind.PUBLIC_SERVICE):
            roles = [Role.DEPT_STAFF] * 2 + ([Role.CO_SUPERVISOR] if o.cosup else [])
        elif o.kind == OrganisationKind.EXPERT_POOL:
            roles = [Role.EXPERT] * 10
        elif o.kind == OrganisationKind.PLATFORM:
            roles = [Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN]
        else:
            roles = [Role.DEPT_STAFF]
        for n, r in enumerate(roles, start=1):
            plan.append((o, str(r), f"g{o.id}_{n}"))
    users = []
    for o, role, username in plan:
        u = User(
            username=username,
            full_name=_person(rng),
            organisation_id=o.id,
            is_staff=role in (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN),
        )
        u.set_unusable_password()
        users.append(u)
    User.objects.bulk_create(users, batch_size=2000)
    if any(u.pk is None for u in users):
        by_name = dict(User.objects.values_list("username", "pk"))
        for u in users:
            u.pk = by_name[u.username]
    Membership.objects.bulk_create(
        [
            Membership(user_id=u.pk, organisation_id=o.id, role=role)
            for u, (o, role, _) in zip(users, plan, strict=True)
        ],
        batch_size=2000,
    )
    for u, (o, role, _) in zip(users, plan, strict=True):
        o.users.append((u.pk, u.full_name, role))

    authority_of = {o.jurisdiction_id: o.id for o in orgs.values() if o.kind == OrganisationKind.AUTHORITY}
    government_of = {o.jurisdiction_id: o.id for o in orgs.values() if o.kind == OrganisationKind.GOVERNMENT}
    builders: dict[int, list[int]] = {}
    for o in orgs.values():
        if o.kind in (OrganisationKind.DEPARTMENT, OrganisationKind.PUBLIC_SERVICE) and o.level != "province":
            builders.setdefault(o.city, []).append(o.id)
    city0 = city_ids[0]
    logins = {
        "city_authority": _first_user(orgs[authority_of[city0]], Role.AUTHORITY_STAFF),
        "city_leader": _first_user(orgs[authority_of[city0]], Role.AUTHORITY_LEADER),
        "city_dept": _first_user(
            next(o for o in orgs.values() if o.name == "吉林市卫生健康委员会"), Role.DEPT_STAFF
        ),
    }
    if province_id is not None:
        logins["province_authority"] = _first_user(orgs[authority_of[province_id]], Role.AUTHORITY_STAFF)
    return World(province_id, city_ids, jurisdictions, orgs, authority_of, government_of, builders, logins)


def _first_user(o: OrgInfo, role: str) -> int:
    return next(uid for uid, _, r in o.users if r == role)


# -- writing rows ---------------------------------------------------------------------------------


def pg_params() -> dict[str, Any]:
    s = connection.settings_dict
    params = {"dbname": s["NAME"], "user": s["USER"], "password": s["PASSWORD"], "host": s["HOST"]}
    if s.get("PORT"):
        params["port"] = s["PORT"]
    return {k: v for k, v in params.items() if v not in (None, "")}


class Sink:
    """Rows into tables: COPY on PostgreSQL (own connection in a worker), executemany elsewhere."""

    def __init__(self, pg_conn: Any = None) -> None:
        self.pg = pg_conn
        self.counts: dict[str, int] = {}

    def rows(self, table: str, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> int:
        n = 0
        if self.pg is not None:
            with self.pg.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as cp:
                for r in rows:
                    cp.write_row(r)
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
            batch: list[tuple[Any, ...]] = []
            with connection.cursor() as cur:
                for r in rows:
                    batch.append(tuple(_sqlite_value(v) for v in r))
                    n += 1
                    if len(batch) >= 2000:
                        cur.executemany(sql, batch)
                        batch = []
                if batch:
                    cur.executemany(sql, batch)
        self.counts[table] = self.counts.get(table, 0) + n
        return n


def _sqlite_value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, bool):
        return int(v)
    if hasattr(v, "as_tuple"):  # Decimal
        return str(v)
    return v


def _copy_text(v: Any) -> str:
    if v is None:
        return "\\N"
    if v.__class__ is int:
        return str(v)
    s = v if isinstance(v, str) else str(v)
    if "\\" in s or "\t" in s or "\n" in s or "\r" in s:
        s = s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return s


def _uncopy(s: str) -> str | None:
    if s == "\\N":
        return None
    if "\\" not in s:
        return s
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}.get(nxt, nxt))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


# -- the docket ---------------------------------------------------------------------------------------

EVENT_COLUMNS = (
    "case_type_id",
    "case_id",
    "jurisdiction_id",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "organisation_id",
    "action",
    "action_label",
    "from_state",
    "to_state",
    "citation",
    "comment",
    "attachments",
    "payload",
    "changes",
    "prev_hash",
    "hash",
)
_DUMPS = json.JSONEncoder(ensure_ascii=False).encode
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)


def micros_of(at: dt.datetime) -> int:
    return int(at.timestamp()) * 1_000_000 + at.microsecond


class Chain:
    """The docket of one case, built event by event with the digest record() computes."""

    def __init__(self, out: EventOut, case_type_id: int, case_id: int, jurisdiction_id: int) -> None:
        self.out, self.ct, self.cid, self.jid = out, case_type_id, case_id, jurisdiction_id
        self.seq, self.prev = 0, GENESIS
        self.key = f"{case_type_id}:{case_id}"

    def add(
        self,
        at: dt.datetime,
        actor: tuple[int, str, int] | None,
        action: str,
        label: str = "",
        from_state: str = "",
        to_state: str = "",
        citation: str = "",
        comment: str = "",
        payload: dict[str, Any] | None = None,
        changes: dict[str, Any] | None = None,
    ) -> int:
        """Append an event; actor is (user id, name, organisation id). Returns its seq."""
        self.seq += 1
        payload, changes = payload or {}, changes or {}
        attachments: list[Any] = []
        actor_id, actor_name, org_id = actor if actor else (None, "系统", None)
        # what docket.event_digest computes (the same encoder settings, one encoder for all events)
        body = _ENCODE(
            [
                self.key,
                self.seq,
                micros_of(at),
                actor_id,
                org_id,
                action,
                from_state,
                to_state,
                citation,
                comment,
                attachments,
                payload,
                changes,
                self.prev,
            ]
        )
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        self.out.event(
            micros_of(at),
            (
                self.ct,
                self.cid,
                self.jid,
                self.seq,
                at,
                actor_id,
                actor_name,
                org_id,
                action,
                label,
                from_state,
                to_state,
                citation,
                comment,
                "[]",
                _DUMPS(payload),
                _DUMPS(changes),
                self.prev,
                digest,
            ),
        )
        self.prev = digest
        return self.seq


class EventOut:
    """Where a worker's events go before ids are assigned: per-month text files (PostgreSQL) or a list."""

    def __init__(self, directory: Path | None, tag: str, pg: bool) -> None:
        self.dir, self.tag, self.pg = directory, tag, pg
        self.files: dict[int, TextIO] = {}
        self.items: list[tuple[str, tuple[Any, ...]]] = []
        self.count = 0

    def event(self, micros: int, row: tuple[Any, ...]) -> None:
        self.count += 1
        (
            ct,
            cid,
            jid,
            seq,
            at,
            actor,
            name,
            org,
            action,
            label,
            fs,
            ts,
            cit,
            comment,
            att,
            pay,
            chg,
            prev,
            h,
        ) = row
        key = f"{micros:017d}{ct:05d}{cid:012d}{seq:07d}"
        if self.dir is None:
            self.items.append((key, row))
            return
        month = micros // (30 * 86_400_000_000)
        f = self.files.get(month)
        if f is None:
            f = self.files[month] = open(self.dir / f"{month:06d}.{self.tag}", "w", encoding="utf-8")  # noqa: SIM115
        e = _copy_text
        f.write(
            f"{key}\t{h}\t{ct}\t{cid}\t{jid}\t{seq}\t{at.astimezone(UTC).isoformat(' ')}\t"
            f"{e(actor)}\t{e(name)}\t"
            f"{e(org)}\t{action}\t{e(label)}\t{fs}\t{ts}\t{cit}\t{e(comment)}\t{e(att)}\t{e(pay)}\t{e(chg)}\t"
            f"{prev}\t{h}\n"
        )

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        self.files = {}


def _merged_events(directory: Path) -> Iterator[tuple[str, str]]:
    """(hash, COPY line without id) of every event file in the directory, in time order."""
    by_month: dict[str, list[Path]] = {}
    for p in directory.iterdir():
        by_month.setdefault(p.name.split(".")[0], []).append(p)
    for month in sorted(by_month):
        lines: list[str] = []
        for p in by_month[month]:
            with open(p, encoding="utf-8") as f:
                lines.extend(f)
        lines.sort()
        for line in lines:
            _key, h, rest = line.split("\t", 2)
            yield h, rest
        for p in by_month[month]:
            p.unlink()


@dataclass
class DocketWriteResult:
    events: int
    seals: int
    first_id: int
    last_id: int


def write_docket_pg(directory: Path, log: Callable[[str], None]) -> DocketWriteResult:
    """COPY the merged events with ids in time order, then the seals over them, in one transaction;
    the event table's secondary indexes and foreign keys are dropped for the load and rebuilt after."""
    cur = connection.cursor()
    cur.execute("SELECT coalesce(max(id), 0) FROM core_docketevent")
    start = cur.fetchone()[0] + 1
    cur.execute("SELECT hash FROM core_docketseal ORDER BY id DESC LIMIT 1")
    row = cur.fetchone()
    prev_seal = row[0] if row else GENESIS
    t0 = time.perf_counter()
    with transaction.atomic():
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending foreign-key checks block the DDL
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'core_docketevent'::regclass AND contype IN ('f', 'u')"
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'core_docketevent' "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint "
            "WHERE conrelid = 'core_docketevent'::regclass)"
        )
        indexes = cur.fetchall()
        for name, _ in constraints:
            cur.execute(f'ALTER TABLE core_docketevent DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f'DROP INDEX "{name}"')
        seals: list[tuple[int, int, int, str]] = []  # (count, first, last, digest)
        n = 0
        eid = start - 1
        digest = hashlib.sha256()
        first_in_seal = start
        raw = connection.connection
        with (
            raw.cursor() as pc,
            pc.copy(f"COPY core_docketevent (id, {', '.join(EVENT_COLUMNS)}) FROM STDIN") as cp,
        ):
            buf: list[str] = []
            for h, rest in _merged_events(directory):
                eid += 1
                n += 1
                buf.append(f"{eid}\t{rest}")
                digest.update(h.encode("ascii"))
                if eid - first_in_seal + 1 == SEAL_BATCH:
                    seals.append((SEAL_BATCH, first_in_seal, eid, digest.hexdigest()))
                    digest, first_in_seal = hashlib.sha256(), eid + 1
                if len(buf) >= 5000:
                    cp.write("".join(buf))
                    buf = []
            if buf:
                cp.write("".join(buf))
        if eid >= first_in_seal:
            seals.append((eid - first_in_seal + 1, first_in_seal, eid, digest.hexdigest()))
        log(f"  案卷记录 {n:,} 条写入 {time.perf_counter() - t0:.0f} s")
        t1 = time.perf_counter()
        for _name, ddl in indexes:
            cur.execute(ddl)
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, ddl in constraints:
            cur.execute(f'ALTER TABLE core_docketevent ADD CONSTRAINT "{name}" {ddl}')
        log(f"  案卷记录索引和约束重建 {time.perf_counter() - t1:.0f} s")
        t1 = time.perf_counter()
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'core_docketsealentry'::regclass AND contype = 'f'"
        )
        entry_fks = cur.fetchall()
        for name, _ in entry_fks:
            cur.execute(f'ALTER TABLE core_docketsealentry DROP CONSTRAINT "{name}"')
        _write_seals(seals, prev_seal)
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for name, ddl in entry_fks:
            cur.execute(f'ALTER TABLE core_docketsealentry ADD CONSTRAINT "{name}" {ddl}')
        log(f"  封存批次 {len(seals)} 个 {time.perf_counter() - t1:.0f} s")
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('core_docketevent', 'id'), "
            "(SELECT max(id) FROM core_docketevent))"
        )
    return DocketWriteResult(n, len(seals), start, eid)


def _write_seals(seals: list[tuple[int, int, int, str]], prev: str) -> None:
    from infogov.core.models import DocketSeal

    cur = connection.cursor()
    at = dt.datetime(2026, 1, 1, tzinfo=UTC)
    for count, first, last, digest in seals:
        h = seal_hash(count=count, first=first, last=last, digest=digest, prev_hash=prev)
        seal = DocketSeal.objects.create(
            at=at,
            count=count,
            first_event_id=first,
            last_event_id=last,
            digest=digest,
            prev_hash=prev,
            hash=h,
        )
        if connection.vendor == "postgresql":
            cur.execute(
                "INSERT INTO core_docketsealentry (event_id, seal_id) "
                "SELECT g, %s FROM generate_series(%s::bigint, %s::bigint) g",
                [seal.pk, first, last],
            )
        else:
            cur.execute(
                "WITH RECURSIVE g(x) AS (SELECT %s UNION ALL SELECT x + 1 FROM g WHERE x < %s) "
                "INSERT INTO core_docketsealentry (event_id, seal_id) SELECT x, %s FROM g",
                [first, last, seal.pk],
            )
        prev = h


def write_docket_generic(items: list[tuple[str, tuple[Any, ...]]]) -> DocketWriteResult:
    """SQLite (tests): sort in memory, assign ids, executemany, seal."""
    cur = connection.cursor()
    cur.execute("SELECT coalesce(max(id), 0) FROM core_docketevent")
    start = cur.fetchone()[0] + 1
    cur.execute("SELECT hash FROM core_docketseal ORDER BY id DESC LIMIT 1")
    row = cur.fetchone()
    prev_seal = row[0] if row else GENESIS
    items.sort(key=lambda kv: kv[0])
    rows = [(start + i, *r) for i, (_, r) in enumerate(items)]
    Sink().rows("core_docketevent", ("id", *EVENT_COLUMNS), rows)
    seals = []
    for k in range(0, len(rows), SEAL_BATCH):
        chunk = rows[k : k + SEAL_BATCH]
        seals.append((len(chunk), chunk[0][0], chunk[-1][0], seal_digest([r[-1] for r in chunk])))
    _write_seals(seals, prev_seal)
    end = start + len(rows) - 1
    return DocketWriteResult(len(rows), len(seals), start, end)


# -- the run ------------------------------------------------------------------------------------------


@dataclass
class GenReport:
    scale: str
    seed: int
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)
    logins: dict[str, int] = field(default_factory=dict)
    skipped: bool = False
    pending: list[str] = field(default_factory=list)


PENDING = [
    "交换库人口记录（city 1,000,000 / province 4,000,000 条）：resources 应用（数据交换接口）尚未建设",
    "信息资源目录（city 3,000 条）：resources 应用（信息资源目录）尚未建设",
]

APP_TABLES = [  # truncated by reset=True (children first is not needed: CASCADE)
    "core_docketsealentry",
    "core_docketseal",
    "core_obligation",
    "core_docketevent",
    "core_attachment",
    "core_caseassignment",
    "core_apitoken",
    "core_auditevent",
]


def marker() -> dict[str, Any] | None:
    """What generate() last completed in this database (scale, seed, counts), if anything."""
    with connection.cursor() as cur:
        if MARKER_TABLE not in connection.introspection.table_names(cur):
            return None
        cur.execute(
            f"SELECT scale, seed, seconds, counts FROM {MARKER_TABLE} ORDER BY generated_at DESC LIMIT 1"
        )
        row = cur.fetchone()
    if row is None:
        return None
    counts = row[3] if isinstance(row[3], dict) else json.loads(row[3])
    return {"scale": row[0], "seed": row[1], "seconds": row[2], "counts": counts}


def _write_marker(report: GenReport) -> None:
    with connection.cursor() as cur:
        if MARKER_TABLE not in connection.introspection.table_names(cur):
            cur.execute(
                f"CREATE TABLE {MARKER_TABLE} (scale varchar(40), seed integer, generated_at varchar(40), "
                "seconds double precision, counts text)"
            )
        cur.execute(f"DELETE FROM {MARKER_TABLE}")
        cur.execute(
            f"INSERT INTO {MARKER_TABLE} VALUES (%s, %s, %s, %s, %s)",
            [
                report.scale,
                report.seed,
                dt.datetime.now(UTC).isoformat(),
                report.seconds,
                json.dumps({**report.counts, "logins": report.logins}),
            ],
        )


def reset_database() -> None:
    """Empty every table of the apps (TRUNCATE: the docket's triggers refuse DELETE, by design)."""
    from django.apps import apps

    tables = [
        m._meta.db_table
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label not in {"contenttypes", "auth", "sessions", "admin"}
        or m._meta.db_table == "auth_group"
    ]
    tables = [t for t in tables if t in connection.introspection.table_names()]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("TRUNCATE " + ", ".join(tables) + " RESTART IDENTITY CASCADE")
            if MARKER_TABLE in connection.introspection.table_names(cur):
                cur.execute(f"DELETE FROM {MARKER_TABLE}")
        else:
            from django.core.management import call_command

            call_command("flush", interactive=False, verbosity=0)


def database_is_empty() -> bool:
    from infogov.org.models import Jurisdiction

    return not Jurisdiction.objects.exists()


def generate(
    spec: GenSpec,
    seed: int = 1,
    *,
    workers: int | None = None,
    reset: bool = False,
    log: Callable[[str], None] = lambda _m: None,
) -> GenReport:
    """Generate `spec` into the default database. On a database with other data, pass reset=True
    (everything of the apps is truncated first)."""
    from infogov.projects import generate as projects_gen

    t_start = time.perf_counter()
    report = GenReport(scale=spec.scale, seed=seed, pending=list(PENDING))
    if reset:
        reset_database()
    elif not database_is_empty():
        raise RuntimeError("数据库中已有数据：请使用空数据库，或加 --reset 清空后生成")
    pg = connection.vendor == "postgresql"
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if pg and spec.projects >= 5_000 else 1
    if not pg or connection.in_atomic_block:  # workers have their own connections: committed data only
        workers = 1

    t0 = time.perf_counter()
    with transaction.atomic():
        world = build_world(spec, seed)
    report.phases["world"] = round(time.perf_counter() - t0, 2)
    report.logins = world.logins
    log(
        f"  行政区域 {len(world.jurisdictions)} 个，单位 {len(world.orgs)} 个，"
        f"用户 {sum(len(o.users) for o in world.orgs.values())} 个（{report.phases['world']} s）"
    )

    t0 = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="infogov-gen-")) if pg else None
    try:
        prep = projects_gen.prepare(spec, seed, world)
        jobs = [
            (spec, seed, world, prep, part, workers, str(tmp) if tmp else None) for part in range(workers)
        ]
        if workers > 1:
            import multiprocessing

            connection.close()  # the workers fork; each opens its own connection
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results = pool.map(projects_gen.run_part, jobs)
        else:
            results = [projects_gen.run_part(jobs[0], in_process=True)]
        for r in results:
            for k, v in r["counts"].items():
                report.counts[k] = report.counts.get(k, 0) + v
        report.phases["cases"] = round(time.perf_counter() - t0, 2)
        log(
            f"  项目及其记录：{report.counts.get('projects_project', 0):,} 个项目"
            f"（{report.phases['cases']} s）"
        )

        t0 = time.perf_counter()
        if pg:
            assert tmp is not None
            written = write_docket_pg(tmp, log)
        else:
            items = [it for r in results for it in r["items"]]
            with transaction.atomic():
                written = write_docket_generic(items)
        report.counts["core_docketevent"] = written.events
        report.counts["core_docketseal"] = written.seals
        report.phases["docket"] = round(time.perf_counter() - t0, 2)

        t0 = time.perf_counter()
        with transaction.atomic():
            report.counts["core_obligation"] = projects_gen.finish(spec, world, prep)
        report.phases["obligations"] = round(time.perf_counter() - t0, 2)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)

    t0 = time.perf_counter()
    if pg:
        with connection.cursor() as cur:
            # the visibility map for index-only scans and the planner's statistics (inside a
            # transaction, as in the tests, VACUUM cannot run: statistics only)
            cur.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
    report.phases["analyze"] = round(time.perf_counter() - t0, 2)
    report.seconds = round(time.perf_counter() - t_start, 1)
    _write_marker(report)
    return report
