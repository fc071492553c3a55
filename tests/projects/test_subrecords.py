"""Answering a case's sub-records: review conditions (第九条第二款) and inspection findings (第十四条)
as the projects' Record steps, public comments (第六条第一款) in planning — who may answer, once, all or
nothing, recorded."""

from __future__ import annotations

import pytest

from infogov.core.errors import InvalidInput, NotFound, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from infogov.planning import services as planning_services
from infogov.planning.choices import PlanLevel
from infogov.planning.models import PublicComment
from infogov.projects import services
from infogov.projects.models import InspectionFinding, Project, ReviewCondition
from tests.conftest import fresh
from tests.planning.helpers import PlanWorld

pytestmark = pytest.mark.django_db


def actions(case) -> list[str]:
    return list(DocketEvent.objects.for_case(case).order_by("seq").values_list("action", flat=True))


@pytest.fixture
def conditional(walker) -> Project:
    p = walker.include(walker.submit(walker.create()))
    p = walker.findings(p, conclusion="conditions")
    return walker.review(
        p,
        conditions=[
            {"text": "接入市统一身份认证", "due_date": "2026-06-30"},
            {"text": "数据目录报送市主管部门", "due_date": "2026-07-31"},
        ],
    )


@pytest.mark.article(9)
def test_article_9_conditions_answered_once_each_and_the_last_fulfils_the_duty(walker, conditional):
    first, second = ReviewCondition.objects.filter(project=conditional).order_by("pk")
    version = Project.objects.get(pk=conditional.pk).version
    answered = services.review_condition_answer(condition=first, user=walker.owner, answer=" 已接入 ")
    assert (answered.pk, answered.answer) == (first.pk, "已接入") and answered.answered_at is not None
    assert Obligation.objects.for_case(conditional).open().filter(code="review-conditions").exists()
    with pytest.raises(RuleViolation) as exc:
        services.review_condition_answer(condition=first, user=walker.owner, answer="再答一次")
    assert (exc.value.code, exc.value.article) == ("A9-2-CONDITION-OPEN", "第九条第二款")
    first.refresh_from_db()
    assert first.answer == "已接入"
    services.review_condition_answer(condition=second, user=walker.owner, answer="已报送")
    assert not Obligation.objects.for_case(conditional).open().filter(code="review-conditions").exists()
    event = DocketEvent.objects.for_case(conditional).filter(action="condition_answer").last()
    assert (event.action_label, event.citation, event.comment) == ("答复审查条件", "第九条第二款", "已报送")
    assert event.payload == {"condition_id": second.pk, "answer": "已报送"}
    assert event.changes[f"reviewcondition#{second.pk}"]["answer"] == {"before": "", "after": "已报送"}
    assert Project.objects.get(pk=conditional.pk).version == version + 2  # a guard reads the answers


@pytest.mark.article(4)
def test_article_4_only_the_construction_unit_answers_and_a_refusal_writes_nothing(
    walker, world, conditional
):
    condition = ReviewCondition.objects.filter(project=conditional).first()
    before = (actions(conditional), Project.objects.get(pk=conditional.pk).version)
    for outsider in (world.jiaohe.dept_user, world.yongji.authority_user, world.audit_admin):
        with pytest.raises(NotPermitted) as exc:
            services.review_condition_answer(condition=condition, user=fresh(outsider), answer="代为答复")
        assert exc.value.status == 403 and exc.value.article in ("第四条第一款", "第三十四条")
    condition.refresh_from_db()
    assert condition.answered_at is None and condition.answer == ""
    assert (actions(conditional), Project.objects.get(pk=conditional.pk).version) == before
    with pytest.raises(InvalidInput) as exc:
        services.review_condition_answer(condition=condition, user=walker.owner, answer="  ")
    assert exc.value.code == "invalid" and exc.value.details[0]["field"] == "answer"


@pytest.mark.article(14)
def test_article_14_a_finding_is_rectified_once(walker):
    p = walker.fire(walker.procure(walker.to_reviewed()), "start_construction")
    services.inspection_open(
        project=p,
        user=walker.authority,
        findings=[{"text": "未按合同约定节点付款", "due_date": "2026-08-01"}],
    )
    finding = InspectionFinding.objects.get(project=p)
    services.finding_rectify(finding=finding, user=walker.owner, rectification="已按节点调整")
    with pytest.raises(RuleViolation) as exc:
        services.finding_rectify(finding=finding, user=walker.owner, rectification="又整改")
    assert (exc.value.code, exc.value.article) == ("A14-FINDING-OPEN", "第十四条")
    assert Obligation.objects.for_case(p).get(code=finding.obligation_code).fulfilled_at is not None
    assert actions(p).count("rectify") == 1


def test_a_record_of_another_case_is_not_found_and_nothing_is_written(walker, conditional):
    other = walker.include(walker.submit(walker.create(title="永吉县智慧养老服务平台", year=2027)))
    condition = ReviewCondition.objects.filter(project=conditional).first()
    other = Project.objects.get(pk=other.pk)
    with pytest.raises(NotFound):  # a condition of another project, named in this project's step
        workflow.fire(
            other,
            "condition_answer",
            user=walker.owner,
            payload={"condition_id": condition.pk, "answer": "答错了案件"},
        )
    assert Project.objects.get(pk=other.pk).version == other.version
    condition.refresh_from_db()
    assert condition.answer == "" and "condition_answer" not in actions(other)


@pytest.mark.article(6)
def test_article_6_bulk_comment_answers_are_all_or_nothing(world):
    pw = PlanWorld(world=world, experts=[])
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    a = planning_services.comment_submit(version=v, body="建议加快政务云建设进度。")
    b = planning_services.comment_submit(version=v, body="建议增加农村信息化任务。")
    v = pw.close_consultation(v)
    owner = pw.owner_user(v)
    assert (
        planning_services.comments_answer(version=v, user=owner, comment_ids=[a.pk], template="accepted") == 1
    )
    planning_services.comments_publish_answers(version=v, user=owner)  # a's answer is now public
    before = actions(v)
    for ids in ([a.pk, b.pk], [b.pk, 999999]):  # a published answer, or a comment not of this plan
        with pytest.raises(InvalidInput) as exc:
            planning_services.comments_answer(version=v, user=owner, comment_ids=ids, template="accepted")
        assert exc.value.code == "invalid_comments"
    b.refresh_from_db()
    assert (b.answer_status, b.answer_text, b.answered_at) == ("", "", None)
    assert actions(v) == before
    # a drafted answer may be redrafted until it is published; the version is not bumped
    seen = type(v).objects.get(pk=v.pk).version
    for template in ("accepted", "not_accepted_covered"):
        assert (
            planning_services.comments_answer(
                version=v, user=owner, comment_ids=[b.pk, b.pk], template=template, reason="另有专项规划。"
            )
            == 1
        )
    b = PublicComment.objects.get(pk=b.pk)
    assert b.answer_status == "not_accepted" and b.answered_by == owner
    assert type(v).objects.get(pk=v.pk).version == seen
    event = DocketEvent.objects.for_case(v).filter(action="comments_answer").last()
    assert (event.action_label, event.citation, event.payload["comments"]) == (
        "起草意见答复",
        "第六条第一款",
        [b.pk],
    )
