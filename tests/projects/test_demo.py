"""The demo: projects in every state across several jurisdictions, planted near-duplicates found,
an overdue acceptance; idempotent."""

import io

import pytest

from infogov.core import demo as core_demo
from infogov.core.models import DocketEvent, Obligation
from infogov.org.selectors import government_of
from infogov.projects import demo
from infogov.projects.choices import ProjectState
from infogov.projects.demo_data import PROJECTS
from infogov.projects.models import AnnualConstructionPlan, Project, SimilarityHit

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def test_demo_covers_every_state_finds_planted_duplicates_and_is_idempotent():
    core_demo.seed(io.StringIO())
    out = io.StringIO()
    demo.seed(out)
    states = set(Project.objects.values_list("state", flat=True))
    assert states == {s.value for s in ProjectState}
    assert Project.objects.values("jurisdiction").distinct().count() >= 3
    by_key = {s["key"]: Project.objects.get(title=s["title"]) for s in PROJECTS}
    # every planted duplicate submitted after its twin carries a hit pointing into its group
    for spec in PROJECTS:
        p = by_key[spec["key"]]
        if not spec["dup"] or p.state == "draft":
            continue
        group = {by_key[s["key"]].pk for s in PROJECTS if s["dup"] == spec["dup"] and s["key"] != spec["key"]}
        hits = SimilarityHit.objects.filter(project=p)
        earlier = [pk for pk in group if pk < p.pk and by_key_state(pk) != "draft"]
        if earlier or spec["dup"] in {"health", "video", "citymgmt"}:
            assert hits.exists(), spec["key"]
            assert all(h.other_project_id in group or h.other_system_id for h in hits), spec["key"]
    # 第九条第一款: each annual plan was approved by its own government's demo user (yongji_gov, …)
    for plan in AnnualConstructionPlan.objects.select_related("jurisdiction"):
        [approval] = DocketEvent.objects.for_case(plan).filter(action="approve_plan").select_related("actor")
        assert approval.actor.username == demo.GOVERNMENT_OF[plan.jurisdiction.name], plan.jurisdiction.name
        assert approval.organisation_id == government_of(plan.jurisdiction).pk
    assert AnnualConstructionPlan.objects.filter(state="approved").count() == 3
    overdue = Obligation.objects.overdue().filter(code="acceptance-apply")
    assert overdue.filter(case_id=by_key["city-video-network"].pk).exists()
    count = Project.objects.count()
    demo.seed(io.StringIO())
    assert Project.objects.count() == count


def by_key_state(pk):
    return Project.objects.get(pk=pk).state
