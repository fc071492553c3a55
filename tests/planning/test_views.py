"""The plan pages per role, and the public portal page (no login, CSRF, honeypot, rate limit)."""

from __future__ import annotations

import pytest
from django.test import Client

from infogov.planning import services
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import PlanVersion, PublicComment

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_owner_drafts_through_the_pages(pw):
    w = pw.world
    c = client_for(w.city.authority_user)
    assert c.get("/plans/new/").status_code == 200
    r = c.post(
        "/plans/new/",
        {
            "level": "city",
            "title": "吉林市信息化发展规划（2026—2030年）",
            "owner": w.city.authority.pk,
            "period_start": 2026,
            "period_end": 2030,
            "parent_reference": "吉林省信息化发展规划",
        },
    )
    assert r.status_code == 303
    v = PlanVersion.objects.get()
    assert r["Location"] == f"/plans/{v.pk}/"
    c.post(f"/plans/{v.pk}/goals/", {"text": "建成数字政府"})
    r = c.post(
        f"/plans/{v.pk}/tasks/",
        {
            "text": "建设政务云",
            "goal_id": v.goals.get().pk,
            "responsible": w.city.authority.pk,
            "indicator": "上云系统",
            "target_value": "100",
            "unit": "个",
            "target_year": "2028",
        },
    )
    assert r.status_code == 303 and v.tasks.count() == 1
    page = c.get(f"/plans/{v.pk}/").content.decode()
    assert "建设政务云" in page and "发布征求意见" in page and "增加重点任务" in page


def test_refused_step_shows_the_article(pw):
    v = pw.draft(PlanLevel.CITY)
    c = client_for(pw.world.city.authority_user)
    r = c.post(
        f"/plans/{v.pk}/fire/open_consultation/",
        {"start": "2000-01-01", "end": "2000-01-02", "version": v.version},
        follow=True,
    )
    page = r.content.decode()
    assert "征求意见开始日期不能早于今天（第六条第一款）" in page
    assert PlanVersion.objects.get(pk=v.pk).state == PlanState.DRAFT


def test_other_jurisdiction_cannot_read_or_act(pw):
    w = pw.world
    pw.city_plan_in_force()
    jiaohe = pw.draft(PlanLevel.LOCAL, w.jiaohe)
    c = client_for(w.yongji.authority_user)
    assert c.get(f"/plans/{jiaohe.pk}/").status_code == 404
    assert c.post(f"/plans/{jiaohe.pk}/goals/", {"text": "越权目标"}).status_code == 404
    assert c.post(f"/plans/{jiaohe.pk}/fire/open_consultation/").status_code == 404
    assert jiaohe.goals.count() == 1
    page = c.get("/plans/").content.decode()
    assert jiaohe.reference not in page


def test_list_page_query_count(pw, assert_max_queries):
    w = pw.world
    pw.city_plan_in_force()
    for i in range(4):
        pw.draft(PlanLevel.SPECIAL, w.city, title=f"专项规划{i}")
    c = client_for(w.city.authority_user)
    c.get("/plans/")  # warm caches (content types, session)
    with assert_max_queries(16):
        r = c.get("/plans/?level=special")
    assert r.status_code == 200 and "专项规划3" in r.content.decode()


def test_detail_page_query_count(pw, assert_max_queries):
    v = pw.city_plan_in_force()
    c = client_for(pw.world.city.authority_user)
    c.get(f"/plans/{v.pk}/")
    with assert_max_queries(45):
        r = c.get(f"/plans/{v.pk}/")
    assert r.status_code == 200 and "已批准的版本不可修改" in r.content.decode()


def test_expert_sees_assigned_plan_and_gives_opinion(pw):
    v = pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.CITY)))
    services.experts_assign(version=v, user=pw.owner_user(v), experts=pw.experts[:1])
    c = client_for(pw.experts[0])
    assert "提交论证意见" in c.get(f"/plans/{v.pk}/").content.decode()
    r = c.post(f"/plans/{v.pk}/opinion/", {"conclusion": "pass", "opinion": "同意该规划。"})
    assert r.status_code == 303 and v.opinions.count() == 1
    assert client_for(pw.experts[1]).get(f"/plans/{v.pk}/").status_code == 404


