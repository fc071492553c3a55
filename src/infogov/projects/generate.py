"""Projects at scale for core.generate: annual plans, projects walked through their declared
workflow (fiscal 第九至十四条, non-fiscal 第十条) with the records each step writes (review
findings and opinion, procurement, progress, disbursements, test, acceptance, filing, the
information system registered on delivery), their docket and their obligations.

Every project draws from its own random stream (seed, index), so the data does not depend on how
many workers produce it. Workers split the projects by construction unit, so that the information
systems (unique per unit and name) are each created by one worker.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction

from infogov.core.generate import UTC, Chain, EventOut, GenSpec, Sink, World, pg_params

from .choices import Category, FundingKind
from .choices import ProjectState as S

END = dt.datetime(2025, 12, 31, 8, 0, tzinfo=UTC)
SH = dt.timezone(dt.timedelta(hours=8))

# -- vocabulary ------------------------------------------------------------------------------------

# domain → (subjects: system name, features, data resources)
DOMAINS: dict[str, list[tuple[str, list[str], list[str]]]] = {
    "health": [
        (
            "全民健康信息平台",
            ["汇聚电子健康档案", "检查检验结果互认", "双向转诊", "远程会诊", "健康医疗大数据分析"],
            ["电子健康档案", "电子病历"],
        ),
        (
            "基层医疗卫生信息系统",
            ["家庭医生签约", "慢病随访管理", "基本公共卫生服务", "基层诊疗"],
            ["居民健康档案"],
        ),
        (
            "预约诊疗服务平台",
            ["分时段预约挂号", "诊间支付", "检查预约", "报告查询"],
            ["号源数据", "就诊记录"],
        ),
        (
            "公共卫生应急指挥系统",
            ["传染病监测预警", "应急物资调度", "流行病学调查", "发热门诊监测"],
            ["传染病报告数据"],
        ),
    ],
    "hospital": [
        (
            "医院信息系统",
            ["门诊挂号收费", "住院管理", "药品管理", "电子病历评级改造"],
            ["电子病历", "医嘱数据"],
        ),
        ("互联网医院平台", ["在线复诊", "处方流转", "药品配送", "远程会诊"], ["处方数据"]),
        ("医学影像云平台", ["影像存储归档", "云胶片", "远程影像诊断"], ["医学影像数据"]),
    ],
    "medins": [
        (
            "医保结算系统",
            ["医保目录管理", "异地就医直接结算", "医保电子凭证", "定点医药机构结算"],
            ["医保结算数据", "参保人员信息"],
        ),
        (
            "医保智能监管平台",
            ["医保基金智能审核", "欺诈骗保监测", "定点机构画像", "医保稽核"],
            ["医保结算数据"],
        ),
        ("医保公共服务平台", ["医保业务网上办理", "参保登记", "医保关系转移接续"], ["参保人员信息"]),
    ],
    "egov": [
        (
            "政务服务一网通办平台",
            ["统一身份认证", "统一电子证照", "事项网上申报", "办件进度查询", "结果送达"],
            ["电子证照库", "办件库"],
        ),
        (
            "政务数据共享交换平台",
            ["政务数据目录编制", "数据共享交换", "数据质量检测", "接口服务管理"],
            ["人口基础信息库", "法人基础信息库"],
        ),
        ("政务云平台", ["计算资源池扩容", "存储资源池", "云安全防护", "容灾备份"], ["政务云资源台账"]),
        (
            "一二三四五政务服务便民热线系统",
            ["热线话务受理", "工单派发督办", "知识库", "满意度回访"],
            ["热线工单数据"],
        ),
        ("电子证照库", ["证照归集", "证照签发", "证照共享调用", "电子印章"], ["电子证照库"]),
        ("政务服务中台", ["统一受理", "统一审批", "好差评", "智能导办"], ["办件库"]),
    ],
    "police": [
        ("视频监控联网共享平台", ["视频资源联网", "人脸识别", "车辆识别", "视频图像解析"], ["视频图像数据"]),
        ("智慧警务平台", ["警情分析研判", "移动警务", "案件管理", "指挥调度"], ["警情数据"]),
        ("交通违法处理系统", ["非现场执法", "违法信息推送", "罚款网上缴纳"], ["交通违法数据"]),
    ],
    "edu": [
        ("智慧校园平台", ["校园网络改造", "智慧教室", "教学资源共享", "家校互动"], ["学生学籍数据"]),
        ("教育资源公共服务平台", ["优质课程资源", "在线学习空间", "教师研修"], ["教学资源库"]),
        ("学籍管理系统", ["学籍注册", "转学升学", "学生资助"], ["学生学籍数据"]),
    ],
    "civil": [
        ("社会救助信息系统", ["低保审核", "困难群众动态监测", "救助资金发放"], ["救助对象信息"]),
        ("智慧养老服务平台", ["居家养老服务", "养老机构监管", "老年人能力评估"], ["老年人信息"]),
        ("婚姻登记信息系统", ["婚姻登记", "跨省通办", "历史档案补录"], ["婚姻登记数据"]),
    ],
    "hr": [
        ("社会保险信息系统", ["社保经办", "待遇核定", "社保卡应用", "养老保险全国统筹"], ["参保人员信息"]),
        ("公共就业服务平台", ["岗位发布", "就业登记", "职业培训补贴", "失业保险"], ["就业登记数据"]),
    ],
    "housing": [
        ("智慧工地监管平台", ["扬尘监测", "实名制考勤", "塔吊监测", "质量安全巡查"], ["工程项目数据"]),
        ("房产交易管理系统", ["网签备案", "存量房交易", "资金监管"], ["房屋交易数据"]),
        ("城市信息模型平台", ["三维建模", "规划报建审查", "地下管线管理"], ["城市三维模型"]),
        ("住房公积金管理系统", ["公积金缴存", "贷款审批", "线上提取"], ["公积金缴存数据"]),
    ],
    "transport": [
        ("智慧交通管理平台", ["交通流量监测", "信号灯配时优化", "出行信息服务"], ["交通流量数据"]),
        ("公交智能调度系统", ["车辆定位", "智能排班", "电子站牌"], ["公交运营数据"]),
    ],
    "agri": [
        ("农业物联网监测平台", ["土壤墒情监测", "病虫害监测预警", "温室环境控制"], ["农业监测数据"]),
        ("农产品质量安全追溯系统", ["产地准出", "检测数据上传", "追溯码管理"], ["农产品追溯数据"]),
    ],
    "env": [
        ("生态环境监测平台", ["空气质量监测", "水质自动监测", "污染源在线监控"], ["环境监测数据"]),
    ],
    "emergency": [
        ("应急指挥平台", ["应急值守", "预案管理", "指挥调度", "应急物资管理"], ["应急资源数据"]),
        ("安全生产监管系统", ["企业风险分级", "隐患排查治理", "执法检查"], ["企业安全生产数据"]),
        ("森林防火监测系统", ["林区视频监控", "火点识别", "扑火队伍调度"], ["林区监测数据"]),
    ],
    "market": [
        ("市场主体信用信息平台", ["企业信用归集", "双随机一公开", "信用修复"], ["市场主体数据"]),
        ("食品安全追溯系统", ["食品生产追溯", "冷链食品监管", "快检数据上报"], ["食品追溯数据"]),
    ],
    "culture": [
        ("智慧旅游服务平台", ["景区客流监测", "门票预约", "文旅资讯发布"], ["旅游资源数据"]),
        ("数字图书馆", ["数字资源采购", "移动阅读", "古籍数字化"], ["数字文献资源"]),
        ("档案数字化管理系统", ["档案数字化扫描", "电子档案管理", "档案利用服务"], ["电子档案"]),
    ],
    "finance": [
        ("预算管理一体化系统", ["预算编制", "指标管理", "国库集中支付", "决算报告"], ["预算指标数据"]),
    ],
    "audit": [("审计数据分析平台", ["审计数据采集", "联网审计", "大数据审计模型"], ["审计数据"])],
    "land": [
        ("国土空间基础信息平台", ["国土空间规划一张图", "用途管制", "耕地保护监测"], ["国土空间数据"]),
        ("不动产登记信息系统", ["不动产登记", "一窗受理", "登记资料查询"], ["不动产登记数据"]),
    ],
    "drc": [
        ("投资项目在线审批监管平台", ["项目赋码", "并联审批", "项目监管"], ["投资项目数据"]),
        ("公共信用信息平台", ["信用信息归集", "联合奖惩", "信用报告"], ["公共信用数据"]),
    ],
    "stats": [("统计数据采集处理系统", ["联网直报", "数据审核", "统计分析"], ["统计调查数据"])],
    "water": [("防汛抗旱指挥系统", ["雨水情监测", "山洪预警", "水库调度"], ["水文监测数据"])],
    "trade": [("公共资源电子交易系统", ["电子招投标", "远程异地评标", "交易见证"], ["交易数据"])],
}
INFRA = [
    ("电子政务外网", ["骨干网络扩容", "县乡延伸接入", "IPv6改造", "网络安全接入区"], ["网络资源台账"]),
    ("通信管道", ["新建通信管道", "管道资源共享", "杆路入地改造"], ["管线资源数据"]),
    ("5G基站", ["新建5G基站", "室内分布系统", "共建共享"], ["基站资源数据"]),
    ("数据中心机房", ["机房供配电改造", "精密空调", "动环监控"], ["机房资源台账"]),
]
SECURITY = [
    ("网络安全等级保护整改", ["等级测评", "安全加固", "入侵检测", "日志审计"], ["安全日志"]),
    ("网络安全态势感知平台", ["威胁情报", "安全事件监测", "应急响应"], ["安全事件数据"]),
    ("商用密码应用改造", ["密码应用安全性评估", "身份认证改造", "数据加密传输"], ["密钥管理数据"]),
    ("数据安全防护体系", ["数据分类分级", "数据脱敏", "数据库审计"], ["数据资产目录"]),
]
OUTSOURCING = [
    ("信息系统运维服务", ["日常运维", "驻场服务", "故障处置"], ["运维工单"]),
    ("政务云服务租用", ["云主机租用", "云存储租用", "云安全服务"], ["云资源台账"]),
    ("数据治理服务", ["数据清洗", "数据标准化", "数据质量评估"], ["数据资源目录"]),
]
DOMAIN_OF = [
    ("医疗保障", "medins"),
    ("卫生健康", "health"),
    ("医院", "hospital"),
    ("妇幼", "hospital"),
    ("疾病预防", "health"),
    ("血站", "hospital"),
    ("急救", "health"),
    ("政务服务", "egov"),
    ("大数据", "egov"),
    ("信息技术服务", "egov"),
    ("公安", "police"),
    ("教育", "edu"),
    ("中学", "edu"),
    ("职业技术学院", "edu"),
    ("民政", "civil"),
    ("人力资源", "hr"),
    ("社会保险", "hr"),
    ("住房", "housing"),
    ("公积金", "housing"),
    ("不动产", "land"),
    ("交通", "transport"),
    ("农业", "agri"),
    ("生态环境", "env"),
    ("应急", "emergency"),
    ("市场监督", "market"),
    ("文化", "culture"),
    ("图书馆", "culture"),
    ("博物馆", "culture"),
    ("融媒体", "culture"),
    ("档案", "culture"),
    ("财政", "finance"),
    ("审计", "audit"),
    ("自然资源", "land"),
    ("发展和改革", "drc"),
    ("统计", "stats"),
    ("水利", "water"),
    ("公共资源交易", "trade"),
]
SUFFIXES = ["建设项目", "升级改造项目", "二期建设项目", "扩容改造项目", "项目", "（一期）工程"]
GOALS = [
    "提升群众办事便利度",
    "提高监管效能",
    "实现数据共享和业务协同",
    "提升服务能力",
    "保障系统安全稳定运行",
]
INTROS = ["建设", "升级改造", "新建", "完善", "整合"]
SUPPLIERS = [
    "华信信息技术有限公司",
    "博远软件有限公司",
    "中软数联科技有限公司",
    "云帆网络科技有限公司",
    "汇智系统集成有限公司",
]
METHODS = ["open_tender"] * 6 + ["consultation"] * 2 + ["negotiation", "inquiry", "single_source"]
MEASURES = ["身份鉴别", "访问控制", "安全审计", "入侵防范", "数据备份恢复", "通信传输加密"]
TESTERS = ["吉林省软件测评中心", "国家信息中心软件评测中心", "中国电子技术标准化研究院"]


def domain_of(name: str) -> str:
    return next((d for key, d in DOMAIN_OF if key in name), "egov")


# -- preparation (main process) ----------------------------------------------------------------------


@dataclass
class Prep:
    ct_project: int
    ct_plan: int
    first_project_id: int
    owners: list[int]  # per project index
    plans: dict[tuple[int, int], int]  # (jurisdiction, year) → plan id
    plan_events: list[tuple[int, int, int]]  # (plan id, jurisdiction, year)


def prepare(spec: GenSpec, seed: int, world: World) -> Prep:
    """Choose each project's construction unit; create the annual plans; the staging table."""
    from django.contrib.contenttypes.models import ContentType

    from .models import AnnualConstructionPlan, Project

    rng = random.Random(f"{seed}:owners")
    # unit weights: city departments build most, large units more often than small ones
    owners: list[int] = []
    per_city = spec.projects // max(1, len(world.city_ids))
    for ci in range(len(world.city_ids)):
        pool = world.builders[ci]
        weights = [3.0 if world.orgs[o].level == "city" else 1.0 for o in pool]
        weights = [w * (0.4 + rng.random() * 1.2) for w in weights]
        n = per_city if ci < len(world.city_ids) - 1 else spec.projects - len(owners)
        owners.extend(rng.choices(pool, weights=weights, k=n))
    rng.shuffle(owners)

    plans: dict[tuple[int, int], int] = {}
    plan_objs = []
    for jid, (_code, name, ci) in world.jurisdictions.items():
        if ci < 0:
            continue
        for year in range(spec.first_year, spec.last_year + 1):
            p = AnnualConstructionPlan(
                title=f"{name}{year}年度信息化工程项目建设计划",
                jurisdiction_id=jid,
                owner_id=world.authority_of[jid],
                year=year,
                version=2 if year < spec.last_year else 0,
                created_at=dt.datetime(year - 1, 11, 1, 2, 0, tzinfo=UTC),
            )
            p.__dict__["state"] = "approved" if year < spec.last_year else "drafting"
            p.clean_fields(exclude=["jurisdiction", "owner", "reference", "state"])
            plan_objs.append(p)
    AnnualConstructionPlan.objects.bulk_create(plan_objs, batch_size=2000)
    if any(p.pk is None for p in plan_objs):
        by_key = {
            (j, y): pk
            for j, y, pk in AnnualConstructionPlan.objects.values_list("jurisdiction_id", "year", "pk")
        }
        for p in plan_objs:
            p.pk = by_key[(p.jurisdiction_id, p.year)]
    for p in plan_objs:
        plans[(p.jurisdiction_id, p.year)] = p.pk
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE projects_annualconstructionplan SET reference = 'ND-' || year || '-' || "
            + (
                "lpad(id::text, 6, '0')"
                if connection.vendor == "postgresql"
                else "substr('000000' || id, -6)"
            )
        )
        cur.execute("SELECT coalesce(max(id), 0) FROM projects_project")
        first = cur.fetchone()[0] + 1
        cur.execute("DROP TABLE IF EXISTS gen_obligation")
        cur.execute(
            "CREATE TABLE gen_obligation (case_type_id integer, case_id bigint, jurisdiction_id bigint, "
            "code varchar(50), title varchar(200), citation varchar(50), owed_by_id bigint, "
            "owed_to_id bigint, "
            "due_date date, created_at timestamp with time zone, open_seq integer, "
            "fulfilled_at timestamp with time zone, fulfil_seq integer)"
            if connection.vendor == "postgresql"
            else "CREATE TABLE gen_obligation (case_type_id integer, case_id integer, "
            "jurisdiction_id integer, "
            "code text, title text, citation text, owed_by_id integer, owed_to_id integer, due_date date, "
            "created_at datetime, open_seq integer, fulfilled_at datetime, fulfil_seq integer)"
        )
    return Prep(
        ct_project=ContentType.objects.get_for_model(Project).pk,
        ct_plan=ContentType.objects.get_for_model(AnnualConstructionPlan).pk,
        first_project_id=first,
        owners=owners,
        plans=plans,
        plan_events=[(p.pk, p.jurisdiction_id, p.year) for p in plan_objs],
    )


