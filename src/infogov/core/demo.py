"""Demo data, core part: Jilin City's jurisdictions, their organisations and one demo user per role.

Idempotent: everything is looked up by its natural key (code, name, username) and created only
when missing, so running `seed_demo` twice changes nothing. Other apps add their own demo cases in
`<app>.demo.seed(stdout)`, which `seed_demo` calls after this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TextIO

from django.db import transaction

from infogov.org.choices import CoSupervision, JurisdictionKind, OrganisationKind, Role
from infogov.org.models import Jurisdiction, Membership, Organisation, User

DEMO_PASSWORD = "demo12345"

CITY = ("220200", "吉林市", JurisdictionKind.CITY)

# code, name, kind — in the order the city lists them; 220271/220272 are the platform's codes
# for the two development zones (they have no administrative-division code of their own).
SUBORDINATE = [
    ("220202", "昌邑区", JurisdictionKind.DISTRICT),
    ("220203", "龙潭区", JurisdictionKind.DISTRICT),
    ("220204", "船营区", JurisdictionKind.DISTRICT),
    ("220211", "丰满区", JurisdictionKind.DISTRICT),
    ("220221", "永吉县", JurisdictionKind.COUNTY),
    ("220281", "蛟河市", JurisdictionKind.COUNTY_CITY),
    ("220282", "桦甸市", JurisdictionKind.COUNTY_CITY),
    ("220283", "舒兰市", JurisdictionKind.COUNTY_CITY),
    ("220284", "磐石市", JurisdictionKind.COUNTY_CITY),
    ("220271", "吉林高新技术产业开发区", JurisdictionKind.DEV_ZONE),
    ("220272", "吉林经济技术开发区", JurisdictionKind.DEV_ZONE),
]

# The city's departments (第四条第三款: DRC, finance and planning cooperate; 第十四条: audit).
CITY_DEPARTMENTS: list[tuple[str, str]] = [
    ("吉林市公安局", ""),
    ("吉林市卫生健康委员会", ""),
    ("吉林市财政局", CoSupervision.FINANCE),
    ("吉林市审计局", CoSupervision.AUDIT),
    ("吉林市发展和改革委员会", CoSupervision.DRC),
    ("吉林市自然资源局", CoSupervision.PLANNING),
    ("吉林市市场监督管理局", ""),
    ("吉林市政务服务和数字化建设管理局", ""),
    ("吉林市教育局", ""),
    ("吉林市民政局", ""),
    ("吉林市人力资源和社会保障局", ""),
    ("吉林市住房和城乡建设局", ""),
    ("吉林市交通运输局", ""),
    ("吉林市农业农村局", ""),
    ("吉林市生态环境局", ""),
    ("吉林市应急管理局", ""),
    ("吉林市医疗保障局", ""),
    ("吉林市水利局", ""),
    ("吉林市文化广电和旅游局", ""),
    ("吉林市统计局", ""),
]

# A few line departments of a county, a county-level city, a district and a development zone, so that
# cases of each level have an owner (第十条 routes them differently: a county or county-level city files
# with its own authority, a district or a zone with the city's).
COUNTY_DEPARTMENTS = {
    "永吉县": ["永吉县卫生健康局", "永吉县教育局", "永吉县公安局"],
    "蛟河市": ["蛟河市卫生健康局", "蛟河市教育局"],
    "船营区": ["船营区卫生健康局"],
    "吉林高新技术产业开发区": ["吉林高新技术产业开发区社会事业局"],
}

PUBLIC_SERVICE_UNITS = ["吉林市公共资源交易中心", "吉林市信息技术服务中心"]
ENTERPRISES = ["中国移动通信集团吉林有限公司吉林分公司", "中国联合网络通信有限公司吉林市分公司"]
EXPERT_POOL = "吉林市信息化专家库"
PLATFORM = "吉林市电子政务运维中心"

EXPERTS = ["王建国", "李淑华", "张志刚", "刘晓燕", "陈立新", "杨海峰", "赵丽娟", "孙德明"]


def authority_name(name: str, kind: str) -> str:
    """第四条第二款: a development zone's authority is its department for the industrial economy."""
    return f"{name}经济发展局" if kind == JurisdictionKind.DEV_ZONE else f"{name}工业和信息化局"


