"""第四条、第九条、第十条: who acts is a level, not a ladder.

The regulation gives each act to a body of one level: the annual plan is compiled by the 本级 authority and
approved by the 本级 government (a development zone's management committee); a project is reviewed and
inspected by the authority of its own jurisdiction; a non-fiscal infrastructure or security project files
with "所在地的市或者县（市）信息化主管部门" — a county's or a county-level city's own authority, the city
authority for a district or a development zone. The city authority sees and supervises everything below it
(第四条第一款) but does not act in a lower level's place. Each routing is tested on the four kinds below
the city: 永吉县 (county), 蛟河市 (county-level city), 船营区 (district), 吉林高新技术产业开发区 (zone)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from infogov.core.errors import NotPermitted
from infogov.core.workflow.rules import REGISTRY
from infogov.projects import services
from infogov.projects.models import AnnualConstructionPlan, Project
from infogov.projects.rules import filing_jurisdiction
from tests.conftest import fresh
from tests.projects.conftest import Walker, fiscal_fields

pytestmark = [pytest.mark.django_db, pytest.mark.article(4), pytest.mark.article(9), pytest.mark.article(10)]


def filing_project(walker: Walker) -> Project:
    fields = fiscal_fields(
        title=f"{walker.land.jurisdiction.name}企业投资网络安全态势感知中心",
        category="security",
        funding_kind="non_fiscal",
        budget_source="",
        funding_source="企业自有资金",
        procedures_completed="已办理项目备案（投资项目在线审批监管平台）",
    )
    p = services.project_create(user=walker.owner, standards=["GB 17859-1999"], **fields)
    return walker.fire(p, "submit_filing")


# -- 第十条: the filing authority of each kind of jurisdiction ---------------------------------------------

ROUTES = [  # (land, who files: "own" authority or the "city" authority, who must not)
    ("yongji", "own", "city"),  # 县: 所在地的县（市）信息化主管部门
    ("jiaohe", "own", "city"),  # 县级市: the same
    ("chuanying", "city", "own"),  # 区: 第十条 names 市 or 县（市） only — the city authority
    ("gaoxin", "city", "own"),  # 开发区: likewise the city authority
]


@pytest.mark.parametrize(("place", "files", "refused"), ROUTES, ids=[r[0] for r in ROUTES])
def test_article_10_filing_goes_to_the_authority_the_article_names(world, place, files, refused):
    land = getattr(world, place)
    walker = Walker(world, land)
    authority = {"own": land.authority_user, "city": world.city.authority_user}
    p = filing_project(walker)
    expected = world.city.jurisdiction if files == "city" else land.jurisdiction
    assert filing_jurisdiction(p) == expected
    with pytest.raises(NotPermitted) as exc:
        walker.fire(p, "issue_filing", user=fresh(authority[refused]))
    assert (exc.value.code, exc.value.article) == ("A10-FILING-AUTHORITY", "第十条")
    with pytest.raises(NotPermitted):  # another county's authority neither
        walker.fire(
            p,
            "issue_filing",
            user=fresh(world.jiaohe.authority_user if place != "jiaohe" else world.yongji.authority_user),
        )
    p = walker.fire(p, "issue_filing", user=fresh(authority[files]))
    assert p.state == "filed"


# -- 第九条第一款: the annual plan, compiled and approved at its own level ----------------------------------


def test_article_9_the_city_authority_does_not_compile_a_lower_levels_annual_plan(world):
    for land in (world.yongji, world.jiaohe, world.chuanying, world.gaoxin):
        with pytest.raises(NotPermitted) as exc:
            services.plan_create(
                user=fresh(world.city.authority_user), jurisdiction=land.jurisdiction, year=2026
            )
        assert (exc.value.code, exc.value.article) == ("A9-1-PLAN-AUTHORITY", "第九条第一款")
    assert not AnnualConstructionPlan.objects.exists()
    # its own level's plan it compiles
    services.plan_create(
        user=fresh(world.city.authority_user), jurisdiction=world.city.jurisdiction, year=2026
    )


@pytest.mark.parametrize("place", ["yongji", "jiaohe", "chuanying", "gaoxin"])
def test_article_9_each_level_compiles_and_its_own_government_approves(world, place):
    land = getattr(world, place)
    walker = Walker(world, land)
    p = walker.submit(walker.create(title=f"{land.jurisdiction.name}社区网格化服务管理平台"))
    plan = walker.plan(2026)  # by the level's own authority
    services.project_include_in_plan(project=p, user=walker.authority, plan=plan)
    plan = services.plan_fire(plan=plan, user=walker.authority, name="submit_plan")
    with pytest.raises(NotPermitted) as exc:  # not the city government in the lower level's place
        services.plan_fire(plan=plan, user=fresh(world.city.approver), name="approve_plan")
    assert (exc.value.code, exc.value.article) == ("A9-1-GOVERNMENT", "第九条第一款")
    plan = services.plan_fire(plan=plan, user=fresh(land.approver), name="approve_plan")
    assert plan.state == "approved"
    if place == "gaoxin":  # 开发区: approved by its management committee
        assert land.government.name.endswith("管理委员会")


@pytest.mark.parametrize("place", ["yongji", "chuanying", "gaoxin"])
def test_article_9_the_review_is_the_projects_own_authoritys(world, place):
    land = getattr(world, place)
    walker = Walker(world, land)
    p = walker.include(walker.submit(walker.create()))
    with pytest.raises(NotPermitted) as exc:  # the city authority supervises; it does not review in its place
        services.review_finding_record(
            project=p,
            user=fresh(world.city.authority_user),
            dimension="layout",
            conclusion="meets",
            text="规划布局合理",
        )
    assert exc.value.code == "A4-AUTHORITY" and "本级" in exc.value.message
    p = walker.findings(p)  # the project's own authority
    with pytest.raises(NotPermitted):
        services.project_review_decide(
            project=Project.objects.get(pk=p.pk), user=fresh(world.city.authority_user), passed=True
        )
    assert walker.review(p).state == "reviewed"


def test_article_4_the_city_authority_still_sees_what_it_supervises(world, walker):
    p = walker.create()
    client = Client()
    client.force_login(fresh(world.city.authority_user))
    assert client.get(f"/api/projects/{p.pk}").status_code == 200


def _offered(client: Client) -> set[str]:
    """The jurisdictions the annual plan form's select offers."""
    page = client.get("/annual-plans/new/").content.decode()
    select = re.search(r'<select name="jurisdiction".*?</select>', page, re.S)
    assert select is not None, page[:500]
    return {name.strip("\u3000 ") for name in re.findall(r"<option[^>]*>([^<]+)</option>", select.group(0))}


def test_the_annual_plan_page_offers_only_the_users_own_jurisdiction(world):
    client = Client()
    client.force_login(fresh(world.city.authority_user))
    assert _offered(client) == {"吉林市"}  # not the counties, districts and zones below it
    client.force_login(fresh(world.chuanying.authority_user))
    assert _offered(client) == {"船营区"}


LEVEL_WORDS = ("本级", "市", "县（市）", "本单位", "本人", "本辖区")


def test_every_actor_rule_of_an_authority_or_government_names_its_level():
    """An actor rule that gives an act to an authority or a government says which level (本级/市/县（市）)."""
    unnamed = []
    for code, rule in REGISTRY.items():
        if not rule.is_actor or not rule.check.__module__.startswith(
            ("infogov.projects", "infogov.planning", "infogov.core")
        ):
            continue
        body = rule.message
        if any(w in body for w in ("主管部门", "人民政府", "管委会")) and not any(
            w in body for w in ("本级", "市信息化主管部门", "市人民政府", "市或者县（市）", "本辖区")
        ):
            unnamed.append(f"{code}: {body}")
    assert unnamed == []
