"""Reads of the organisation register."""

from __future__ import annotations

from django.db.models import QuerySet

from .choices import OrganisationKind
from .models import Jurisdiction, Organisation


def authority_of(jurisdiction: Jurisdiction) -> Organisation:
    """The informatization authority of a jurisdiction (第四条)."""
    org = Organisation.objects.filter(jurisdiction=jurisdiction, kind=OrganisationKind.AUTHORITY).first()
    if org is None:
        raise Organisation.DoesNotExist(f"{jurisdiction} 没有信息化主管部门")
    return org


def government_of(jurisdiction: Jurisdiction) -> Organisation:
    org = Organisation.objects.filter(jurisdiction=jurisdiction, kind=OrganisationKind.GOVERNMENT).first()
    if org is None:
        raise Organisation.DoesNotExist(f"{jurisdiction} 没有人民政府或管委会")
    return org


def city() -> Jurisdiction:
    return Jurisdiction.objects.get(parent__isnull=True)


def jurisdictions_tree() -> QuerySet[Jurisdiction]:
    return Jurisdiction.objects.select_related("parent").order_by("sort_order", "code")
