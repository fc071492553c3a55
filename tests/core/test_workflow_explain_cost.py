"""explain() on the project workflows: a rule that several transitions share (the actor rules, the
plan's approval, the four review dimensions) is evaluated once per call, with the answers that
evaluating each transition's rules alone gives — and fewer queries."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from infogov.core.workflow import engine as workflow
from infogov.core.workflow.permissions import scope_of
from infogov.core.workflow.rules import Rule, RuleContext
from infogov.projects import services
from infogov.projects.models import AnnualConstructionPlan, Project
from tests.conftest import fresh
from tests.projects.conftest import Walker, standards_catalogue  # noqa: F401 — the catalogue the rules read

pytestmark = pytest.mark.django_db


def warm(user):
    user = fresh(user)
    _ = user.role_set, scope_of(user)
    return user


def load(model, pk):
    """The case as the detail page holds it."""
    return model.objects.select_related("jurisdiction", "owner").get(pk=pk)


def explain_counted(model, pk, user, monkeypatch):
    evaluated: Counter[str] = Counter()
    real = Rule.evaluate

    def counting(rule, case, ctx):
        evaluated[rule.code] += 1
        return real(rule, case, ctx)

    case = load(model, pk)
    with monkeypatch.context() as m:
        m.setattr(Rule, "evaluate", counting)
        with CaptureQueriesContext(connection) as queries:
            options = workflow.explain(case, user)
    return options, evaluated, len(queries.captured_queries)


def each_alone(model, pk, user):
    """What evaluating each transition's rules on its own gives, and the queries that costs."""
    case = load(model, pk)
    wf = workflow.workflow_for(model)
    with CaptureQueriesContext(connection) as queries:
        verdicts = {
            t.name: workflow._check(t, case, RuleContext(user=user, transition=t.name))
            for t in wf.from_state(case.state)
        }
    return verdicts, len(queries.captured_queries)


@pytest.fixture
def busy(world):
    """A project being reviewed (three transitions share the plan and review rules) and an annual plan
    before its government (approve and return share the 本级 approver rule)."""
    wk = Walker(world, world.yongji)
    project = wk.findings(wk.include(wk.submit(wk.create(title="计划项目", year=2027))))
    plan = services.plan_create(user=wk.authority, jurisdiction=world.yongji.jurisdiction, year=2028)
    services.project_include_in_plan(
        project=wk.submit(wk.create(title="计划内项目", year=2028)), user=wk.authority, plan=plan
    )
    plan = services.plan_fire(
        plan=AnnualConstructionPlan.objects.get(pk=plan.pk), user=wk.authority, name="submit_plan"
    )
    return {
        "planned": (Project, project.pk, warm(world.yongji.authority_user)),
        "plan_submitted": (AnnualConstructionPlan, plan.pk, warm(world.yongji.approver)),
    }


@pytest.mark.parametrize("which", ["planned", "plan_submitted"])
def test_explain_evaluates_each_rule_once_and_answers_as_each_alone(busy, which, monkeypatch):
    model, pk, user = busy[which]
    options, evaluated, queries = explain_counted(model, pk, user, monkeypatch)
    repeated = {code: n for code, n in evaluated.items() if n > 1}
    assert not repeated, repeated
    alone, alone_queries = each_alone(model, pk, user)
    assert {o.name: o.blockers for o in options} == alone
    assert len(options) >= 2 and any(o.allowed for o in options)
    assert queries < alone_queries, (queries, alone_queries)  # the shared rules' queries run once
