"""第十条: non-fiscal public-infrastructure and security projects file with the city or county authority."""

import pytest

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.projects import services
from infogov.projects.models import Project
from tests.conftest import fresh
from tests.projects.conftest import fiscal_fields

pytestmark = [pytest.mark.django_db, pytest.mark.article(10)]


def security_project(walker, **kw):
    fields = fiscal_fields(
        title="企业投资网络安全态势感知中心",
        category="security",
        funding_kind="non_fiscal",
        budget_source="",
        funding_source="企业自有资金",
        procedures_completed="已办理项目备案（投资项目在线审批监管平台）",
    )
    fields.update(kw)
    return services.project_create(user=walker.owner, standards=["GB 17859-1999"], **fields)


def test_security_project_is_filed_and_gets_a_number(walker):
    p = walker.fire(security_project(walker), "submit_filing")
    assert p.state == "filing"
    p = walker.fire(p, "issue_filing", user=walker.authority)
    assert p.state == "filed"
    # 备案号 of the county's own authority (第十条), numbered per year (core.docnumbers)
    assert p.filing_number == "永吉县工业和信息化局备〔2026〕1号"
    p = walker.fire(p, "start_construction")
    assert p.state == "construction"


def test_filing_returned_with_reasons(walker):
    p = walker.fire(security_project(walker), "submit_filing")
    with pytest.raises(InvalidInput):
        walker.fire(p, "return_filing", user=walker.authority)
    p = walker.fire(p, "return_filing", user=walker.authority, comment="缺少等级保护定级备案证明")
    assert p.state == "draft"


def test_filing_before_construction_procedures_is_refused(walker):
    p = security_project(walker, procedures_completed="")
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "submit_filing")
    assert exc.value.article == "第十条"


def test_incomplete_filing_cannot_be_issued(walker):
    p = walker.fire(security_project(walker, security_plan=""), "submit_filing")
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "issue_filing", user=walker.authority)
    assert exc.value.article == "第十条" and "信息安全保障方案" in exc.value.message


def test_fiscal_projects_do_not_file(walker):
    with pytest.raises(RuleViolation) as exc:
        walker.fire(walker.create(), "submit_filing")
    assert exc.value.article == "第十条"


def test_non_fiscal_cannot_enter_annual_plan(walker):
    p = security_project(walker)
    with pytest.raises(RuleViolation) as exc:
        walker.submit(p)
    assert exc.value.article == "第九条第一款"


def test_only_the_local_authority_files(walker, world):
    p = walker.fire(security_project(walker), "submit_filing")
    with pytest.raises(NotPermitted) as exc:
        walker.fire(p, "issue_filing", user=fresh(world.jiaohe.authority_user))
    assert exc.value.article == "第十条"
    # 第十条 "所在地的……县（市）信息化主管部门": a county's project files with the county's own authority; the
    # city authority (which used to be let in as "at or above") does not act in its place
    with pytest.raises(NotPermitted) as exc:
        walker.fire(p, "issue_filing", user=fresh(world.city.authority_user))
    assert exc.value.code == "A10-FILING-AUTHORITY"
    p = walker.fire(p, "issue_filing", user=walker.authority)
    assert Project.objects.get(pk=p.pk).state == "filed"
