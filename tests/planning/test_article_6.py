"""第六条: public consultation and expert review before submission; duplicate-construction and
consistency checks; an approved plan is immutable (in the database too) and changes only by a new
version that runs the original procedure again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine as wf
from infogov.planning import selectors, services
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import CommentNotification, PlanGoal, PlanTask, PlanVersion, PublicComment

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def _code(exc_info) -> tuple[str, str]:
    return exc_info.value.code, exc_info.value.article


# -- consultation --------------------------------------------------------------------------------


def test_consultation_window_is_required_and_long_enough(pw):
    v = pw.draft(PlanLevel.CITY)
    user = pw.owner_user(v)
    today = dt.date.today()
    with pytest.raises(RuleViolation) as exc:
        wf.fire(
            v,
            "open_consultation",
            user=user,
            payload={"start": today.isoformat(), "end": (today + dt.timedelta(days=3)).isoformat()},
        )
    assert _code(exc) == ("A6-1-WINDOW", "第六条第一款")
    with pytest.raises(RuleViolation):
        wf.fire(v, "open_consultation", user=user, payload={})


def test_a_plan_without_measurable_tasks_cannot_go_to_consultation(pw):
    w = pw.world
    v = services.plan_create(
        user=w.city.authority_user,
        level=PlanLevel.CITY,
        title="空规划",
        jurisdiction=w.city.jurisdiction,
        owner=w.city.authority,
        period_start=2026,
        period_end=2030,
        parent_reference="省规划",
    )
    with pytest.raises(RuleViolation) as exc:
        pw.open_consultation(v)
    assert _code(exc) == ("A6-1-CONTENT", "第六条第一款")


def test_public_comments_answers_and_notifications(pw):
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    task = v.tasks.first()
    anon = services.comment_submit(version=v, body="建议加快政务云建设进度。", client="a")
    named = services.comment_submit(
        version=v,
        body="建议增加农村信息化任务。",
        task_id=task.pk,
        name="张三",
        contact="zhangsan@example.cn",
        client="b",
    )
    assert anon.is_anonymous and not named.is_anonymous and named.target_label.startswith("任务")
    with pytest.raises(RuleViolation) as exc:  # the window closes after its end date
        services.comment_submit(
            version=v, body="窗口外的意见内容", today=v.consultation_end + dt.timedelta(days=1)
        )
    assert _code(exc) == ("A6-1-WINDOW-OPEN", "第六条第一款")

    # the window must run its course before consultation closes
    with pytest.raises(RuleViolation) as exc:
        wf.fire(v, "close_consultation", user=pw.owner_user(v))
    assert _code(exc) == ("A6-1-WINDOW-ENDED", "第六条第一款")
    v = pw.close_consultation(v)
    user = pw.owner_user(v)

    # bulk answers from templates, published together; only the commenter with contact details is notified
    services.comments_answer(version=v, user=user, comment_ids=[anon.pk], template="accepted", reason="")
    services.comments_answer(
        version=v,
        user=user,
        comment_ids=[named.pk],
        template="not_accepted_covered",
        reason="农村信息化另有专项规划。",
    )
    assert not PublicComment.objects.filter(answer_published_at__isnull=False).exists()
    assert services.comments_publish_answers(version=v, user=user) == 2
    note = CommentNotification.objects.get()
    assert note.comment == named and note.address == "zhangsan@example.cn" and "不予采纳" in note.message
    named.refresh_from_db()
    assert named.answer_status == "not_accepted" and "专项规划" in named.answer_text
    assert DocketEvent.objects.for_case(v).filter(action="answers_publish").exists()


def test_comments_are_rate_limited(pw):
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    for i in range(services.COMMENT_RATE_LIMIT):
        services.comment_submit(version=v, body=f"第{i}条意见，内容充分。", client="same")
    with pytest.raises(RuleViolation) as exc:  # platform policy, as a rule citing the clause it serves
        services.comment_submit(version=v, body="再一条意见内容。", client="same")
    assert _code(exc) == ("A6-1-RATE-LIMIT", "第六条第一款")
    services.comment_submit(version=v, body="另一位访问者的意见。", client="other")


def test_a_signed_in_account_cannot_comment_as_the_public(pw, client):
    """The public comment is the public's (第六条第一款): a signed-in account calling the step directly
    — which could choose its own visitor fingerprint and so pass the rate limit — is refused (403)."""
    from infogov.core.api.tokens import token_create

    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    with pytest.raises(NotPermitted) as exc:
        wf.fire(
            v,
            "comment",
            user=pw.world.city.dept_user,
            payload={"body": "以工作人员账号提交的意见。", "client": "x"},
        )
    assert _code(exc) == ("A6-1-PUBLIC", "第六条第一款")
    _, raw = token_create(user=pw.world.city.authority_user, name="测试")  # one who can see the plan
    response = client.post(
        f"/api/plans/{v.pk}/transitions/comment",
        {"payload": {"body": "经接口以工作人员身份提交。", "client": "forged"}},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 403 and response.json()["code"] == "A6-1-PUBLIC"
    assert not PublicComment.objects.filter(version=v).exists()
    services.comment_submit(version=v, body="公众通过门户提交的意见。", client="visitor")  # the public way
    assert PublicComment.objects.filter(version=v).count() == 1


def test_no_submission_without_closed_consultation(pw):
    """第六条第一款: unanswered comments or a missing summary block the submission."""
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    services.comment_submit(version=v, body="请补充网络安全内容。", client="x")
    v = pw.close_consultation(v)
    user = pw.owner_user(v)
    services.experts_assign(version=v, user=user, experts=pw.experts[:3])
    for e in pw.experts[:3]:
        services.expert_opinion_submit(version=v, user=e, conclusion="pass", opinion="同意该规划。")
    with pytest.raises(RuleViolation) as exc:
        pw.submit(PlanVersion.objects.get(pk=v.pk))
    assert _code(exc) == ("A6-1-CONSULTED", "第六条第一款")
    assert "未答复" in exc.value.message


def test_no_submission_without_a_passed_expert_review(pw):
    v = pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.CITY)))
    user = pw.owner_user(v)
    services.consultation_summary_save(version=v, user=user, summary="未收到意见。")
    services.experts_assign(version=v, user=user, experts=pw.experts[:2])
    for e in pw.experts[:2]:
        services.expert_opinion_submit(version=v, user=e, conclusion="pass", opinion="同意该规划。")
    with pytest.raises(RuleViolation) as exc:
        pw.submit(PlanVersion.objects.get(pk=v.pk))
    assert _code(exc) == ("A6-1-EXPERT-COUNT", "第六条第一款")
    services.experts_assign(version=v, user=user, experts=pw.experts[2:4])
    for e in pw.experts[2:4]:
        services.expert_opinion_submit(version=v, user=e, conclusion="fail", opinion="任务与财力不相适应。")
    with pytest.raises(RuleViolation) as exc:  # 2 of 4 pass: not a majority
        pw.submit(PlanVersion.objects.get(pk=v.pk))
    assert _code(exc) == ("A6-1-EXPERT-MAJORITY", "第六条第一款")
    # back to drafting: a new round of consultation and review
    v = wf.fire(PlanVersion.objects.get(pk=v.pk), "revise", user=user, comment="按专家意见修改")
    assert v.state == PlanState.DRAFT and v.review_round == 2


def test_experts_are_independent_of_the_owner(pw):
    from infogov.org.choices import Role
    from infogov.org.models import Membership

    w = pw.world
    v = pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.CITY)))
    insider = pw.experts[3]
    Membership.objects.create(user=insider, organisation=w.city.authority, role=Role.AUTHORITY_STAFF)
    with pytest.raises(RuleViolation) as exc:
        services.experts_assign(version=v, user=pw.owner_user(v), experts=[insider])
    assert _code(exc) == ("A6-1-EXPERT-INDEPENDENT", "第六条第一款")
    with pytest.raises(RuleViolation):  # not from the pool
        services.experts_assign(version=v, user=pw.owner_user(v), experts=[w.city.dept_user])
    # an expert who joins the owner after assignment is caught at submission
    v = pw.review(v)
    Membership.objects.create(user=pw.experts[0], organisation=w.city.authority, role=Role.AUTHORITY_STAFF)
    with pytest.raises(RuleViolation) as exc:
        pw.submit(PlanVersion.objects.get(pk=v.pk))
    assert _code(exc) == ("A6-1-EXPERT-INDEPENDENT", "第六条第一款")


def test_only_assigned_experts_give_opinions(pw):
    v = pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.CITY)))
    with pytest.raises(NotPermitted):
        services.expert_opinion_submit(
            version=v, user=pw.experts[0], conclusion="pass", opinion="同意该规划。"
        )
    services.experts_assign(version=v, user=pw.owner_user(v), experts=[pw.experts[0]])
    services.expert_opinion_submit(version=v, user=pw.experts[0], conclusion="pass", opinion="同意该规划。")
    with pytest.raises(RuleViolation) as exc:
        services.expert_opinion_submit(
            version=v, user=pw.experts[0], conclusion="fail", opinion="再次提交意见"
        )
    assert _code(exc) == ("A6-1-OPINION-ONCE", "第六条第一款")


# -- duplicate construction and consistency --------------------------------------------------------


def test_findings_list_duplicates_and_untraced_tasks(pw):
    w = pw.world
    pw.city_plan_in_force()
    special = pw.draft(PlanLevel.SPECIAL, w.city, tasks=["建设吉林市政务云平台，实现部门业务系统迁移上云"])
    pw.to_in_force(special)
    from infogov.org.choices import Role
    from tests.factories import make_user

    staff = make_user("city_finance_staff", w.city.finance, Role.DEPT_STAFF)
    v = pw.draft(
        PlanLevel.SPECIAL,
        w.city,
        owner=w.city.finance,
        user=staff,
        title="财政信息化专项规划",
        tasks=["建设吉林市政务云平台，实现部门业务系统迁移上云", "购置食堂炊具和办公桌椅若干"],
    )
    findings = selectors.consistency_findings(v)
    dup_texts = [d["text"] for d in findings["duplicates"]]
    assert "建设吉林市政务云平台，实现部门业务系统迁移上云" in dup_texts
    assert [u["text"] for u in findings["untraced"]] == ["购置食堂炊具和办公桌椅若干"]
    # snapshot at submission, shown on the review page
    v = pw.submit(
        pw.review(pw.close_consultation(pw.open_consultation(v, user=staff), user=staff), user=staff),
        user=staff,
    )
    assert v.findings["untraced"][0]["text"] == "购置食堂炊具和办公桌椅若干"


def test_similarity_on_chinese_text():
    from infogov.planning.similarity import bigrams, cosine, jaccard

    assert bigrams("政务云") == {"政务", "务云"}
    assert jaccard("建设政务云平台", "建设政务云平台。") == 1.0
    assert jaccard("建设政务云平台", "购置办公桌椅") == 0.0
    assert 0 < cosine("建设政务云平台", "政务云平台运维") < 1


# -- immutability and change control ------------------------------------------------------------


def _frozen(pw) -> PlanVersion:
    return pw.city_plan_in_force()


def test_approved_version_refuses_changes_through_services(pw):
    v = _frozen(pw)
    user = pw.owner_user(v)
    with pytest.raises(RuleViolation) as exc:
        services.version_update(version=v, user=user, title="改名")
    assert _code(exc) == ("A6-2-FROZEN", "第六条第二款")
    with pytest.raises(RuleViolation):
        services.task_add(version=v, user=user, text="新任务")
    with pytest.raises(RuleViolation):
        services.task_update(task=v.tasks.first(), user=user, text="改任务")


def test_approved_version_refuses_changes_through_the_orm(pw):
    v = _frozen(pw)
    v.title = "擅自变更"
    with pytest.raises(DatabaseError), transaction.atomic():
        v.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        PlanVersion.objects.filter(pk=v.pk).update(period_end=2035)
    with pytest.raises(DatabaseError), transaction.atomic():
        PlanTask.objects.filter(version=v).update(target_value=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        PlanGoal.objects.create(version=v, text="偷加的目标")
    with pytest.raises(DatabaseError), transaction.atomic():
        PlanTask.objects.filter(version=v).delete()
    v.refresh_from_db()
    assert v.title != "擅自变更" and v.period_end == 2030 and v.tasks.count() == 2


def test_approved_version_refuses_changes_through_raw_sql(pw):
    v = _frozen(pw)
    for sql in (
        "UPDATE planning_planversion SET body = 'x' WHERE id = %s",
        "UPDATE planning_plantask SET text = 'x' WHERE version_id = %s",
        "DELETE FROM planning_plangoal WHERE version_id = %s",
        "DELETE FROM planning_planversion WHERE id = %s",
    ):
        with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [v.pk])
        assert "第六条第二款" in str(exc.value)
    # state and the procedure's own dates may still move on (not content)
    with connection.cursor() as cur:
        cur.execute("UPDATE planning_planversion SET updated_at = updated_at WHERE id = %s", [v.pk])


def test_draft_versions_stay_editable_in_the_database(pw):
    v = pw.draft(PlanLevel.CITY)
    PlanVersion.objects.filter(pk=v.pk).update(body="草稿可以修改")
    PlanTask.objects.filter(version=v).update(unit="项")


def test_change_request_reruns_the_procedure_and_supersedes(pw):
    old = _frozen(pw)
    user = pw.owner_user(old)
    with pytest.raises(RuleViolation) as exc:
        services.plan_change_request(version=old, user=user, reason="")
    assert _code(exc) == ("A6-2-REASON", "第六条第二款")
    new = services.plan_change_request(
        version=old, user=user, reason="国家出台新的数字政府建设要求（特殊情况）"
    )
    assert new.number == 2 and new.state == PlanState.DRAFT and new.supersedes == old
    with pytest.raises(RuleViolation) as exc:  # one change at a time
        services.plan_change_request(version=old, user=user, reason="再次变更")
    assert _code(exc) == ("A6-2-ONE-CHANGE", "第六条第二款")
    # the draft changes freely; the old version does not
    task = new.tasks.order_by("seq").first()
    services.task_update(task=task, user=user, target_value=150)
    services.task_add(
        version=new,
        user=user,
        text="建设城市数据大脑",
        goal_id=new.goals.first().pk,
        responsible_id=new.owner_id,
        indicator="上线",
        target_value=1,
        unit="个",
        target_year=2029,
    )
    diff = selectors.version_diff(old, PlanVersion.objects.get(pk=new.pk))
    assert [a["任务"] for a in diff["added"]] == ["建设城市数据大脑"]
    assert diff["changed"][0]["fields"] == [{"field": "目标值", "before": "100", "after": "150"}]
    assert diff["removed"] == []
    # the manual supersede of the version in force is refused: only a successor's entry into force does it
    with pytest.raises(NotPermitted) as exc:
        wf.fire(old, "supersede", user=pw.world.city.approver)
    assert _code(exc) == ("A6-2-SUPERSEDE", "第六条第二款")
    new = pw.to_in_force(PlanVersion.objects.get(pk=new.pk))
    old.refresh_from_db()
    assert new.state == PlanState.IN_FORCE and old.state == PlanState.SUPERSEDED and old.superseded_at
    events = list(DocketEvent.objects.for_case(new).values_list("action", flat=True))
    assert events.count("submit") == 1 and "approve" in events and "open_consultation" in events


def test_draft_content_cannot_change_after_consultation_opened(pw):
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    with pytest.raises(RuleViolation) as exc:
        services.task_add(version=v, user=pw.owner_user(v), text="征求意见中偷偷加的任务")
    assert _code(exc) == ("A6-1-DRAFT-ONLY", "第六条第一款")


def test_user_guide_shows_the_current_workflow_diagram():
    from pathlib import Path

    from infogov.planning.workflows import WORKFLOW

    guide = (Path(__file__).resolve().parents[2] / "docs" / "planning.md").read_text(encoding="utf-8")
    assert WORKFLOW.diagram() in guide


def test_a_change_version_states_its_reason_through_the_procedure(pw):
    old = _frozen(pw)
    user = pw.owner_user(old)
    new = services.plan_change_request(version=old, user=user, reason="特殊情况")
    new = services.version_update(version=new, user=user, change_reason="")
    with pytest.raises(RuleViolation) as exc:
        pw.open_consultation(new)
    assert _code(exc) == ("A6-2-REASON", "第六条第二款")