def test_public_page_comments_without_login(pw):
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    anon = Client(enforce_csrf_checks=True)
    r = anon.get(f"/public/plans/{v.pk}/")
    assert r.status_code == 200 and "提出意见" in r.content.decode()
    token = r.cookies["csrftoken"].value
    # without the CSRF token: refused
    assert anon.post(f"/public/plans/{v.pk}/", {"body": "没有令牌的意见"}).status_code == 403
    r = anon.post(
        f"/public/plans/{v.pk}/",
        {"body": "建议加强数据安全。", "csrfmiddlewaretoken": token, "target": f"task:{v.tasks.first().pk}"},
    )
    assert r.status_code == 303
    c = PublicComment.objects.get()
    assert c.task_id == v.tasks.first().pk and c.is_anonymous
    # the honeypot: silently not stored
    anon.post(
        f"/public/plans/{v.pk}/", {"body": "机器人的意见内容", "website": "x", "csrfmiddlewaretoken": token}
    )
    assert PublicComment.objects.count() == 1
    # the rate limit
    for i in range(services.COMMENT_RATE_LIMIT):
        anon.post(f"/public/plans/{v.pk}/", {"body": f"第{i}条意见内容。", "csrfmiddlewaretoken": token})
    assert PublicComment.objects.count() == services.COMMENT_RATE_LIMIT
    # a draft is not public
    draft = pw.draft(PlanLevel.CITY, title="未公开的规划草稿")
    assert Client().get(f"/public/plans/{draft.pk}/").status_code == 404


def test_public_list_shows_published_and_consulting_plans(pw, assert_max_queries):
    w = pw.world
    city = pw.city_plan_in_force()
    special = pw.open_consultation(pw.draft(PlanLevel.SPECIAL, w.city, title="卫生健康信息化专项规划"))
    draft = pw.draft(PlanLevel.LOCAL, w.yongji, title="永吉县规划草稿")
    with assert_max_queries(6):
        page = Client().get("/public/plans/").content.decode()
    assert city.title in page and special.title in page and draft.title not in page


def test_assessment_page_for_the_city_authority(pw):
    w = pw.world
    pw.city_plan_in_force()
    pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    c = client_for(w.city.authority_user)
    import datetime as dt

    year = dt.date.today().year
    assert c.post("/plans/assessment/sample/", {"year": year}).status_code == 303
    assert c.post("/plans/assessment/compute/", {"year": year}).status_code == 303
    page = c.get(f"/plans/assessment/?year={year}").content.decode()
    assert "永吉县" in page and "蛟河市" in page and "评分表" in page
    assert c.get(f"/plans/assessment/?year={year}&format=xlsx").content[:2] == b"PK"
    assert client_for(w.yongji.authority_user).get("/plans/assessment/").status_code == 403


@pytest.mark.article(6)
def test_expert_review_page_shows_duplicate_and_consistency_findings(pw):
    """Issue #3 point 4: the page the experts review shows repeats of tasks in force in the same
    jurisdiction and tasks that trace to no task of the parent plan."""
    from infogov.org.choices import Role
    from tests.factories import make_user

    w = pw.world
    pw.city_plan_in_force()
    pw.to_in_force(
        pw.draft(PlanLevel.SPECIAL, w.city, tasks=["建设吉林市政务云平台，实现部门业务系统迁移上云"])
    )
    staff = make_user("city_finance_staff", w.city.finance, Role.DEPT_STAFF)
    v = pw.draft(
        PlanLevel.SPECIAL,
        w.city,
        owner=w.city.finance,
        user=staff,
        title="财政信息化专项规划",
        tasks=["建设吉林市政务云平台，实现部门业务系统迁移上云", "购置食堂炊具和办公桌椅若干"],
    )
    v = pw.close_consultation(pw.open_consultation(v, user=staff), user=staff)
    services.experts_assign(version=v, user=staff, experts=pw.experts[:3])
    page = client_for(pw.experts[0]).get(f"/plans/{v.pk}/").content.decode()
    review = page[page.index('id="review-title"') :]
    assert "重复建设与衔接性检查（即时计算）" in review
    assert "与本辖区施行中规划重复的目标或任务" in review and "相似度" in review
    assert "未能对应依据规划" in review and "购置食堂炊具和办公桌椅若干" in review
    assert "提交论证意见" in review
    # after submission the page shows the findings archived with the submission
    v = pw.submit(pw.review(PlanVersion.objects.get(pk=v.pk), user=staff), user=staff)
    page = client_for(staff).get(f"/plans/{v.pk}/").content.decode()
    assert "（报批时存档）" in page and "购置食堂炊具和办公桌椅若干" in page


