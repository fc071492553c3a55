"""第六条第二款 经批准的信息化发展规划不得擅自变更、调整 — held by the database (migrations 0002 and
0003), whatever the path: the ORM, the API, raw SQL on the application's connection, and on
PostgreSQL a least-privilege application role that cannot switch the triggers off either."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from infogov.core.workflow import engine as wf
from infogov.planning import services
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import ExpertOpinion, Plan, PlanGoal, PlanTask, PlanVersion, PublicComment

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def _refused(sql: str, params: list) -> str:
    with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)
    return str(exc.value)


@pytest.fixture
def frozen(pw) -> PlanVersion:
    """A city plan in force whose consultation had a comment (so comments and opinions exist)."""
    v = pw.open_consultation(pw.draft(PlanLevel.CITY))
    services.comment_submit(version=v, body="建议增加数据安全的任务。", contact="a@example.cn")
    v = pw.close_consultation(v)
    user = pw.owner_user(v)
    services.comments_answer(version=v, user=user, comment_ids=[v.comments.get().pk], template="accepted")
    services.comments_publish_answers(version=v, user=user)
    v = pw.submit(pw.review(v))
    v = pw.approve(v)
    v = wf.fire(v, "publish", user=user)
    return wf.fire(v, "enact", user=user)


def test_the_orm_cannot_alter_an_approved_version(frozen):
    v = frozen
    v.title = "擅自变更"
    with pytest.raises(DatabaseError), transaction.atomic():
        v.save()
    for qs, change in (
        (PlanVersion.objects.filter(pk=v.pk), {"period_end": 2035}),
        (PlanVersion.objects.filter(pk=v.pk), {"state": PlanState.DRAFT}),  # thawing it first
        (PlanVersion.objects.filter(pk=v.pk), {"state": PlanState.APPROVED}),  # or moving it back
        (PlanVersion.objects.filter(pk=v.pk), {"published_at": timezone.now() - dt.timedelta(days=9)}),
        (PlanVersion.objects.filter(pk=v.pk), {"reference": "GH-2026-9999"}),
        (PlanTask.objects.filter(version=v), {"target_value": 1}),
        (PlanGoal.objects.filter(version=v), {"text": "改过的目标"}),
        (Plan.objects.filter(pk=v.plan_id), {"parent_reference": ""}),  # its basis (第五条第一款)
        (Plan.objects.filter(pk=v.plan_id), {"level": PlanLevel.SPECIAL}),
        (ExpertOpinion.objects.filter(version=v), {"conclusion": "fail"}),
        (PublicComment.objects.filter(version=v), {"answer_text": "改过的答复"}),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            qs.update(**change)
    for qs in (
        PlanTask.objects.filter(version=v),
        ExpertOpinion.objects.filter(version=v),
        PublicComment.objects.filter(version=v),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            qs.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        ExpertOpinion.objects.create(
            version=v, expert=v.opinions.first().expert, round=9, conclusion="pass", opinion="补签"
        )
    v.refresh_from_db()
    assert (v.title, v.period_end, v.state) == ("吉林市全市信息化发展规划（2026—2030年）", 2030, "in_force")
    assert v.opinions.count() == 3 and v.comments.get().answer_text.startswith("感谢")


def test_raw_sql_on_the_applications_connection_is_refused(frozen):
    v = frozen
    for sql in (
        "UPDATE planning_planversion SET state = 'draft' WHERE id = %s",
        "UPDATE planning_planversion SET in_force_at = NULL WHERE id = %s",
        "UPDATE planning_planversion SET review_round = 7 WHERE id = %s",
        "UPDATE planning_plan SET title = 'x' "
        "WHERE id = (SELECT plan_id FROM planning_planversion WHERE id = %s)",
        "DELETE FROM planning_publiccomment WHERE version_id = %s",
        "UPDATE planning_expertopinion SET opinion = 'x' WHERE version_id = %s",
    ):
        assert "第六条第二款" in _refused(sql, [v.pk])
    # what the procedure itself still does to an approved version goes through: the lock counter
    with connection.cursor() as cur:
        cur.execute("UPDATE planning_planversion SET version = version + 1 WHERE id = %s", [v.pk])


def test_the_api_cannot_alter_an_approved_version(frozen, pw):
    c = Client()
    c.force_login(pw.owner_user(frozen))
    for method, url, body in (
        ("patch", f"/api/plans/{frozen.pk}", {"title": "擅自修改"}),
        ("patch", f"/api/plans/{frozen.pk}/tasks/{frozen.tasks.first().pk}", {"text": "擅自修改任务"}),
        ("post", f"/api/plans/{frozen.pk}/goals", {"text": "擅自增加目标"}),
        ("post", f"/api/plans/{frozen.pk}/summary", {"summary": "改写情况说明"}),
    ):
        r = getattr(c, method)(url, body, content_type="application/json")
        assert r.status_code == 422, (url, r.content)
        assert r.json()["article"].startswith("第六条")
    assert PlanVersion.objects.get(pk=frozen.pk).title == frozen.title


def test_the_database_holds_the_order_of_article_5(pw):
    """Check constraints: a local plan cannot be in force without filing, whatever writes the row."""
    pw.city_plan_in_force()
    v = pw.approve(
        pw.submit(
            pw.review(pw.close_consultation(pw.open_consultation(pw.draft(PlanLevel.LOCAL, pw.world.yongji))))
        )
    )
    v = wf.fire(v, "publish", user=pw.owner_user(v))
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.filter(pk=v.pk).update(state=PlanState.IN_FORCE)
    draft = pw.draft(PlanLevel.LOCAL, pw.world.jiaohe)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.filter(pk=draft.pk).update(state=PlanState.APPROVED)  # no approval recorded
    special = pw.draft(PlanLevel.SPECIAL, pw.world.city)
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanVersion.objects.filter(pk=special.pk).update(state=PlanState.IN_FORCE, approved_at=timezone.now())


def test_drafts_and_their_plans_stay_writable(pw):
    v = pw.draft(PlanLevel.CITY)
    PlanVersion.objects.filter(pk=v.pk).update(body="草稿可以修改")
    PlanTask.objects.filter(version=v).update(unit="项")
    Plan.objects.filter(pk=v.plan_id).update(title="改名的规划草稿")


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL roles")
def test_a_least_privilege_application_role_cannot_switch_the_triggers_off(frozen):
    """The role the platform should run as (DML rights, not the tables' owner) can neither change an
    approved version nor lift the protection (disable the triggers, replica mode)."""
    role = "infogov_app_immutability_test"
    with connection.cursor() as cur:
        cur.execute(f"CREATE ROLE {role} NOLOGIN NOSUPERUSER")
        cur.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        cur.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}")
        cur.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}")

    def as_app(sql: str, params: list | None = None) -> str:
        with pytest.raises(DatabaseError) as exc, transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"SET LOCAL ROLE {role}")
            cur.execute(sql, params or [])
        return str(exc.value)

    assert "第六条第二款" in as_app("UPDATE planning_planversion SET body = 'x' WHERE id = %s", [frozen.pk])
    assert "第六条第二款" in as_app(
        "UPDATE planning_planversion SET state = 'draft' WHERE id = %s", [frozen.pk]
    )
    assert "第六条第二款" in as_app("DELETE FROM planning_plantask WHERE version_id = %s", [frozen.pk])
    assert "owner" in as_app("ALTER TABLE planning_planversion DISABLE TRIGGER USER")
    assert "permission denied" in as_app("SET session_replication_role = replica")
    # the role works for everything else (it is the application's role, not a locked-out one)
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL ROLE {role}")
        cur.execute("UPDATE planning_planversion SET version = version + 1 WHERE id = %s", [frozen.pk])
        cur.execute("SELECT count(*) FROM planning_plantask WHERE version_id = %s", [frozen.pk])
        assert cur.fetchone()[0] == 2
        cur.execute("RESET ROLE")  # SET LOCAL outlives the savepoint: back to the test's own role
