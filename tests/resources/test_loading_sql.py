"""Validation in SQL during loading (第二十七条第一款): on PostgreSQL the batch is checked in the staging
table by SQL (resources/staging.py, sql_checks.py), on SQLite in Python (loading.py) — the same bad rows
reported the same way, nothing loaded."""

from __future__ import annotations

import random

import pytest
from django.db import connection, transaction

from infogov.core.errors import InvalidInput
from infogov.resources import loading, staging
from infogov.resources.models import DataRecord

from .conftest import PEOPLE, credit_code, resident_id

pytestmark = [pytest.mark.django_db, pytest.mark.article(27)]

LEGAL_FIELDS = [
    {
        "code": "uscc",
        "name": "统一社会信用代码",
        "field_type": "credit_code",
        "field_sensitivity": "public",
        "required": True,
        "record_key": True,
    },
    {"code": "staff", "name": "职工人数", "field_type": "integer", "field_sensitivity": "public"},
    {"code": "capital", "name": "注册资本", "field_type": "decimal", "field_sensitivity": "public"},
    {"code": "founded", "name": "成立日期", "field_type": "date", "field_sensitivity": "public"},
]

BAD_PEOPLE = [
    dict(PEOPLE[0]),  # row 2: good
    dict(
        PEOPLE[1], id_number=PEOPLE[1]["id_number"][:-1] + "0" if PEOPLE[1]["id_number"][-1] != "0" else "1"
    ),
    dict(PEOPLE[2], district="火星", phone="12345"),  # row 4: code list, phone
    {"name": "无号码"},  # row 5: no record id
    dict(PEOPLE[0], name=""),  # row 6: required name empty; duplicate of row 2
    dict(
        PEOPLE[2], id_number=PEOPLE[2]["id_number"].lower(), born_on="不是日期", 备注="x"
    ),  # row 7: unknown column
    {"id_number": "220221199002301234", "name": "二月三十"},  # row 8: birth date not a date
    {"id_number": "ＡＢＣ", "name": {"a": 1}},  # row 9: length; not a single value
]

EXPECTED_PEOPLE = [
    (3, "公民身份号码", "公民身份号码校验码不正确，请核对号码是否抄错。"),
    (4, "联系电话", "应为手机号码或带区号的固定电话"),
    (4, "所属区县", "应为取值范围内的代码：永吉县、蛟河市、船营区"),
    (5, "公民身份号码", "记录标识不能为空"),
    (6, "姓名", "为必填项"),
    (6, "公民身份号码", "记录标识与第 2 行重复"),
    (7, "备注", "不是该资源的信息项"),
    (8, "公民身份号码", "公民身份号码第 7–14 位（出生日期 19900230）不是有效日期。"),
    (9, "公民身份号码", "公民身份号码应为 18 位（现为 3 位）。"),
    (9, "姓名", "应为单个值"),
]


def reported(exc: InvalidInput) -> list[tuple[int, str, str]]:
    return [(d["row"], d["column"], d["message"]) for d in exc.details]


def test_the_same_bad_rows_reported_the_same_way_on_either_database(ex):
    r = ex.published()
    with pytest.raises(InvalidInput) as e:
        ex.load(r, BAD_PEOPLE)
    assert reported(e.value) == EXPECTED_PEOPLE
    assert e.value.message.startswith(f"数据有 {len(EXPECTED_PEOPLE)} 处错误，本批数据未导入")
    assert e.value.article == "第二十七条第一款"
    assert DataRecord.objects.filter(resource=r).count() == 0


def test_credit_codes_numbers_and_dates(ex):
    r = ex.published(fields=LEGAL_FIELDS, title="永吉县法人信息", base_category="legal_person")
    good = credit_code()
    rows = [
        {"uscc": good, "staff": "12", "capital": "1.5e3", "founded": "2020年3月1日"},
        {"uscc": good[:-1] + ("0" if good[-1] != "0" else "1"), "staff": "十二", "capital": "abc"},
        {"uscc": "91220200MA1234567I", "founded": "2020-02-30"},
        {"uscc": "Z1220200MA12345670"},
    ]
    with pytest.raises(InvalidInput) as e:
        ex.load(r, rows)
    assert reported(e.value) == [
        (3, "统一社会信用代码", "统一社会信用代码第 18 位（校验码）不正确，请核对代码是否抄错。"),
        (3, "职工人数", "应为整数"),
        (3, "注册资本", "应为数值"),
        (
            4,
            "统一社会信用代码",
            "统一社会信用代码含有不允许的字符：I（只用数字和大写字母，不含 I、O、Z、S、V）。",
        ),
        (4, "成立日期", "应为日期（如 2026-01-31）"),
        (
            5,
            "统一社会信用代码",
            "统一社会信用代码含有不允许的字符：Z（只用数字和大写字母，不含 I、O、Z、S、V）。",
        ),
    ]
    ex.load(r, rows[:1])
    assert DataRecord.objects.get(resource=r).data == {
        "uscc": good,
        "staff": "12",
        "capital": "1.5e3",
        "founded": "2020-03-01",
    }


def test_a_clean_batch_is_merged_from_the_staging_table_and_deleted_by_key(ex):
    r = ex.published()
    ex.load(r, PEOPLE)
    assert DataRecord.objects.filter(resource=r).count() == 3
    stored = DataRecord.objects.get(resource=r, record_id=PEOPLE[2]["id_number"]).data
    assert stored["born_on"] == "1990-01-01" and "phone" not in stored
    from infogov.resources import services

    services.records_load(
        user=ex.provider,
        resource=r,
        rows=[{"id_number": PEOPLE[0]["id_number"]}],
        source="测试",
        file_format="api",
        mode="delete",
    )
    assert DataRecord.objects.filter(resource=r).count() == 2


def test_every_error_is_counted_and_the_first_two_hundred_listed(ex):
    r = ex.published()
    rows = [{"id_number": "1" * 17 + "X", "name": "某"} for _ in range(250)]
    with pytest.raises(InvalidInput) as e:
        ex.load(r, rows)
    assert len(e.value.details) == loading.MAX_ERRORS
    assert "另有 50 处未列出" in e.value.message


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL checks are PostgreSQL's")
def test_sql_and_python_agree_on_random_identifiers(ex):
    """Many random ID numbers and credit codes, good and spoiled: the staging table's SQL reports
    exactly what the Python checks report, row by row."""
    pid = {
        "code": "pid",
        "name": "法定代表人身份号码",
        "field_type": "resident_id",
        "field_sensitivity": "personal",
    }
    r = ex.published(fields=[LEGAL_FIELDS[0], pid], title="永吉县法人信息", base_category="legal_person")
    rng = random.Random(7)
    rows = []
    for i in range(400):
        rid = resident_id(
            region=rng.choice(["220221", "990101", "220000"]),
            born=f"{rng.randint(1890, 2030)}{rng.randint(0, 13):02d}{rng.randint(0, 31):02d}",
            seq=f"{i % 1000:03d}",
        )
        uscc = credit_code(org8="".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(8)))
        spoil = rng.randrange(4)
        rows.append(
            {
                "uscc": uscc if spoil else uscc[:-1] + rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXYIOZ"),
                "pid": rid if spoil != 1 else rid[:-1] + rng.choice("0123456789X"),
            }
        )
    with pytest.raises(InvalidInput) as python:
        loading.validate(r, rows)
    with transaction.atomic(), pytest.raises(InvalidInput) as sql:
        staging.validate(r, rows, first_row=2, keys_only=False)
    assert reported(sql.value) == reported(python.value)
    assert sql.value.message == python.value.message
