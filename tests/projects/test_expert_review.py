"""第九条第二款: the authority may convene pool experts for a project's review; each gives an opinion on the
four dimensions by a due date (platform policy); the authority's 审查意见 cites them and waits for every
convened expert (or its note of why one is missing). The same core pieces as a plan's expert review
(core.workflow.experts, CaseAssignment, acts_as_assigned_expert)."""

from __future__ import annotations

import datetime as dt

import pytest

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import CaseAssignment, DocketEvent
from infogov.core.regulation.policy import override_policy
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.permissions import scope_of
from infogov.org.choices import Role
from infogov.org.models import Membership
from infogov.projects import services
from infogov.projects.deadlines import EXPERT_REVIEW_DAYS
from infogov.projects.models import Project, ProjectExpertReview
from tests.conftest import fresh
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.article(9)]

OPINION = {
    "layout_conclusion": "meets",
    "layout_comment": "符合全市信息化发展规划的布局",
    "standards_conclusion": "符合",  # the Chinese label is read as its value
    "standards_comment": "执行 GB 17859-1999、GB 18030-2022",
    "security_conclusion": "conditions",
    "security_comment": "须补充第二级等级保护测评计划",
    "sharing_conclusion": "meets",
    "sharing_comment": "数据目录已报送",
    "summary": "建议有条件通过",
}


@pytest.fixture
def experts(world):
    return [fresh(world.expert), make_user("expert2", world.expert_pool, Role.EXPERT)]


@pytest.fixture
def planned(walker) -> Project:
    return walker.findings(walker.include(walker.submit(walker.create())))


def _opinion(p: Project, expert, **changes) -> Project:
    return services.expert_opinion_give(project=p, user=fresh(expert), opinion={**OPINION, **changes})


def test_convened_experts_see_the_project_and_give_their_opinions(walker, experts, planned):
    with override_policy(EXPERT_REVIEW_DAYS, 7):
        services.experts_convene(project=planned, user=walker.authority, experts=experts)
    seats = list(ProjectExpertReview.objects.filter(project=planned).order_by("pk"))
    assert [s.expert_id for s in seats] == [e.pk for e in experts]
    assigned = CaseAssignment.objects.for_case(planned).filter(purpose="project_review")
    assert {a.user_id for a in assigned} == {e.pk for e in experts}
    assert {a.due_date for a in assigned} == {seats[0].due_date} and seats[
        0
    ].due_date - dt.date.today() == dt.timedelta(7)
    assert scope_of(fresh(experts[0])).can_view(planned)
    _opinion(planned, experts[0])
    seat = ProjectExpertReview.objects.get(project=planned, expert=experts[0])
    assert (seat.standards_conclusion, seat.security_comment) == ("meets", "须补充第二级等级保护测评计划")
    assert [d[1] for d in seat.dimensions()] == ["符合", "符合", "有条件符合", "符合"]
    with pytest.raises(RuleViolation) as exc:
        _opinion(planned, experts[0])
    assert (exc.value.code, exc.value.article) == ("A9-2-EXPERT-OPINION-ONCE", "第九条第二款")


def test_the_decision_waits_for_every_expert_and_cites_their_opinions(walker, experts, planned):
    services.experts_convene(project=planned, user=walker.authority, experts=experts)
    _opinion(planned, experts[0])
    with pytest.raises(RuleViolation) as exc:
        walker.review(planned)
    assert (exc.value.code, exc.value.article) == ("A9-2-EXPERTS-HEARD", "第九条第二款")
    assert exc.value.failures[0]["message"].startswith("以下专家尚未提交评审意见：")
    with pytest.raises(RuleViolation) as exc:  # the failing decision waits too
        services.project_review_decide(
            project=Project.objects.get(pk=planned.pk), user=walker.authority, passed=False, comment="不通过"
        )
    assert exc.value.code == "A9-2-EXPERTS-HEARD"
    workflow.fire(
        Project.objects.get(pk=planned.pk),
        "expert_missing",
        user=walker.authority,
        payload={"expert_id": experts[1].pk, "reason": "因病未能参加评审"},
    )
    p = walker.review(planned)
    assert p.state == "reviewed"
    cited = list(p.review.expert_reviews.values_list("expert_id", flat=True))
    assert cited == [experts[0].pk]
    event = DocketEvent.objects.for_case(p).filter(action="review_pass").get()
    after = event.changes["expert_opinions_cited"]["after"]
    assert [c["id"] for c in after["cited"]] == list(p.review.expert_reviews.values_list("pk", flat=True))
    assert after["missing"][0]["reason"] == "因病未能参加评审"
    assert p.review.approval_number.endswith("〕1号") and "批〔" in p.review.approval_number


