"""第三十一条: security planned, built and run in step with the project (三同步)."""

import pytest

from infogov.core.errors import RuleViolation
from infogov.security.models import InformationSystem

pytestmark = [pytest.mark.django_db, pytest.mark.article(31)]


def test_review_cannot_pass_without_security_plan(walker):
    p = walker.findings(walker.include(walker.submit(walker.create(security_plan="", security_measures=[]))))
    with pytest.raises(RuleViolation) as exc:
        walker.review(p)
    assert exc.value.article == "第三十一条第一款"


def test_acceptance_needs_evidence_planned_measures_were_built(walker):
    p = walker.to_tested()
    payload = walker.accept_payload()
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "accept", payload={**payload, "security_measures_built": ["边界防护"]})
    assert exc.value.article == "第三十一条第一款" and "日志审计" in exc.value.message
    with pytest.raises(RuleViolation):
        walker.fire(p, "accept", payload={**payload, "security_evidence": ""})
    assert walker.fire(p, "accept", payload=payload).state == "accepted"


def test_delivery_registers_the_information_system_with_its_level(walker):
    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    p = walker.fire(p, "deliver", payload={"protection_level": 3})
    system = InformationSystem.objects.get(source_project_id=p.pk)
    assert system.level == 3 and system.owner == walker.land.department
    assert system.jurisdiction == walker.land.jurisdiction


def test_delivery_without_a_protection_level_is_refused(walker):
    """同步运行: a system goes into use with its protection level determined. A non-fiscal project is
    not reviewed (第十条: filed), so its level may still be open at delivery: neither planned nor given
    at delivery is refused (A31-1-RUN) — and the page says so beforehand."""
    from infogov.core.workflow import engine as workflow
    from infogov.projects.models import Project
    from tests.projects.test_article_10 import security_project

    p = walker.fire(security_project(walker, security_level=None), "submit_filing")
    p = walker.fire(walker.fire(p, "issue_filing", user=walker.authority), "start_construction")
    p = walker.fire(p, "complete", payload={"completed_on": "2026-12-20"})
    p = walker.fire(
        p, "record_test", payload={"tester": "测评中心", "passed": True, "standards": ["GB 17859-1999"]}
    )
    p = walker.fire(p, "accept", payload=walker.accept_payload())
    blockers = {o.name: o.blockers for o in workflow.explain(Project.objects.get(pk=p.pk), walker.owner)}
    assert [b.code for b in blockers["deliver"]] == ["A31-1-RUN"]
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "deliver", payload={})
    assert (exc.value.code, exc.value.article) == ("A31-1-RUN", "第三十一条第一款")
    assert not InformationSystem.objects.filter(source_project_id=p.pk).exists()
    assert walker.fire(p, "deliver", payload={"protection_level": 2}).state == "delivered"


# -- 三同步 reads the security register (through infogov.security.selectors) --------------------------


def test_acceptance_reads_the_register_an_ungraded_level_3_system_is_refused(walker):
    """同步建设: the register holds the system the project rebuilds (新建或改造的系统), at level 3 by the
    project's plan and not yet graded (定级): acceptance is refused until it is."""
    from tests.security.conftest import fire, grading, register

    p = walker.to_tested(systems=["永吉县社区网格化服务管理平台"], security_level=3)
    system = register(walker.land)  # the unit's entry of that name, level not determined
    with pytest.raises(RuleViolation) as exc:
        walker.fire(p, "accept", payload=walker.accept_payload())
    assert (exc.value.code, exc.value.article) == ("A31-1-GRADED", "第三十一条第一款")
    assert "永吉县社区网格化服务管理平台（第3级）" in exc.value.message
    fire(system, "determine_level", walker.land.dept_user, grading(3))
    assert walker.fire(p, "accept", payload=walker.accept_payload()).state == "accepted"


def test_a_level_1_register_entry_does_not_hold_acceptance(walker):
    from tests.security.conftest import register

    p = walker.to_tested(security_level=1)
    register(walker.land)
    assert walker.fire(p, "accept", payload=walker.accept_payload()).state == "accepted"


def test_delivery_registers_a_new_entry_with_its_create_event_and_the_docket_verifies(walker):
    from infogov.core.docket.verify import verify
    from infogov.core.models import DocketEvent

    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    p = walker.fire(p, "deliver", payload={"protection_level": 2, "system_name": "永吉县网格事件办理系统"})
    entry = InformationSystem.objects.get(source_project_id=p.pk)
    assert (entry.title, entry.level, entry.state) == ("永吉县网格事件办理系统", 2, "registered")
    assert entry.purpose == p.content and entry.in_service_since is not None
    [create] = DocketEvent.objects.for_case(entry)
    assert create.action == "create" and create.payload["source_project_id"] == p.pk
    [deliver] = DocketEvent.objects.for_case(p).filter(action="deliver")
    assert deliver.changes["information_system"]["after"] == {"id": entry.pk, "title": entry.title}
    assert verify().ok


def test_delivery_updates_the_entry_it_rebuilds_with_the_registers_determined_level(walker, world):
    """An existing system rebuilt: the unit's register entry of that name is changed (an edit event with
    before/after), not duplicated; with no level given at delivery, the register's determined level
    (第三级) is the one the system runs at, and stays."""
    from infogov.core.docket.verify import verify
    from infogov.core.models import DocketEvent
    from tests.security.conftest import filed_system

    system = filed_system(world, level=3)
    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())  # planned: 第二级
    p = walker.fire(p, "deliver", payload={})
    entry = InformationSystem.objects.get(pk=system.pk)
    assert InformationSystem.objects.filter(owner=entry.owner, title=entry.title).count() == 1
    assert (entry.source_project_id, entry.level, entry.state) == (p.pk, 3, "filed")
    edit = DocketEvent.objects.for_case(entry).get(action="edit")
    assert edit.changes["source_project_id"] == {"before": None, "after": p.pk}
    assert edit.citation == "第三十一条第一款" and "level" not in edit.changes
    assert verify().ok


def test_the_register_hook_has_exactly_one_provider_the_security_app():
    from infogov.core.hooks import REGISTER_SYSTEM
    from infogov.security.services import system_from_procedure

    assert REGISTER_SYSTEM.provider() is system_from_procedure


def test_the_project_page_links_its_systems_to_the_register(walker, client):
    """新建或改造的系统 on the project page link to their register entries (security app) once the
    register has them — the entry its delivery registered among them; a name the register does not
    know stays plain text."""
    from django.urls import reverse

    p = walker.fire(walker.to_tested(), "accept", payload=walker.accept_payload())
    p = walker.fire(p, "deliver", payload={"protection_level": 3})
    system = InformationSystem.objects.get(source_project_id=p.pk)
    client.force_login(walker.land.dept_user)
    url = reverse("security_systems:detail", kwargs={"pk": system.pk})
    page = client.get(reverse("projects:detail", kwargs={"pk": p.pk})).content.decode()
    assert f'<a href="{url}" title="信息系统登记">{system.title}</a>' in page
    type(p).objects.filter(pk=p.pk).update(systems=[*p.systems, "尚未登记的系统"])
    page = client.get(reverse("projects:detail", kwargs={"pk": p.pk})).content.decode()
    assert "尚未登记的系统" in page and page.count('title="信息系统登记"') == 1
