"""The loading checks in SQL, for PostgreSQL (第二十七条第一款): a batch is COPYed into a staging table and
its cells are checked there, by the database, with the same rules and the same Chinese messages as
loading.py's Python checks (which SQLite uses):

- ``resources_resident_id_error(text)`` — GB 11643-1999, as ``org.identifiers.resident_id_error``;
- ``resources_credit_code_error(text)`` — GB 32100-2015, as ``org.identifiers.credit_code_error``;
- integers, numbers, phones (the regular expressions of loading.py), code lists, required cells, the
  record identifier's length and its duplicates — expressions in ``ERRORS_SQL``.

Both functions are SQL functions (one CASE expression each, inlined by the planner: no PL/pgSQL loop and
no exception block per row). Created by migration 0003; tests/resources/test_loading_sql.py proves the
two paths report the same rows in the same words."""

from __future__ import annotations

from infogov.org.identifiers import _AUTHORITIES, _CREDIT_WEIGHTS, _ID_WEIGHTS, _ORG_WEIGHTS, _PROVINCES

CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_PROVINCE_LIST = ",".join(f"'{p}'" for p in sorted(_PROVINCES))


def _id_sum() -> str:
    return " + ".join(f"(ascii(substr(v, {i + 1}, 1)) - 48) * {w}" for i, w in enumerate(_ID_WEIGHTS))


def _org_value(pos: int) -> str:
    """GB 11714: a digit is its value, a letter A=10, B=11 …"""
    c = f"substr(v, {pos}, 1)"
    return f"(CASE WHEN {c} BETWEEN '0' AND '9' THEN ascii({c}) - 48 ELSE ascii({c}) - 55 END)"


def _org_sum() -> str:
    return " + ".join(f"{_org_value(9 + i)} * {w}" for i, w in enumerate(_ORG_WEIGHTS))


def _credit_sum() -> str:
    return " + ".join(
        f"(strpos('{CREDIT_CHARS}', substr(v, {i + 1}, 1)) - 1) * {w}" for i, w in enumerate(_CREDIT_WEIGHTS)
    )


def _days_in_month(y: str, m: str) -> str:
    leap = f"(({y}) % 4 = 0 AND (({y}) % 100 <> 0 OR ({y}) % 400 = 0))"
    return (
        f"(CASE WHEN ({m}) = 2 THEN CASE WHEN {leap} THEN 29 ELSE 28 END ELSE 31 - ((({m}) - 1) % 7 % 2) END)"
    )


_Y, _M, _D = "substr(v, 7, 4)::int", "substr(v, 11, 2)::int", "substr(v, 13, 2)::int"

RESIDENT_ID_SQL = f"""
CREATE OR REPLACE FUNCTION resources_resident_id_error(v text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
SELECT CASE
  WHEN v IS NULL OR v = '' THEN '公民身份号码不能为空。'
  WHEN char_length(v) <> 18 THEN '公民身份号码应为 18 位（现为 ' || char_length(v) || ' 位）。'
  WHEN substr(v, 1, 17) !~ '^[0-9]{{17}}$' THEN '公民身份号码前 17 位应全部为数字。'
  WHEN substr(v, 18, 1) !~ '^[0-9X]$' THEN '公民身份号码第 18 位（校验码）应为数字或 X。'
  WHEN substr(v, 1, 2) NOT IN ({_PROVINCE_LIST}) OR substr(v, 3, 4) = '0000'
    THEN '公民身份号码前 6 位（地址码 ' || substr(v, 1, 6) || '）不是有效的行政区划代码。'
  WHEN {_Y} < 1 OR {_M} NOT BETWEEN 1 AND 12 OR {_D} < 1 OR {_D} > {_days_in_month(_Y, _M)}
    THEN '公民身份号码第 7–14 位（出生日期 ' || substr(v, 7, 8) || '）不是有效日期。'
  WHEN {_Y} < 1900 OR make_date({_Y}, {_M}, {_D}) > current_date
    THEN '公民身份号码中的出生日期 ' || to_char(make_date({_Y}, {_M}, {_D}), 'YYYY-MM-DD')
      || ' 不合理（应在 1900 年以后且不晚于今天）。'
  WHEN substr('10X98765432', ({_id_sum()}) % 11 + 1, 1) <> substr(v, 18, 1)
    THEN '公民身份号码校验码不正确，请核对号码是否抄错。'
END
$$;
"""

_AUTH_CASE = " ".join(f"WHEN '{k}' THEN '{name}'" for k, (name, _) in _AUTHORITIES.items())
_KIND_CASE = " ".join(f"WHEN '{k}' THEN '{kinds}'" for k, (_, kinds) in _AUTHORITIES.items())
_ORG_CHECK = (
    f"(CASE 11 - ({_org_sum()}) % 11 WHEN 10 THEN 'X' WHEN 11 THEN '0' "
    f"ELSE (11 - ({_org_sum()}) % 11)::text END)"
)

CREDIT_CODE_SQL = f"""
CREATE OR REPLACE FUNCTION resources_credit_code_error(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
SELECT CASE
  WHEN v IS NULL OR v = '' THEN '统一社会信用代码不能为空。'
  WHEN char_length(v) <> 18 THEN '统一社会信用代码应为 18 位（现为 ' || char_length(v) || ' 位）。'
  WHEN v !~ '^[{CREDIT_CHARS}]{{18}}$' THEN '统一社会信用代码含有不允许的字符：'
    || (SELECT string_agg(c, '、' ORDER BY c COLLATE "C") FROM (
          SELECT DISTINCT c FROM regexp_split_to_table(v, '') AS c WHERE strpos('{CREDIT_CHARS}', c) = 0) bad)
    || '（只用数字和大写字母，不含 I、O、Z、S、V）。'
  WHEN (CASE substr(v, 1, 1) {_AUTH_CASE} END) IS NULL
    THEN '统一社会信用代码第 1 位（登记管理部门码）“' || substr(v, 1, 1) || '”不存在。'
  WHEN strpos((CASE substr(v, 1, 1) {_KIND_CASE} END), substr(v, 2, 1)) = 0
    THEN '统一社会信用代码第 2 位（机构类别码）“' || substr(v, 2, 1) || '”不属于登记管理部门“'
      || (CASE substr(v, 1, 1) {_AUTH_CASE} END) || '”。'
  WHEN substr(v, 3, 6) !~ '^[0-9]{{6}}$'
      OR (substr(v, 3, 2) NOT IN ({_PROVINCE_LIST}) AND substr(v, 3, 6) <> '100000')
    THEN '统一社会信用代码第 3–8 位（登记管理机关行政区划码 ' || substr(v, 3, 6)
      || '）不是有效的行政区划代码。'
  WHEN {_ORG_CHECK} <> substr(v, 17, 1)
    THEN '统一社会信用代码第 9–17 位（组织机构代码）的校验码不正确，请核对代码是否抄错。'
  WHEN substr('{CREDIT_CHARS}', (31 - ({_credit_sum()}) % 31) % 31 + 1, 1) <> substr(v, 18, 1)
    THEN '统一社会信用代码第 18 位（校验码）不正确，请核对代码是否抄错。'
END
$$;
"""

FUNCTIONS = [RESIDENT_ID_SQL, CREDIT_CODE_SQL]
DROP = [
    "DROP FUNCTION IF EXISTS resources_resident_id_error(text)",
    "DROP FUNCTION IF EXISTS resources_credit_code_error(text)",
]
