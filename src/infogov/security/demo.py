"""Demo data of information security: 40 systems of ten units across five jurisdictions at levels 1–4,
with current, overdue and missing evaluations, risk assessments (some high risks untreated), plans and
drills, incidents (one reported late, one not yet reported past its deadline), the city authority's
inspection with hidden dangers in every state, and each unit's responsibility record. Idempotent: a
unit whose systems exist is left as it is. Every step goes through the engine, so the docket tells the
whole story."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from infogov.core.workflow import engine as workflow
from infogov.org.models import User

from . import services
from .models import HiddenDanger, InformationSystem

OWNERS = [
    "dept",
    "police",
    "yongji_dept",
    "chuanying_dept",
    "gaoxin_dept",
    "authority",
    "yongji_authority",
    "jiaohe_authority",
    "chuanying_authority",
    "gaoxin_authority",
]
NAMES = [
    "全民健康信息平台",
    "电子健康档案系统",
    "120急救指挥调度系统",
    "卫生监督执法系统",
    "人口信息管理系统",
    "视频图像信息综合应用平台",
    "110接处警系统",
    "出入境业务管理系统",
    "县域医共体信息平台",
    "基层医疗卫生机构管理系统",
    "疫苗接种管理系统",
    "妇幼保健信息系统",
    "区域卫生信息平台",
    "社区卫生服务管理系统",
    "家庭医生签约服务系统",
    "健康体检管理系统",
    "高新区社会事业服务平台",
    "智慧教育云平台",
    "养老服务管理系统",
    "就业创业服务系统",
    "政务云管理平台",
    "电子政务外网管理系统",
    "一网通办政务服务平台",
    "政务数据共享交换平台",
    "县级政务服务平台",
    "县融媒体中心系统",
    "县电子证照系统",
    "县12345热线系统",
    "蛟河市政务服务平台",
    "蛟河市公共资源交易系统",
    "蛟河市电子监察系统",
    "蛟河市数据资源中心",
    "船营区网格化管理平台",
    "船营区城市运行监测系统",
    "船营区电子政务系统",
    "船营区数据共享平台",
    "高新区企业服务平台",
    "高新区园区安全监测系统",
    "高新区政务服务系统",
    "高新区数据中台",
]
LEVELS = [3, 2, 3, 4, 2, 3, 1, 3, 3, 2, 4, 2, 3, 1, 2, 3, 2, 3, 2, 1]
GRADE_INPUT = {
    1: ("citizens", "general"),
    2: ("society", "general"),
    3: ("society", "serious"),
    4: ("state", "serious"),
}


def _users() -> dict[str, User] | None:
    users = {u.username: u for u in User.objects.filter(username__in=OWNERS).select_related("organisation")}
    return users if len(users) == len(OWNERS) else None


def seed(stdout: Any) -> None:
    users = _users()
    if users is None:
        stdout.write("信息安全演示数据：缺少演示账号，跳过")
        return
    today = timezone.localdate()
    made = 0
    with transaction.atomic():
        for i, name in enumerate(NAMES):
            user = users[OWNERS[i // 4]]
            if InformationSystem.objects.filter(owner=user.organisation, title=name).exists():
                continue
            _system(user, name, LEVELS[i % len(LEVELS)], i, today)
            made += 1
        if made:
            _responsibilities(users, today)
            _incidents(users, today)
            _inspection(users, today)
    stdout.write(f"信息安全演示数据：新增信息系统 {made} 个（共 {InformationSystem.objects.count()} 个）")


def _fire(case: Any, name: str, user: User, payload: dict[str, Any] | None = None) -> Any:
    return workflow.fire(type(case).objects.get(pk=case.pk), name, user=user, payload=payload)


def _system(user: User, name: str, level: int, i: int, today: dt.date) -> None:
    system = services.system_register(
        user=user,
        title=name,
        purpose=f"{name}：支撑本单位业务办理和数据汇聚",
        network=["egov_extranet", "internet", "dedicated", "egov_intranet"][i % 4],
        hosting=["gov_cloud", "own_room", "gov_cloud", "other"][i % 4],
        data_categories=[["个人信息"], ["个人信息", "重要数据"], ["基础数据库数据"], []][i % 4],
        sector=["卫生健康", "公安", "政务服务", "教育"][i % 4],
        critical=level >= 4,
        security_officer=["王磊", "刘洋", "陈静", "赵敏"][i % 4],
        security_contact=f"0432-6{i:03d}{i:04d}"[:13],
    )
    if i % 10 == 9:
        return  # registered, not yet graded
    graded = today - dt.timedelta(days=900 - 15 * i)
    harmed, degree = GRADE_INPUT[level]
    _fire(
        system,
        "determine_level",
        user,
        {
            "object_harmed": harmed,
            "harm_degree": degree,
            "declared_level": level,
            "reasoning": "按受侵害客体和侵害程度确定",
            "determined_on": graded.isoformat(),
        },
    )
    _fire(
        system,
        "record_backup",
        user,
        {
            "backup_scope": "业务数据库",
            "backup_frequency": "每日增量、每周全量",
            "backup_location": "政务云异地备份区",
            "last_restore_test": (today - dt.timedelta(days=40 + 20 * i)).isoformat(),
        },
    )
    if level >= 2:
        _fire(
            system,
            "review_grading",
            user,
            {
                "reviewed_on": (graded + dt.timedelta(days=10)).isoformat(),
                "experts": "王建国、李淑华、张志刚",
                "opinion": "定级理由充分",
                "reviewed_level": level,
            },
        )
        if i % 7 != 3:  # one in seven reviewed but not yet filed (an overdue filing)
            _fire(
                system,
                "file_record",
                user,
                {
                    "filed_on": (graded + dt.timedelta(days=25)).isoformat(),
                    "filing_number": f"22020{i:03d}-{graded:%y}{i:03d}",
                    "filing_organ": "吉林市公安局网安支队",
                },
            )
            _evaluate(system, user, level, i, today)
    _assess(system, user, i, today)
    _plans(system, user, level, i, today)


def _plans(system: Any, user: User, level: int, i: int, today: dt.date) -> None:
    """Level 3+: most have an emergency plan, half of those a drill in the last year."""
    if level >= 3 and i % 3 != 0:
        _fire(
            system,
            "record_emergency_plan",
            user,
            {
                "approved_on": (today - dt.timedelta(days=100 + 30 * (i % 5))).isoformat(),
                "scenarios": "勒索软件；机房断电；数据泄露",
                "roles": "应急领导小组、技术处置组",
                "contacts": "值班电话 0432-12345678",
                "rto_hours": "4",
                "rpo_hours": "1",
            },
        )
        if i % 2:
            _fire(
                system,
                "record_drill",
                user,
                {
                    "held_on": (today - dt.timedelta(days=60 + 10 * i)).isoformat(),
                    "scenario": "勒索软件应急处置",
                    "participants": "本单位信息科、运维单位",
                    "findings": "备份恢复耗时超过预期",
                },
            )


def _evaluate(system: Any, user: User, level: int, i: int, today: dt.date) -> None:
    """Level 3+: a current evaluation (most), an overdue one (every third), or none at all (every fifth)."""
    if level < 3 or i % 5 == 0:
        return
    ago = 500 if i % 3 == 0 else 120
    issues = [
        {
            "description": "未启用双因素认证",
            "severity": "高",
            "due_date": (today - dt.timedelta(days=ago - 90)).isoformat(),
        }
    ]
    _fire(
        system,
        "record_evaluation",
        user,
        {
            "evaluated_on": (today - dt.timedelta(days=ago)).isoformat(),
            "agency": "吉林省信息安全测评中心",
            "report_number": f"DJCP-2026-{i:04d}",
            "result": "良" if i % 2 else "中",
            "score": "84" if i % 2 else "74",
            "issues": issues if i % 2 == 0 else [],
        },
    )


def _assess(system: Any, user: User, i: int, today: dt.date) -> None:
    if i % 3 == 2:
        return
    risks = [
        {
            "name": "勒索软件加密业务数据",
            "likelihood": 4,
            "impact": 5,
            "treatment": "accept" if i % 4 == 0 else "reduce",
            "treatment_owner": "信息科",
            "due_date": (today + dt.timedelta(days=60)).isoformat(),
        },
        {
            "name": "运维账号弱口令",
            "likelihood": 3,
            "impact": 3,
            "treatment": "reduce",
            "treatment_owner": "运维单位",
            "due_date": (today + dt.timedelta(days=30)).isoformat(),
        },
    ]
    _fire(
        system,
        "record_risk_assessment",
        user,
        {
            "assessed_on": (today - dt.timedelta(days=30 + 25 * i)).isoformat(),
            "assets": "业务数据库、应用服务器",
            "threats": "勒索软件、越权访问",
            "vulnerabilities": "补丁滞后、弱口令",
            "existing_measures": "边界防火墙",
            "risks": risks,
        },
    )


def _responsibilities(users: dict[str, User], today: dt.date) -> None:
    for n, username in enumerate(OWNERS):
        user = users[username]
        resp = services.responsibility_create(user=user)
        if n % 4 == 3:
            continue  # drafted, not yet in force
        _fire(
            resp,
            "establish",
            user,
            {
                "leader": "主要负责人",
                "officer": "信息科科长",
                "officer_contact": "0432-60000000",
                "responsibilities": "主要负责人为网络安全第一责任人，分管负责人为直接责任人……",
                "reviewed_on": (today - dt.timedelta(days=200 + 60 * n)).isoformat(),
            },
        )


def _incidents(users: dict[str, User], today: dt.date) -> None:
    tz = timezone.get_current_timezone()
    dept = users["dept"]
    systems = list(InformationSystem.objects.filter(owner=dept.organisation).values_list("pk", flat=True)[:2])
    base = dt.datetime.combine(today - dt.timedelta(days=20), dt.time(9, 0), tzinfo=tz)
    on_time = services.incident_open(
        user=dept,
        title="电子健康档案系统遭暴力破解",
        detected_at=base,
        grade="一般",
        system_ids=systems[:1],
        affected_data="无数据泄露",
        measures="封禁攻击源地址",
    )
    _fire(
        on_time,
        "report",
        dept,
        {
            "reported_at": (base + dt.timedelta(hours=2)).isoformat(),
            "recipient": "吉林市委网信办",
            "content": "初报",
        },
    )
    _fire(
        on_time,
        "close",
        dept,
        {
            "closed_on": (today - dt.timedelta(days=15)).isoformat(),
            "root_cause": "弱口令",
            "lessons": "启用双因素认证",
        },
    )
    late_at = base + dt.timedelta(days=5)
    late = services.incident_open(
        user=dept,
        title="全民健康信息平台勒索软件事件",
        detected_at=late_at,
        grade="较大",
        system_ids=systems,
        affected_data="部分就诊记录",
        measures="隔离受感染服务器",
    )
    _fire(
        late,
        "add_update",
        dept,
        {"at": (late_at + dt.timedelta(hours=1)).isoformat(), "kind": "处置", "content": "断网隔离"},
    )
    _fire(
        late,
        "report",
        dept,
        {
            "reported_at": (late_at + dt.timedelta(hours=6)).isoformat(),
            "recipient": "吉林市委网信办",
            "content": "初报（逾期）",
        },
    )
    police = users["police"]
    now = timezone.now()
    services.incident_open(
        user=police,
        title="视频图像平台异常外联",
        detected_at=now - dt.timedelta(hours=5),
        grade="较大",
        critical_operator=True,
        measures="阻断异常外联",
    )
    services.incident_open(
        user=users["yongji_dept"],
        title="疫苗接种系统页面篡改",
        detected_at=now - dt.timedelta(minutes=50),
        grade="一般",
        measures="恢复页面",
    )


def _inspection(users: dict[str, User], today: dt.date) -> None:
    city = users["authority"]
    inspection = services.inspection_plan(
        user=city,
        title=f"{today.year}年重点领域网络与信息系统安全检查",
        scope="卫生健康、公安、政务服务领域三级以上信息系统",
        sectors="卫生健康、公安、政务服务",
        planned_start=today - dt.timedelta(days=60),
        planned_end=today + dt.timedelta(days=30),
        inspectors="市工业和信息化局、市公安局网安支队、市委网信办",
    )
    inspection = _fire(inspection, "start", city)
    targets = list(InformationSystem.objects.filter(level__gte=3).select_related("owner").order_by("pk")[:4])
    for n, system in enumerate(targets):
        _fire(
            inspection,
            "record_danger",
            city,
            {
                "system_id": system.pk,
                "found_on": (today - dt.timedelta(days=50)).isoformat(),
                "description": [
                    "数据库端口暴露在互联网",
                    "未开启审计日志",
                    "默认口令未修改",
                    "备份未异地存放",
                ][n],
                "severity": ["重大", "较大", "一般", "较大"][n],
                "deadline": (today - dt.timedelta(days=20 - 30 * (n % 2))).isoformat(),
            },
        )
    owners = {u.organisation_id: u for u in users.values()}
    dangers = list(HiddenDanger.objects.filter(inspection=inspection).select_related("system").order_by("pk"))
    for n, danger in enumerate(dangers[1:], start=1):
        _fire(
            danger.system,
            "answer_danger",
            owners[danger.system.owner_id],
            {
                "danger_id": danger.pk,
                "answered_on": (today - dt.timedelta(days=10)).isoformat(),
                "answer": "已整改",
            },
        )
        if n in (1, 2):
            _fire(
                inspection,
                "verify_danger",
                city,
                {
                    "danger_id": danger.pk,
                    "verified_on": (today - dt.timedelta(days=5)).isoformat(),
                    "conclusion": "verified" if n == 1 else "returned",
                    "comment": "" if n == 1 else "整改不彻底",
                },
            )
