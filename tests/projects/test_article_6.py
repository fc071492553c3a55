"""第六条 (with 第九条第二款 信息资源共享): duplicate construction is detected and must be answered."""

import pytest

from infogov.core.errors import RuleViolation
from infogov.projects import services, similarity
from infogov.projects.demo_data import PROJECTS, SYSTEMS
from infogov.projects.models import Project
from infogov.security.models import InformationSystem

pytestmark = [pytest.mark.django_db, pytest.mark.article(6)]


def test_labelled_set_precision_and_recall_reported_for_the_measure_and_the_one_before():
    result = similarity.evaluate_on_labelled_set()
    assert set(result) == {"fused", "baseline"}
    for m in result.values():
        assert 0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1
    best = result[similarity.DEFAULT_METHOD]
    assert best["recall"] >= 0.8 and best["precision"] >= 0.8
    # a threshold above every score finds nothing: the measure is not a constant
    assert similarity.evaluate_on_labelled_set(1.01)["fused"]["recall"] == 0.0


def test_planted_near_duplicate_is_found_on_submission_and_must_be_acknowledged(walker, world):
    sys_ = next(s for s in SYSTEMS if s["dup"] == "health")
    InformationSystem.objects.create(
        title=sys_["name"],
        purpose=sys_["description"],
        owner=world.city.department,
        jurisdiction=world.city.jurisdiction,
        level=3,
    )
    spec = next(p for p in PROJECTS if p["key"] == "yongji-health-info")
    unrelated = walker.submit(
        walker.create(
            title="永吉县智慧养老服务平台", content="建设智慧养老服务平台，提供紧急呼叫、助餐助医。"
        )
    )
    assert not unrelated.similar_hits.exists()
    p = walker.submit(walker.create(title=spec["title"], content=spec["content"], systems=spec["systems"]))
    hits = list(p.similar_hits.all())
    assert hits and hits[0].other_system_id is not None and hits[0].other_system_title == sys_["name"]
    assert hits[0].score >= similarity.THRESHOLDS[similarity.DEFAULT_METHOD]
    p = walker.include(p)
    for dim in ("layout", "standards", "security"):
        services.review_finding_record(
            project=p, user=walker.authority, dimension=dim, conclusion="meets", text="符合"
        )
    services.review_finding_record(
        project=p, user=walker.authority, dimension="sharing", conclusion="meets", text="已核对"
    )  # does not answer the hit
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.article == "第九条第二款"
    services.review_finding_record(
        project=p,
        user=walker.authority,
        dimension="sharing",
        conclusion="conditions",
        text="与市全民健康信息平台功能重叠，应复用市平台",
        acknowledged_hits=[hits[0].pk],
    )
    p = walker.review(Project.objects.get(pk=p.pk), conditions=["改为接入市全民健康信息平台，不重复建设"])
    assert p.state == "reviewed"


def test_projects_in_other_counties_are_not_compared(walker, jiaohe_walker):
    spec = next(p for p in PROJECTS if p["key"] == "yongji-health-info")
    jiaohe_walker.submit(jiaohe_walker.create(title="蛟河市区域全民健康信息平台", content=spec["content"]))
    p = walker.submit(walker.create(title=spec["title"], content=spec["content"]))
    assert not p.similar_hits.exists()
