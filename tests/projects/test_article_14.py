"""第十四条: funds, progress, supervision with DRC, finance and audit; risk rating."""

import datetime as dt

import pytest

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent, Obligation
from infogov.core.workflow.engine import explain
from infogov.projects import risk, selectors, services
from infogov.projects.models import Project
from tests.conftest import fresh

pytestmark = [pytest.mark.django_db, pytest.mark.article(14)]


@pytest.fixture
def building(walker):
    p = walker.procure(walker.to_reviewed(), amount="800000.00")
    return walker.fire(p, "start_construction")


def test_disbursements_cannot_exceed_the_contract(walker, building):
    services.disbursement_record(project=building, user=walker.owner, amount="500000.00", purpose="进度款")
    with pytest.raises(RuleViolation) as exc:
        services.disbursement_record(project=building, user=walker.owner, amount="300000.01", purpose="尾款")
    assert exc.value.article == "第十四条"
    assert building.disbursed_total() == 500000


def test_no_disbursement_before_construction(walker):
    p = walker.to_reviewed()
    with pytest.raises(RuleViolation) as exc:
        services.disbursement_record(project=p, user=walker.owner, amount="1.00", purpose="预付")
    assert exc.value.article == "第十四条"


def test_inspection_with_cosupervisors_opens_rectification_duties(walker, world, building):
    due = dt.date.today() - dt.timedelta(days=1)
    insp = services.inspection_open(
        project=building,
        user=walker.authority,
        cosupervisors=[world.yongji.finance],
        summary="资金使用检查",
        findings=[{"text": "合同变更未报批", "due_date": due.isoformat()}],
    )
    finding = insp.findings.get()
    duty = Obligation.objects.for_case(building).get(code=finding.obligation_code)
    assert duty.owed_by == world.yongji.department and duty.is_overdue()
    assert duty in selectors.overdue_obligations(walker.authority)
    services.finding_rectify(finding=finding, user=walker.owner, rectification="已补办变更审批")
    duty.refresh_from_db()
    assert duty.fulfilled_at is not None


def test_only_cosupervising_departments_join_and_only_authority_opens(walker, world, building):
    with pytest.raises(RuleViolation) as exc:
        services.inspection_open(
            project=building, user=walker.authority, cosupervisors=[world.yongji.department]
        )
    assert (exc.value.code, exc.value.article) == ("A14-COSUPERVISORS", "第十四条")
    with pytest.raises(NotPermitted):
        services.inspection_open(project=building, user=fresh(world.yongji.finance_user))


def test_cosupervisors_read_fiscal_projects_of_their_jurisdiction_only(walker, world, building):
    finance = fresh(world.yongji.finance_user)
    assert building in selectors.project_list(finance)
    assert not selectors.project_list(fresh(world.jiaohe.finance_user)).filter(pk=building.pk).exists()
    assert all(not o.allowed for o in explain(building, finance))
    with pytest.raises(NotPermitted):
        services.disbursement_record(project=building, user=finance, amount="1.00", purpose="x")


def test_risk_rating_factors_and_override_is_docketed(walker, world, building):
    services.disbursement_record(project=building, user=walker.owner, amount="700000.00", purpose="进度款")
    services.progress_report(project=building, user=walker.owner, percent=10)
    rating = risk.rate(building, today=dt.date(2026, 11, 1))
    codes = {f.code: f.points for f in rating.factors}
    assert codes["spend"] > 0 and codes["schedule"] > 0 and rating.computed >= 3
    low = walker.procure(walker.to_reviewed(title="另一个项目", year=2027), amount="100000.00")
    ranked = risk.ranking(selectors.in_construction_fiscal(walker.authority), today=dt.date(2026, 11, 1))
    assert ranked[0].project.pk == building.pk and low.pk in [r.project.pk for r in ranked]
    with pytest.raises(InvalidInput):
        services.risk_override(project=building, user=walker.authority, level=1, reason="")
    with pytest.raises(NotPermitted):
        services.risk_override(project=building, user=walker.owner, level=1, reason="自评")
    p = services.risk_override(
        project=Project.objects.get(pk=building.pk),
        user=walker.authority,
        level=1,
        reason="已现场核实，付款为设备集中到货",
    )
    assert risk.rate(p).level == 1
    ev = DocketEvent.objects.for_case(p).filter(action="risk_override").last()
    assert ev.citation == "第十四条" and ev.changes["risk_override"]["after"] == 1
