"""The workflow core: declarations, atomic steps, the protected state, the docket, edit and create."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from infogov.core.docket import chain as docket
from infogov.core.docket import verify as docket_verify
from infogov.core.errors import Conflict, InvalidInput, NotFound, NotPermitted, RuleViolation
from infogov.core.models import CaseAssignment, DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow.engine import Transition, Workflow
from infogov.core.workflow.obligations import Duty, days
from infogov.core.workflow.rules import RuleFailure
from tests.testapp.models import Widget, WidgetState
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


def events(case) -> list[DocketEvent]:
    return list(DocketEvent.objects.for_case(case).order_by("seq"))


def snapshot(case) -> tuple:
    """Everything a step may change: the row, the docket and the obligations."""
    row = Widget.objects.filter(pk=case.pk).values("state", "version", "description", "budget").get()
    return (
        row,
        list(DocketEvent.objects.for_case(case).values_list("seq", "action", "hash")),
        list(Obligation.objects.for_case(case).values_list("code", "fulfilled_at", "cancelled_at")),
        CaseAssignment.objects.for_case(case).count(),
    )


# -- declarations ----------------------------------------------------------------------------------


def test_widget_workflow_is_registered_and_installed():
    assert workflow.workflow_for(Widget) is WORKFLOW
    assert workflow.workflow_for(Widget(title="x")) is WORKFLOW
    assert set(WORKFLOW.transitions) == {"submit", "approve", "reject", "deliver"}
    assert callable(Widget.fsm_submit)
    with pytest.raises(LookupError):
        workflow.workflow_for(ContentType)


def test_declaration_errors_are_caught_at_import_time(monkeypatch):
    monkeypatch.setitem(workflow.REGISTRY, Widget, WORKFLOW)  # restored whatever happens
    t = Transition("submit", WidgetState.DRAFT, WidgetState.SUBMITTED, "提交")
    with pytest.raises(ValueError, match="twice"):
        Workflow(Widget, states=WidgetState, transitions=[t, t], initial=WidgetState.DRAFT)
    with pytest.raises(ValueError, match="unknown state"):
        Workflow(
            Widget,
            states=WidgetState,
            initial=WidgetState.DRAFT,
            transitions=[Transition("x", "draft", "archived", "归档")],
        )
    with pytest.raises(ValueError):
        Transition("x", "draft", "submitted", "提交", citation="第9条")
    with pytest.raises(ValueError):
        Duty("d", "义务", "第九十条", owed_by=lambda c: None, due=days(1))
    assert workflow.REGISTRY[Widget] is WORKFLOW


def test_get_unknown_transition_is_invalid_input(world):
    w = new_widget(world.yongji)
    with pytest.raises(InvalidInput) as exc:
        workflow.fire(w, "publish", user=world.yongji.dept_user)
    assert exc.value.code == "unknown_transition"
    assert exc.value.status == 422


def test_diagram_lists_states_and_cited_transitions():
    d = WORKFLOW.diagram()
    assert d.startswith("stateDiagram-v2\n    [*] --> draft")
    assert "    submitted --> approved: 批准（第九条第二款）" in d
    assert "    approved --> delivered: 交付（第十三条第一款）" in d
    assert "    rejected: 已退回" in d


# -- create -----------------------------------------------------------------------------------------


def test_create_starts_in_the_initial_state_and_opens_the_docket(world):
    w = new_widget(world.yongji, title="数据共享平台")
    w.refresh_from_db()
    assert (w.state, w.version) == ("draft", 0)
    assert w.reference == f"WG-{w.created_at:%Y}-{w.pk:06d}"
    [e] = events(w)
    assert (e.seq, e.action, e.from_state, e.to_state) == (1, "create", "", "draft")
    assert (e.actor, e.organisation) == (world.yongji.dept_user, world.yongji.department)
    assert e.jurisdiction_id == world.yongji.jurisdiction.pk
    # every field the registration set is in the hash chain, not only the title (Core v2)
    assert e.payload["title"] == "数据共享平台"
    assert e.payload["budget"] == "500000.00" or Decimal(e.payload["budget"]) == w.budget
    assert e.payload["has_security_plan"] is True
    assert (e.payload["owner"], e.payload["jurisdiction"]) == (w.owner_id, w.jurisdiction_id)
    assert e.prev_hash == docket.GENESIS
    assert docket.recompute(e) == e.hash


def test_create_cannot_start_a_case_beyond_the_initial_state(world):
    w = new_widget(world.yongji, state=WidgetState.APPROVED)
    w.refresh_from_db()
    assert w.state == "draft"


def test_create_validates_fields(world):
    with pytest.raises(InvalidInput) as exc:  # full_clean: a title is required
        workflow.create(
            Widget,
            user=world.yongji.dept_user,
            title="",
            jurisdiction=world.yongji.jurisdiction,
            owner=world.yongji.department,
        )
    assert exc.value.status == 422
    assert [d["field"] for d in exc.value.details] == ["title"]
    assert not Widget.objects.exists()
    assert not DocketEvent.objects.exists()


# -- the protected state -------------------------------------------------------------------------


def test_state_cannot_be_assigned_directly(world):
    w = new_widget(world.yongji)
    with pytest.raises(AttributeError):
        w.state = WidgetState.APPROVED
    loaded = Widget.objects.get(pk=w.pk)
    with pytest.raises(AttributeError):
        loaded.state = WidgetState.DELIVERED
    assert Widget.objects.get(pk=w.pk).state == "draft"


# -- fire: the docket of a step --------------------------------------------------------------------


@pytest.mark.article(9)
@pytest.mark.article(34)
def test_fire_records_from_to_actor_organisation_citation_payload(world):
    w = new_widget(world.yongji)
    w = workflow.fire(w, "submit", user=world.yongji.dept_user, comment="请审查")
    w = workflow.fire(
        w,
        "approve",
        user=world.yongji.authority_user,  # the authority of the widget's own level (第四条第二款)
        comment="同意",
        payload={"contract_amount": Decimal("480000.50"), "批次": "2024-1"},
    )
    assert (w.state, w.version) == ("approved", 2)
    create, submit, approve = events(w)
    assert [e.seq for e in (create, submit, approve)] == [1, 2, 3]
    assert (submit.action, submit.action_label, submit.from_state, submit.to_state) == (
        "submit",
        "提交",
        "draft",
        "submitted",
    )
    assert (submit.actor, submit.organisation, submit.citation, submit.comment) == (
        world.yongji.dept_user,
        world.yongji.department,
        "第九条第一款",
        "请审查",
    )
    assert (approve.from_state, approve.to_state, approve.citation) == (
        "submitted",
        "approved",
        "第九条第二款",
    )
    assert (approve.actor, approve.organisation) == (world.yongji.authority_user, world.yongji.authority)
    assert approve.actor_name == world.yongji.authority_user.display_name
    assert approve.payload == {"contract_amount": "480000.50", "批次": "2024-1"}
    assert approve.jurisdiction_id == world.yongji.jurisdiction.pk  # the case's jurisdiction, not the actor's
    assert submit.prev_hash == create.hash and approve.prev_hash == submit.hash
    assert all(docket.recompute(e) == e.hash for e in (create, submit, approve))
    assert docket_verify.verify().ok


def test_fire_does_not_touch_the_callers_object_and_returns_the_new_one(world):
    w = new_widget(world.yongji)
    after = workflow.fire(w, "submit", user=world.yongji.dept_user)
    assert (w.state, w.version) == ("draft", 0)
    assert (after.state, after.version) == ("submitted", 1)
    assert after.pk == w.pk


def test_fire_from_the_wrong_state_is_a_conflict(world):
    w = new_widget(world.yongji)
    with pytest.raises(Conflict) as exc:
        workflow.fire(w, "deliver", user=world.yongji.dept_user)
    assert exc.value.code == "wrong_state"
    assert exc.value.status == 409


def test_fire_on_a_deleted_case_is_not_found(world):
    w = new_widget(world.yongji)
    Widget.objects.filter(pk=w.pk).delete()
    with pytest.raises(NotFound):
        workflow.fire(w, "submit", user=world.yongji.dept_user)


def test_fire_with_an_outdated_expected_version_is_a_conflict(world):
    w = workflow.fire(new_widget(world.yongji), "submit", user=world.yongji.dept_user)
    with pytest.raises(Conflict):
        workflow.fire(w, "approve", user=world.yongji.authority_user, expected_version=0)
    assert workflow.fire(w, "approve", user=world.yongji.authority_user, expected_version=1).version == 2


# -- atomicity ---------------------------------------------------------------------------------------


class Boom(RuntimeError):
    pass


def _assign_expert(world):
    def effect(case, step):
        CaseAssignment.objects.create(
            case_type=ContentType.objects.get_for_model(case),
            case_id=case.pk,
            jurisdiction_id=case.jurisdiction_id,
            user=world.expert,
        )
        return {"expert": {"before": None, "after": world.expert.pk}}

    return effect


def _boom(case, step):
    raise Boom("effect failed")


def test_an_effect_that_raises_leaves_nothing_behind(world, monkeypatch):
    submit = WORKFLOW.transitions["submit"]
    monkeypatch.setitem(
        WORKFLOW.transitions, "submit", dataclasses.replace(submit, effects=(_assign_expert(world), _boom))
    )
    w = new_widget(world.yongji)
    before = snapshot(w)
    with pytest.raises(Boom):
        workflow.fire(w, "submit", user=world.yongji.dept_user)
    assert snapshot(w) == before
    assert CaseAssignment.objects.count() == 0


def _failing_duty(code="widget-boom"):
    def owed_by(case):
        raise Boom("no authority found")

    return Duty(code, "会失败的义务", "第九条第二款", owed_by=owed_by, due=days(5))


@pytest.mark.parametrize(
    "transactional",
    [
        pytest.param(False, id="savepoint"),
        pytest.param(True, id="transaction", marks=pytest.mark.django_db(transaction=True)),
    ],
)
def test_a_duty_that_fails_after_the_state_changed_rolls_the_whole_step_back(
    world, monkeypatch, transactional
):
    from django.db import connection

    assert connection.in_atomic_block is not transactional  # a real transaction, not a savepoint, when True
    submit = WORKFLOW.transitions["submit"]
    effects = (_assign_expert(world),)
    monkeypatch.setitem(
        WORKFLOW.transitions,
        "submit",
        dataclasses.replace(submit, effects=effects, opens=(*submit.opens, _failing_duty())),
    )
    w = new_widget(world.yongji)
    before = snapshot(w)
    with pytest.raises(Boom):
        workflow.fire(w, "submit", user=world.yongji.dept_user)
    # state saved, version bumped, docket written, first duty opened — and all rolled back
    assert snapshot(w) == before
    assert not Obligation.objects.exists()
    assert CaseAssignment.objects.count() == 0
    assert docket_verify.verify().ok
    # and nothing is stuck: the genuine step succeeds on the same object afterwards
    monkeypatch.setitem(WORKFLOW.transitions, "submit", submit)
    w = workflow.fire(w, "submit", user=world.yongji.dept_user)
    assert (w.state, w.version) == ("submitted", 1)
    assert [e.action for e in events(w)] == ["create", "submit"]
    assert Obligation.objects.for_case(w).count() == 1


def test_a_failing_close_after_state_change_rolls_back_fulfilment(world, monkeypatch):
    w = workflow.fire(new_widget(world.yongji), "submit", user=world.yongji.dept_user)
    approve = WORKFLOW.transitions["approve"]
    monkeypatch.setitem(
        WORKFLOW.transitions, "approve", dataclasses.replace(approve, opens=(_failing_duty(),))
    )
    before = snapshot(w)
    with pytest.raises(Boom):
        workflow.fire(w, "approve", user=world.yongji.authority_user)
    assert snapshot(w) == before
    assert Obligation.objects.for_case(w).open().count() == 1


def test_a_domain_error_raised_by_an_effect_is_passed_through_and_rolled_back(world, monkeypatch):
    def refuse(case, step):
        raise RuleViolation([RuleFailure("TEST-EFFECT", "第十三条第二款", "备案失败")])

    submit = WORKFLOW.transitions["submit"]
    monkeypatch.setitem(
        WORKFLOW.transitions, "submit", dataclasses.replace(submit, effects=(_assign_expert(world), refuse))
    )
    w = new_widget(world.yongji)
    before = snapshot(w)
    with pytest.raises(RuleViolation) as exc:
        workflow.fire(w, "submit", user=world.yongji.dept_user)
    assert exc.value.article == "第十三条第二款"
    assert snapshot(w) == before


def test_effects_changes_are_recorded_in_the_docket(world, monkeypatch):
    submit = WORKFLOW.transitions["submit"]
    monkeypatch.setitem(
        WORKFLOW.transitions, "submit", dataclasses.replace(submit, effects=(_assign_expert(world),))
    )
    w = workflow.fire(new_widget(world.yongji), "submit", user=world.yongji.dept_user)
    assert events(w)[-1].changes == {"expert": {"before": None, "after": world.expert.pk}}
    assert CaseAssignment.objects.for_case(w).get().user == world.expert


# -- edit ---------------------------------------------------------------------------------------------


def test_edit_records_field_level_before_and_after(world):
    w = new_widget(world.yongji, budget=Decimal("500000"), description="")
    w = workflow.edit(
        w,
        user=world.yongji.dept_user,
        comment="按评审意见调整",
        changes={"budget": Decimal("450000.00"), "description": "增加容灾", "title": "政务云迁移"},
    )
    assert w.version == 1
    w.refresh_from_db()
    assert (w.budget, w.description, w.version, w.state) == (Decimal("450000.00"), "增加容灾", 1, "draft")
    e = events(w)[-1]
    assert (e.seq, e.action, e.from_state, e.to_state, e.comment) == (
        2,
        "edit",
        "draft",
        "draft",
        "按评审意见调整",
    )
    assert e.actor == world.yongji.dept_user
    assert set(e.changes) == {"budget", "description"}  # the unchanged title is not recorded
    assert Decimal(e.changes["budget"]["before"]) == Decimal("500000")
    assert Decimal(e.changes["budget"]["after"]) == Decimal("450000")
    assert e.changes["description"] == {"before": "", "after": "增加容灾"}
    assert docket_verify.verify().ok


def test_edit_without_a_change_records_nothing(world):
    w = new_widget(world.yongji, description="原文")
    w = workflow.edit(w, user=world.yongji.dept_user, changes={"description": "原文"})
    assert w.version == 0
    assert len(events(w)) == 1


@pytest.mark.parametrize("field", ["state", "version", "jurisdiction", "jurisdiction_id", "id", "pk"])
def test_edit_refuses_state_and_jurisdiction(world, field):
    w = new_widget(world.yongji)
    value = {
        "state": "approved",
        "version": 9,
        "jurisdiction": world.jiaohe.jurisdiction,
        "jurisdiction_id": world.jiaohe.jurisdiction.pk,
        "id": 999,
        "pk": 999,
    }[field]
    before = snapshot(w)
    with pytest.raises(InvalidInput) as exc:
        workflow.edit(w, user=world.yongji.dept_user, changes={"description": "先改这个", field: value})
    assert exc.value.code == "readonly_field"
    assert snapshot(w) == before


def test_edit_refuses_unknown_fields_and_invalid_values(world):
    w = new_widget(world.yongji)
    before = snapshot(w)
    with pytest.raises(InvalidInput) as exc:
        workflow.edit(w, user=world.yongji.dept_user, changes={"no_such_field": 1})
    assert exc.value.code == "unknown_field"
    with pytest.raises(InvalidInput) as exc:
        workflow.edit(w, user=world.yongji.dept_user, changes={"budget": "很多"})
    assert exc.value.status == 422
    assert exc.value.details[0]["field"] == "budget"
    assert snapshot(w) == before


def test_edit_records_the_cleaned_value(world):
    w = new_widget(world.yongji, budget=Decimal("500000"))
    w = workflow.edit(w, user=world.yongji.dept_user, changes={"budget": "500000.00"})
    assert w.version == 0  # the same amount written differently is no change
    w = workflow.edit(w, user=world.yongji.dept_user, changes={"budget": "600000"})
    assert Decimal(events(w)[-1].changes["budget"]["after"]) == Decimal("600000")
    assert isinstance(Widget.objects.get(pk=w.pk).budget, Decimal)


def test_edit_of_a_relation_records_the_key(world):
    other = type(world.yongji.department).objects.create(
        name="永吉县大数据中心", kind="public_service", jurisdiction=world.yongji.jurisdiction
    )
    w = new_widget(world.yongji)
    w = workflow.edit(w, user=world.yongji.authority_user, changes={"owner": other})
    assert events(w)[-1].changes == {"owner": {"before": world.yongji.department.pk, "after": other.pk}}
    assert Widget.objects.get(pk=w.pk).owner == other
    assert docket_verify.verify().ok


@pytest.mark.article(4)
def test_edit_by_someone_else_is_not_permitted(world):
    w = new_widget(world.yongji)
    for user in (
        world.jiaohe.dept_user,
        world.jiaohe.authority_user,
        world.yongji.finance_user,
        world.expert,
        world.audit_admin,
        world.sys_admin,
        world.city.authority_user,  # a higher authority supervises and reads, it does not edit (第四条)
    ):
        with pytest.raises(NotPermitted) as exc:
            workflow.edit(w, user=user, changes={"description": "越权修改"})
        assert exc.value.article == "第四条"
    # the authority of the case's own level (本级) may correct a case's content
    w = workflow.edit(w, user=world.yongji.authority_user, changes={"description": "县局更正"})
    assert events(w)[-1].organisation == world.yongji.authority


def test_edit_with_stale_version_or_wrong_state_is_a_conflict(world):
    w = new_widget(world.yongji)
    workflow.edit(w, user=world.yongji.dept_user, changes={"description": "第一次"})
    with pytest.raises(Conflict):
        workflow.edit(
            w, user=world.yongji.dept_user, changes={"description": "第二次"}
        )  # w still has version 0
    w = Widget.objects.get(pk=w.pk)
    w = workflow.fire(w, "submit", user=world.yongji.dept_user)
    with pytest.raises(Conflict) as exc:
        workflow.edit(
            w, user=world.yongji.dept_user, changes={"description": "提交后"}, allowed_states=["draft"]
        )
    assert exc.value.code == "wrong_state"
    assert Widget.objects.get(pk=w.pk).description == "第一次"


def test_fire_with_attachments_records_their_fingerprints(world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from infogov.core.attachments import attachment_add

    settings.MEDIA_ROOT = tmp_path
    w = new_widget(world.yongji)
    att = attachment_add(
        case=w,
        user=world.yongji.dept_user,
        upload=SimpleUploadedFile("方案.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n"),
    )
    w = Widget.objects.get(pk=w.pk)
    w = workflow.fire(w, "submit", user=world.yongji.dept_user, attachments=[att])
    assert events(w)[-1].attachments == [{"id": att.pk, "name": "方案.pdf", "sha256": att.sha256}]


def test_due_date_follows_the_today_given_to_fire(world):
    w = workflow.fire(
        new_widget(world.yongji), "submit", user=world.yongji.dept_user, today=dt.date(2024, 2, 20)
    )
    assert Obligation.objects.for_case(w).get().due_date == dt.date(2024, 3, 11)


@pytest.mark.django_db
def test_nul_characters_are_refused_not_stored(world):
    """PostgreSQL refuses NUL in text and jsonb: the core answers 422 before anything is written."""
    from infogov.core.errors import InvalidInput
    from infogov.core.models import DocketEvent
    from infogov.core.workflow import engine as wf
    from tests.testapp.models import Widget

    w = wf.create(
        Widget,
        user=world.yongji.dept_user,
        title="测试",
        jurisdiction=world.yongji.jurisdiction,
        owner=world.yongji.department,
        has_security_plan=True,
    )
    before = DocketEvent.objects.count()
    with pytest.raises(InvalidInput) as err:
        wf.fire(w, "submit", user=world.yongji.dept_user, comment="请\x00审查")
    assert err.value.code == "nul_character"
    with pytest.raises(InvalidInput):
        wf.fire(w, "submit", user=world.yongji.dept_user, payload={"note": ["a\x00"]})
    with pytest.raises(InvalidInput):
        wf.edit(w, user=world.yongji.dept_user, changes={"description": "x\x00y"})
    assert DocketEvent.objects.count() == before
    assert Widget.objects.get(pk=w.pk).state == "draft"
