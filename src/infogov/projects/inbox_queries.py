"""The projects rules said as queries, for the inbox (我的待办, core/workflow/inbox.py).

Each function returns the Q of the cases on which the rule passes for `user` — what the rule's check
answers case by case (tests/core/test_inbox.py compares them through explain()). Loaded by the inbox
(core.workflow.inbox.load_queries)."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.lookups import IsNull

from infogov.core.workflow.rules import NOTHING, government_jurisdictions_of, scope_of_user, user_memo
from infogov.org.choices import JurisdictionKind
from infogov.org.models import Jurisdiction

from . import rules as r
from .choices import FundingKind, PlanState, ReviewOpinion

FILING_KINDS = (JurisdictionKind.CITY, JurisdictionKind.COUNTY, JurisdictionKind.COUNTY_CITY)


def filed_with_user(user: Any) -> list[int]:
    """The jurisdictions whose projects file with the user's own authority (第十条: the nearest city or
    county(-level city) at or above the project's jurisdiction, rules.filing_jurisdiction)."""
    scope = scope_of_user(user)
    own = scope.own_authority_jurisdictions
    if not own:
        return []
    return user_memo(user, "filed-with", lambda: _filed_with(own, scope.authority_jurisdictions))


def _filed_with(own: frozenset[int], seen: frozenset[int]) -> list[int]:
    rows = list(Jurisdiction.objects.filter(pk__in=seen).values_list("id", "path", "kind"))
    filing = {path: pk for pk, path, kind in rows if kind in FILING_KINDS}
    found = []
    for pk, path, _ in rows:
        # the nearest filing-kind jurisdiction at or above it (the longest such prefix of its path)
        prefixes = [p for p in filing if path.startswith(p)]
        if prefixes and filing[max(prefixes, key=len)] in own:
            found.append(pk)
    return found


@r.acts_as_filing_authority.as_query
def _filing_authority(user: Any, model: Any) -> Q:
    ids = filed_with_user(user)
    return Q(jurisdiction_id__in=ids) if ids else NOTHING


@r.acts_as_plan_government.as_query
def _plan_government(user: Any, model: Any) -> Q:
    gov = government_jurisdictions_of(user)
    return Q(jurisdiction_id__in=gov) if gov else NOTHING


@r.is_fiscal_project.as_query
def _fiscal(user: Any, model: Any) -> Q:
    return Q(funding_kind=FundingKind.FISCAL)


@r.is_non_fiscal_project.as_query
def _non_fiscal(user: Any, model: Any) -> Q:
    return ~Q(funding_kind=FundingKind.FISCAL)


# The rules on a project's one-to-one records say themselves as a probe of the record's unique index,
# not as a join: a LEFT JOIN of the review or filing table makes PostgreSQL hash the whole table for
# every inbox query (74,000 reviews, 44,000 filings on the province's data). The filing's two rules are
# a scalar subquery (… LIMIT 1) IS [NOT] NULL rather than EXISTS, which PostgreSQL may still turn into
# a hash of the whole table when it overestimates the rows it filters.


def _probe(qs: Any, *, found: bool) -> Q:
    """The case has (found) or has not a row of `qs` (correlated on the case): one index probe per case."""
    return Q(IsNull(Subquery(qs.order_by().values("pk")[:1]), not found))


@r.review_passed.as_query
def _review_passed(user: Any, model: Any) -> Q:
    from .models import ProjectReview

    passed = ProjectReview.objects.filter(
        project=OuterRef("pk"), opinion__in=(ReviewOpinion.PASS, ReviewOpinion.CONDITIONAL)
    )
    return _probe(passed, found=True)


@r.acceptance_filed.as_query
def _filed(user: Any, model: Any) -> Q:
    from .models import AcceptanceFiling

    return _probe(AcceptanceFiling.objects.filter(project=OuterRef("pk")), found=True)


@r.acceptance_not_received.as_query
def _not_received(user: Any, model: Any) -> Q:
    from .models import AcceptanceFiling

    received = AcceptanceFiling.objects.filter(project=OuterRef("pk"), received_at__isnull=False)
    return _probe(received, found=False)


@r.plan_approved.as_query
def _plan_approved(user: Any, model: Any) -> Q:
    """A probe of the plan's primary key, not a join: a join of the plans makes PostgreSQL judge every
    step's conditions twice per case (once on the case's row, again after the join)."""
    from .models import AnnualConstructionPlan

    approved = AnnualConstructionPlan.objects.filter(pk=OuterRef("annual_plan_id"), state=PlanState.APPROVED)
    return _probe(approved, found=True)


@r.plan_has_projects.as_query
def _plan_has_projects(user: Any, model: Any) -> Q:
    from .models import Project

    return Q(Exists(Project.objects.filter(annual_plan=OuterRef("pk"))))