# -- one worker's share --------------------------------------------------------------------------------


def _at(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment in office hours (Beijing time) of `day`, in UTC."""
    secs = rng.randint(8 * 3600 + 1800, 17 * 3600 + 1800)
    local = dt.datetime.combine(day, dt.time(), tzinfo=SH) + dt.timedelta(
        seconds=secs, microseconds=rng.randint(0, 999_999)
    )
    return local.astimezone(UTC)


def _user(world: World, org_id: int, roles: tuple[str, ...], rng: random.Random) -> tuple[int, str, int]:
    staff = [(u, n) for u, n, r in world.orgs[org_id].users if r in roles]
    u, n = rng.choice(staff)
    return u, n, org_id


class _Rows:
    """Rows per table, flushed to the sink in batches."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = {}

    def add(self, table: str, columns: tuple[str, ...], row: tuple[Any, ...]) -> None:
        entry = self.tables.get(table)
        if entry is None:
            entry = self.tables[table] = (columns, [])
        entry[1].append(row)
        if len(entry[1]) >= 20_000:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        """Projects first: the other rows refer to them."""
        names = [table] if table else list(self.tables)
        if "projects_project" in self.tables and "projects_project" not in names:
            names.insert(0, "projects_project")
        names.sort(key=lambda n: n != "projects_project")
        for name in names:
            columns, rows = self.tables[name]
            if rows:
                self.sink.rows(name, columns, rows)
                rows.clear()


def _project_fields() -> tuple[list[Any], tuple[str, ...]]:
    from .models import Project

    fields = list(Project._meta.concrete_fields)
    return fields, tuple(f.column for f in fields)


def run_part(job: tuple[Any, ...], in_process: bool = False) -> dict[str, Any]:
    """Generate the projects of one worker (those whose construction unit falls to it)."""
    spec, seed, world, prep, part, parts, tmp = job
    if in_process:
        if tmp is None:  # SQLite: executemany, the events kept in memory
            return _run(spec, seed, world, prep, part, parts, Sink(), EventOut(None, f"w{part}", pg=False))
        connection.ensure_connection()
        out = EventOut(Path(tmp), f"w{part}", pg=True)
        try:
            with transaction.atomic():
                return _run(spec, seed, world, prep, part, parts, Sink(connection.connection), out)
        finally:
            out.close()
    import psycopg

    with psycopg.connect(**pg_params(), autocommit=False) as conn:
        sink = Sink(conn)
        out = EventOut(Path(tmp), f"w{part}", pg=True)
        try:
            result = _run(spec, seed, world, prep, part, parts, sink, out)
        finally:
            out.close()
        conn.commit()
    return result


def _run(
    spec: GenSpec, seed: int, world: World, prep: Prep, part: int, parts: int, sink: Sink, out: EventOut
) -> dict[str, Any]:
    from . import similarity_index
    from .similarity import _jieba

    _jieba()
    rows = _Rows(sink)
    fields, columns = _project_fields()
    gen = _ProjectGen(spec, seed, world, prep, rows, out)
    if part == 0:
        gen.plans()
    for i, owner in enumerate(prep.owners):
        if owner % parts == part:
            project = gen.project(i, owner)
            rows.add("projects_project", columns, tuple(_db_value(f, project) for f in fields))
            if project.state != S.DRAFT:  # the duplicate-construction index's document (第六条)
                doc = similarity_index.document_row(
                    project.pk, project.jurisdiction_id, project.similarity_text()
                )
                rows.add(similarity_index.DOCS, SIMILARITY_DOCUMENT, doc)
    gen.write_systems()
    rows.flush()
    counts = dict(sink.counts)
    counts["events"] = out.count
    return {"counts": counts, "items": out.items}


def _db_value(f: Any, obj: Any) -> Any:
    v = getattr(obj, f.attname)
    if f.get_internal_type() == "JSONField":
        return json.dumps(v, ensure_ascii=False)
    return v


_BLOCK_CACHE: dict[str, list[str]] = {}


def search_text(title: str, content: str) -> str:
    """services._search_text, with jieba's work cached per block: jieba cuts a text into blocks
    at punctuation and spaces and segments each block on its own, so the words of a text are the
    words of its blocks in order (and tokens_for_search keeps the first occurrence of each)."""
    import jieba

    from .selectors import tokens_for_search

    seen: dict[str, None] = {}
    for block in jieba.re_han_default.split(f"{title} {content}"):
        if not block:
            continue
        words = _BLOCK_CACHE.get(block)
        if words is None:
            words = _BLOCK_CACHE[block] = tokens_for_search(block)
        for w in words:
            seen.setdefault(w, None)
    return " " + " ".join(seen) + " "


class _ProjectGen:
    def __init__(
        self, spec: GenSpec, seed: int, world: World, prep: Prep, rows: _Rows, out: EventOut
    ) -> None:
        self.spec, self.seed, self.world, self.prep, self.rows, self.out = spec, seed, world, prep, rows, out
        self.systems: dict[tuple[int, str], list[Any]] = {}
        # progress reports every `report_every` days during construction, calibrated so that the
        # docket comes to about spec.events (a project has some 12 events besides progress/payments)
        self.report_every = max(4.0, 500.0 / max(1.0, spec.events_per_project - 12.0))

    # -- annual plans --------------------------------------------------------------------------------
    def plans(self) -> None:
        w = self.world
        for plan_id, jid, year in self.prep.plan_events:
            rng = random.Random(f"{self.seed}:plan:{plan_id}")
            chain = Chain(self.out, self.prep.ct_plan, plan_id, jid)
            auth, gov = w.authority_of[jid], w.government_of[jid]
            created = _at(rng, dt.date(year - 1, 11, 1) + dt.timedelta(days=rng.randint(0, 20)))
            staff = _user(w, auth, ("authority_staff",), rng)
            chain.add(
                created, staff, "create", "创建", to_state="drafting", payload={"title": f"{year}年度计划"}
            )
            if year < self.spec.last_year:
                submitted = created + dt.timedelta(days=rng.randint(30, 60))
                chain.add(
                    submitted,
                    staff,
                    "submit_plan",
                    "报本级人民政府批准",
                    "drafting",
                    "submitted",
                    "第九条第一款",
                )
                approver = _user(w, gov, ("gov_approver",), rng)
                chain.add(
                    submitted + dt.timedelta(days=rng.randint(5, 30)),
                    approver,
                    "approve_plan",
                    "批准年度计划",
                    "submitted",
                    "approved",
                    "第九条第一款",
                )

    # -- one project -----------------------------------------------------------------------------------
    def project(self, index: int, owner_id: int) -> Any:
        from .models import Project

        spec, w = self.spec, self.world
        rng = random.Random(f"{self.seed}:project:{index}")
        pid = self.prep.first_project_id + index
        owner = w.orgs[owner_id]
        jid = owner.jurisdiction_id
        jname = w.jurisdictions[jid][1]
        authority = w.authority_of[jid]

        r = rng.random()
        if r < 0.70:
            category = Category.APPLICATION
            domain = domain_of(owner.name)
            subjects = DOMAINS[domain]
            # each unit keeps to a few subjects of its domain (upgrades, phase two …)
            subject = subjects[(owner.ordinal + rng.choice((0, 0, 0, 1))) % len(subjects)]
        elif r < 0.82:
            category, subject = (
                Category.INFRASTRUCTURE,
                INFRA[(owner.ordinal + rng.randint(0, 1)) % len(INFRA)],
            )
        elif r < 0.91:
            category, subject = (
                Category.SECURITY,
                SECURITY[(owner.ordinal + rng.randint(0, 1)) % len(SECURITY)],
            )
        else:
            category, subject = (
                Category.OUTSOURCING,
                OUTSOURCING[(owner.ordinal + rng.randint(0, 1)) % len(OUTSOURCING)],
            )
        system, features, data = subject
        fiscal = rng.random() < (0.55 if category == Category.INFRASTRUCTURE else 0.85)
        prefix = jname if owner.level == "city" else f"{jname}"
        title = f"{prefix}{system}{rng.choice(SUFFIXES)}"
        feats = rng.sample(features, k=min(len(features), rng.randint(2, 4)))
        other = rng.choice(DOMAINS[rng.choice(list(DOMAINS))])[0]
        content = (
            f"{rng.choice(INTROS)}{system}，实现{'、'.join(feats)}，对接{other}，"
            f"{rng.choice(GOALS)}。项目由{owner.name}组织实施，建设周期{rng.randint(6, 24)}个月。"
        )
        budget = Decimal(int(min(1e8, max(5e4, rng.lognormvariate(13.9, 1.0)))) // 1000 * 1000)
        if category == Category.INFRASTRUCTURE:
            budget *= 2

        # the history: each step after a pause; stops at the end of the decade or when a project stalls
        days_total = (dt.date(spec.last_year, 12, 31) - dt.date(spec.first_year - 1, 10, 1)).days
        created_day = dt.date(spec.first_year - 1, 10, 1) + dt.timedelta(
            days=int(days_total * rng.random() ** 0.8)
        )
        year = min(spec.last_year, max(spec.first_year, (created_day + dt.timedelta(days=120)).year))
        owner_staff = _user(w, owner_id, ("dept_staff",), rng)
        auth_staff = _user(w, authority, ("authority_staff", "authority_leader"), rng)
        p = Project(
            id=pid,
            reference=f"XM-{created_day.year}-{pid:06d}",
            title=title[:200],
            jurisdiction_id=jid,
            owner_id=owner_id,
            category=category,
            funding_kind=FundingKind.FISCAL if fiscal else FundingKind.NON_FISCAL,
            budget_source=f"{year}年度{jname}本级财政预算" if fiscal else "",
            funding_source="" if fiscal else rng.choice(["企业自筹", "社会资本投资", "运营商自有资金"]),
            budget=budget,
            year=year,
            content=content,
            systems=[system],
            data_resources=list(data),
            network=rng.choice(["egov_extranet"] * 5 + ["internet", "egov_intranet", "dedicated"]),
            hosting=rng.choice(["gov_cloud"] * 5 + ["own_room", "third_party"]),
            security_plan=""
            if rng.random() < 0.05
            else f"按网络安全等级保护第{rng.choice('二三')}级要求同步规划安全措施。",
            security_level=rng.choice((2, 2, 3, 3, 3)),
            security_measures=rng.sample(MEASURES, k=rng.randint(3, 5)),
            procedures_completed="" if fiscal else "已办理立项、用地、环评等建设手续",
            search_text=search_text(title[:200], content),
        )
        p.__dict__["state"] = S.DRAFT
        chain = Chain(self.out, self.prep.ct_project, pid, jid)
        t = _at(rng, created_day)
        chain.add(t, owner_staff, "create", "创建", to_state=S.DRAFT, payload={"title": p.title})
        p.created_at = t
        version = 0
        for _ in range(rng.choice((0, 0, 1, 1, 2, 3))):
            t += dt.timedelta(days=rng.randint(1, 10), minutes=rng.randint(1, 600))
            if t >= END:
                break
            before = str(p.budget)
            after = str(max(Decimal(50_000), p.budget * rng.randint(90, 120) // 100 // 1000 * 1000))
            p.budget = Decimal(after)
            chain.add(
                t,
                owner_staff,
                "edit",
                "修改",
                S.DRAFT,
                S.DRAFT,
                changes={"budget": {"before": before, "after": after}},
            )
            version += 1
        state: str = S.DRAFT
        obligations: list[list[Any]] = []

        def step(days: tuple[int, int], stall: float = 0.015) -> dt.datetime | None:
            nonlocal t
            if rng.random() < stall:
                return None
            nt = _at(rng, (t.astimezone(SH).date() + dt.timedelta(days=rng.randint(*days))))
            if nt >= END:
                return None
            t = nt
            return t

        def fire(name: str, label: str, target: str, cite: str, actor: Any, **kw: Any) -> int:
            nonlocal state, version
            seq = chain.add(t, actor, name, label, state, target, cite, **kw)
            state = target
            version += 1
            return seq

        def oblige(
            code: str, title_: str, cite: str, owed_by: int, owed_to: int, due: dt.date, open_seq: int
        ) -> list[Any]:
            row = [
                self.prep.ct_project,
                pid,
                jid,
                code,
                title_,
                cite,
                owed_by,
                owed_to,
                due,
                t,
                open_seq,
                None,
                None,
            ]
            obligations.append(row)
            return row

        def fulfil(row: list[Any] | None, seq: int) -> None:
            if row is not None:
                row[11], row[12] = t, seq

        contract = budget
        running = True
        if fiscal:
            if step((3, 40), 0.03):
                fire(
                    "submit",
                    "申报列入年度计划",
                    S.PROPOSED,
                    "第九条第一款",
                    owner_staff,
                    payload={"similar": []},
                )
                plan_id = self.prep.plans.get((jid, year))
                if plan_id and step((10, 90)):
                    p.annual_plan_id = plan_id
                    seq = fire(
                        "include_in_plan",
                        "列入年度计划",
                        S.PLANNED,
                        "第九条第一款",
                        auth_staff,
                        payload={"plan_id": plan_id},
                        changes={"annual_plan": {"before": None, "after": plan_id}},
                    )
                    review = oblige(
                        "project-review",
                        "评审已列入年度计划的项目",
                        "第九条第二款",
                        authority,
                        owner_id,
                        t.astimezone(SH).date() + dt.timedelta(days=60),
                        seq,
                    )
                    if step((5, 40)):
                        for dim in ("layout", "standards", "security", "sharing"):
                            t += dt.timedelta(minutes=rng.randint(5, 90))
                            text = f"{p.title}的{dict(LAYOUT_LABELS)[dim]}符合要求。"
                            chain.add(
                                t,
                                auth_staff,
                                "review_finding",
                                "录入评审意见",
                                S.PLANNED,
                                S.PLANNED,
                                "第九条第二款",
                                text,
                                payload={
                                    "dimension": dim,
                                    "conclusion": "meets",
                                    "acknowledged": [],
                                    "replaced": False,
                                },
                            )
                            version += 1
                            self.rows.add(
                                "projects_reviewfinding",
                                (
                                    "project_id",
                                    "dimension",
                                    "conclusion",
                                    "text",
                                    "recorded_by_id",
                                    "recorded_at",
                                ),
                                (pid, dim, "meets", text, auth_staff[0], t),
                            )
                        t += dt.timedelta(hours=rng.randint(1, 48))
                        if rng.random() < 0.05:
                            seq = fire(
                                "review_fail",
                                "审查不通过",
                                S.REJECTED,
                                "第九条第二款",
                                auth_staff,
                                comment="建设内容与已建系统重复",
                                payload={"conditions": [], "opinion": "fail"},
                            )
                            opinion = "fail"
                            running = False
                        else:
                            seq = fire(
                                "review_pass",
                                "审查通过",
                                S.REVIEWED,
                                "第九条第二款",
                                auth_staff,
                                payload={"conditions": [], "opinion": "pass"},
                            )
                            opinion = "pass"
                        fulfil(review, seq)
                        self.rows.add(
                            "projects_projectreview",
                            ("project_id", "opinion", "comment", "decided_by_id", "decided_at"),
                            (pid, opinion, "", auth_staff[0], t),
                        )
                        if running and step((20, 120)):
                            contract = (budget * Decimal(rng.randint(85, 99)) / 100).quantize(Decimal("0.01"))
                            method = rng.choice(METHODS)
                            supplier = f"{w.jurisdictions[w.city_ids[owner.city]][1]}{rng.choice(SUPPLIERS)}"
                            notice = f"JLCG-{t.year}-{pid:06d}"
                            day = t.astimezone(SH).date()
                            fire(
                                "record_procurement",
                                "录入政府采购结果",
                                S.PROCURED,
                                "第十一条第一款",
                                owner_staff,
                                payload={
                                    "method": method,
                                    "notice_number": notice,
                                    "supplier": supplier,
                                    "contract_amount": str(contract),
                                    "contract_date": day.isoformat(),
                                },
                            )
                            self.rows.add(
                                "projects_procurementrecord",
                                (
                                    "project_id",
                                    "method",
                                    "notice_number",
                                    "supplier",
                                    "contract_amount",
                                    "contract_date",
                                ),
                                (pid, method, notice, supplier, contract, day),
                            )
        else:
            if step((3, 40), 0.03):
                fire("submit_filing", "报送备案", S.FILING, "第十条", owner_staff, payload={"similar": []})
                if step((3, 20)):
                    p.filing_number = f"备{w.jurisdictions[jid][0]}-{year}-{pid:05d}"
                    fire(
                        "issue_filing",
                        "予以备案",
                        S.FILED,
                        "第十条",
                        auth_staff,
                        payload={"filing_number": p.filing_number},
                        changes={"filing_number": {"before": "", "after": p.filing_number}},
                    )
        if state in (S.PROCURED, S.FILED) and step((3, 30)):
            fire("start_construction", "开工建设", S.CONSTRUCTION, "第九条第二款", owner_staff)
            start_day = t.astimezone(SH).date()
            p.planned_start = start_day
            months = rng.randint(6, 24)
            p.planned_completion = start_day + dt.timedelta(days=30 * months)
            # construction runs late more often than early
            build_days = int(30 * months * rng.uniform(0.8, 1.5))
            done_day = start_day + dt.timedelta(days=build_days)
            every = self.report_every * rng.uniform(0.6, 1.4)
            paid = Decimal("0")
            k = 0
            day = start_day
            while True:
                day = day + dt.timedelta(days=max(1, round(every)))
                if day >= done_day:
                    break
                at = _at(rng, day)
                if at >= END:
                    break
                t = at
                k += 1
                percent = min(99, round(100 * (day - start_day).days / max(1, build_days)))
                chain.add(
                    t,
                    owner_staff,
                    "progress",
                    "报告建设进度",
                    S.CONSTRUCTION,
                    S.CONSTRUCTION,
                    "第十四条",
                    payload={"percent": percent, "reported_on": day.isoformat()},
                )
                self.rows.add(
                    "projects_progressreport",
                    ("project_id", "reported_on", "percent", "note", "reported_by_id"),
                    (pid, day, percent, "", owner_staff[0]),
                )
                if fiscal and k % 3 == 0 and paid < contract * Decimal("0.9"):
                    amount = (contract * Decimal(rng.randint(5, 15)) / 100).quantize(Decimal("0.01"))
                    paid += amount
                    purpose = rng.choice(["合同首付款", "进度款", "设备采购款", "软件开发进度款"])
                    t += dt.timedelta(minutes=rng.randint(10, 300))
                    chain.add(
                        t,
                        owner_staff,
                        "disbursement",
                        "登记资金支付",
                        S.CONSTRUCTION,
                        S.CONSTRUCTION,
                        "第十四条",
                        purpose,
                        payload={"amount": str(amount), "paid_on": day.isoformat()},
                    )
                    self.rows.add(
                        "projects_disbursement",
                        ("project_id", "paid_on", "amount", "purpose", "recorded_by_id"),
                        (pid, day, amount, purpose, owner_staff[0]),
                    )
            at = _at(rng, done_day)
            if at < END and rng.random() > 0.01:
                t = at
                p.completed_on = done_day
                seq = fire(
                    "complete",
                    "竣工",
                    S.COMPLETED,
                    "第十三条第一款",
                    owner_staff,
                    payload={"completed_on": done_day.isoformat()},
                    changes={"completed_on": {"before": None, "after": done_day.isoformat()}},
                )
                apply = oblige(
                    "acceptance-apply",
                    "竣工后申请验收",
                    "第十三条第一款",
                    owner_id,
                    authority,
                    done_day + dt.timedelta(days=183),
                    seq,
                )
                if step((10, 60), 0.03):
                    tester, std = rng.choice(TESTERS), ["GB/T 25000.51-2016"]
                    fire(
                        "record_test",
                        "录入测试报告",
                        S.TESTED,
                        "第十三条第一款",
                        owner_staff,
                        payload={"tester": tester, "passed": True, "standards": std},
                    )
                    self.rows.add(
                        "projects_testreport",
                        ("project_id", "tester", "tested_on", "passed", "standards", "summary"),
                        (
                            pid,
                            tester,
                            t.astimezone(SH).date(),
                            True,
                            json.dumps(std, ensure_ascii=False),
                            "测试通过",
                        ),
                    )
                    if step((10, 60), 0.02):
                        committee = [
                            _user(w, authority, ("authority_staff", "authority_leader"), rng)[1],
                            "专家组",
                        ]
                        built = list(p.security_measures)
                        seq = fire(
                            "accept",
                            "验收合格",
                            S.ACCEPTED,
                            "第十三条第一款",
                            owner_staff,
                            payload={"committee": committee, "security_measures_built": built},
                        )
                        fulfil(apply, seq)
                        self.rows.add(
                            "projects_acceptance",
                            (
                                "id",
                                "project_id",
                                "held_on",
                                "committee",
                                "passed",
                                "opinion",
                                "security_measures_built",
                                "security_evidence",
                            ),
                            (
                                pid,
                                pid,
                                t.astimezone(SH).date(),
                                json.dumps(committee, ensure_ascii=False),
                                True,
                                "验收合格",
                                json.dumps(built, ensure_ascii=False),
                                f"等级测评报告 DJCP-{pid:06d}",
                            ),
                        )
                        filing = None
                        if fiscal:
                            filing = oblige(
                                "acceptance-filing",
                                "验收结果报信息化主管部门备案",
                                "第十三条第二款",
                                owner_id,
                                authority,
                                t.astimezone(SH).date() + dt.timedelta(days=30),
                                seq,
                            )
                            if step((3, 25), 0.1):
                                seq = chain.add(
                                    t,
                                    owner_staff,
                                    "acceptance_filing",
                                    "验收结果备案",
                                    S.ACCEPTED,
                                    S.ACCEPTED,
                                    "第十三条第二款",
                                )
                                fulfil(filing, seq)
                                self.rows.add(
                                    "projects_acceptancefiling",
                                    ("project_id", "acceptance_id", "filed_at", "filed_by_id"),
                                    (pid, pid, t, owner_staff[0]),
                                )
                        if step((5, 40), 0.02):
                            key = (owner_id, system)
                            existing = self.systems.get(key)
                            level = p.security_level or 2
                            info = {
                                "id": existing[0] if existing else pid,
                                "name": system,
                                "protection_level": level,
                                "created": existing is None,
                            }
                            fire(
                                "deliver",
                                "交付使用",
                                S.DELIVERED,
                                "第十三条第一款",
                                owner_staff,
                                payload={"protection_level": level, "information_system": info},
                            )
                            day = t.astimezone(SH).date()
                            if existing:
                                existing[4], existing[5], existing[6] = content, pid, day
                            else:
                                self.systems[key] = [pid, system, owner_id, jid, content, pid, day, level]
        p.__dict__["state"] = state
        p.version = version
        p.updated_at = t
        p.clean_fields(exclude=["jurisdiction", "owner", "annual_plan", "search_text", "state"])
        assert state in S.values
        for row in obligations:
            self.rows.add("gen_obligation", OBLIGATION_STAGE, tuple(row))
        return p

    def write_systems(self) -> None:
        from . import similarity_index

        for sid, name, owner, jid, desc, source, day, level in sorted(self.systems.values()):
            doc = similarity_index.document_row(-sid, jid, similarity_index.system_text(name, desc))
            self.rows.add(similarity_index.DOCS, SIMILARITY_DOCUMENT, doc)
            self.rows.add(
                "projects_informationsystem",
                (
                    "id",
                    "name",
                    "owner_id",
                    "jurisdiction_id",
                    "protection_level",
                    "description",
                    "source_project_id",
                    "in_service_since",
                    "updated_at",
                ),
                (sid, name, owner, jid, level, desc, source, day, END),
            )


SIMILARITY_DOCUMENT = ("id", "jurisdiction_id", "terms")
LAYOUT_LABELS = [
    ("layout", "规划布局"),
    ("standards", "技术标准"),
    ("security", "网络与信息安全"),
    ("sharing", "信息资源共享"),
]
OBLIGATION_STAGE = (
    "case_type_id",
    "case_id",
    "jurisdiction_id",
    "code",
    "title",
    "citation",
    "owed_by_id",
    "owed_to_id",
    "due_date",
    "created_at",
    "open_seq",
    "fulfilled_at",
    "fulfil_seq",
)


# -- after the docket is written (main process) --------------------------------------------------------


def finish(spec: GenSpec, world: World, prep: Prep) -> int:
    """Obligations (linked to the docket events that opened and fulfilled them), the information
    systems that predate the platform (up to spec.systems), the duplicate-construction index, and
    the sequences."""
    from . import similarity_index
    from .models import InformationSystem

    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO core_obligation (case_type_id, case_id, jurisdiction_id, code, title, citation, "
            "owed_by_id, owed_to_id, due_date, created_at, opened_by_id, fulfilled_at, fulfilled_by_id) "
            "SELECT g.case_type_id, g.case_id, g.jurisdiction_id, g.code, g.title, g.citation, g.owed_by_id, "
            "g.owed_to_id, g.due_date, g.created_at, eo.id, g.fulfilled_at, ef.id FROM gen_obligation g "
            "LEFT JOIN core_docketevent eo ON eo.case_type_id = g.case_type_id AND eo.case_id = g.case_id "
            "AND eo.seq = g.open_seq "
            "LEFT JOIN core_docketevent ef ON ef.case_type_id = g.case_type_id AND ef.case_id = g.case_id "
            "AND ef.seq = g.fulfil_seq ORDER BY g.case_id, g.open_seq"
        )
        n = cur.rowcount
        cur.execute("DROP TABLE gen_obligation")

    have = InformationSystem.objects.count()
    rng = random.Random(f"{spec.scale}:legacy-systems")
    cur_max = InformationSystem.objects.order_by("-id").values_list("id", flat=True).first() or 0
    next_id = max(cur_max, prep.first_project_id + spec.projects) + 1
    taken = set(InformationSystem.objects.values_list("owner_id", "name"))
    legacy: list[Any] = []
    owners = [o for c in sorted(world.builders) for o in world.builders[c]]
    k = 0
    while have + len(legacy) < spec.systems and k < spec.systems * 4:
        k += 1
        owner = world.orgs[owners[rng.randrange(len(owners))]]
        domain = DOMAINS[domain_of(owner.name)]
        name, feats, _ = domain[rng.randrange(len(domain))]
        name = f"{name}（{rng.randint(2008, 2015)}年建）"
        if (owner.id, name) in taken:
            continue
        taken.add((owner.id, name))
        s = InformationSystem(
            id=next_id + len(legacy),
            name=name,
            owner_id=owner.id,
            jurisdiction_id=owner.jurisdiction_id,
            protection_level=rng.choice((1, 2, 2, 3)),
            description="、".join(feats),
            in_service_since=dt.date(int(name[-7:-3]), 6, 1),
        )
        s.clean_fields(exclude=["owner", "jurisdiction", "source_project"])
        legacy.append(s)
    InformationSystem.objects.bulk_create(legacy, batch_size=5000)

    # the index (第六条): the workers wrote the documents of their projects and systems; the words
    # and postings follow in SQL. The triggers queued every row the workers copied: all indexed now.
    with connection.cursor() as cur:
        docs = [
            similarity_index.document_row(
                -s.pk, s.jurisdiction_id, similarity_index.system_text(s.name, s.description)
            )
            for s in legacy
        ]
        similarity_index.write_documents(cur, docs)
        cur.execute(f"DELETE FROM {similarity_index.QUEUE}")
        similarity_index.fill(cur)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            for table in (
                "projects_project",
                "projects_informationsystem",
                "projects_acceptance",
                "core_obligation",
                "projects_annualconstructionplan",
            ):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
    return n
