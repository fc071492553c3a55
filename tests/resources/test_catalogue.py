"""Catalogue (第二十六、二十七、二十八、二十九条): cataloguing, publication, amendments in the docket."""

from __future__ import annotations

import pytest

from infogov.core.errors import InvalidInput, NotPermitted, RuleViolation
from infogov.core.models import DocketEvent
from infogov.core.workflow import engine
from infogov.org.choices import OrganisationKind, Role
from infogov.org.models import Organisation
from infogov.resources import selectors, services
from tests.conftest import fresh
from tests.factories import make_user

from .conftest import POPULATION_FIELDS, resource_data

pytestmark = pytest.mark.django_db


@pytest.mark.article(27)
def test_draft_reviewed_published_and_searchable(ex):
    r = ex.published()
    assert r.state == "published"
    found = selectors.catalogue(ex.consumer, text="人口")
    assert list(found) == [r]
    assert list(selectors.catalogue(ex.consumer, category="legal_person")) == []
    assert selectors.providers(ex.consumer)[0][1] == r.owner.name


@pytest.mark.article(29)
def test_state_secret_resource_refused(ex):
    with pytest.raises(RuleViolation) as e:
        services.resource_create(user=ex.provider, data=resource_data(sensitivity="state_secret"))
    assert e.value.code == "A29-1-STATE-SECRET"


@pytest.mark.article(29)
def test_state_secret_field_refused(ex):
    r = ex.draft(fields=[])
    with pytest.raises(RuleViolation) as e:
        engine.fire(
            r,
            "add_field",
            user=ex.provider,
            payload={"code": "cipher", "name": "密钥", "field_sensitivity": "state_secret"},
        )
    assert e.value.code == "A29-1-STATE-SECRET"
    assert r.fields.count() == 0


@pytest.mark.article(29)
def test_personal_fields_cannot_be_unconditional(ex):
    r = ex.draft(share_type="unconditional", fields=[])
    with pytest.raises(RuleViolation) as e:
        engine.fire(r, "add_field", user=ex.provider, payload=POPULATION_FIELDS[0])
    assert e.value.code == "A29-1-PERSONAL-CONDITIONAL"


@pytest.mark.article(27)
def test_conditional_needs_a_basis(ex):
    with pytest.raises(RuleViolation) as e:
        services.resource_create(user=ex.provider, data=resource_data(share_basis=""))
    assert e.value.code == "A27-2-SHARE-BASIS"


@pytest.mark.article(27)
def test_only_the_providers_own_staff_catalogue(ex, world):
    with pytest.raises(NotPermitted) as e:
        services.resource_create(user=fresh(world.yongji.finance_user), data=resource_data())
    assert e.value.code == "A27-1-PROVIDER"
    other = ex.draft()
    with pytest.raises(NotPermitted) as e2:
        engine.fire(other, "submit", user=ex.consumer)
    assert e2.value.code == "A27-1-PROVIDER"


@pytest.mark.article(28)
def test_an_enterprise_cannot_catalogue(world):
    firm = Organisation.objects.create(
        name="某科技有限公司", kind=OrganisationKind.ENTERPRISE, jurisdiction=world.yongji.jurisdiction
    )
    user = make_user("firm", firm, Role.DEPT_STAFF)
    with pytest.raises(RuleViolation) as e:
        services.resource_create(user=fresh(user), data=resource_data())
    assert e.value.code == "A28-1-PROVIDER-KIND"


@pytest.mark.article(28)
def test_a_public_service_unit_catalogues(world):
    water = Organisation.objects.create(
        name="永吉县自来水公司", kind=OrganisationKind.PUBLIC_SERVICE, jurisdiction=world.yongji.jurisdiction
    )
    user = make_user("water", water, Role.DEPT_STAFF)
    r = services.resource_create(
        user=fresh(user), data=resource_data(base_category="thematic", title="供水户")
    )
    assert r.owner == water


@pytest.mark.article(26)
def test_population_database_keyed_by_resident_id(ex):
    fields = [dict(POPULATION_FIELDS[1], record_key=True)]
    r = ex.draft(fields=fields)
    with pytest.raises(RuleViolation) as e:
        engine.fire(r, "submit", user=ex.provider)
    assert "A26-1-BASE-KEY" in {f["code"] for f in e.value.failures}


@pytest.mark.article(27)
def test_no_fields_no_submission(ex):
    r = ex.draft(fields=[], base_category="thematic")
    with pytest.raises(RuleViolation) as e:
        engine.fire(r, "submit", user=ex.provider)
    assert e.value.code == "A27-1-FIELDS"


@pytest.mark.article(27)
def test_amending_a_published_entry_is_a_step_with_before_and_after(ex):
    r = ex.published()
    r = engine.fire(
        r, "amend", user=ex.provider, payload={"summary": "更新后的摘要", "update_frequency": "weekly"}
    )
    event = DocketEvent.objects.for_case(r).order_by("-seq").first()
    assert event.action == "amend"
    assert event.changes["summary"] == {"before": "永吉县户籍人口的基础信息", "after": "更新后的摘要"}
    assert event.changes["update_frequency"]["after"] == "weekly"
    with pytest.raises(RuleViolation) as e:
        engine.fire(r, "amend", user=ex.provider, payload={"share_type": "unconditional"})
    assert e.value.code == "A29-1-PERSONAL-CONDITIONAL"
    with pytest.raises(InvalidInput):
        engine.fire(r, "amend", user=ex.provider, payload={"record_key": "nosuch"})


@pytest.mark.article(27)
def test_review_duty_opened_and_closed(ex):
    from infogov.core.models import Obligation

    r = ex.draft()
    r = engine.fire(r, "submit", user=ex.provider)
    duty = Obligation.objects.for_case(r).get(code="resource-review")
    assert duty.is_open and duty.owed_by.kind == "authority"
    engine.fire(r, "publish", user=ex.authority)
    duty.refresh_from_db()
    assert not duty.is_open
