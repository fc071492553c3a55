"""Issue #3, acceptance: every guard and every actor rule of the plan procedure refuses its step with
its article; a city, a district and a department plan walk the whole procedure; a change request
re-runs it, and the old version stays in force until the new one enters into force (第五条、第六条)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import F

from infogov.core.errors import DomainError, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow import engine as wf
from infogov.core.workflow.rules import REGISTRY
from infogov.org.choices import Role
from infogov.org.models import Membership
from infogov.planning import services
from infogov.planning.choices import PlanLevel, PlanState
from infogov.planning.models import Plan, PlanVersion
from infogov.planning.workflows import WORKFLOW

pytestmark = [pytest.mark.django_db, pytest.mark.article(5, 6)]

# -- bringing a version to a stage ------------------------------------------------------------------


def _land(pw, level: str):
    return pw.world.yongji if level == PlanLevel.LOCAL else pw.world.city


def draft(pw, level: str) -> PlanVersion:
    if level != PlanLevel.CITY:
        pw.city_plan_in_force()
    return pw.draft(level, _land(pw, level))


def consulting(pw, level: str) -> PlanVersion:
    return pw.open_consultation(draft(pw, level))


def closed(pw, level: str) -> PlanVersion:
    return pw.close_consultation(consulting(pw, level))


def reviewed(pw, level: str, conclusions=("pass", "pass", "conditional")) -> PlanVersion:
    return pw.review(closed(pw, level), conclusions)


def submitted(pw, level: str) -> PlanVersion:
    return pw.submit(reviewed(pw, level))


def approved(pw, level: str) -> PlanVersion:
    return pw.approve(submitted(pw, level))


def published(pw, level: str) -> PlanVersion:
    v = approved(pw, level)
    return wf.fire(v, "publish", user=pw.owner_user(v))


def without_basis(v: PlanVersion) -> PlanVersion:
    """As if the plan had been registered without its basis (the plan row of a draft is writable)."""
    Plan.objects.filter(pk=v.plan_id).update(parent=None, parent_reference="")
    return PlanVersion.objects.get(pk=v.pk)


def change_draft(pw) -> PlanVersion:
    old = pw.city_plan_in_force()
    return services.plan_change_request(
        version=old, user=pw.owner_user(old), reason="上级规划调整（特殊情况）"
    )


def reason_dropped(v: PlanVersion) -> PlanVersion:
    PlanVersion.objects.filter(pk=v.pk).update(change_reason="")
    return PlanVersion.objects.get(pk=v.pk)


# A scenario: (transition, rule code) → a function of the PlanWorld returning (version, user, fire kwargs)
# where exactly that rule refuses the step.
Scenario = Callable[[Any], tuple[PlanVersion, Any, dict[str, Any]]]


def _owner(pw, v: PlanVersion, **kw: Any) -> tuple[PlanVersion, Any, dict[str, Any]]:
    return v, pw.owner_user(v), kw


def _after(pw, v: PlanVersion) -> dict[str, Any]:
    return {"today": pw.after_window(v)}


def _window(days: int) -> dict[str, Any]:
    import datetime as dt

    today = dt.date.today()
    return {"payload": {"start": today.isoformat(), "end": (today + dt.timedelta(days=days)).isoformat()}}


def _no_tasks(pw) -> PlanVersion:
    v = draft(pw, PlanLevel.CITY)
    for t in list(v.tasks.all()):
        services.task_remove(task=t, user=pw.owner_user(v))
    return PlanVersion.objects.get(pk=v.pk)


def _change_in_review(pw) -> PlanVersion:
    v = change_draft(pw)
    v = pw.review(pw.close_consultation(pw.open_consultation(v)))
    return reason_dropped(v)


def _unanswered(pw) -> PlanVersion:
    v = consulting(pw, PlanLevel.CITY)
    services.comment_submit(version=v, body="请补充网络安全方面的任务。")
    return pw.review(pw.close_consultation(v))


def _insider(pw) -> PlanVersion:
    v = reviewed(pw, PlanLevel.CITY)
    Membership.objects.create(user=pw.experts[0], organisation=v.owner, role=Role.AUTHORITY_STAFF)
    return v


SCENARIOS: dict[tuple[str, str], Scenario] = {
    # 发布征求意见
    ("open_consultation", "A4-OWNER"): lambda pw: (draft(pw, "city"), pw.world.city.dept_user, _window(10)),
    ("open_consultation", "A5-1-BASIS"): lambda pw: _owner(
        pw, without_basis(draft(pw, "city")), **_window(10)
    ),
    ("open_consultation", "A5-2-BASIS"): lambda pw: _owner(
        pw, without_basis(draft(pw, "local")), **_window(10)
    ),
    ("open_consultation", "A5-3-BASIS"): lambda pw: _owner(
        pw, without_basis(draft(pw, "special")), **_window(10)
    ),
    ("open_consultation", "A6-1-CONTENT"): lambda pw: _owner(pw, _no_tasks(pw), **_window(10)),
    ("open_consultation", "A6-2-REASON"): lambda pw: _owner(
        pw, reason_dropped(change_draft(pw)), **_window(10)
    ),
    ("open_consultation", "A6-1-WINDOW"): lambda pw: _owner(pw, draft(pw, "city"), **_window(3)),
    # 结束征求意见
    ("close_consultation", "A6-1-WINDOW-ENDED"): lambda pw: _owner(pw, consulting(pw, "city")),
    # 报请批准
    ("submit", "A5-1-BASIS"): lambda pw: _owner(
        pw, v := without_basis(reviewed(pw, "city")), **_after(pw, v)
    ),
    ("submit", "A5-2-BASIS"): lambda pw: _owner(
        pw, v := without_basis(reviewed(pw, "local")), **_after(pw, v)
    ),
    ("submit", "A5-3-BASIS"): lambda pw: _owner(
        pw, v := without_basis(reviewed(pw, "special")), **_after(pw, v)
    ),
    ("submit", "A6-2-REASON"): lambda pw: _owner(pw, v := _change_in_review(pw), **_after(pw, v)),
    ("submit", "A6-1-CONSULTED"): lambda pw: _owner(pw, v := _unanswered(pw), **_after(pw, v)),
    ("submit", "A6-1-EXPERT-COUNT"): lambda pw: _owner(
        pw, v := reviewed(pw, "city", ("pass", "pass")), **_after(pw, v)
    ),
    ("submit", "A6-1-EXPERT-INDEPENDENT"): lambda pw: _owner(pw, v := _insider(pw), **_after(pw, v)),
    ("submit", "A6-1-EXPERT-MAJORITY"): lambda pw: _owner(
        pw, v := reviewed(pw, "city", ("pass", "fail", "fail")), **_after(pw, v)
    ),
    # 批准 / 退回
    ("approve", "A5-3-SIGNOFF"): lambda pw: _owner(pw, submitted(pw, "special"), payload={"document": "x"}),
    ("approve", "A5-1-APPROVER"): lambda pw: (submitted(pw, "city"), pw.world.yongji.approver, {}),
    ("approve", "A5-2-APPROVER"): lambda pw: (submitted(pw, "local"), pw.world.city.approver, {}),
    ("approve", "A5-3-APPROVER"): lambda pw: (
        submitted(pw, "special"),
        pw.world.city.approver,
        {"payload": {"leader_signoff": "局长签发"}},
    ),
    ("return", "A5-1-APPROVER"): lambda pw: (submitted(pw, "city"), pw.world.city.leader, {}),
    ("return", "A5-2-APPROVER"): lambda pw: (submitted(pw, "local"), pw.world.jiaohe.approver, {}),
    ("return", "A5-3-APPROVER"): lambda pw: (submitted(pw, "special"), pw.world.yongji.dept_user, {}),
    # 公布
    ("publish", "A5-3-NOT-PUBLISHED"): lambda pw: _owner(pw, approved(pw, "special")),
    # 备案
    ("file", "A5-1-NO-FILING"): lambda pw: (approved(pw, "city"), pw.world.city.authority_user, {}),
    ("file", "A5-2-PUBLISH-FIRST"): lambda pw: (approved(pw, "local"), pw.world.city.authority_user, {}),
    ("file", "A5-2-FILING"): lambda pw: (published(pw, "local"), pw.world.yongji.authority_user, {}),
    ("file", "A5-3-FILING"): lambda pw: (approved(pw, "special"), pw.world.yongji.authority_user, {}),
    # 施行
    ("enact", "A5-1-PUBLISHED"): lambda pw: _owner(pw, approved(pw, "city")),
    ("enact", "A5-2-FILED"): lambda pw: _owner(pw, published(pw, "local")),
    ("enact", "A5-3-FILED"): lambda pw: _owner(pw, approved(pw, "special")),
    # 替代
    ("supersede", "A6-2-SUPERSEDE"): lambda pw: _owner(pw, pw.city_plan_in_force()),
}


# Rules on the step's own input (its typed payload): before the input is given, explain() cannot judge
# them — the step is offered with its form, and the rule refuses what is sent (A6-1-WINDOW: the
# consultation dates of 发布征求意见; A5-3-SIGNOFF: the department head's sign-off typed when approving).
ON_THE_STEPS_INPUT = frozenset({"A6-1-WINDOW", "A5-3-SIGNOFF"})


def test_every_guard_and_actor_rule_of_the_procedure_has_a_refusal_scenario():
    """The table below is complete: adding a guard to WORKFLOW without a refusal test fails here."""
    expected = set()
    for t in WORKFLOW.transitions.values():
        expected |= {(t.name, r.code) for r in t.guards}
        expected |= {(t.name, r.code) for r in t.by if r.is_actor and not r.code.startswith("A4-")}
    assert expected <= set(SCENARIOS), sorted(expected - set(SCENARIOS))


@pytest.mark.parametrize(("transition", "code"), list(SCENARIOS), ids=[f"{t}-{c}" for t, c in SCENARIOS])
def test_each_guard_refuses_its_step_citing_the_article(pw, transition, code):
    v, user, kwargs = SCENARIOS[(transition, code)](pw)
    v = PlanVersion.objects.get(pk=v.pk)
    before = (v.state, v.version)
    kwargs.setdefault("comment", "理由")
    expected = NotPermitted if REGISTRY[code].is_actor else RuleViolation
    with pytest.raises(expected) as exc:
        wf.fire(v, transition, user=user, **kwargs)
    rule = REGISTRY[code]
    assert exc.value.code == code  # the first (here: the only) reason given
    assert exc.value.article == rule.citation and exc.value.article.startswith("第")
    assert exc.value.as_body()["article"] == rule.citation  # what the API and the pages show
    v.refresh_from_db()
    assert (v.state, v.version) == before  # refused: nothing moved
    option = next(o for o in wf.explain(v, user, today=kwargs.get("today")) if o.name == transition)
    if code in ON_THE_STEPS_INPUT:  # the page shows the step's form: the input is judged when it is sent
        assert option.allowed
    else:  # the page's button for that step is greyed with the same reason
        assert not option.allowed and code in {b.code for b in option.blockers}


def _steps(v: PlanVersion) -> list[tuple[str, str]]:
    """The state changes in the version's docket, in order, with their articles."""
    return list(
        DocketEvent.objects.for_case(v)
        .exclude(from_state=F("to_state"))
        .order_by("seq")
        .values_list("action", "citation")
    )


