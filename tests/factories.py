"""factory_boy factories shared by every test module."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from infogov.org.choices import JurisdictionKind, OrganisationKind, Role
from infogov.org.models import Jurisdiction, Membership, Organisation, User


class JurisdictionFactory(DjangoModelFactory):
    class Meta:
        model = Jurisdiction
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"2299{n:02d}")
    name = factory.Sequence(lambda n: f"测试区{n}")
    kind = JurisdictionKind.DISTRICT


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = OrganisationKind.DEPARTMENT
    jurisdiction = factory.SubFactory(JurisdictionFactory)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.django.Password("demo-pass-123")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """roles=[(organisation, role), …] adds memberships; the first organisation becomes the user's."""
        if not create or not extracted:
            return
        for org, role in extracted:
            Membership.objects.get_or_create(user=self, organisation=org, role=role)
        if self.organisation_id is None:
            self.organisation = extracted[0][0]
            self.save(update_fields=["organisation"])


def make_user(username: str, org: Organisation, role: str = Role.DEPT_STAFF) -> User:
    return UserFactory(username=username, organisation=org, roles=[(org, role)])
