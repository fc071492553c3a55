"""Identifiers: the resident identity number (GB 11643-1999) and the unified social credit code
(GB 32100-2015), with their check characters.

The valid examples are computed here by helpers written from the standards (`_gb11643_check`,
`_gb32100_check`, `_gb11714_check`), independently of the code under test, plus codes published by
real organisations."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from infogov.core.text.identifiers import credit_code_error, normalise_identifier, resident_id_error
from infogov.org import identifiers as org_identifiers
from infogov.org.choices import OrganisationKind
from infogov.org.models import Organisation

CHARS31 = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def _gb11643_check(first17: str) -> str:
    """GB 11643-1999 §8.2: ISO 7064 MOD 11-2, weights 2^(18-i) mod 11, a check value of 10 is X."""
    total = sum(int(c) * (2 ** (17 - i) % 11) for i, c in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _gb11714_check(body8: str) -> str:
    """GB 11714-1997: weights 3 7 9 10 5 8 4 2, C9 = 11 − (Σ mod 11); 10 is X, 11 is 0."""
    weights = [3, 7, 9, 10, 5, 8, 4, 2]
    total = sum((int(c, 36)) * w for c, w in zip(body8, weights, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


def _gb32100_check(first17: str) -> str:
    """GB 32100-2015 附录 B: weights 3^(i−1) mod 31, C18 = 31 − (Σ mod 31), 31 is 0."""
    total = sum(CHARS31.index(c) * (3**i % 31) for i, c in enumerate(first17))
    return CHARS31[(31 - total % 31) % 31]


def make_resident_id(region: str = "220202", born: str = "19850615", seq: str = "123") -> str:
    first17 = region + born + seq
    return first17 + _gb11643_check(first17)


def make_credit_code(prefix: str = "91", region: str = "220200", org_body: str = "MA0Q1234") -> str:
    first17 = prefix + region + org_body + _gb11714_check(org_body)
    return first17 + _gb32100_check(first17)


# published codes (business licences, the standard's own example)
PUBLISHED_CREDIT_CODES = ["91350100M000100Y43", "91110000600037341L", "91110108551385082Q"]


# --- resident identity number ----------------------------------------------------------------------


def test_valid_resident_ids() -> None:
    assert resident_id_error(make_resident_id()) is None
    assert resident_id_error("11010519491231002X") is None  # the standard's example (check X)
    assert resident_id_error("11010519491231002x") is None  # lower-case x accepted by normalising


def test_resident_id_full_width_accepted_after_nfkc() -> None:
    code = make_resident_id()
    full = "".join(chr(ord(c) + 0xFEE0) for c in code)
    assert resident_id_error(full) is None
    assert resident_id_error(f"  {code}\t") is None


def test_resident_id_errors_say_what_is_wrong() -> None:
    assert "18 位" in (resident_id_error("22020219850615123") or "")
    assert "数字" in (resident_id_error("2202021985061A1234") or "")
    assert "出生日期" in (resident_id_error(make_resident_id(born="19850230")) or "")
    assert "出生日期" in (resident_id_error(make_resident_id(born="18990101")) or "")
    future = (datetime.date.today() + datetime.timedelta(days=40)).strftime("%Y%m%d")
    assert "出生日期" in (resident_id_error(make_resident_id(born=future)) or "")
    assert "地址码" in (resident_id_error(make_resident_id(region="990101")) or "")
    assert "不能为空" in (resident_id_error("  ") or "")
    good = make_resident_id()
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert "校验码" in (resident_id_error(wrong_check) or "")


@given(
    st.sampled_from(["220202", "220221", "110105", "310104", "650102"]),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2020, 12, 31)),
    st.integers(0, 999),
    st.data(),
)
def test_any_single_character_change_of_a_resident_id_is_refused(region, born, seq, data) -> None:
    code = make_resident_id(region, born.strftime("%Y%m%d"), f"{seq:03d}")
    assert resident_id_error(code) is None
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from([c for c in "0123456789X" if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    assert resident_id_error(changed) is not None


# --- unified social credit code ---------------------------------------------------------------------


def test_valid_credit_codes() -> None:
    for code in PUBLISHED_CREDIT_CODES:
        assert credit_code_error(code) is None, code
    assert credit_code_error(make_credit_code()) is None
    assert credit_code_error(make_credit_code("11", "100000", "00001312")) is None  # 中央 organ
    assert credit_code_error("91350100m000100y43") is None  # lower case accepted by normalising


def test_credit_code_full_width_accepted_after_nfkc() -> None:
    full = "".join(chr(ord(c) + 0xFEE0) for c in "91350100M000100Y43")
    assert normalise_identifier(full) == "91350100M000100Y43"
    assert credit_code_error(full) is None
    assert credit_code_error(" 91350100M000100Y43\u3000") is None


def test_credit_code_letters_i_o_z_s_v_refused() -> None:
    for letter in "IOZSV":
        # a code whose check characters are otherwise consistent: the letter is the only fault
        body = "MA0Q12" + letter + "4"
        first17 = "91220200" + body + _gb11714_check(body)
        code = first17 + CHARS31[0]
        message = credit_code_error(code) or ""
        assert letter in message and "不允许" in message


def test_credit_code_errors_say_what_is_wrong() -> None:
    assert "18 位" in (credit_code_error("91350100M000100Y4") or "")
    assert "登记管理部门码" in (credit_code_error(make_credit_code(prefix="B1")) or "")
    assert "机构类别码" in (credit_code_error(make_credit_code(prefix="94")) or "")
    assert "行政区划" in (credit_code_error(make_credit_code(region="990000")) or "")
    code = make_credit_code()
    org_changed = code[:16] + ("1" if code[16] != "1" else "2") + code[17]
    assert "组织机构代码" in (credit_code_error(org_changed) or "")
    last_changed = code[:17] + ("1" if code[17] != "1" else "2")
    assert "第 18 位" in (credit_code_error(last_changed) or "")
    assert "不能为空" in (credit_code_error("") or "")


@given(
    st.sampled_from(["91", "92", "93", "11", "12", "51", "52", "53", "Y1"]),
    st.sampled_from(["220200", "220221", "220281", "110108", "100000"]),
    st.text(alphabet=CHARS31, min_size=8, max_size=8),
    st.data(),
)
def test_any_single_character_change_of_a_credit_code_is_refused(prefix, region, body, data) -> None:
    code = make_credit_code(prefix, region, body)
    assert credit_code_error(code) is None
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from([c for c in CHARS31 + "IOZSV" if c != code[position]]))
    changed = code[:position] + replacement + code[position + 1 :]
    assert credit_code_error(changed) is not None


def test_core_reexports_the_org_implementation() -> None:
    assert credit_code_error is org_identifiers.credit_code_error
    assert resident_id_error is org_identifiers.resident_id_error


# --- the organisation register ---------------------------------------------------------------------


@pytest.mark.django_db
def test_organisation_credit_code_validated_and_normalised(world) -> None:
    org = Organisation(
        name="测试单位", kind=OrganisationKind.ENTERPRISE, jurisdiction=world.city.jurisdiction
    )
    org.credit_code = "91350100M000100Y44"
    with pytest.raises(ValidationError) as refused:
        org.full_clean()
    assert "校验码" in refused.value.message_dict["credit_code"][0]
    org.credit_code = "９１３５０１００ｍ０００１００ｙ４３"
    org.full_clean()
    assert org.credit_code == "91350100M000100Y43"
    org.credit_code = ""
    org.full_clean()  # optional


@pytest.mark.django_db
def test_admin_refuses_an_invalid_credit_code(world, client) -> None:
    world.sys_admin.is_staff = True
    world.sys_admin.save(update_fields=["is_staff"])
    client.force_login(world.sys_admin)
    form = {
        "name": "永吉县教育局",
        "short_name": "",
        "kind": OrganisationKind.DEPARTMENT,
        "cosupervision": "",
        "jurisdiction": world.yongji.jurisdiction.pk,
        "credit_code": "11220221MB0123456S",
        "is_active": "on",
    }
    url = reverse("admin:org_organisation_add")
    response = client.post(url, form)
    assert response.status_code == 200
    assert "不允许的字符：S" in response.content.decode()
    assert not Organisation.objects.filter(name="永吉县教育局").exists()
    form["credit_code"] = make_credit_code("11", "220221", "MB012345").lower()
    assert client.post(url, form).status_code == 302
    assert Organisation.objects.get(name="永吉县教育局").credit_code == form["credit_code"].upper()