def test_a_missing_opinion_is_noted_only_for_a_convened_expert_without_one(walker, world, experts, planned):
    services.experts_convene(project=planned, user=walker.authority, experts=experts[:1])
    _opinion(planned, experts[0])
    for who, code in ((experts[0], "A9-2-EXPERT-MISSING"), (experts[1], "A9-2-EXPERT-MISSING")):
        with pytest.raises(RuleViolation) as exc:
            workflow.fire(
                Project.objects.get(pk=planned.pk),
                "expert_missing",
                user=walker.authority,
                payload={"expert_id": who.pk, "reason": "未参加"},
            )
        assert (exc.value.code, exc.value.article) == (code, "第九条第二款")


def test_only_pool_experts_independent_of_the_unit_are_convened(walker, world, experts, planned):
    with pytest.raises(RuleViolation) as exc:  # a department official is not a pool expert
        services.experts_convene(project=planned, user=walker.authority, experts=[walker.owner])
    assert (exc.value.code, exc.value.article) == ("A9-2-EXPERT-POOL", "第九条第二款")
    insider = make_user("insider", world.expert_pool, Role.EXPERT)
    Membership.objects.create(user=insider, organisation=walker.land.department, role=Role.DEPT_STAFF)
    with pytest.raises(RuleViolation) as exc:
        services.experts_convene(project=planned, user=walker.authority, experts=[fresh(insider)])
    assert exc.value.code == "A9-2-EXPERT-POOL" and "回避" in exc.value.failures[0]["message"]
    with pytest.raises(RuleViolation) as exc:
        services.experts_convene(
            project=planned, user=walker.authority, experts=experts, due_date=dt.date(2020, 1, 1)
        )
    assert (exc.value.code, exc.value.article) == ("A9-2-EXPERT-DUE", "第九条第二款")
    with pytest.raises(InvalidInput):
        services.experts_convene(project=planned, user=walker.authority, experts=[])
    assert not ProjectExpertReview.objects.filter(project=planned).exists()


def test_who_convenes_and_who_gives_an_opinion(walker, world, experts, planned):
    with pytest.raises(NotPermitted):
        services.experts_convene(project=planned, user=walker.owner, experts=experts)
    with pytest.raises(NotPermitted):
        services.experts_convene(project=planned, user=fresh(world.jiaohe.authority_user), experts=experts)
    services.experts_convene(project=planned, user=walker.authority, experts=experts[:1])
    with pytest.raises(NotPermitted):  # not convened for this project
        _opinion(planned, experts[1])
    with pytest.raises(InvalidInput) as exc:  # each dimension needs its conclusion and comment
        _opinion(planned, experts[0], layout_conclusion="很好", sharing_comment=" ")
    assert {d["field"] for d in exc.value.details} == {"layout_conclusion", "sharing_comment"}


def test_no_experts_convened_leaves_the_review_as_it_was(walker, planned):
    p = walker.review(planned)
    assert p.state == "reviewed" and not p.review.expert_reviews.exists()


def test_the_page_offers_the_expert_review_to_the_authority_and_the_expert(walker, experts, planned, client):
    client.force_login(walker.authority)
    page = client.get(f"/projects/{planned.pk}/").content.decode()
    assert "邀请专家库专家评审" in page and experts[1].display_name in page
    version = Project.objects.get(pk=planned.pk).version
    client.post(
        f"/projects/{planned.pk}/fire/experts_convene/", {"version": version, "experts": [str(experts[0].pk)]}
    )
    seat = ProjectExpertReview.objects.get(project=planned)
    client.force_login(fresh(experts[0]))
    page = client.get(f"/projects/{planned.pk}/").content.decode()
    assert "提交专家评审意见" in page and seat.due_date.isoformat() in page
    version = Project.objects.get(pk=planned.pk).version
    client.post(f"/projects/{planned.pk}/fire/expert_opinion/", {"version": version, **OPINION})
    seat.refresh_from_db()
    assert seat.submitted_at is not None
    client.force_login(walker.authority)
    page = client.get(f"/projects/{planned.pk}/").content.decode()
    assert "须补充第二级等级保护测评计划" in page
