"""Guards and explanations: who may fire which step, and the article that says why not."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.regulation.articles import Citation
from infogov.core.workflow import engine as workflow
from infogov.core.workflow import rules as core_rules
from infogov.core.workflow.rules import MEASURES_IN_FORCE, Rule, RuleContext, RuleFailure
from infogov.org.choices import Role
from infogov.org.models import Membership
from tests.conftest import fresh
from tests.testapp.models import Widget
from tests.testapp.workflows import WORKFLOW

pytestmark = pytest.mark.django_db


def new_widget(land, **fields) -> Widget:
    values = {
        "title": "电子政务外网升级",
        "jurisdiction": land.jurisdiction,
        "owner": land.department,
        "budget": Decimal("100000"),
        "has_security_plan": True,
    }
    values.update(fields)
    return workflow.create(Widget, user=land.dept_user, **values)


def submitted(land, **fields) -> Widget:
    return workflow.fire(new_widget(land, **fields), "submit", user=land.dept_user)


def option(options, name):
    [o] = [o for o in options if o.name == name]
    return o


def events(case) -> list[DocketEvent]:
    return list(DocketEvent.objects.for_case(case).order_by("seq"))


# -- article 31: the security plan guard -----------------------------------------------------------


@pytest.mark.article(31)
def test_explain_blocks_submit_without_security_plan_citing_31_1(world):
    w = new_widget(world.yongji, has_security_plan=False)
    options = workflow.explain(w, world.yongji.dept_user)
    assert [o.name for o in options] == ["submit"]
    submit = option(options, "submit")
    assert submit.allowed is False
    assert [(b.code, b.citation) for b in submit.blockers] == [("TEST-SECURITY-PLAN", "第三十一条第一款")]
    assert submit.blockers[0].article == 31
    assert submit.as_dict()["blockers"] == [
        {
            "code": "TEST-SECURITY-PLAN",
            "article": "第三十一条第一款",
            "message": "未提交信息安全方案，不能提交",
        }
    ]

    w = workflow.edit(w, user=world.yongji.dept_user, changes={"has_security_plan": True})
    submit = option(workflow.explain(w, world.yongji.dept_user), "submit")
    assert submit.allowed is True
    assert submit.blockers == []


@pytest.mark.article(31)
def test_fire_submit_without_security_plan_is_a_rule_violation_with_the_article(world):
    w = new_widget(world.yongji, has_security_plan=False)
    with pytest.raises(RuleViolation) as exc:
        workflow.fire(w, "submit", user=world.yongji.dept_user)
    err = exc.value
    assert err.status == 422
    assert err.code == "TEST-SECURITY-PLAN"
    assert err.article == "第三十一条第一款"
    assert "第三十一条第一款" in str(err)
    assert err.as_body() == {
        "code": "TEST-SECURITY-PLAN",
        "message": "未提交信息安全方案，不能提交",
        "article": "第三十一条第一款",
        "details": [
            {
                "code": "TEST-SECURITY-PLAN",
                "article": "第三十一条第一款",
                "message": "未提交信息安全方案，不能提交",
            }
        ],
        # every failing rule with its own article (a combined refusal names each, not only the first)
        "failures": [
            {
                "code": "TEST-SECURITY-PLAN",
                "article": "第三十一条第一款",
                "message": "未提交信息安全方案，不能提交",
            }
        ],
    }
    w.refresh_from_db()
    assert (w.state, w.version) == ("draft", 0)
    assert [e.action for e in events(w)] == ["create"]
    assert not Obligation.objects.for_case(w).exists()


# -- article 4: who acts -----------------------------------------------------------------------------


@pytest.mark.article(4)
def test_wrong_role_user_gets_an_article_4_blocker_and_no_case_guard(world):
    w = new_widget(world.yongji, has_security_plan=False)
    for outsider in (world.jiaohe.dept_user, world.yongji.finance_user, world.expert, world.city.dept_user):
        submit = option(workflow.explain(w, outsider), "submit")
        assert submit.allowed is False
        # who may act comes first: the security-plan guard is not shown to someone who may not act at all
        assert [b.code for b in submit.blockers] == ["A4-OWNER"]
        assert Citation.parse(submit.blockers[0].citation).article == 4
        assert submit.blockers[0].citation == "第四条第一款"


@pytest.mark.article(4)
def test_only_the_competent_authority_may_approve(world):
    w = submitted(world.yongji)
    allowed = {
        u.username
        for u in (
            world.yongji.authority_user,
            world.yongji.leader,
        )  # the county's own authority (本级); the city authority above supervises, it does not act
    }
    everyone = [
        world.yongji.authority_user,
        world.yongji.leader,
        world.yongji.dept_user,
        world.yongji.approver,
        world.yongji.finance_user,
        world.jiaohe.authority_user,
        world.jiaohe.leader,
        world.city.authority_user,
        world.city.leader,
        world.city.dept_user,
        world.expert,
        world.sys_admin,
        world.sec_admin,
    ]
    for user in everyone:
        approve = option(workflow.explain(w, user), "approve")
        assert approve.allowed is (user.username in allowed), user.username
        if not approve.allowed:
            assert [(b.code, b.citation) for b in approve.blockers] == [("A4-AUTHORITY", "第四条第二款")]


@pytest.mark.article(4)
def test_fire_by_wrong_role_is_not_permitted_with_article_4(world):
    w = submitted(world.yongji)
    with pytest.raises(NotPermitted) as exc:
        workflow.fire(w, "approve", user=world.jiaohe.authority_user)
    assert exc.value.status == 403
    assert exc.value.code == "A4-AUTHORITY"
    assert exc.value.article == "第四条第二款"
    assert exc.value.as_body()["article"] == "第四条第二款"
    w.refresh_from_db()
    assert (w.state, w.version) == ("submitted", 1)
    assert [e.action for e in events(w)] == ["create", "submit"]


@pytest.mark.article(4)
def test_department_cannot_submit_for_another_department(world):
    w = new_widget(world.yongji)
    with pytest.raises(NotPermitted) as exc:
        workflow.fire(w, "submit", user=world.jiaohe.dept_user)
    assert exc.value.article == "第四条第一款"
    w.refresh_from_db()
    assert w.state == "draft"


# -- article 34: separation of duties ---------------------------------------------------------------


@pytest.mark.article(34)
def test_audit_admin_is_blocked_by_no_audit_write(world):
    w = new_widget(world.yongji)
    submit = option(workflow.explain(w, world.audit_admin), "submit")
    assert submit.allowed is False
    assert (submit.blockers[0].code, submit.blockers[0].citation) == ("A34-NO-AUDIT-WRITE", "第三十四条")
    with pytest.raises(NotPermitted) as exc:
        workflow.fire(w, "submit", user=world.audit_admin)
    assert exc.value.status == 403
    assert exc.value.code == "A34-NO-AUDIT-WRITE"
    assert exc.value.article == "第三十四条"
    assert "第三十四条" in str(exc.value)


@pytest.mark.article(34)
def test_audit_admin_role_blocks_even_a_user_who_also_works_for_the_owner(world):
    """三员分立: holding a department role as well does not let the audit administrator act."""
    Membership.objects.create(
        user=world.audit_admin, organisation=world.yongji.department, role=Role.DEPT_STAFF
    )
    auditor = fresh(world.audit_admin)
    w = new_widget(world.yongji)
    submit = option(workflow.explain(w, auditor), "submit")
    assert [b.code for b in submit.blockers] == ["A34-NO-AUDIT-WRITE"]
    with pytest.raises(NotPermitted) as exc:
        workflow.fire(w, "submit", user=auditor)
    assert exc.value.article == "第三十四条"
    with pytest.raises(NotPermitted):
        workflow.edit(w, user=auditor, changes={"description": "改"})
    w.refresh_from_db()
    assert (w.state, w.version, w.description) == ("draft", 0, "")


# -- article 11: a guard that reads the payload ------------------------------------------------------


@pytest.mark.article(11)
def test_contract_amount_above_budget_is_refused_with_11_1(world):
    w = submitted(world.yongji, budget=Decimal("100000"))
    with pytest.raises(RuleViolation) as exc:
        workflow.fire(w, "approve", user=world.yongji.authority_user, payload={"contract_amount": 100001})
    assert exc.value.code == "TEST-BUDGET"
    assert exc.value.article == "第十一条第一款"
    assert exc.value.status == 422
    w.refresh_from_db()
    assert w.state == "submitted"
    assert Obligation.objects.for_case(w).open().count() == 1

    w = workflow.fire(w, "approve", user=world.yongji.authority_user, payload={"contract_amount": 100000})
    assert w.state == "approved"
    assert events(w)[-1].payload == {"contract_amount": 100000}


@pytest.mark.article(11)
def test_budget_guard_without_a_contract_amount_cannot_be_judged_and_passes(world):
    w = submitted(world.yongji, budget=Decimal("0"))
    assert option(workflow.explain(w, world.yongji.authority_user), "approve").allowed is True
    assert workflow.fire(w, "approve", user=world.yongji.authority_user).state == "approved"


# -- comments ------------------------------------------------------------------------------------


@pytest.mark.article(9)
def test_reject_requires_a_comment(world):
    w = submitted(world.yongji)
    reject = option(workflow.explain(w, world.yongji.authority_user), "reject")
    assert reject.comment_required is True
    assert reject.style == "danger"
    assert option(workflow.explain(w, world.yongji.authority_user), "approve").confirm
    for blank in ("", "   \n"):
        with pytest.raises(InvalidInput) as exc:
            workflow.fire(w, "reject", user=world.yongji.authority_user, comment=blank)
        assert exc.value.code == "comment_required"
        assert exc.value.status == 422
    w.refresh_from_db()
    assert w.state == "submitted"
    w = workflow.fire(w, "reject", user=world.yongji.authority_user, comment="  安全方案不完整  ")
    assert w.state == "rejected"
    assert events(w)[-1].comment == "安全方案不完整"


# -- effective dates -------------------------------------------------------------------------------


ALWAYS_FAILS = Rule(
    code="TEST-FUTURE",
    citation="第十三条第一款",
    message="将来才施行的规则",
    check=lambda case, ctx: False,
    effective=dt.date(2031, 7, 1),
)


def test_a_rule_does_not_apply_before_its_effective_date(world):
    w = new_widget(world.yongji)
    assert ALWAYS_FAILS.evaluate(w, RuleContext(today=dt.date(2031, 6, 30))) is None
    failure = ALWAYS_FAILS.evaluate(w, RuleContext(today=dt.date(2031, 7, 1)))
    assert failure == RuleFailure("TEST-FUTURE", "第十三条第一款", "将来才施行的规则")
    assert ALWAYS_FAILS.evaluate(w, RuleContext(today=dt.date(2040, 1, 1))) is not None


def test_rules_default_to_the_measures_entry_into_force(world):
    r = Rule(code="TEST-DEFAULT", citation="第三十五条", message="x", check=lambda case, ctx: "具体理由")
    assert r.effective == MEASURES_IN_FORCE == dt.date(2015, 1, 1)
    w = new_widget(world.yongji)
    assert r.evaluate(w, RuleContext(today=dt.date(2014, 12, 31))) is None
    assert r.evaluate(w, RuleContext(today=dt.date(2015, 1, 1))).message == "具体理由"


def test_a_future_guard_on_a_transition_applies_only_from_its_date(world, monkeypatch):
    submit = WORKFLOW.transitions["submit"]
    monkeypatch.setitem(
        WORKFLOW.transitions, "submit", dataclasses.replace(submit, guards=(*submit.guards, ALWAYS_FAILS))
    )
    w = new_widget(world.yongji)
    later = option(workflow.explain(w, world.yongji.dept_user, today=dt.date(2031, 7, 1)), "submit")
    assert [b.code for b in later.blockers] == ["TEST-FUTURE"]
    with pytest.raises(RuleViolation) as exc:
        workflow.fire(w, "submit", user=world.yongji.dept_user, today=dt.date(2031, 7, 1))
    assert exc.value.article == "第十三条第一款"
    w = workflow.fire(w, "submit", user=world.yongji.dept_user, today=dt.date(2031, 6, 30))
    assert w.state == "submitted"


def test_rule_outcomes_true_none_false_and_reason():
    ctx = RuleContext(today=dt.date(2024, 1, 1))
    make = lambda out: Rule("T", "第九条", "默认理由", check=lambda c, x: out)  # noqa: E731
    assert make(True).evaluate(None, ctx) is None
    assert make(None).evaluate(None, ctx) is None
    assert make(False).evaluate(None, ctx).message == "默认理由"
    assert make("另有理由").evaluate(None, ctx).message == "另有理由"
    assert make("另有理由").evaluate(None, ctx).article == 9


def test_rule_registry_refuses_a_second_rule_with_the_same_code(monkeypatch):
    monkeypatch.setattr(core_rules, "REGISTRY", dict(core_rules.REGISTRY))

    def other(case, ctx):
        return True

    with pytest.raises(ValueError):
        core_rules.rule("TEST-SECURITY-PLAN", citation="第三十一条第一款", message="x")(other)
    r = core_rules.rule("TEST-NEW-ONE", citation="第九条第二款", message="x", effective="2020-05-01")(other)
    assert r.effective == dt.date(2020, 5, 1)
    assert core_rules.REGISTRY["TEST-NEW-ONE"] is r


@pytest.mark.article(4)
@pytest.mark.parametrize("nobody", [AnonymousUser(), None], ids=["anonymous", "none"])
def test_an_anonymous_user_may_do_nothing_and_gets_a_403_not_a_crash(world, nobody):
    w = submitted(world.yongji)
    options = workflow.explain(w, nobody)
    assert {o.name for o in options} == {"approve", "reject", "inspect"}
    assert all(not o.allowed and o.blockers[0].code == "A4-AUTHORITY" for o in options)
    with pytest.raises(NotPermitted) as exc:
        workflow.fire(w, "approve", user=nobody)
    assert exc.value.status == 403
    if nobody is not None:  # user=None is the system's own edit; an anonymous visitor is refused
        with pytest.raises(NotPermitted):
            workflow.edit(w, user=nobody, changes={"description": "匿名修改"})
    w.refresh_from_db()
    assert (w.state, w.description) == ("submitted", "")


# -- actor rules have no commencement date ------------------------------------------------------------


@pytest.mark.article(4)
def test_article_4_actor_rules_refuse_an_unauthorised_user_before_any_effective_date(world):
    """Who may act is not a substantive rule with a commencement date: on a day before the measures'
    (and the actor rules' nominal) effective date an outsider is still refused, while a substantive
    guard with that date is still skipped."""
    before = dt.date(2014, 12, 31)
    assert before < core_rules.acts_as_competent_authority.effective == MEASURES_IN_FORCE
    w = submitted(world.yongji)
    for outsider in (world.jiaohe.authority_user, world.yongji.dept_user, AnonymousUser()):
        approve = option(workflow.explain(w, outsider, today=before), "approve")
        assert not approve.allowed and [b.code for b in approve.blockers] == ["A4-AUTHORITY"]
        with pytest.raises(NotPermitted) as exc:
            workflow.fire(w, "approve", user=outsider, today=before)
        assert (exc.value.status, exc.value.article) == (403, "第四条第二款")
    with pytest.raises(NotPermitted) as exc:  # 三员分立 holds on any day too
        workflow.fire(new_widget(world.yongji), "submit", user=world.audit_admin, today=before)
    assert exc.value.code == "A34-NO-AUDIT-WRITE"
    w.refresh_from_db()
    assert (w.state, w.version) == ("submitted", 1)
    # the substantive budget guard (effective 2015-01-01) does not apply yet on that day
    w = workflow.fire(
        w, "approve", user=world.yongji.authority_user, payload={"contract_amount": 10**9}, today=before
    )
    assert w.state == "approved"


@pytest.mark.article(4)
def test_article_4_every_registered_actor_rule_is_judged_on_any_day():
    actor_rules = [r for r in core_rules.REGISTRY.values() if r.is_actor]
    codes = {r.code for r in actor_rules}
    assert {"A4-AUTHORITY", "A4-OWNER", "A4-GOVERNMENT", "A9-1-GOVERNMENT", "A34-NO-AUDIT-WRITE"} <= codes
    assert {"A5-1-APPROVER", "A7-CITY-AUTHORITY"} <= codes  # planning's article-specific actor rules
    long_ago = RuleContext(today=dt.date(1990, 1, 1))
    for r in actor_rules:
        refusing = dataclasses.replace(r, check=lambda case, ctx: False)
        assert refusing.evaluate(None, long_ago) == RuleFailure(r.code, r.citation, r.message, actor=True), (
            r.code
        )
    substantive = dataclasses.replace(core_rules.REGISTRY["A13-1-ACCEPTED"], check=lambda case, ctx: False)
    assert substantive.evaluate(None, long_ago) is None


@pytest.mark.article(4)
def test_article_4_an_actor_rule_cannot_be_given_a_commencement_date(monkeypatch):
    monkeypatch.setattr(core_rules, "REGISTRY", dict(core_rules.REGISTRY))
    for code, actor in (("A4-TEST-LATER", None), ("A9-1-TEST-LATER", True)):
        with pytest.raises(ValueError):
            core_rules.rule(code, citation="第四条第一款", message="x", effective="2031-07-01", actor=actor)(
                lambda case, ctx: True
            )
        with pytest.raises(ValueError):
            Rule(
                code,
                "第四条第一款",
                "x",
                check=lambda case, ctx: True,
                effective=dt.date(2031, 7, 1),
                actor=actor,
            )
        assert code not in core_rules.REGISTRY


@pytest.mark.article(4)
def test_article_4_government_approves_for_its_own_level_only(world):
    """本级人民政府: A4-GOVERNMENT no longer lets a higher government approve in a county's place."""
    w = submitted(world.yongji)
    judge = core_rules.acts_as_government.evaluate
    assert judge(w, RuleContext(user=fresh(world.yongji.approver))) is None
    for other in (world.city.approver, world.jiaohe.approver, world.yongji.authority_user, world.audit_admin):
        failure = judge(w, RuleContext(user=fresh(other)))
        assert failure is not None and failure.citation == "第四条第二款", other.username
    city_case = submitted(world.city)
    assert judge(city_case, RuleContext(user=fresh(world.city.approver))) is None
    assert judge(city_case, RuleContext(user=fresh(world.yongji.approver))) is not None