def test_three_levels_walk_the_procedure_and_a_local_change_reruns_it(pw):
    w = pw.world
    city = pw.to_in_force(pw.draft(PlanLevel.CITY))
    district = pw.to_in_force(pw.draft(PlanLevel.LOCAL, w.yongji))
    special = pw.to_in_force(pw.draft(PlanLevel.SPECIAL, w.city))
    assert [a for a, _ in _steps(city)] == [
        "create",
        "open_consultation",
        "close_consultation",
        "submit",
        "approve",
        "publish",
        "enact",
    ]
    assert [a for a, _ in _steps(district)] == [
        "create",
        "open_consultation",
        "close_consultation",
        "submit",
        "approve",
        "publish",
        "file",
        "enact",
    ]
    assert [a for a, _ in _steps(special)] == [
        "create",
        "open_consultation",
        "close_consultation",
        "submit",
        "approve",
        "file",
        "enact",
    ]
    assert (city.approval_body, district.approval_body, special.approval_body) == (
        w.city.government,
        w.yongji.government,
        w.city.department,
    )
    assert (city.filed_with, district.filed_with, special.filed_with) == (
        None,
        w.city.authority,
        w.city.authority,
    )

    # 第六条第二款: the district plan changes — a new version with its reason, the whole procedure again
    owner = pw.owner_user(district)
    new = services.plan_change_request(version=district, user=owner, reason="县域行政区划调整（特殊情况）")
    assert new.state == PlanState.DRAFT and new.supersedes == district and new.number == 2
    new = pw.submit(pw.review(pw.close_consultation(pw.open_consultation(new))))
    assert Obligation.objects.for_case(new).open().get(code="plan-approval").owed_by == w.yongji.government
    new = pw.approve(new)
    new = wf.fire(new, "publish", user=owner)
    # approved and published, not yet filed: it cannot enter into force, so the old version stays in force
    district.refresh_from_db()
    assert district.state == PlanState.IN_FORCE
    with pytest.raises(RuleViolation) as exc:
        wf.fire(new, "enact", user=owner)
    assert (exc.value.code, exc.value.article) == ("A5-2-FILED", "第五条第二款")
    new = wf.fire(new, "file", user=w.city.authority_user, payload={"filing_number": "备-2027-002"})
    district.refresh_from_db()
    assert district.state == PlanState.IN_FORCE  # filed, still not in force: no gap, no overlap
    new = wf.fire(new, "enact", user=owner)
    district.refresh_from_db()
    assert new.state == PlanState.IN_FORCE and district.state == PlanState.SUPERSEDED
    assert district.superseded_at >= new.in_force_at
    assert [a for a, _ in _steps(new)] == [a for a, _ in _steps(district)][:-1]  # the same procedure again
    assert _steps(district)[-1] == ("supersede", "第六条第二款")
    # exactly one version of the plan is in force at every moment; the old one owes no more reports
    assert district.plan.versions.filter(state=PlanState.IN_FORCE).get() == new
    assert not Obligation.objects.for_case(district).open().filter(code__startswith="plan-execution").exists()
    assert Obligation.objects.for_case(new).open().filter(code__startswith="plan-execution").exists()


def test_a_refused_step_is_a_4xx_with_the_article_through_the_api(pw):
    from django.test import Client

    v = published(pw, PlanLevel.LOCAL)
    c = Client()
    c.force_login(pw.owner_user(v))
    r = c.post(f"/api/plans/{v.pk}/transitions/enact", {}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["code"] == "A5-2-FILED" and r.json()["article"] == "第五条第二款"
    r = c.post(f"/api/plans/{v.pk}/transitions/file", {"payload": {}}, content_type="application/json")
    assert r.status_code == 403 and r.json()["article"] == "第五条第二款"


def test_scenarios_do_not_fail_for_another_reason(pw):
    """Sanity check of the table: the same stage with the missing piece supplied goes through."""
    v = published(pw, PlanLevel.LOCAL)
    v = wf.fire(v, "file", user=pw.world.city.authority_user)
    assert wf.fire(v, "enact", user=pw.owner_user(v)).state == PlanState.IN_FORCE
    with pytest.raises(DomainError):
        wf.fire(PlanVersion.objects.get(pk=v.pk), "enact", user=pw.owner_user(v))
