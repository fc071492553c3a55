"""What a step costs, and that the quicker statements keep every guarantee of the slow ones.

fire() runs a fixed set of statements: lock the case and read its docket tail in one SELECT, one
UPDATE of the changed columns, one docket INSERT, one UPDATE fulfilling obligations, one INSERT
opening duties. A step that grows a query fails here. explain() evaluates a rule shared by several
transitions once per call."""

from __future__ import annotations

import dataclasses
import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from infogov.core.docket import chain as docket
from infogov.core.docket import verify as docket_verify
from infogov.core.errors import Conflict
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import NO_INPUT_YET, Rule, RuleContext
from tests.conftest import fresh
from tests.testapp.models import Widget
from tests.testapp.workflows import WORKFLOW

pytestmark = pytest.mark.django_db


def new_widget(land, **fields) -> Widget:
    values = {
        "title": "政务云迁移",
        "jurisdiction": land.jurisdiction,
        "owner": land.department,
        "budget": Decimal("500000"),
        "has_security_plan": True,
    }
    values.update(fields)
    return workflow.create(Widget, user=land.dept_user, **values)


def warm(user):
    """The user as a request holds it: roles and scope already read (by the permission check)."""
    user = fresh(user)
    _ = user.role_set, scope_of(user), user.display_name
    return user


