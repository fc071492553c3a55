"""The register pages: new project and edit-a-draft forms, the annual-plan form, "include in plan" as a
choice of open plans, and amounts shown with thousands separators (exports stay numeric)."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from infogov.core.models import DocketEvent
from infogov.core.templatetags.infogov_ui import money
from infogov.core.web.cases import _display
from infogov.projects import services
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.conftest import fresh

pytestmark = pytest.mark.django_db

MANDATORY_APP = ("GB 17859-1999", "GB 18030-2022")


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def form_data(owner, **overrides) -> dict:
    data = {
        "owner": str(owner.pk),
        "title": "永吉县智慧医疗健康信息平台",
        "category": "application",
        "funding_kind": "fiscal",
        "budget": "3,800,000.00",
        "budget_source": "2026年永吉县本级财政预算",
        "special_fund": "信息化发展专项资金",
        "funding_source": "",
        "year": "2026",
        "content": "建设县域全民健康信息平台，\r\n汇聚电子病历和健康档案。",
        "systems": "全民健康信息平台\r\n家庭医生签约系统",
        "data_produced": "电子健康档案库",
        "data_consumed": "人口基础信息库、电子证照库",
        "network": "egov_extranet",
        "hosting": "gov_cloud",
        "planned_start": "2026-03-01",
        "planned_completion": "2026-12-31",
        "plan_task_ref": "十四五规划 任务3.2",
        "standards": list(MANDATORY_APP),
        "security_plan": "按第二级等级保护要求同步建设。",
        "security_level": "2",
        "security_measures": "边界防护\r\n日志审计",
        "procedures_completed": "",
    }
    data.update(overrides)
    return data


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# -- new project ---------------------------------------------------------------------------------------


@pytest.mark.article(12)
def test_new_form_in_chinese_with_mandatory_standards_preselected(world, assert_max_queries):
    c = client_for(fresh(world.yongji.dept_user))
    with assert_max_queries(8):
        r = c.get("/projects/new/")
    assert r.status_code == 200
    html = r.content.decode()
    labels = (
        "建设单位 项目类别 资金性质 预算金额（元） 预算来源 信息化发展专项资金 资金来源"
        " 建设内容 新建或改造的信息系统 产生的信息资源 使用的信息资源 接入网络 部署方式"
        " 计划开工 计划竣工 落实的规划任务 执行的标准 信息安全保障方案 拟定安全保护等级"
        " 计划建设的安全措施 已办理的建设手续"
    )
    for label in labels.split():
        assert f">{label}" in html, label
    for code in MANDATORY_APP:  # the mandatory standards of the default category (应用系统) are ticked
        assert re.search(rf'value="{re.escape(code)}"[^>]*checked', html, re.S), code
    assert not re.search(r'value="GB 50174-2017"[^>]*checked', html)  # infrastructure only
    assert "永吉县卫生健康局" in html


def test_list_offers_new_project_only_to_those_who_may_register(world):
    assert "新建项目" in client_for(world.yongji.dept_user).get("/projects/").content.decode()
    assert "新建项目" in client_for(world.yongji.authority_user).get("/projects/").content.decode()
    finance = client_for(world.yongji.finance_user)  # a co-supervisor reads, never registers
    assert "新建项目" not in finance.get("/projects/").content.decode()
    assert finance.get("/projects/new/").status_code == 403
    assert finance.post("/projects/new/", form_data(world.yongji.finance)).status_code == 403
    assert client_for(world.audit_admin).get("/projects/new/").status_code == 403
    assert not Project.objects.exists()


@pytest.mark.article(3)
def test_register_a_fiscal_project_through_the_form(world):
    user = fresh(world.yongji.dept_user)
    r = client_for(user).post("/projects/new/", form_data(world.yongji.department))
    assert r.status_code == 303
    p = Project.objects.get()
    assert r["Location"] == f"/projects/{p.pk}/"
    assert (p.owner, p.jurisdiction, p.state) == (world.yongji.department, world.yongji.jurisdiction, "draft")
    assert p.budget == Decimal("3800000.00") and p.year == 2026
    assert p.content == "建设县域全民健康信息平台，\n汇聚电子病历和健康档案。"
    assert p.systems == ["全民健康信息平台", "家庭医生签约系统"]
    assert p.data_resources == [
        {"name": "电子健康档案库", "use": "produce"},
        {"name": "人口基础信息库", "use": "consume"},
        {"name": "电子证照库", "use": "consume"},
    ]
    assert p.security_level == 2 and p.security_measures == ["边界防护", "日志审计"]
    assert sorted(p.standards.values_list("code", flat=True)) == list(MANDATORY_APP)
    assert p.funding_source == "" and p.special_fund == "信息化发展专项资金"
    assert DocketEvent.objects.for_case(p).get().action == "create"
    html = client_for(user).get(r["Location"]).content.decode()
    assert "3,800,000.00 元" in html
    assert "人口基础信息库、电子证照库" in html and "search_text" not in html
    assert "修改登记信息" in html


def test_authority_registers_for_its_own_organisation(world):
    c = client_for(world.yongji.authority_user)
    r = c.post("/projects/new/", form_data(world.yongji.authority, title="永吉县政务外网安全加固"))
    assert r.status_code == 303
    assert Project.objects.get().owner == world.yongji.authority


@pytest.mark.article(4)
def test_cannot_register_for_another_county_organisation(world):
    c = client_for(world.yongji.dept_user)
    for org in (world.jiaohe.department, world.yongji.authority):  # another county; not one's own unit
        r = c.post("/projects/new/", form_data(org))
        assert r.status_code == 403
        assert "第四条第一款" in r.content.decode()
    assert (
        c.post("/projects/new/", {**form_data(world.yongji.department), "owner": "999999"}).status_code == 403
    )
    assert not Project.objects.exists() and not DocketEvent.objects.exists()


@pytest.mark.article(3)
@pytest.mark.article(12)
def test_invalid_form_shows_chinese_errors_and_writes_nothing(world):
    c = client_for(world.yongji.dept_user)
    bad = form_data(
        world.yongji.department,
        title="",
        budget="三百万",
        budget_source="",
        year="明年",
        planned_start="2026-12-31",
        planned_completion="2026-03-01",
        standards=["GB 17859-1999"],
        security_level="9",
    )
    r = c.post("/projects/new/", bad)
    assert r.status_code == 422
    html = r.content.decode()
    assert 'id="form-errors"' in html and "未保存：请修改以下内容" in html
    for message in (
        "请填写金额（元）",
        "列入哪一级、哪一年度的财政预算（第三条）",
        "请填写四位年份",
        "计划竣工日期不能早于计划开工日期",
        "强制性标准不得免除：GB 18030-2022（第十二条）",  # the rule A12-MANDATORY, with its article
    ):
        assert message in html, message
    assert re.search(r'name="title"[^>]*aria-invalid="true"', html) or re.search(
        r'aria-invalid="true"[^>]*name="title"', html
    )
    assert 'id="id_budget_error"' in html and "id_budget_help id_budget_error" in html
    assert "这个字段是必填项" in html  # the empty title, in Chinese
    assert "三百万" in html  # what was typed is kept for correcting
    assert not Project.objects.exists() and not DocketEvent.objects.exists()


@pytest.mark.parametrize(
    ("budget", "message"),
    [("0", "金额须大于零"), ("-5", "金额须大于零"), ("100.123", "最多两位小数"), ("1e20", "金额过大")],
)
def test_budget_must_be_a_positive_amount_to_the_fen(world, budget, message):
    r = client_for(world.yongji.dept_user).post(
        "/projects/new/", form_data(world.yongji.department, budget=budget)
    )
    assert r.status_code == 422 and message in r.content.decode()
    assert not Project.objects.exists()


@pytest.mark.article(10)
def test_non_fiscal_project_needs_its_source_and_drops_fiscal_fields(world):
    c = client_for(world.yongji.dept_user)
    data = form_data(world.yongji.department, funding_kind="non_fiscal", category="infrastructure")
    data["standards"] = ["GB 17859-1999", "GB 50174-2017", "GB 50311-2016"]
    r = c.post("/projects/new/", data)
    assert r.status_code == 422 and "使用非财政性资金的项目须写明资金来源" in r.content.decode()
    r = c.post(
        "/projects/new/", {**data, "funding_source": "企业自筹", "procedures_completed": "已取得立项批复"}
    )
    assert r.status_code == 303
    p = Project.objects.get()
    assert (p.funding_kind, p.funding_source, p.budget_source, p.special_fund) == (
        "non_fiscal",
        "企业自筹",
        "",
        "",
    )
    assert "尚未备案" in c.get(f"/projects/{p.pk}/").content.decode()


# -- edit a draft ----------------------------------------------------------------------------------------


def test_edit_a_draft_records_only_the_changed_fields(walker, assert_max_queries):
    p = walker.create()
    c = client_for(walker.owner)
    with assert_max_queries(10):
        r = c.get(f"/projects/{p.pk}/edit/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "永吉县社区网格化服务管理平台" in html and 'name="owner"' not in html
    assert f'name="version" value="{p.version}"' in html
    data = _initial_post(p)
    # the browser sends the draft back untouched: nothing changes, nothing is recorded
    r = c.post(f"/projects/{p.pk}/edit/", {**data, "version": p.version})
    assert r.status_code == 303
    assert DocketEvent.objects.for_case(p).count() == 1
    r = c.post(
        f"/projects/{p.pk}/edit/",
        {**data, "budget": "1,200,000", "systems": "网格化管理平台\r\n事件分拨系统", "version": p.version,
         "comment": "按批复调整预算"},
    )  # fmt: skip
    assert r.status_code == 303
    p.refresh_from_db()
    assert p.budget == Decimal("1200000.00") and p.systems == ["网格化管理平台", "事件分拨系统"]
    event = DocketEvent.objects.for_case(p).get(action="edit")
    assert set(event.changes) == {"budget", "systems"} and event.comment == "按批复调整预算"
    html = c.get(f"/projects/{p.pk}/").content.decode()
    assert "1,200,000.00 元" in html and "按批复调整预算" in html


def _initial_post(p: Project) -> dict:
    return {
        "title": p.title,
        "category": p.category,
        "funding_kind": p.funding_kind,
        "budget": str(p.budget),
        "budget_source": p.budget_source,
        "special_fund": p.special_fund,
        "funding_source": p.funding_source,
        "year": str(p.year),
        "content": p.content.replace("\n", "\r\n"),
        "systems": "\r\n".join(p.systems),
        "data_produced": "",
        "data_consumed": "",
        "network": p.network,
        "hosting": p.hosting,
        "planned_start": p.planned_start.isoformat() if p.planned_start else "",
        "planned_completion": p.planned_completion.isoformat() if p.planned_completion else "",
        "plan_task_ref": p.plan_task_ref,
        "standards": list(p.standards.values_list("code", flat=True)),
        "security_plan": p.security_plan.replace("\n", "\r\n"),
        "security_level": str(p.security_level or ""),
        "security_measures": "\r\n".join(p.security_measures),
        "procedures_completed": p.procedures_completed,
    }


@pytest.mark.article(12)
def test_edit_changes_standards_into_the_docket(walker):
    p = walker.create()
    c = client_for(walker.owner)
    data = _initial_post(p)
    r = c.post(f"/projects/{p.pk}/edit/", {**data, "standards": [*MANDATORY_APP, "GB/T 22239-2019"]})
    assert r.status_code == 303
    event = DocketEvent.objects.for_case(p).get(action="standards")
    assert "GB/T 22239-2019" in event.changes["standards"]["after"]
    r = c.post(f"/projects/{p.pk}/edit/", {**data, "standards": ["GB 17859-1999"]})
    assert r.status_code == 422 and "GB 18030-2022" in r.content.decode()


def test_stale_edit_conflicts_and_submitted_project_cannot_be_edited(walker):
    p = walker.create()
    c = client_for(walker.owner)
    data = _initial_post(p)
    r = c.post(f"/projects/{p.pk}/edit/", {**data, "title": "新名称", "version": p.version + 5})
    assert r.status_code == 409 and "已被他人办理或状态已变化" in r.content.decode()
    assert Project.objects.get(pk=p.pk).title == p.title
    walker.submit(p)
    r = c.post(f"/projects/{p.pk}/edit/", {**data, "title": "新名称"}, follow=True)
    assert "只有草稿" in r.content.decode()
    assert Project.objects.get(pk=p.pk).title == p.title
    assert "修改登记信息" not in r.content.decode()


def test_other_county_cannot_open_or_edit(walker, world):
    p = walker.create()
    outsider = client_for(world.jiaohe.authority_user)
    assert outsider.get(f"/projects/{p.pk}/edit/").status_code == 404
    assert outsider.post(f"/projects/{p.pk}/edit/", {**_initial_post(p), "title": "x"}).status_code == 404
    finance = client_for(world.yongji.finance_user)  # sees fiscal projects, may not change them
    assert finance.get(f"/projects/{p.pk}/edit/").status_code == 403
    assert Project.objects.get(pk=p.pk).title == p.title


# -- the annual plan --------------------------------------------------------------------------------------


@pytest.mark.article(9)
def test_authority_creates_an_annual_plan(world, assert_max_queries):
    c = client_for(fresh(world.yongji.authority_user))
    assert "新建年度计划" in c.get("/annual-plans/").content.decode()
    with assert_max_queries(10):
        r = c.get("/annual-plans/new/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "永吉县" in html and "蛟河市" not in html
    r = c.post(
        "/annual-plans/new/", {"jurisdiction": world.yongji.jurisdiction.pk, "year": "2026", "title": ""}
    )
    assert r.status_code == 303
    plan = AnnualConstructionPlan.objects.get()
    assert r["Location"] == f"/annual-plans/{plan.pk}/"
    assert (plan.owner, plan.year, plan.state) == (world.yongji.authority, 2026, "drafting")
    assert plan.title == "永吉县2026年信息化工程项目建设年度计划"
    r = c.post("/annual-plans/new/", {"jurisdiction": world.yongji.jurisdiction.pk, "year": "2026"})
    assert r.status_code == 422 and "年度建设计划已存在" in r.content.decode()  # A9-1-ONE-PLAN
    r = c.post("/annual-plans/new/", {"jurisdiction": world.yongji.jurisdiction.pk, "year": "二〇二七"})
    assert r.status_code == 422 and "请填写四位年份" in r.content.decode()
    assert AnnualConstructionPlan.objects.count() == 1


@pytest.mark.article(9)
def test_only_the_authority_of_that_jurisdiction_creates_plans(world):
    yongji = client_for(world.yongji.authority_user)
    r = yongji.post("/annual-plans/new/", {"jurisdiction": world.jiaohe.jurisdiction.pk, "year": "2026"})
    assert r.status_code == 403 and "第九条第一款" in r.content.decode()
    dept = client_for(world.yongji.dept_user)
    assert dept.get("/annual-plans/new/").status_code == 403
    assert "新建年度计划" not in client_for(world.yongji.approver).get("/annual-plans/").content.decode()
    assert not AnnualConstructionPlan.objects.exists()


@pytest.mark.article(9)
def test_include_in_plan_is_a_choice_of_the_jurisdictions_open_plans(
    walker, jiaohe_walker, assert_max_queries
):
    p = walker.submit(walker.create())
    open_plan = walker.plan(2026)
    approved = walker.plan(2025)
    services.project_include_in_plan(
        project=walker.submit(walker.create(title="永吉县另一项目", year=2025)),
        user=walker.authority,
        plan=approved,
    )
    services.plan_fire(plan=approved, user=walker.authority, name="submit_plan")
    jiaohe_plan = jiaohe_walker.plan(2026)
    c = client_for(fresh(walker.authority))
    with assert_max_queries(24):
        r = c.get(f"/projects/{p.pk}/")
    html = r.content.decode()
    select = html[html.index('name="plan_id"') :]
    select = select[: select.index("</select>")]
    assert f'value="{open_plan.pk}"' in select and open_plan.reference in select
    assert f'value="{approved.pk}"' not in select  # already submitted for approval
    assert f'value="{jiaohe_plan.pk}"' not in select  # another county's plan
    assert "年度计划编号（id）" not in html
    # a plan id from another county, posted by hand, is refused by the rule and changes nothing
    r = c.post(
        f"/projects/{p.pk}/fire/include_in_plan/",
        {"plan_id": jiaohe_plan.pk, "version": p.version},
        follow=True,
    )
    assert "第九条第一款" in r.content.decode()
    assert Project.objects.get(pk=p.pk).state == "proposed"
    r = c.post(f"/projects/{p.pk}/fire/include_in_plan/", {"plan_id": open_plan.pk, "version": p.version})
    p.refresh_from_db()
    assert (p.state, p.annual_plan_id) == ("planned", open_plan.pk)
    # the plan page lists its projects with their budgets and the total
    html = c.get(f"/annual-plans/{open_plan.pk}/").content.decode()
    assert p.reference in html and "1,000,000.00" in html and "合计（1 个项目）" in html


@pytest.mark.article(9)
def test_cannot_include_another_countys_project(walker, jiaohe_walker):
    theirs = jiaohe_walker.submit(jiaohe_walker.create(title="蛟河市智慧城管平台"))
    plan = walker.plan(2026)
    c = client_for(walker.authority)
    r = c.post(f"/projects/{theirs.pk}/fire/include_in_plan/", {"plan_id": plan.pk})
    assert r.status_code == 404
    assert Project.objects.get(pk=theirs.pk).state == "proposed"
    owner_view = (
        client_for(walker.owner).get(f"/projects/{walker.submit(walker.create()).pk}/").content.decode()
    )
    assert 'name="plan_id"' not in owner_view  # the construction unit does not plan


@pytest.mark.article(9)
def test_plan_page_lists_its_projects_in_constant_queries(walker, assert_max_queries):
    plan = walker.plan(2026)
    for i in range(4):
        services.project_include_in_plan(
            project=walker.submit(walker.create(title=f"计划内项目{i}", budget=Decimal("1250000.25"))),
            user=walker.authority,
            plan=plan,
        )
    c = client_for(fresh(walker.approver))  # the government approves the plan: it sees what is in it
    with assert_max_queries(14):
        r = c.get(f"/annual-plans/{plan.pk}/")
    html = r.content.decode()
    assert r.status_code == 200 and html.count("1,250,000.25") == 4
    assert "合计（4 个项目）" in html and "5,000,001.00" in html


@pytest.mark.parametrize(
    "field,value",
    [
        ("title", "项" * 201),
        ("title", "   "),
        ("budget", "NaN"),
        ("budget", "Infinity"),
        ("year", "99999"),
        ("category", "rocket"),
        ("funding_kind", "loan"),
        ("network", "<script>"),
        ("standards", ["GB 17859-1999", "GB 18030-2022", "不存在的标准"]),
        ("planned_start", "2026-02-30"),
        ("systems", "系" * 201),
        ("content", "内" * 20_001),
    ],
)
def test_bad_input_is_a_form_error_never_a_500(world, field, value):
    r = client_for(world.yongji.dept_user).post(
        "/projects/new/", form_data(world.yongji.department, **{field: value})
    )
    assert r.status_code == 422
    assert 'id="form-errors"' in r.content.decode()
    assert not Project.objects.exists() and not DocketEvent.objects.exists()


def test_no_open_plan_says_where_to_create_one(walker):
    p = walker.submit(walker.create())
    html = client_for(walker.authority).get(f"/projects/{p.pk}/").content.decode()
    assert "永吉县没有编制中的年度建设计划" in html


# -- amounts -------------------------------------------------------------------------------------------------


def test_money_filter_and_list_cells():
    assert money(Decimal("3800000")) == "3,800,000.00"
    assert money("1234.5") == "1,234.50" and money(0) == "0.00"
    assert money(None) == "—" and money("不是数") == "不是数" and money(Decimal("NaN")) == "NaN"
    assert _display(Decimal("3800000.00")) == "3,800,000.00"
    assert _display(Decimal("0.50")) == "0.50" and _display(3) == 3


def test_list_shows_separators_and_export_stays_numeric(walker):
    walker.create(budget=Decimal("3800000.00"))
    c = client_for(walker.authority)
    assert "<td>3,800,000.00</td>" in c.get("/projects/").content.decode()
    ws = load_workbook(io.BytesIO(c.get("/projects/", {"export": "xlsx"}).content)).active
    headers = [cell.value for cell in ws[1]]
    value = ws.cell(2, headers.index("预算金额（元）") + 1).value
    assert isinstance(value, int | float) and value == 3800000
