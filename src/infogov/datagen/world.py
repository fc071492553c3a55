"""The generated world: jurisdictions (吉林市 with its real divisions from core.demo, the other cities
of the province with invented ones), their organisations, users and roles. Bulk inserts, each row
validated with its model's clean_fields first. The case generators get a picklable `World`."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from infogov.core import demo
from infogov.org.choices import JurisdictionKind, OrganisationKind, Role

from .names import (
    COMPANY_PREFIX,
    COMPANY_SUFFIX,
    COUNTY_DEPARTMENTS,
    GIVEN,
    OTHER_CITIES,
    PROVINCE,
    PUBLIC_SERVICE,
    SUB_KINDS,
    SUB_ROOTS,
    SURNAMES,
    TELECOMS,
)
from .spec import GenSpec

SUFFIX_OF_KIND = {"district": "区", "county": "县", "county_city": "市", "dev_zone": "经济开发区"}


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


# (code, name, kind, city index, parent row index or -1)
JurisdictionRow = tuple[str, str, str, int, int]
# (name, short name, kind, jurisdiction id, city index, level, co-supervision)
OrgSpec = tuple[str, str, str, int, int, str, str]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice((1, 2))))


def jurisdiction_rows(spec: GenSpec) -> list[JurisdictionRow]:
    """The jurisdictions in creation order."""
    rows: list[JurisdictionRow] = []
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
            rows.append((f"{ccode}{i:02d}", f"{cname}{next(roots)}{SUFFIX_OF_KIND[k]}", k, ci, parent))
    return rows


def create_jurisdictions(rows: list[JurisdictionRow]) -> list[Any]:
    """Insert the jurisdictions level by level (parents first, so that their ids exist)."""
    from infogov.org.models import Jurisdiction

    objs: list[Jurisdiction] = []
    for order, (code, name, kind, _ci, parent) in enumerate(rows):
        j = Jurisdiction(code=code, name=name, kind=kind, sort_order=order % 100)
        j.path = (objs[parent].path if parent >= 0 else "") + f"{code}/"
        j.clean_fields(exclude=["parent", "path"])
        objs.append(j)
    for depth in (0, 1, 2):
        level = [(i, j) for i, j in enumerate(objs) if j.path.count("/") == depth + 1 and j.pk is None]
        for i, j in level:
            parent = rows[i][4]
            j.parent_id = objs[parent].pk if parent >= 0 else None
        Jurisdiction.objects.bulk_create([j for _, j in level])
    if any(j.pk is None for j in objs):  # SQLite < 3.35 gives no ids back
        by_code = dict(Jurisdiction.objects.values_list("code", "pk"))
        for j in objs:
            j.pk = by_code[j.code]
    return objs


Unit = tuple[str, str, str, str]  # (name, kind, co-supervision, short name)


def _city_units(j: Any, ci: int) -> list[Unit]:
    """(name, kind, co-supervision, short name) of a city's departments, units and companies."""
    units: list[Unit] = []
    for dept, cosup in demo.CITY_DEPARTMENTS:
        short = dept.removeprefix("吉林市")
        units.append((f"{j.name}{short}", OrganisationKind.DEPARTMENT, cosup, short))
    for unit in PUBLIC_SERVICE:
        units.append((f"{j.name}{unit}", OrganisationKind.PUBLIC_SERVICE, "", unit))
    for t in TELECOMS:
        units.append((f"{j.name}{t}", OrganisationKind.ENTERPRISE, "", ""))
    for k in range(20):
        prefix, suffix = COMPANY_PREFIX[k % 10], COMPANY_SUFFIX[k // 10 + (k % 3)]
        units.append((f"{j.name}{prefix}{suffix}有限公司", OrganisationKind.ENTERPRISE, "", ""))
    units.append((f"{j.name}信息化专家库", OrganisationKind.EXPERT_POOL, "", ""))
    if ci == 0:
        units.append((demo.PLATFORM, OrganisationKind.PLATFORM, "", ""))
    return units


def _sub_units(j: Any, kind: str) -> list[Unit]:
    """The same for a district or county: the co-supervising departments, then the others."""
    units: list[Unit] = [
        (name, OrganisationKind.DEPARTMENT, cosup, name.removeprefix(j.name))
        for name, cosup in demo.cosupervisor_names(j.name, kind)
    ]
    units += [(f"{j.name}{dept}", OrganisationKind.DEPARTMENT, "", dept) for dept in COUNTY_DEPARTMENTS]
    return units


def organisation_specs(
    rows: list[JurisdictionRow], jur_objs: list[Any], province_id: int | None, city_ids: list[int]
) -> list[OrgSpec]:
    """Every organisation to create, in order: the province's, then per jurisdiction."""
    city_of = {j.pk: rows[i][3] for i, j in enumerate(jur_objs)}
    specs: list[OrgSpec] = []

    def add(name: str, kind: str, jid: int, cosup: str = "", short: str = "") -> None:
        level = "province" if jid == province_id else ("city" if jid in city_ids else "sub")
        specs.append((name, short or name, kind, jid, city_of[jid], level, cosup))

    if province_id is not None:
        add("吉林省工业和信息化厅", OrganisationKind.AUTHORITY, province_id)
        add("吉林省人民政府", OrganisationKind.GOVERNMENT, province_id)
    for i, j in enumerate(jur_objs):
        ci, kind = rows[i][3], rows[i][2]
        if ci < 0:
            continue
        add(demo.authority_name(j.name, kind), OrganisationKind.AUTHORITY, j.pk)
        add(demo.government_name(j.name, kind), OrganisationKind.GOVERNMENT, j.pk)
        units = _city_units(j, ci) if kind == JurisdictionKind.CITY else _sub_units(j, kind)
        for name, okind, cosup, short in units:
            add(name, okind, j.pk, cosup, short)
    return specs


def create_organisations(specs: list[OrgSpec]) -> dict[int, OrgInfo]:
    from infogov.org.models import Organisation

    objs = []
    for name, short, kind, jid, _ci, _level, cosup in specs:
        org = Organisation(
            name=name, short_name=short[:40], kind=kind, jurisdiction_id=jid, cosupervision=cosup
        )
        org.clean_fields(exclude=["jurisdiction"])
        objs.append(org)
    Organisation.objects.bulk_create(objs, batch_size=2000)
    if any(org.pk is None for org in objs):
        by_name = dict(Organisation.objects.values_list("name", "pk"))
        for org in objs:
            org.pk = by_name[org.name]
    return {
        obj.pk: OrgInfo(obj.pk, obj.name, s[1], s[2], s[3], s[4], s[5], s[6], k)
        for k, (obj, s) in enumerate(zip(objs, specs, strict=True))
    }


def roles_of(o: OrgInfo) -> list[Any]:
    """The staff an organisation of this kind has, one role per user."""
    if o.kind == OrganisationKind.AUTHORITY:
        return [Role.AUTHORITY_STAFF] * 3 + [Role.AUTHORITY_LEADER]
    if o.kind == OrganisationKind.GOVERNMENT:
        return [Role.GOV_APPROVER]
    if o.kind in (OrganisationKind.DEPARTMENT, OrganisationKind.PUBLIC_SERVICE):
        return [Role.DEPT_STAFF] * 2 + ([Role.CO_SUPERVISOR] if o.cosup else [])
    if o.kind == OrganisationKind.EXPERT_POOL:
        return [Role.EXPERT] * 10
    if o.kind == OrganisationKind.PLATFORM:
        return [Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN]
    return [Role.DEPT_STAFF]


def create_users(orgs: dict[int, OrgInfo], rng: random.Random) -> None:
    """Users and their memberships; each organisation's `users` list is filled in."""
    from infogov.org.models import Membership, User

    plan = [(o, str(r), f"g{o.id}_{n}") for o in orgs.values() for n, r in enumerate(roles_of(o), start=1)]
    admins = (Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN)
    users = []
    for o, role, username in plan:
        u = User(username=username, full_name=person(rng), organisation_id=o.id, is_staff=role in admins)
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


def first_user(o: OrgInfo, role: str) -> int:
    return next(uid for uid, _, r in o.users if r == role)


def _logins(
    orgs: dict[int, OrgInfo], authority_of: dict[int, int], city0: int, province_id: int | None
) -> dict[str, int]:
    """The users the benchmark logs in as."""
    dept = next(o for o in orgs.values() if o.name == "吉林市卫生健康委员会")
    logins = {
        "city_authority": first_user(orgs[authority_of[city0]], Role.AUTHORITY_STAFF),
        "city_leader": first_user(orgs[authority_of[city0]], Role.AUTHORITY_LEADER),
        "city_dept": first_user(dept, Role.DEPT_STAFF),
    }
    if province_id is not None:
        logins["province_authority"] = first_user(orgs[authority_of[province_id]], Role.AUTHORITY_STAFF)
    return logins


def build_world(spec: GenSpec, seed: int) -> World:
    """Jurisdictions, organisations, users and memberships (bulk inserts, validated)."""
    rng = random.Random(f"{seed}:world")
    rows = jurisdiction_rows(spec)
    jur_objs = create_jurisdictions(rows)
    jurisdictions = {j.pk: (j.code, j.name, rows[i][3]) for i, j in enumerate(jur_objs)}
    province_id = jur_objs[0].pk if spec.cities > 1 else None
    city_ids = [
        j.pk for i, j in enumerate(jur_objs) if rows[i][2] == JurisdictionKind.CITY and rows[i][3] >= 0
    ]
    orgs = create_organisations(organisation_specs(rows, jur_objs, province_id, city_ids))
    create_users(orgs, rng)
    authority_of = {o.jurisdiction_id: o.id for o in orgs.values() if o.kind == OrganisationKind.AUTHORITY}
    government_of = {o.jurisdiction_id: o.id for o in orgs.values() if o.kind == OrganisationKind.GOVERNMENT}
    builders: dict[int, list[int]] = {}
    for o in orgs.values():
        if o.kind in (OrganisationKind.DEPARTMENT, OrganisationKind.PUBLIC_SERVICE) and o.level != "province":
            builders.setdefault(o.city, []).append(o.id)
    logins = _logins(orgs, authority_of, city_ids[0], province_id)
    return World(province_id, city_ids, jurisdictions, orgs, authority_of, government_of, builders, logins)
