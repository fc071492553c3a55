"""第十二条: mandatory standards are declared and tested; they cannot be waived."""

import pytest

from infogov.core.errors import InvalidInput, RuleViolation
from infogov.projects import services

pytestmark = [pytest.mark.django_db, pytest.mark.article(12)]


def test_review_refused_when_mandatory_standard_not_declared(walker):
    p = walker.findings(walker.include(walker.submit(walker.create(standards=["GB 17859-1999"]))))
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.article == "第十二条" and "GB 18030-2022" in exc.value.message


def test_test_report_must_cover_declared_mandatory_standards(walker):
    p = walker.procure(walker.to_reviewed())
    p = walker.fire(walker.fire(p, "start_construction"), "complete")
    with pytest.raises(RuleViolation) as exc:
        walker.fire(
            p, "record_test", payload={"tester": "测评中心", "passed": True, "standards": ["GB 17859-1999"]}
        )
    assert exc.value.article == "第十二条"


def test_unknown_standard_is_refused(walker):
    p = walker.create(standards=[])
    with pytest.raises(InvalidInput):
        services.project_update(project=p, user=walker.owner, changes={}, standards=["GB 99999-2099"])
    p = services.project_update(project=p, user=walker.owner, changes={}, standards=["GB 17859-1999"])
    assert list(p.standards.values_list("code", flat=True)) == ["GB 17859-1999"]
