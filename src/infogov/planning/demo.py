"""Demo plans of Jilin City (called by `manage.py seed_demo` after the core demo).

- 吉林市信息化发展规划（2026—2030年）: in force (consulted, reviewed, approved, published);
- 永吉县 plan: under expert review; 蛟河市 plan: drafting;
- 吉林市卫生健康委员会 special plan: under public consultation, with public comments;
- 吉林市公安局 special plan: in force, with its execution reports owed (one overdue).

Every step goes through the services and the workflow, as a user would take it. Idempotent: a plan
whose title exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from infogov.core.workflow import engine as wf
from infogov.org.models import Organisation, User

from . import services
from .choices import PlanLevel
from .models import Plan, PlanVersion

CITY_TITLE = "吉林市信息化发展规划（2026—2030年）"
YONGJI_TITLE = "永吉县信息化发展规划（2026—2030年）"
JIAOHE_TITLE = "蛟河市信息化发展规划（2026—2030年）"
HEALTH_TITLE = "吉林市卫生健康信息化专项规划（2026—2030年）"
POLICE_TITLE = "吉林市公安信息化专项规划（2025—2029年）"

CITY_TASKS = [
    ("建成全市统一的政务云平台，市直部门业务系统迁移上云", "上云业务系统", 120, "个", 2028),
    ("建设全市统一的电子政务外网，实现市、县、乡、村四级全覆盖", "乡村覆盖率", 100, "%", 2027),
    ("完善人口、法人、自然资源和空间地理基础数据库，推进政务数据共享交换", "共享数据目录", 3000, "项", 2029),
    ("推进5G基站和共享通信管道建设，架空线路逐步入地", "新建5G基站", 4000, "个", 2030),
]
LOCAL_TASKS = [
    ("接入全市政务云平台，县直部门业务系统迁移上云", "上云业务系统", 30, "个", 2028),
    ("电子政务外网延伸到全部乡镇和行政村", "行政村覆盖率", 100, "%", 2027),
    ("建设县级政务数据共享交换节点，接入市级共享平台", "共享数据目录", 500, "项", 2029),
]
HEALTH_TASKS = [
    ("建设全民健康信息平台，实现二级以上医院电子病历互通共享", "接入医院", 45, "家", 2028),
    ("推广电子健康卡，实现预约诊疗和检查结果互认", "电子健康卡发放", 200, "万张", 2027),
]
POLICE_TASKS = [
    ("建设公共安全视频图像信息共享平台，接入全市视频监控资源", "接入视频点位", 20000, "路", 2027),
    ("建设警务数据资源中心，与政务数据共享平台对接", "共享数据目录", 300, "项", 2028),
]


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _draft(
    user: User,
    level: str,
    title: str,
    owner: Organisation,
    tasks: list[tuple[str, str, int, str, int]],
    *,
    parent: Plan | None = None,
    parent_reference: str = "",
    period: tuple[int, int] = (2026, 2030),
    goal: str = "",
) -> PlanVersion:
    v = services.plan_create(
        user=user,
        level=level,
        title=title,
        jurisdiction=owner.jurisdiction,
        owner=owner,
        period_start=period[0],
        period_end=period[1],
        parent=parent,
        parent_reference=parent_reference,
        body=f"依据《吉林市信息化促进办法》第五条编制。{title}提出规划期内信息化发展的目标和重点任务。",
    )
    g = services.goal_add(
        version=v, user=user, text=goal or "信息基础设施和数字政府建设水平与经济社会发展相适应"
    )
    for text, indicator, value, unit, year in tasks:
        services.task_add(
            version=v,
            user=user,
            text=text,
            goal_id=g.pk,
            responsible_id=owner.pk,
            indicator=indicator,
            target_value=value,
            unit=unit,
            target_year=year,
        )
    return PlanVersion.objects.get(pk=v.pk)


def _consult(v: PlanVersion, user: User, start: dt.date, days: int = 15) -> PlanVersion:
    return wf.fire(
        v,
        "open_consultation",
        user=user,
        today=start,
        payload={"start": start.isoformat(), "end": (start + dt.timedelta(days=days)).isoformat()},
    )


def _review(v: PlanVersion, user: User, experts: list[str], *, conclusions: tuple[str, ...]) -> PlanVersion:
    after = _after(v)
    v = wf.fire(v, "close_consultation", user=user, today=after)
    services.consultation_summary_save(
        version=v, user=user, summary="征求意见期间通过门户网站公开征求意见，收到的意见均已逐条答复并公布。"
    )
    services.experts_assign(version=v, user=user, experts=[_user(e) for e in experts])
    for name, conclusion in zip(experts, conclusions, strict=False):
        services.expert_opinion_submit(
            version=v,
            user=_user(name),
            conclusion=conclusion,
            opinion="规划目标明确，任务与全市经济社会发展水平相适应，建议按程序报批。",
        )
    return PlanVersion.objects.get(pk=v.pk)


def _in_force(
    v: PlanVersion, owner_user: User, approver: User, filer: User | None, payload: dict[str, Any]
) -> Any:
    after = _after(v)
    v = wf.fire(v, "submit", user=owner_user, today=after)
    v = wf.fire(v, "approve", user=approver, payload=payload)
    if v.level != PlanLevel.SPECIAL:
        v = wf.fire(v, "publish", user=owner_user)
    if filer is not None:  # the 备案号 is the filing authority's next number (core.docnumbers)
        v = wf.fire(v, "file", user=filer, payload={})
    return wf.fire(v, "enact", user=owner_user)


@transaction.atomic
def seed(stdout: TextIO | Any = None) -> dict[str, int]:
    authority, gov = _user("authority"), _user("gov")
    today = timezone.localdate()
    experts = [f"expert{i}" for i in range(1, 9)]
    city = Plan.objects.filter(title=CITY_TITLE).first()
    if city is None:
        city = _seed_city(authority, gov, experts)
    _seed_local_plans(city, today, experts)
    _seed_health_plan(city, today)
    _seed_police_plan(city, authority, today, experts)
    counts = {"plans": Plan.objects.count(), "versions": PlanVersion.objects.count()}
    if stdout is not None:
        stdout.write(f"信息化发展规划 {counts['plans']} 项（版本 {counts['versions']} 个）\n")
    return counts


def _seed_city(authority: User, gov: User, experts: list[str]) -> Plan:
    """The city plan, through consultation (answered comments) and expert review, in force."""
    v = _draft(
        authority,
        PlanLevel.CITY,
        CITY_TITLE,
        _org(authority),
        CITY_TASKS,
        parent_reference="吉林市国民经济和社会发展第十五个五年规划纲要；吉林省信息化发展规划（2026—2030年）",
    )
    v = _consult(v, authority, dt.date(2026, 1, 5))
    for body in ("建议把农村地区的网络覆盖放在更优先的位置。", "政务云迁移要同步做好等级保护测评。"):
        services.comment_submit(version=v, body=body, today=dt.date(2026, 1, 10))
    v = wf.fire(v, "close_consultation", user=authority, today=_after(v))
    ids = list(v.comments.values_list("pk", flat=True))
    services.comments_answer(version=v, user=authority, comment_ids=ids, template="accepted")
    services.comments_publish_answers(version=v, user=authority)
    services.consultation_summary_save(
        version=v, user=authority, summary="公开征求意见15日，收到意见2条，均予采纳并已公布答复。"
    )
    services.experts_assign(version=v, user=authority, experts=[_user(e) for e in experts[:5]])
    for e, c in zip(experts[:5], ("pass", "pass", "conditional", "pass", "fail"), strict=True):
        services.expert_opinion_submit(
            version=_fresh(v),
            user=_user(e),
            conclusion=c,
            opinion="规划与全市经济社会发展水平相适应，建议细化年度目标。",
        )
    _in_force(_fresh(v), authority, gov, None, {"document": "吉市政函〔2026〕18号"})
    return Plan.objects.get(title=CITY_TITLE)


def _seed_local_plans(city: Plan, today: dt.date, experts: list[str]) -> None:
    """永吉县's plan in expert review, 蛟河市's still a draft."""
    yongji_user = _user("yongji_authority")
    if not Plan.objects.filter(title=YONGJI_TITLE).exists():
        v = _draft(yongji_user, PlanLevel.LOCAL, YONGJI_TITLE, _org(yongji_user), LOCAL_TASKS, parent=city)
        v = _consult(v, yongji_user, today - dt.timedelta(days=30))
        _review(v, yongji_user, experts[2:6], conclusions=("pass", "conditional"))

    jiaohe_user = _user("jiaohe_authority")
    if not Plan.objects.filter(title=JIAOHE_TITLE).exists():
        _draft(jiaohe_user, PlanLevel.LOCAL, JIAOHE_TITLE, _org(jiaohe_user), LOCAL_TASKS[:2], parent=city)


def _seed_health_plan(city: Plan, today: dt.date) -> None:
    """The health special plan, open for public comments (some with contact details)."""
    dept = _user("dept")
    if Plan.objects.filter(title=HEALTH_TITLE).exists():
        return
    v = _draft(
        dept,
        PlanLevel.SPECIAL,
        HEALTH_TITLE,
        _org(dept),
        HEALTH_TASKS,
        parent=city,
        goal="以数字化推动优质医疗资源共享",
    )
    v = _consult(v, dept, today, days=20)
    task = v.tasks.order_by("seq").first()
    services.comment_submit(version=v, body="希望电子健康卡能在县级医院同步使用。", client="demo-1")
    services.comment_submit(
        version=v,
        body="电子病历共享要注意保护患者隐私。",
        task_id=task.pk if task else None,
        name="刘女士",
        contact="liu@example.cn",
        client="demo-2",
    )
    services.comment_submit(version=v, body="建议增加互联网医院建设的目标。", name="陈先生", client="demo-3")


def _seed_police_plan(city: Plan, authority: User, today: dt.date, experts: list[str]) -> None:
    """The police special plan in force, with last year's execution report overdue (第七条)."""
    police = _user("police")
    if Plan.objects.filter(title=POLICE_TITLE).exists():
        return
    v = _draft(
        police,
        PlanLevel.SPECIAL,
        POLICE_TITLE,
        _org(police),
        POLICE_TASKS,
        parent=city,
        period=(2025, 2029),
        goal="提升公共安全领域信息化水平",
    )
    v = _consult(v, police, dt.date(2026, 2, 2))
    v = _review(v, police, experts[5:8], conclusions=("pass", "pass", "pass"))
    v = _in_force(
        v,
        police,
        police,
        authority,
        {"document": "吉市公发〔2026〕9号", "leader_signoff": "局长签发（吉市公发〔2026〕9号）"},
    )
    services.execution_obligation_open(version=v, year=today.year - 1)  # last year's report: overdue


def _after(v: PlanVersion) -> dt.date:
    assert v.consultation_end is not None
    return v.consultation_end + dt.timedelta(days=1)


def _org(user: User) -> Organisation:
    assert user.organisation is not None
    return user.organisation


def _fresh(v: PlanVersion) -> PlanVersion:
    return PlanVersion.objects.get(pk=v.pk)
