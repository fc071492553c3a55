"""我的待办 / 已办 / 关注 (core/workflow/inbox.py): what each role can act on now, found by queries from the
declarations — and those queries agree with explain(), the declarations' truth, case by case."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from infogov.core.models import CaseAssignment, DocketEvent, Follow
from infogov.core.workflow import engine
from infogov.core.workflow import inbox as work
from infogov.org.choices import Role
from infogov.planning.choices import PlanLevel
from infogov.planning.models import PlanVersion
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.conftest import fresh
from tests.factories import make_user
from tests.planning.helpers import PlanWorld
from tests.projects.conftest import Walker


@pytest.fixture(autouse=True)
def standards_catalogue(db: Any) -> None:
    from importlib import import_module

    from django.apps import apps

    import_module("infogov.projects.migrations.0002_standards_catalogue").load(apps, None)


@pytest.fixture
def pw(world) -> PlanWorld:
    experts = [world.expert] + [make_user(f"expert{i}", world.expert_pool, Role.EXPERT) for i in range(2, 5)]
    return PlanWorld(world=world, experts=experts)


def todo(user: Any) -> set[tuple[str, str, int, str]]:
    """(model, step label… ) of every item in the user's 待办 (one big page)."""
    page = work.step_items(fresh(user), page_size=1000)
    return {(i.model.__name__, s.name, i.pk, i.reference) for i in page.items for s in i.steps}


def steps_of(user: Any, case: Any) -> set[str]:
    return {s for (m, s, pk, _) in todo(user) if m == type(case).__name__ and pk == case.pk}


def non_fiscal(walker: Walker, **kw: Any) -> Project:
    from infogov.projects import services
    from tests.projects.conftest import fiscal_fields

    fields = fiscal_fields(
        title="企业投资网络安全态势感知中心",
        category="security",
        funding_kind="non_fiscal",
        budget_source="",
        funding_source="企业自有资金",
        procedures_completed="已办理项目备案（投资项目在线审批监管平台）",
    )
    fields.update(kw)
    p = services.project_create(user=walker.owner, standards=["GB 17859-1999"], **fields)
    return walker.fire(p, "submit_filing")


# -- each role sees the next step once the previous actor has taken theirs ---------------------------


def test_project_passes_from_department_to_authority_to_government(world):
    walker = Walker(world, world.yongji)
    p = walker.create()
    assert steps_of(world.yongji.dept_user, p) == {"submit"}  # the draft's next step is the owner's
    assert not steps_of(world.yongji.authority_user, p)

    p = walker.submit(p)
    assert not steps_of(world.yongji.dept_user, p)
    assert steps_of(world.yongji.authority_user, p) == {"include_in_plan"}  # a new 申报 to handle
    # 第四条: the city authority sees the county's project but does not act for the county
    assert not steps_of(world.city.authority_user, p)
    assert not steps_of(world.jiaohe.authority_user, p)

    p = walker.include(p, approve=False)
    plan = AnnualConstructionPlan.objects.get(pk=p.annual_plan_id)
    assert steps_of(world.yongji.authority_user, plan) == {"submit_plan"}
    assert not steps_of(world.yongji.authority_user, p)  # 审查通过 waits for the approved plan (A9-1)
    plan = engine.fire(plan, "submit_plan", user=fresh(world.yongji.authority_user))
    assert steps_of(world.yongji.approver, plan) == {"approve_plan"}  # the government sees it
    assert not steps_of(world.city.approver, plan)  # 本级 only: the city government does not approve
    engine.fire(plan, "approve_plan", user=fresh(world.yongji.approver))

    page = work.step_items(fresh(world.yongji.authority_user), page_size=100)
    item = next(i for i in page.items if i.model is Project and i.pk == p.pk)
    assert item.step.name == "review_pass"
    assert item.due_date is not None and item.citation == "第九条第二款"  # the review duty's date


def test_non_fiscal_filing_goes_to_the_filing_authority(world):
    county = non_fiscal(Walker(world, world.yongji))
    district = non_fiscal(Walker(world, world.chuanying), title="船营区智慧社区基础网络")
    # 第十条: a county files with its own authority; a district with the city authority
    assert steps_of(world.yongji.authority_user, county) == {"issue_filing"}
    assert not steps_of(world.city.authority_user, county)
    assert steps_of(world.city.authority_user, district) == {"issue_filing"}
    assert not steps_of(world.chuanying.authority_user, district)