def government_name(name: str, kind: str) -> str:
    return f"{name}管理委员会" if kind == JurisdictionKind.DEV_ZONE else f"{name}人民政府"


def cosupervisor_names(name: str, kind: str) -> list[tuple[str, str]]:
    if kind == JurisdictionKind.CITY:
        return []  # the city's are among CITY_DEPARTMENTS
    return [
        (f"{name}发展和改革局", CoSupervision.DRC),
        (f"{name}财政局", CoSupervision.FINANCE),
        (f"{name}审计局", CoSupervision.AUDIT),
    ]


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    organisation: str
    role: str
    staff: bool = False

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


DEMO_USERS: list[DemoUser] = [
    DemoUser("authority", "周文斌", "吉林市工业和信息化局", Role.AUTHORITY_STAFF),
    DemoUser("leader", "吴振华", "吉林市工业和信息化局", Role.AUTHORITY_LEADER),
    DemoUser("yongji_authority", "郑海涛", "永吉县工业和信息化局", Role.AUTHORITY_STAFF),
    DemoUser("jiaohe_authority", "冯雪梅", "蛟河市工业和信息化局", Role.AUTHORITY_STAFF),
    DemoUser("chuanying_authority", "邵文涛", "船营区工业和信息化局", Role.AUTHORITY_STAFF),
    DemoUser("gaoxin_authority", "蔡明远", "吉林高新技术产业开发区经济发展局", Role.AUTHORITY_STAFF),
    DemoUser("gov", "何建军", "吉林市人民政府", Role.GOV_APPROVER),
    # 第九条第一款 / 第五条第二款: a county's plans are approved by its own government (本级), not the city's
    DemoUser("yongji_gov", "孟庆林", "永吉县人民政府", Role.GOV_APPROVER),
    DemoUser("jiaohe_gov", "姜丽华", "蛟河市人民政府", Role.GOV_APPROVER),
    DemoUser("chuanying_gov", "袁立群", "船营区人民政府", Role.GOV_APPROVER),
    DemoUser("gaoxin_gov", "范国栋", "吉林高新技术产业开发区管理委员会", Role.GOV_APPROVER),
    DemoUser("dept", "高丽萍", "吉林市卫生健康委员会", Role.DEPT_STAFF),
    DemoUser("police", "马国庆", "吉林市公安局", Role.DEPT_STAFF),
    DemoUser("yongji_dept", "林春燕", "永吉县卫生健康局", Role.DEPT_STAFF),
    DemoUser("chuanying_dept", "曹玉兰", "船营区卫生健康局", Role.DEPT_STAFF),
    DemoUser("gaoxin_dept", "彭志远", "吉林高新技术产业开发区社会事业局", Role.DEPT_STAFF),
    *(DemoUser(f"expert{i}", name, EXPERT_POOL, Role.EXPERT) for i, name in enumerate(EXPERTS, start=1)),
    DemoUser("drc", "罗志强", "吉林市发展和改革委员会", Role.CO_SUPERVISOR),
    DemoUser("finance", "梁晓红", "吉林市财政局", Role.CO_SUPERVISOR),
    DemoUser("audit", "宋立军", "吉林市审计局", Role.CO_SUPERVISOR),
    DemoUser("sysadmin", "韩冬", PLATFORM, Role.SYS_ADMIN, staff=True),
    DemoUser("secadmin", "唐伟", PLATFORM, Role.SEC_ADMIN, staff=True),
    DemoUser("auditadmin", "许静", PLATFORM, Role.AUDIT_ADMIN, staff=True),
]


def demo_logins() -> list[dict[str, str]]:
    """The demo sign-ins (for the README, `make demo` and `seed_demo --logins`); no database needed."""
    return [
        {
            "username": u.username,
            "full_name": u.full_name,
            "organisation": u.organisation,
            "role": u.role_label,
            "password": DEMO_PASSWORD,
        }
        for u in DEMO_USERS
    ]


