"""第三条: fiscal projects name the budget (and special fund) that pays for them."""

import pytest

from infogov.core.errors import RuleViolation
from infogov.projects import services

pytestmark = [pytest.mark.django_db, pytest.mark.article(3)]


def test_fiscal_proposal_without_budget_source_is_refused(walker):
    p = walker.create(budget_source="")
    with pytest.raises(RuleViolation) as exc:
        walker.submit(p)
    assert exc.value.article == "第三条"


def test_non_fiscal_filing_needs_funding_source(walker):
    p = services.project_create(
        user=walker.owner,
        **{
            **__import__("tests.projects.conftest", fromlist=["fiscal_fields"]).fiscal_fields(
                funding_kind="non_fiscal", category="infrastructure", budget_source=""
            ),
            "procedures_completed": "已取得施工许可",
        },
    )
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "submit_filing")
    assert exc.value.article == "第三条"


def test_budget_is_an_exact_decimal(walker):
    p = walker.create(budget="1234567.89")
    p.refresh_from_db()
    assert str(p.budget) == "1234567.89"
