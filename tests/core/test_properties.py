"""Property-based: whatever anyone attempts, in whatever order, the procedure holds.

Each example runs inside a savepoint on the test's world and is rolled back afterwards, so the
examples are independent while the world is built once per test."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from infogov.core.docket import verify as docket_verify
from infogov.core.errors import Conflict, DomainError, InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as workflow
from tests.testapp.models import Widget

pytestmark = [pytest.mark.django_db, pytest.mark.article(9), pytest.mark.article(13), pytest.mark.slow]

USERS = (
    "yongji_dept",
    "yongji_authority",
    "yongji_leader",
    "city_authority",
    "jiaohe_authority",
    "jiaohe_dept",
    "yongji_finance",
    "expert",
    "audit_admin",
)
OWNER_SIDE = {"yongji_dept"}  # acts_for_owner: staff of the owning department
# competent for 永吉县: its own authority (本级); the city authority above reads and supervises (第四条第二款)
AUTHORITIES = {"yongji_authority", "yongji_leader"}
BUDGET = Decimal("100000")


class _Rollback(Exception):
    pass


def users_of(world):
    return {
        "yongji_dept": world.yongji.dept_user,
        "yongji_authority": world.yongji.authority_user,
        "yongji_leader": world.yongji.leader,
        "city_authority": world.city.authority_user,
        "jiaohe_authority": world.jiaohe.authority_user,
        "jiaohe_dept": world.jiaohe.dept_user,
        "yongji_finance": world.yongji.finance_user,
        "expert": world.expert,
        "audit_admin": world.audit_admin,
    }


def model_allows(state: str, plan: bool, who: str, name: str, comment: bool, amount) -> bool:
    """The procedure as the regulation reads, independent of the code under test."""
    if who == "audit_admin":
        return False
    if name == "submit":
        return state == "draft" and who in OWNER_SIDE and plan
    if name == "approve":
        return state == "submitted" and who in AUTHORITIES and (amount is None or amount <= BUDGET)
    if name == "reject":
        return state == "submitted" and who in AUTHORITIES and comment
    if name == "deliver":
        return state == "approved" and who in OWNER_SIDE
    raise AssertionError(name)


def check_invariants(case: Widget) -> None:
    evs = list(DocketEvent.objects.for_case(case).order_by("seq"))
    assert [e.seq for e in evs] == list(range(1, len(evs) + 1)), "docket seq has gaps"
    assert evs[0].action == "create"
    for prev, e in itertools.pairwise(evs):
        assert e.prev_hash == prev.hash
        if e.action != "edit":
            assert e.from_state == prev.to_state, "a step did not start where the last one ended"
    states = [e.to_state for e in evs]
    row = Widget.objects.get(pk=case.pk)
    assert row.state == states[-1]
    assert row.version == len(evs) - 1
    if row.state == "delivered":
        assert "approved" in states, "delivered without being approved"
    if "approved" in states:
        assert states.index("submitted") < states.index("approved")
    open_reviews = Obligation.objects.for_case(case).open().count()
    assert open_reviews == (1 if row.state == "submitted" else 0)
    report = docket_verify.verify()
    assert report.ok, report.broken


SENSIBLE = {  # what someone who knows the procedure would try next; half the steps are drawn from here
    "draft": [("yongji_dept", "submit"), ("yongji_dept", "edit-plan"), ("yongji_authority", "edit-plan")],
    "submitted": [
        ("yongji_authority", "approve"),
        ("city_authority", "approve"),  # refused: a higher authority does not act for the county
        ("yongji_leader", "reject"),
        ("yongji_authority", "reject"),
    ],
    "approved": [("yongji_dept", "deliver"), ("yongji_authority", "deliver")],
}


def draw_attempt(data, state: str):
    if data.draw(st.booleans(), label="guided") and state in SENSIBLE:
        who, name = data.draw(st.sampled_from(SENSIBLE[state]), label="sensible")
    else:
        who = data.draw(st.sampled_from(USERS), label="who")
        name = data.draw(
            st.sampled_from(("submit", "approve", "reject", "deliver", "edit-plan", "stale")), label="name"
        )
    with_comment = data.draw(st.booleans(), label="comment")
    amount = data.draw(
        st.one_of(st.none(), st.sampled_from([0, 99999, 100000, 100001, 250000])), label="amount"
    )
    return who, name, with_comment, amount


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # examples: the profile
@given(
    plan=st.sampled_from([True, True, False]), steps=st.integers(min_value=2, max_value=14), data=st.data()
)
def test_random_attempts_never_break_the_procedure(world, plan, steps, data):
    users = users_of(world)
    try:
        with transaction.atomic():
            case = workflow.create(
                Widget,
                user=world.yongji.dept_user,
                title="随机",
                budget=BUDGET,
                jurisdiction=world.yongji.jurisdiction,
                owner=world.yongji.department,
                has_security_plan=plan,
            )
            stale = case
            for _ in range(steps):
                who, name, with_comment, amount = draw_attempt(data, case.state)
                user = users[who]
                if name == "edit-plan":
                    try:
                        new = workflow.edit(case, user=user, changes={"has_security_plan": not plan})
                    except NotPermitted:
                        assert who not in OWNER_SIDE | AUTHORITIES
                    else:
                        assert who in OWNER_SIDE | AUTHORITIES
                        stale, case, plan = case, new, not plan
                    check_invariants(case)
                    continue
                if name == "stale":  # someone acting on what they read before the last change
                    if stale.version != case.version:
                        with pytest.raises(Conflict):
                            workflow.fire(stale, "approve", user=users["yongji_leader"])
                    continue
                payload = {} if amount is None else {"contract_amount": amount}
                comment = "意见" if with_comment else ""
                allowed = model_allows(case.state, plan, who, name, with_comment, amount)
                try:
                    new = workflow.fire(case, name, user=user, comment=comment, payload=payload)
                except (NotPermitted, RuleViolation, InvalidInput, Conflict) as exc:
                    assert not allowed, f"{who} {name} in {case.state}: {exc}"
                    assert exc.status in {403, 409, 422}
                    if isinstance(exc, NotPermitted | RuleViolation):
                        assert exc.article, "a refusal must cite its article"
                else:
                    assert allowed, f"{who} {name} in {case.state} should have been refused"
                    assert new.version == case.version + 1
                    stale, case = case, new
                check_invariants(case)
            event(f"reached {case.state}")
            raise _Rollback
    except _Rollback:
        pass


# a valid input for each step that declares one: explain() cannot judge input not given yet
VALID_INPUT = {"inspect": {"checked_on": "2026-01-05", "finding": "按期检查"}}


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])  # examples: the profile
@given(st.lists(st.sampled_from(USERS), min_size=1, max_size=len(USERS), unique=True))
def test_explain_and_fire_agree(world, who_list):
    """What explain() offers as allowed is exactly what fire() then accepts."""
    users = users_of(world)
    try:
        with transaction.atomic():
            case = workflow.create(
                Widget,
                user=world.yongji.dept_user,
                title="一致性",
                budget=BUDGET,
                jurisdiction=world.yongji.jurisdiction,
                owner=world.yongji.department,
                has_security_plan=True,
            )
            case = workflow.fire(case, "submit", user=world.yongji.dept_user)
            for who in who_list:
                for option in workflow.explain(case, users[who]):
                    sid = transaction.savepoint()
                    try:
                        payload = VALID_INPUT.get(option.name)
                        workflow.fire(case, option.name, user=users[who], comment="意见", payload=payload)
                        fired = True
                    except DomainError as exc:
                        fired = False
                        assert exc.article, exc
                        assert option.blockers and exc.code == option.blockers[0].code
                    transaction.savepoint_rollback(sid)
                    assert fired is option.allowed, (who, option.name)
            raise _Rollback
    except _Rollback:
        pass