def test_plans_reach_government_city_authority_and_experts(world, pw):
    v = pw.draft(PlanLevel.CITY)
    v = pw.open_consultation(v)
    v = pw.close_consultation(v)
    pw.review(v, conclusions=("pass", "pass"))  # two of the experts give their opinion
    assert steps_of(pw.experts[2], v) == set()  # not assigned
    from infogov.planning import services

    services.experts_assign(version=v, user=pw.owner_user(v), experts=pw.experts[:3])
    assert steps_of(pw.experts[2], v) == {"expert_opinion"}  # assigned, no opinion yet
    due = dt.date.today() + dt.timedelta(days=7)
    CaseAssignment.objects.filter(user=pw.experts[2]).update(due_date=due)
    item = work.step_items(fresh(pw.experts[2])).items[0]
    assert item.due_date == due  # the expert sees the assignment's date
    assert steps_of(pw.experts[0], v) == set()  # already gave this round's opinion
    services.expert_opinion_submit(
        version=v, user=pw.experts[2], conclusion="pass", opinion="同意按期实施本规划。"
    )
    v = pw.submit(PlanVersion.objects.get(pk=v.pk))
    assert steps_of(world.city.approver, v) == {"approve"}  # the government sees the plan to approve
    assert not steps_of(world.yongji.approver, v)
    v = pw.approve(v)
    assert steps_of(pw.owner_user(v), v) == {"publish"}  # 施行 waits for 公布 (A5-1-PUBLISHED, a query)


def test_county_plan_filing_is_the_city_authoritys_todo_not_the_countys(world, pw):
    pw.city_plan_in_force()
    v = pw.draft(PlanLevel.LOCAL, world.yongji)
    v = pw.open_consultation(v)
    v = pw.close_consultation(v)
    v = pw.review(v)
    v = pw.submit(v)
    v = pw.approve(v)
    v = engine.fire(v, "publish", user=pw.owner_user(v))  # opens the filing duty (第五条第二款)
    assert steps_of(world.city.authority_user, v) == {"file"}
    assert "file" not in steps_of(world.yongji.authority_user, v)
    own, waiting = work.duties(fresh(world.yongji.authority_user))
    assert not own.filter(code="plan-filing").exists()  # not a to-do the county cannot act on
    assert waiting.filter(code="plan-filing", case_id=v.pk).exists()  # tracked as 等待他方办理


# -- the queries agree with explain() ----------------------------------------------------------------


def _explained(user: Any, cases: list[Any]) -> set[tuple[str, str, int, str]]:
    """What explain() says the user can take (actor rules passed, and every guard the inbox reads as a
    query passed) among the inbox's steps."""
    found = set()
    for case in cases:
        wf = engine.workflow_for(case)
        for option in engine.explain(case, fresh(user)):
            step = wf.get(option.name)
            if not work.in_inbox(step):
                continue
            queried = {g.code for g in step.guards if work.rule_query(g, user, type(case)) is not None}
            if any(b.actor or b.code in queried for b in option.blockers):
                continue
            if not all(_input_guard_holds(g, user, case) for g in step.guards):
                continue
            if any(work.rule_query(r, user, type(case)) is None for r in step.by):
                continue  # not derivable by a query: left to the case page
            found.add((type(case).__name__, step.name, case.pk, case.reference))
    return found


def _input_guard_holds(guard: Any, user: Any, case: Any) -> bool:
    """A guard that reads the step's input cannot be judged by explain() (it passes for now); its query
    says whether the case has anything for the input to name (e.g. a condition awaiting verification)."""
    from infogov.core.workflow.rules import NO_INPUT_YET, InputNotGiven, RuleContext

    q = work.rule_query(guard, user, type(case))
    if q is None:
        return True
    try:
        guard.check(case, RuleContext(user=fresh(user), input=NO_INPUT_YET))
    except InputNotGiven:
        return type(case)._default_manager.filter(pk=case.pk).filter(q).exists()
    except Exception:  # a guard that needs what explain() does not give: judged above
        return True
    return True


def test_inbox_agrees_with_explain_for_every_role(world, pw):
    walkers = [Walker(world, land) for land in (world.yongji, world.chuanying, world.jiaohe)]
    for w in walkers:
        w.create(title=f"{w.land.jurisdiction.name}草稿项目")
        w.submit(w.create(title=f"{w.land.jurisdiction.name}已申报项目"))
        w.include(w.submit(w.create(title=f"{w.land.jurisdiction.name}列入计划项目")), approve=False)
        non_fiscal(w, title=f"{w.land.jurisdiction.name}备案项目")
    plan = AnnualConstructionPlan.objects.get(jurisdiction=world.yongji.jurisdiction)
    engine.fire(plan, "submit_plan", user=fresh(world.yongji.authority_user))
    pw.city_plan_in_force()
    local = pw.draft(PlanLevel.LOCAL, world.yongji)
    pw.submit(pw.review(pw.close_consultation(pw.open_consultation(local))))
    special = pw.draft(PlanLevel.SPECIAL, world.city)
    pw.open_consultation(special)
    cases = [*Project.objects.all(), *AnnualConstructionPlan.objects.all(), *PlanVersion.objects.all()]
    users = [world.expert, world.audit_admin, world.sys_admin, *pw.experts[1:]]
    for land in (world.city, world.yongji, world.chuanying, world.jiaohe):
        users += [land.authority_user, land.leader, land.approver, land.dept_user, land.finance_user]
    for user in users:
        mine = {t for t in todo(user) if t[0] in {"Project", "AnnualConstructionPlan", "PlanVersion"}}
        assert mine == _explained(user, cases), user.username
    assert todo(world.audit_admin) == set()  # 三员分立: the audit administrator acts on nothing