def statements(ctx: CaptureQueriesContext) -> list[str]:
    """The captured SQL without the savepoint the test's own transaction wraps each step in."""
    return [
        q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def chain(case) -> list[tuple[int, str, str]]:
    return list(DocketEvent.objects.for_case(case).order_by("seq").values_list("seq", "action", "prev_hash"))


# -- queries per step -------------------------------------------------------------------------------


@pytest.mark.article(34)
def test_a_step_that_opens_a_duty_runs_five_statements(world):
    w = new_widget(world.yongji)
    owner = warm(world.yongji.dept_user)
    with CaptureQueriesContext(connection) as ctx:
        w = workflow.fire(w, "submit", user=owner, comment="申报")
    sql = statements(ctx)
    # lock + docket tail (+ the duty's owner and jurisdiction), the case UPDATE, the docket INSERT,
    # the duty's authority (org.selectors.authority_of), the obligation INSERT
    assert len(sql) == 5, "\n".join(sql)
    lock, update, event, authority, duty = sql
    assert lock.startswith("SELECT") and "core_docketevent" in lock and "org_jurisdiction" in lock
    if connection.vendor == "postgresql":
        assert "FOR UPDATE OF c SKIP LOCKED" in lock
    assert update.startswith('UPDATE "testapp_widget"') and '"title"' not in update
    assert event.startswith('INSERT INTO "core_docketevent"')
    assert authority.startswith("SELECT") and "org_organisation" in authority
    assert duty.startswith('INSERT INTO "core_obligation"')
    assert (w.state, w.version) == ("submitted", 1)
    assert Obligation.objects.for_case(w).open().count() == 1
    assert docket_verify.verify().ok


@pytest.mark.article(34)
def test_a_step_that_fulfils_a_duty_runs_four_statements(world):
    w = workflow.fire(new_widget(world.yongji), "submit", user=world.yongji.dept_user)
    authority = warm(world.yongji.authority_user)
    with CaptureQueriesContext(connection) as ctx:
        w = workflow.fire(w, "approve", user=authority, payload={"contract_amount": 90000})
    sql = statements(ctx)
    assert len(sql) == 4, "\n".join(sql)
    lock, update, event, fulfil = sql
    assert "org_jurisdiction" not in lock  # no duty to open, no relation to load
    assert update.startswith('UPDATE "testapp_widget"') and event.startswith('INSERT INTO "core_docketevent"')
    assert fulfil.startswith('UPDATE "core_obligation"')
    assert Obligation.objects.for_case(w).get().fulfilled_by == DocketEvent.objects.for_case(w).get(seq=3)
    assert docket_verify.verify().ok


def test_the_organisation_of_the_actor_costs_no_query(world):
    """The docket records the actor's organisation by the key on the user's row."""
    w = new_widget(world.yongji)
    owner = warm(world.yongji.dept_user)
    owner._state.fields_cache.pop("organisation", None)
    with CaptureQueriesContext(connection) as ctx:
        workflow.fire(w, "submit", user=owner)
    assert not any('FROM "org_organisation" WHERE "org_organisation"."id"' in s for s in statements(ctx))
    assert DocketEvent.objects.for_case(w).get(seq=2).organisation == world.yongji.department


# -- the statements keep the ORM's behaviour ----------------------------------------------------------


def test_the_locked_case_is_the_case_the_orm_loads(world):
    """Values come back through the same converters (SQLite: decimals, booleans, datetimes)."""
    w = new_widget(world.yongji, budget=Decimal("123456.78"), description="建设内容")
    after = workflow.fire(w, "submit", user=world.yongji.dept_user)
    loaded = Widget.objects.get(pk=w.pk)
    for f in Widget._meta.concrete_fields:
        assert getattr(after, f.attname) == getattr(loaded, f.attname), f.name
        if f.name != "state":  # set by the transition: the state's enum member, a str
            assert type(getattr(after, f.attname)) is type(getattr(loaded, f.attname)), f.name
    assert after.budget == Decimal("123456.78")
    assert after._state.adding is False and after._state.db == "default"
    event = DocketEvent.objects.for_case(w).get(seq=2)
    assert docket.recompute(event) == event.hash


def test_an_effect_sets_a_field_and_the_update_writes_it(world, monkeypatch):
    def note(case, step):
        case.description = "提交时补充"
        return {"description": {"before": "", "after": case.description}}

    submit = WORKFLOW.transitions["submit"]
    monkeypatch.setitem(WORKFLOW.transitions, "submit", dataclasses.replace(submit, effects=(note,)))
    w = new_widget(world.yongji)
    with CaptureQueriesContext(connection) as ctx:
        after = workflow.fire(w, "submit", user=world.yongji.dept_user)
    [update] = [s for s in statements(ctx) if s.startswith('UPDATE "testapp_widget"')]
    assert '"description"' in update and '"budget"' not in update
    assert Widget.objects.get(pk=w.pk).description == "提交时补充"
    assert after.owner == world.yongji.department  # loaded with the lock for the effect
    # the returned case saves like any other (its remembered state is the new one)
    after.title = "改名"
    after.save()
    assert Widget.objects.get(pk=w.pk).title == "改名"


def test_receivers_of_the_case_and_the_docket_still_hear_a_step(world):
    """A model with pre_save/post_save receivers is saved through the ORM, signals and all."""
    heard = []

    def listen(sender, instance, **kwargs):
        heard.append((sender.__name__, kwargs.get("update_fields")))

    w = new_widget(world.yongji)
    pre_save.connect(listen, sender=Widget, dispatch_uid="test-cost-widget")
    post_save.connect(listen, sender=DocketEvent, dispatch_uid="test-cost-docket")
    post_save.connect(listen, sender=Obligation, dispatch_uid="test-cost-obligation")
    try:
        w = workflow.fire(w, "submit", user=world.yongji.dept_user)
    finally:
        pre_save.disconnect(sender=Widget, dispatch_uid="test-cost-widget")
        post_save.disconnect(sender=DocketEvent, dispatch_uid="test-cost-docket")
        post_save.disconnect(sender=Obligation, dispatch_uid="test-cost-obligation")
    assert heard == [
        ("Widget", frozenset({"state", "version", "updated_at"})),
        ("DocketEvent", None),
        ("Obligation", None),
    ]
    assert Obligation.objects.for_case(w).get().opened_by == DocketEvent.objects.for_case(w).get(seq=2)
    assert Widget.objects.get(pk=w.pk).state == "submitted"
    assert docket_verify.verify().ok


@pytest.mark.article(34)
def test_a_stale_docket_tail_is_a_conflict_and_writes_nothing(world, monkeypatch):
    """If the tail read with the lock were ever stale, the (case, seq) constraint refuses the event:
    a 409, the whole step rolled back, the chain intact — never a fork, never a 500."""
    real = workflow._lock

    def stale(model, pk, *, related, tail_in_lock=True):
        case, _tail = real(model, pk, related=related, tail_in_lock=tail_in_lock)
        return case, None  # as if read before the case's first event, however it was read

    w = new_widget(world.yongji)
    monkeypatch.setattr(workflow, "_lock", stale)
    with pytest.raises(Conflict) as exc:
        workflow.fire(w, "submit", user=world.yongji.dept_user)
    assert exc.value.status == 409
    assert Widget.objects.get(pk=w.pk).state == "draft"
    assert [seq for seq, *_ in chain(w)] == [1]
    assert not Obligation.objects.for_case(w).exists()
    assert docket_verify.verify().ok


def test_a_tail_read_short_with_the_lock_is_read_again_after_it(world, monkeypatch):
    """The tail read in the locking statement can be one event short (a Record that did not update the
    row committed meanwhile, see engine._lock): the step is taken again reading the tail after the
    lock — it succeeds, once, with its event chained after the last one."""
    real = workflow._lock
    calls = []

    def short_once(model, pk, *, related, tail_in_lock=True):
        calls.append(tail_in_lock)
        case, tail = real(model, pk, related=related, tail_in_lock=tail_in_lock)
        return case, (None if tail_in_lock else tail)

    w = new_widget(world.yongji)
    monkeypatch.setattr(workflow, "_lock", short_once)
    w = workflow.fire(w, "submit", user=world.yongji.dept_user)
    assert calls == [True, False]
    assert w.state == "submitted"
    assert [seq for seq, *_ in chain(w)] == [1, 2]
    assert Obligation.objects.for_case(w).count() == 1
    assert docket_verify.verify().ok


# -- the lock under concurrency ----------------------------------------------------------------------


@pytest.mark.article(34)
@pytest.mark.django_db(transaction=True)
def test_a_step_waits_for_a_writer_that_appends_without_a_new_version(world):
    """An attachment (core.attachments) locks the case and appends to its docket without a new
    version. A step on the case meanwhile must wait, then chain its event after that one: on
    PostgreSQL the locking SELECT skips the held row and the tail is read after the wait."""
    w = new_widget(world.yongji)
    owner = warm(world.yongji.dept_user)
    held = threading.Event()
    hold = 0.4
    done: dict[str, float] = {}

    def appender():
        try:
            with transaction.atomic():
                locked = Widget.objects.select_for_update().get(pk=w.pk)
                held.set()
                docket.record(locked, actor=owner, action="attach", action_label="上传附件")
                time.sleep(hold)
                done["committing"] = time.monotonic()
        finally:
            connections.close_all()

    thread = threading.Thread(target=appender)
    thread.start()
    assert held.wait(10)
    try:
        after = workflow.fire(w, "submit", user=owner)
        finished = time.monotonic()
    finally:
        thread.join(30)
    assert finished >= done["committing"]  # the step waited for the appender's transaction
    assert [(seq, action) for seq, action, _ in chain(w)] == [(1, "create"), (2, "attach"), (3, "submit")]
    assert after.version == 1
    report = docket_verify.verify()
    assert report.ok, report.broken


# -- explain: a shared rule once per call -----------------------------------------------------------


def test_explain_evaluates_a_rule_shared_by_transitions_once(world, monkeypatch):
    calls = []

    def check(case, ctx):
        calls.append(case.pk)
        return scope_of(ctx.user).is_authority_for(case.jurisdiction_id)

    counted = Rule("A4-TEST-COUNTED", "第九条第二款", "不是本辖区主管部门", check)

    for name in ("approve", "reject"):
        t = WORKFLOW.transitions[name]
        monkeypatch.setitem(WORKFLOW.transitions, name, dataclasses.replace(t, by=(counted,)))
    w = workflow.fire(new_widget(world.yongji), "submit", user=world.yongji.dept_user)
    options = [o for o in workflow.explain(w, warm(world.jiaohe.authority_user)) if o.changes_state]
    assert [(o.name, o.allowed, [b.code for b in o.blockers]) for o in options] == [
        ("approve", False, ["A4-TEST-COUNTED"]),
        ("reject", False, ["A4-TEST-COUNTED"]),
    ]
    assert len(calls) == 1
    assert all(o.allowed for o in workflow.explain(w, warm(world.yongji.authority_user)))


def test_explain_evaluates_a_rule_that_reads_the_transition_for_each(world, monkeypatch):
    only_approve = Rule(
        "TEST-PER-STEP", "第九条第二款", "不能退回", lambda case, ctx: ctx.transition == "approve"
    )

    for name in ("approve", "reject"):
        t = WORKFLOW.transitions[name]
        monkeypatch.setitem(WORKFLOW.transitions, name, dataclasses.replace(t, guards=(only_approve,)))
    w = workflow.fire(new_widget(world.yongji), "submit", user=world.yongji.dept_user)
    options = {o.name: o.allowed for o in workflow.explain(w, warm(world.yongji.authority_user))}
    assert options == {"approve": True, "reject": False, "inspect": True}


def test_explain_answers_what_fire_would(world):
    """The memo changes nothing: each option's verdict is what evaluating its rules alone gives."""
    w = workflow.fire(new_widget(world.yongji), "submit", user=world.yongji.dept_user)
    for user in (world.yongji.authority_user, world.jiaohe.authority_user, world.audit_admin, world.expert):
        user = warm(user)
        for option in workflow.explain(w, user):
            t = WORKFLOW.get(option.name)
            ctx = RuleContext(user=user, transition=t.name, input=NO_INPUT_YET)
            alone = workflow._check(t, w, ctx)
            assert option.blockers == alone, (user.username, option.name)
