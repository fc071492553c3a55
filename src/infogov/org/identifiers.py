"""Identifiers people type: the resident identity number (GB 11643-1999) and the unified social
credit code (GB 32100-2015), each with its check character.

Pure Python, no import of the platform (org imports nothing of ours); core re-exports it as
`infogov.core.text.identifiers` so that both layers use one implementation.

Both functions first `normalise_identifier` the input: NFKC (full-width ０–９／Ａ–Ｚ typed with a
Chinese input method become ASCII), surrounding whitespace removed, upper case (a lower-case "x" or
credit-code letter is accepted). The check is then made on the normalised text only: a full-width
digit is accepted because NFKC makes it ASCII, anything that is still not ASCII afterwards is refused.
Each `*_error` returns a Chinese message saying what is wrong, or None when the identifier is valid.
"""

from __future__ import annotations

import datetime
import unicodedata

__all__ = [
    "CREDIT_CODE_CHARS",
    "credit_code_check_char",
    "credit_code_error",
    "normalise_identifier",
    "organisation_code_check_char",
    "resident_id_check_char",
    "resident_id_error",
]


def normalise_identifier(s: str) -> str:
    """NFKC, surrounding whitespace stripped, upper case."""
    return unicodedata.normalize("NFKC", s or "").strip().upper()


# --- GB 11643-1999 公民身份号码 -------------------------------------------------------------------

# weights 2^(17-i) mod 11 for positions 1–17; ISO 7064 MOD 11-2 check character
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"  # indexed by (sum of products) mod 11
# the province-level codes of GB/T 2260 (first two digits of the address code)
_PROVINCES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "  # noqa: SIM905
    "61 62 63 64 65 71 81 82 83 91".split()
)


def resident_id_check_char(first17: str) -> str:
    """The 18th character of a resident identity number whose first 17 digits are given."""
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def resident_id_error(s: str, *, today: datetime.date | None = None) -> str | None:
    """What is wrong with a resident identity number (GB 11643-1999), or None when it is valid."""
    value = normalise_identifier(s)
    if not value:
        return "公民身份号码不能为空。"
    if len(value) != 18:
        return f"公民身份号码应为 18 位（现为 {len(value)} 位）。"
    if not (value[:17].isascii() and value[:17].isdigit()):
        return "公民身份号码前 17 位应全部为数字。"
    if value[17] not in "0123456789X":
        return "公民身份号码第 18 位（校验码）应为数字或 X。"
    if value[:2] not in _PROVINCES or value[2:6] == "0000":
        return f"公民身份号码前 6 位（地址码 {value[:6]}）不是有效的行政区划代码。"
    try:
        born = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"公民身份号码第 7–14 位（出生日期 {value[6:14]}）不是有效日期。"
    if born.year < 1900 or born > (today or datetime.date.today()):
        return f"公民身份号码中的出生日期 {born:%Y-%m-%d} 不合理（应在 1900 年以后且不晚于今天）。"
    expected = resident_id_check_char(value[:17])
    if value[17] != expected:
        return "公民身份号码校验码不正确，请核对号码是否抄错。"
    return None


# --- GB 32100-2015 统一社会信用代码 ---------------------------------------------------------------

# the 31 characters of the code (no I, O, Z, S, V), their values 0–30
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_VALUE = {c: i for i, c in enumerate(CREDIT_CODE_CHARS)}
_CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, …
# 登记管理部门码 → 机构类别码 (GB 32100-2015 表 1 and the codes assigned since by the national
# standardisation administration: 司法行政, 文化, 旅游, 宗教, 工会, 军队编制, 农业)
_AUTHORITIES: dict[str, tuple[str, str]] = {
    "1": ("机构编制", "1239"),
    "2": ("外交", "19"),
    "3": ("司法行政", "123459"),
    "4": ("文化", "19"),
    "5": ("民政", "1239"),
    "6": ("旅游", "129"),
    "7": ("宗教", "129"),
    "8": ("工会", "19"),
    "9": ("市场监管（工商）", "123"),
    "A": ("中央军委改革和编制办公室", "19"),
    "N": ("农业", "1239"),
    "Y": ("其他", "1"),
}

# GB 11714-1997 全国组织机构代码: 8 body characters, weights, check 11 − (sum mod 11), 10 → X, 11 → 0
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _org_char_value(c: str) -> int:
    return int(c) if c.isdigit() else ord(c) - ord("A") + 10


def organisation_code_check_char(body8: str) -> str:
    """The 9th character of an organisation code (GB 11714) whose first 8 characters are given."""
    total = sum(_org_char_value(c) * w for c, w in zip(body8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def credit_code_check_char(first17: str) -> str:
    """The 18th character of a unified social credit code whose first 17 characters are given."""
    total = sum(_CREDIT_VALUE[c] * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def credit_code_error(s: str) -> str | None:
    """What is wrong with a unified social credit code (GB 32100-2015), or None when it is valid."""
    value = normalise_identifier(s)
    if not value:
        return "统一社会信用代码不能为空。"
    if len(value) != 18:
        return f"统一社会信用代码应为 18 位（现为 {len(value)} 位）。"
    bad = sorted({c for c in value if c not in _CREDIT_VALUE})
    if bad:
        shown = "、".join(bad)
        return f"统一社会信用代码含有不允许的字符：{shown}（只用数字和大写字母，不含 I、O、Z、S、V）。"
    authority = _AUTHORITIES.get(value[0])
    if authority is None:
        return f"统一社会信用代码第 1 位（登记管理部门码）“{value[0]}”不存在。"
    if value[1] not in authority[1]:
        return f"统一社会信用代码第 2 位（机构类别码）“{value[1]}”不属于登记管理部门“{authority[0]}”。"
    region = value[2:8]
    if not region.isdigit() or (region[:2] not in _PROVINCES and region != "100000"):  # 100000: 中央
        return f"统一社会信用代码第 3–8 位（登记管理机关行政区划码 {region}）不是有效的行政区划代码。"
    if organisation_code_check_char(value[8:16]) != value[16]:
        return "统一社会信用代码第 9–17 位（组织机构代码）的校验码不正确，请核对代码是否抄错。"
    if credit_code_check_char(value[:17]) != value[17]:
        return "统一社会信用代码第 18 位（校验码）不正确，请核对代码是否抄错。"
    return None