def _org(name: str, kind: str, jurisdiction: Jurisdiction, cosupervision: str = "") -> Organisation:
    org, _ = Organisation.objects.get_or_create(
        name=name, defaults={"kind": kind, "jurisdiction": jurisdiction, "cosupervision": cosupervision}
    )
    return org


# 文号格式 (core.docnumbers) of the city's issuers: short names as their documents use them; the others
# number with the default format ("{short}批〔{year}〕{n}号", "{short}备〔{year}〕{n}号")
NUMBER_FORMATS = {
    "吉林市工业和信息化局": (
        "吉市工信",
        {"approval": "吉市工信审〔{year}〕{n}号", "filing": "吉市工信备〔{year}〕{n}号"},
    ),
    "吉林市人民政府": ("吉市政", {"approval": "吉市政函〔{year}〕{n}号"}),
    "永吉县工业和信息化局": ("永工信", {}),
    "永吉县人民政府": ("永政", {}),
    "蛟河市工业和信息化局": ("蛟工信", {}),
    "蛟河市人民政府": ("蛟政", {}),
}


def _number_formats() -> None:
    from infogov.core.docnumbers import DocumentNumberFormat

    for org in Organisation.objects.filter(name__in=NUMBER_FORMATS):
        short, templates = NUMBER_FORMATS[org.name]
        if not org.short_name:
            org.short_name = short
            org.save(update_fields=["short_name"])
        for kind, template in templates.items():
            DocumentNumberFormat.objects.get_or_create(issuer=org, kind=kind, defaults={"template": template})


@transaction.atomic
def seed(stdout: TextIO | Any = None) -> dict[str, int]:
    """Create what is missing of the core demo; returns how many rows of each kind exist afterwards."""
    code, name, kind = CITY
    city, _ = Jurisdiction.objects.get_or_create(
        code=code, defaults={"name": name, "kind": kind, "sort_order": 0}
    )
    lands = [(city, kind)]
    for order, (code, name, kind) in enumerate(SUBORDINATE, start=1):
        j, _ = Jurisdiction.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": city, "sort_order": order}
        )
        lands.append((j, kind))

    for j, kind in lands:
        _org(authority_name(j.name, kind), OrganisationKind.AUTHORITY, j)
        _org(government_name(j.name, kind), OrganisationKind.GOVERNMENT, j)
        for org_name, cosup in cosupervisor_names(j.name, kind):
            _org(org_name, OrganisationKind.DEPARTMENT, j, cosup)
        for org_name in COUNTY_DEPARTMENTS.get(j.name, []):
            _org(org_name, OrganisationKind.DEPARTMENT, j)
    for org_name, cosup in CITY_DEPARTMENTS:
        _org(org_name, OrganisationKind.DEPARTMENT, city, cosup)
    for org_name in PUBLIC_SERVICE_UNITS:
        _org(org_name, OrganisationKind.PUBLIC_SERVICE, city)
    for org_name in ENTERPRISES:
        _org(org_name, OrganisationKind.ENTERPRISE, city)
    _org(EXPERT_POOL, OrganisationKind.EXPERT_POOL, city)
    _org(PLATFORM, OrganisationKind.PLATFORM, city)

    _number_formats()
    orgs = {o.name: o for o in Organisation.objects.filter(name__in={u.organisation for u in DEMO_USERS})}
    created = 0
    for u in DEMO_USERS:
        org = orgs[u.organisation]
        user = User.objects.filter(username=u.username).first()
        if user is None:
            user = User(username=u.username, full_name=u.full_name, organisation=org, is_staff=u.staff)
            user.set_password(DEMO_PASSWORD)
            user.save()
            created += 1
        Membership.objects.get_or_create(user=user, organisation=org, role=u.role)

    counts = {
        "jurisdictions": Jurisdiction.objects.count(),
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
    }
    if stdout is not None:
        stdout.write(
            f"行政区域 {counts['jurisdictions']} 个，单位 {counts['organisations']} 个，"
            f"用户 {counts['users']} 个（本次新建用户 {created} 个）\n"
        )
    return counts
