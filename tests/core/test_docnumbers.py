"""Document numbers (文号): per issuer, kind and year, in the issuer's format, allocated inside the
issuing step's transaction — concurrent steps never get the same number, a rolled-back step gives its
number back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from infogov.core.docnumbers import (
    DocumentKind,
    DocumentNumberFormat,
    DocumentSequence,
    allocate,
    check_template,
)
from tests.core.test_concurrency import race

D = dt.date(2026, 5, 1)


@pytest.fixture
def city_authority(world):
    org = world.city.authority
    org.short_name = "吉市工信"
    org.save()
    return org


@pytest.mark.django_db
def test_numbers_follow_each_other_per_issuer_kind_and_year(world, city_authority):
    with transaction.atomic():
        first = allocate(city_authority, DocumentKind.FILING, D)
        second = allocate(city_authority, DocumentKind.FILING, D)
        approval = allocate(city_authority, DocumentKind.APPROVAL, D)
        next_year = allocate(city_authority, DocumentKind.FILING, dt.date(2027, 1, 2))
        other = allocate(world.yongji.authority, DocumentKind.FILING, D)
    assert (first, second) == ("吉市工信备〔2026〕1号", "吉市工信备〔2026〕2号")
    assert approval == "吉市工信批〔2026〕1号"
    assert next_year == "吉市工信备〔2027〕1号"
    assert other == "永吉县工业和信息化局备〔2026〕1号"  # no short name: the name stands for it


@pytest.mark.django_db
def test_the_issuer_sets_its_own_format(world, city_authority):
    DocumentNumberFormat.objects.create(
        issuer=city_authority, kind=DocumentKind.APPROVAL, template="吉市工信审字〔{year}〕第{n}号"
    )
    with transaction.atomic():
        assert allocate(city_authority, DocumentKind.APPROVAL, D) == "吉市工信审字〔2026〕第1号"


def test_a_format_names_the_year_and_the_number_and_nothing_else():
    check_template("{short}备〔{year}〕{n}号")
    for bad in (
        "{short}备〔2026〕{n}号",
        "备〔{year}〕号",
        "{short}{other}〔{year}〕{n}号",
        "备〔{year}〕{n号",
    ):
        with pytest.raises(ValidationError):
            check_template(bad)


@pytest.mark.django_db
def test_a_rolled_back_step_gives_its_number_back(world, city_authority):
    with pytest.raises(RuntimeError), transaction.atomic():
        allocate(city_authority, DocumentKind.FILING, D)
        raise RuntimeError("the step was refused")
    with transaction.atomic():
        assert allocate(city_authority, DocumentKind.FILING, D) == "吉市工信备〔2026〕1号"


@pytest.mark.django_db(transaction=True)
def test_a_number_is_only_given_inside_a_transaction(world, city_authority):
    with pytest.raises(RuntimeError):
        allocate(city_authority, DocumentKind.FILING, D)


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_steps_get_ten_consecutive_numbers(world):
    """Real connections, released at once: the sequence row's lock (PostgreSQL) or the database's write
    lock (SQLite) serialises them; the first number of the year is created by one of them only."""
    from django.db import connection

    issuer = world.city.authority
    issuer.short_name = "吉市工信"
    issuer.save()

    def take() -> str:
        for attempt in range(50):  # SQLite: a writer that finds the database locked tries again
            try:
                with transaction.atomic():
                    return allocate(issuer, DocumentKind.FILING, D)
            except Exception as exc:
                if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == 49:
                    raise
        raise AssertionError("unreachable")

    results = race(*([take] * 10))
    assert all(isinstance(r, str) for r in results), results
    assert sorted(results, key=lambda s: int(s.split("〕")[1][:-1])) == [
        f"吉市工信备〔2026〕{n}号" for n in range(1, 11)
    ]
    seq = DocumentSequence.objects.get(issuer=issuer, kind=DocumentKind.FILING, year=2026)
    assert seq.last == 10