@pytest.mark.article(7)
def test_execution_report_duty_in_the_owners_todo_page_overdue_first(pw):
    import datetime as dt

    from infogov.core.models import Obligation

    w = pw.world
    pw.city_plan_in_force()
    local = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    year = dt.date.today().year
    services.execution_obligation_open(version=local, year=year - 1)
    last_year = Obligation.objects.for_case(local).get(code=services.execution_code(year - 1))
    assert last_year.due_date == dt.date(year, 1, 31)
    page = client_for(w.yongji.authority_user).get("/").content.decode()
    rows = page[page.index("<tbody") :]
    assert f"报送《{local.title}》{year - 1}年度执行情况" in rows
    assert f"报送《{local.title}》{year}年度执行情况" in rows
    overdue = (dt.date.today() - dt.date(year, 1, 31)).days
    if overdue > 0:
        assert f"已逾期 {overdue} 天" in rows
        assert rows.index(f"{year - 1}年度执行情况") < rows.index(f"{year}年度执行情况")  # overdue first
    assert f'datetime="{year}-01-31"' in rows and f'datetime="{year + 1}-01-31"' in rows
    # the city authority, to whom the report is owed, does not owe it
    assert "年度执行情况" not in client_for(w.city.authority_user).get("/").content.decode()


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        ("owner", {"信息化发展规划"}),
        ("expert", {"信息化发展规划"}),
        ("approver", {"信息化发展规划"}),
        ("city_authority", {"信息化发展规划", "规划执行考核"}),
    ],
)
def test_each_role_reaches_its_plan_pages_from_the_nav(pw, who, entries):
    w = pw.world
    user = {
        "owner": w.city.dept_user,
        "expert": pw.experts[0],
        "approver": w.yongji.approver,
        "city_authority": w.city.authority_user,
    }[who]
    page = client_for(user).get("/").content.decode()
    nav = page[page.index('aria-label="主导航"') : page.index("</nav>", page.index('aria-label="主导航"'))]
    for label in entries:
        assert label in nav
    if "规划执行考核" not in entries:
        assert "规划执行考核" not in nav
    assert client_for(user).get("/plans/").status_code == 200


def test_regulation_coverage_shows_rules_and_tests_for_articles_5_to_7():
    from infogov.core.workflow.coverage import coverage

    report = {a["number"]: a for a in coverage()["articles"]}
    for n in (5, 6, 7):
        assert report[n]["rules"] and report[n]["tests"], n
        assert any("planning" in t for t in report[n]["tests"]), report[n]["tests"]


def test_staff_list_searches_chinese_words_and_filters_by_period(pw):
    w = pw.world
    city = pw.city_plan_in_force()
    special = pw.draft(
        PlanLevel.SPECIAL, w.city, title="卫生健康信息化专项规划", tasks=["建设全民健康信息平台"]
    )
    c = client_for(w.city.authority_user)
    # words in any order, from the title or a task (jieba), as on the API
    page = c.get("/plans/", {"q": "信息平台 全民健康"}).content.decode()
    assert special.reference in page and city.reference not in page
    page = c.get("/plans/", {"period": "2026-2030", "level": "city"}).content.decode()
    assert city.reference in page and special.reference not in page
    page = c.get("/plans/").content.decode()
    assert 'name="period"' in page and "2026—2030年" in page
    page = c.get("/plans/", {"period": "2026-2030", "level": "special"}).content.decode()
    assert special.reference in page and city.reference not in page


def test_rate_limit_counts_each_visitor_behind_the_proxy(pw):
    """Behind nginx every request comes from 127.0.0.1: the limit must be per visitor (X-Real-IP, set
    by the proxy), not one bucket for the whole city."""
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    for i in range(services.COMMENT_RATE_LIMIT):
        r = Client().post(f"/public/plans/{v.pk}/", {"body": f"第{i}条意见内容。"}, HTTP_X_REAL_IP="10.1.1.1")
        assert r.status_code == 303
    r = Client().post(f"/public/plans/{v.pk}/", {"body": "第六条意见内容。"}, HTTP_X_REAL_IP="10.1.1.1")
    assert r.status_code == 422 and "提交过于频繁" in r.content.decode()
    r = Client().post(f"/public/plans/{v.pk}/", {"body": "另一位市民的意见。"}, HTTP_X_REAL_IP="10.2.2.2")
    assert r.status_code == 303
    r = Client().post(
        f"/api/public/plans/{v.pk}/comments",
        {"body": "接口提交的意见内容"},
        content_type="application/json",
        HTTP_X_REAL_IP="10.1.1.1",
    )
    assert r.status_code == 422 and r.json()["code"] == "A6-1-RATE-LIMIT"
    # a visitor reaching the application directly cannot pose as someone else
    r = Client(REMOTE_ADDR="203.0.113.9").post(
        f"/public/plans/{v.pk}/", {"body": "直连的访客的意见"}, HTTP_X_REAL_IP="10.9.9.9"
    )
    assert r.status_code == 303
    assert PublicComment.objects.filter(
        body="直连的访客的意见"
    ).get().client_hash == services.client_fingerprint("203.0.113.9", "")


@pytest.mark.article(5)
def test_a_special_plan_is_approved_with_the_signoff_typed_on_its_page(pw):
    """第五条第三款: the department head's sign-off is typed in the approval form, so the form is offered
    (not greyed for want of it); sent without it, the approval is refused with the article."""
    from tests.planning.test_acceptance import submitted

    v = submitted(pw, "special")
    user = pw.owner_user(v)
    c = client_for(user)
    page = c.get(f"/plans/{v.pk}/").content.decode()
    assert "部门负责人签发" in page and 'name="leader_signoff"' in page
    refused = c.post(
        f"/plans/{v.pk}/fire/approve/", {"document": "卫信〔2026〕1号", "version": v.version}, follow=True
    )
    assert "第五条第三款" in refused.content.decode()
    assert PlanVersion.objects.get(pk=v.pk).state == v.state