# -- the page: rows, query count, menu count, batch, 已办, 关注 --------------------------------------------


def test_todo_page_rows_and_bounded_queries(client, world, assert_max_queries):
    walker = Walker(world, world.yongji)
    for i in range(3):
        walker.submit(walker.create(title=f"待审项目{i}"))
    client.force_login(world.yongji.authority_user)
    client.get(reverse("home"))  # warm the per-process caches (content types, scope)
    with assert_max_queries(22) as few:
        html = client.get(reverse("home")).content.decode()
    assert html.count("列入年度计划") >= 3 and "第九条第一款" in html and "待审项目0" in html
    for i in range(3, 30):
        walker.submit(walker.create(title=f"待审项目{i}"))
    with assert_max_queries(len(few.captured_queries) + 2):  # more cases, the same queries (+ a COUNT)
        html = client.get(reverse("home")).content.decode()
    assert "第 1 / 2 页" in html
    assert len(re.findall(r'name="item"', html)) == 0  # 列入年度计划 takes input: not batchable


def test_menu_shows_the_count(client, world):
    walker = Walker(world, world.yongji)
    walker.submit(walker.create())
    client.force_login(world.yongji.authority_user)
    html = client.get(reverse("regulation")).content.decode()
    assert re.search(r"我的待办\s*<span[^>]*>1<", html)


def test_batch_issues_several_filings_each_its_own_step(client, world):
    walker = Walker(world, world.yongji)
    a = non_fiscal(walker, title="备案项目甲")
    b = non_fiscal(walker, title="备案项目乙")
    client.force_login(world.yongji.authority_user)
    html = client.get(reverse("home")).content.decode()
    values = re.findall(r'name="item" value="([^"]+)"', html)
    assert len(values) == 2
    stale = values[1].rsplit(":", 1)[0] + ":99"  # a version the case does not have: refused, not written
    response = client.post(
        reverse("inbox_batch"), {"item": [values[0], stale], "confirmed": "1"}, follow=True
    )
    page = response.content.decode()
    assert "已予以备案" in page and "未办理" in page
    states = dict(Project.objects.filter(pk__in=[a.pk, b.pk]).values_list("title", "state"))
    assert sorted(states.values()) == ["filed", "filing"]
    assert DocketEvent.objects.filter(action="issue_filing").count() == 1


def test_batch_refuses_what_the_user_may_not_do(client, world):
    p = non_fiscal(Walker(world, world.yongji))
    ct = ContentType.objects.get_for_model(Project)
    client.force_login(world.jiaohe.authority_user)  # not the filing authority (and cannot see it)
    page = client.post(
        reverse("inbox_batch"), {"item": f"{ct.pk}:{p.pk}:issue_filing:{p.version}"}, follow=True
    ).content.decode()
    assert "不存在或您无权查看" in page
    assert Project.objects.get(pk=p.pk).state == "filing"
    page = client.post(reverse("inbox_batch"), {"item": "garbage"}, follow=True).content.decode()
    assert "无法识别" in page


def test_done_and_following(client, world):
    walker = Walker(world, world.yongji)
    p = walker.submit(walker.create(title="关注的项目"))
    client.force_login(world.yongji.dept_user)
    html = client.get(reverse("inbox_done")).content.decode()
    assert "申报列入年度计划" in html and p.reference in html
    ct = ContentType.objects.get_for_model(Project)
    detail = client.get(reverse("projects:detail", args=[p.pk])).content.decode()
    assert 'id="follow-button"' in detail
    client.post(reverse("follow", args=[ct.pk, p.pk]), {"on": "1"})
    assert Follow.objects.filter(user=world.yongji.dept_user, case_id=p.pk).exists()
    assert "关注的项目" in client.get(reverse("inbox_following")).content.decode()
    client.post(reverse("follow", args=[ct.pk, p.pk]), {"on": "0"})
    assert not Follow.objects.exists()
    client.force_login(world.jiaohe.dept_user)  # may not see it: 404, nothing followed
    assert client.post(reverse("follow", args=[ct.pk, p.pk]), {"on": "1"}).status_code == 404
    assert not Follow.objects.exists()


def test_leader_sees_a_summary(client, world):
    walker = Walker(world, world.yongji)
    walker.submit(walker.create())
    client.force_login(world.yongji.leader)
    html = client.get(reverse("home")).content.decode()
    assert "负责人概览" in html and "待决定事项" in html and "辖区事项总数" in html
    client.force_login(world.yongji.authority_user)
    assert "负责人概览" not in client.get(reverse("home")).content.decode()


def test_cosupervisors_read_funds_and_risk(client, world):
    client.force_login(world.yongji.finance_user)
    html = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("projects:overview")}"' in html  # a menu entry, no typing of the URL
    assert client.get(reverse("projects:overview")).status_code == 200
    client.force_login(world.yongji.dept_user)
    assert f'href="{reverse("projects:overview")}"' not in client.get(reverse("home")).content.decode()
