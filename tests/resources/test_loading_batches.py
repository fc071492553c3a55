"""Validation in SQL during loading (第二十七条第一款): for any batch — bad cells of every type, blank and
over-long record identifiers, duplicates (also of rows with other errors, and identifiers that become
equal once normalised), unknown columns, more than loading.MAX_ERRORS problems — PostgreSQL's staging
checks (staging.py: one array of messages per row) report exactly what the Python checks report: the
same rows, columns, messages, order and count. And the merge: a first load into an empty resource, a
reload and a replace keep the same records."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infogov.core.errors import InvalidInput
from infogov.resources import loading, services, staging
from infogov.resources.models import DataRecord

from .conftest import resident_id

pytestmark = [pytest.mark.django_db, pytest.mark.article(27)]

FIELDS = [
    {"code": "rid", "name": "记录编号", "field_sensitivity": "public", "required": True, "record_key": True},
    {
        "code": "nm",
        "name": "姓名",
        "field_type": "person_name",
        "field_sensitivity": "personal",
        "required": True,
    },
    {"code": "pid", "name": "公民身份号码", "field_type": "resident_id", "field_sensitivity": "personal"},
    {"code": "n", "name": "人数", "field_type": "integer", "field_sensitivity": "public"},
    {"code": "x", "name": "金额", "field_type": "decimal", "field_sensitivity": "public"},
    {"code": "tel", "name": "电话", "field_type": "phone", "field_sensitivity": "personal"},
    {
        "code": "kind",
        "name": "类别",
        "field_type": "code",
        "field_sensitivity": "public",
        "code_list": ["甲", "乙"],
    },
    {"code": "day", "name": "日期", "field_type": "date", "field_sensitivity": "public"},
]
GOOD_ID = resident_id(seq="101")
POOLS = {
    "rid": ["a", "b", "A", " a ", "ａ", "c\u200b", "x" * 65, "y" * 64, "", None, "  ", {"k": 1}],
    "nm": ["张三", "", None, "李\u3000四", ["x"]],
    "pid": [GOOD_ID, GOOD_ID.lower(), GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1"), "123", None],
    "n": ["12", "十二", "-3", "1.5", None],
    "x": ["1.5e3", "abc", ".5", None],
    "tel": ["13812345678", "12345", "0432-1234567", None],
    "kind": ["甲", "丙", " 乙 ", None],
    "day": ["2020-03-01", "2020-02-30", "不是日期", "２０２０年３月１日", None],
}
ROW = st.fixed_dictionaries({}, optional={code: st.sampled_from(pool) for code, pool in POOLS.items()})
ROWS = st.lists(
    st.one_of(ROW, ROW.map(lambda r: {**r, "备注": "x"}), st.just({"rid": "a", "nm": "同"})),
    min_size=1,
    max_size=40,
)


def reported(exc: InvalidInput) -> list[tuple[int, str, str]]:
    return [(d["row"], d["column"], d["message"]) for d in exc.details]


def python_and_sql(r, rows, keys_only=False):
    outcome = []
    for check in (loading.validate, staging.validate):
        try:
            with transaction.atomic():
                got = check(r, rows, first_row=2, keys_only=keys_only)
                outcome.append(("ok", len(got)))
                transaction.set_rollback(True)
        except InvalidInput as e:
            outcome.append((e.message, reported(e)))
    return outcome


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL checks are PostgreSQL's")
def test_sql_reports_what_python_reports_for_any_batch(ex):
    r = _resource(ex)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(rows=ROWS, keys_only=st.booleans())
    def same(rows, keys_only):
        python, sql = python_and_sql(r, rows, keys_only)
        assert sql == python

    same()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL checks are PostgreSQL's")
def test_more_problems_than_listed_in_the_same_order(ex):
    r = _resource(ex)
    rows = [{"rid": "k" if i % 3 else "x" * 70, "nm": "", "n": "十", "day": "x"} for i in range(150)]
    python, sql = python_and_sql(r, rows)
    assert sql == python and len(sql[1]) == loading.MAX_ERRORS
    assert "另有" in sql[0]


def test_a_first_load_a_reload_and_a_replace_keep_the_same_records(ex):
    r = _resource(ex)
    rows = [{"rid": f"r{i}", "nm": f"名{i}", "n": str(i), "day": "2020/1/2"} for i in range(30)]
    ex.load(r, rows)  # into an empty resource
    first = dict(DataRecord.objects.filter(resource=r).values_list("record_id", "data"))
    assert len(first) == 30 and first["r7"] == {"rid": "r7", "nm": "名7", "n": "7", "day": "2020-01-02"}
    ex.load(r, [{**rows[7], "n": "70"}, {"rid": "new", "nm": "新"}])  # an increment: upsert
    again = dict(DataRecord.objects.filter(resource=r).values_list("record_id", "data"))
    assert len(again) == 31 and again["r7"]["n"] == "70" and again["r8"] == first["r8"]
    services.records_load(
        user=ex.provider, resource=r, rows=rows[:5], source="测试", file_format="api", mode="replace"
    )
    assert sorted(DataRecord.objects.filter(resource=r).values_list("record_id", flat=True)) == [
        "r0",
        "r1",
        "r2",
        "r3",
        "r4",
    ]


def _resource(ex):
    return ex.published(fields=FIELDS, title="测试资源", base_category="thematic")


MESSY = [  # valid rows whose cells the store keeps changed: spaces folded, NFKC, identifiers upper-cased
    {
        "rid": " r1 ",
        "nm": "张\u3000三",
        "pid": GOOD_ID.lower(),
        "n": 12,
        "x": 1.5,
        "day": "２０２０年３月１日",
    },
    {"rid": "ｒ2", "nm": "李  四", "kind": " 乙 ", "day": "2020/1/2", "tel": "13812345678"},
    {"rid": "r3", "nm": "王五", "pid": None, "n": "", "x": ".5", "day": "2021-12-31", "kind": "甲"},
    {"rid": "r4", "nm": "赵\u200b六", "tel": "0432-1234567", "day": 45352},
]


def test_the_store_keeps_what_the_python_path_prepares(ex):
    """The staging path (PostgreSQL: cells prepared a column at a time, the record built by
    jsonb_object, inserted in record_id order) stores exactly the values loading.validate prepares —
    what SQLite stores — for cells that need normalising and for clean ones alike."""
    r = _resource(ex)
    clean = dict(loading.validate(r, [dict(row) for row in MESSY]))
    assert clean["r1"]["pid"] == GOOD_ID.upper() and clean["r1"]["nm"] == "张 三"
    ex.load(r, [dict(row) for row in MESSY])
    stored = dict(DataRecord.objects.filter(resource=r).values_list("record_id", "data"))
    assert stored == clean
    assert stored["r2"] == {
        "rid": "r2",
        "nm": "李 四",
        "kind": "乙",
        "day": "2020-01-02",
        "tel": "13812345678",
    }


def test_a_bad_reload_keeps_the_records_of_the_first(ex):
    """All or nothing: a second batch with one bad cell among good rows changes no record and adds none,
    on either database."""
    r = _resource(ex)
    ex.load(r, [{"rid": f"r{i}", "nm": f"名{i}", "n": str(i)} for i in range(5)])
    before = dict(DataRecord.objects.filter(resource=r).values_list("record_id", "data"))
    rows = [{"rid": f"r{i}", "nm": "改", "n": "1"} for i in range(3)] + [
        {"rid": "new", "nm": "新", "n": "十二"}
    ]
    with pytest.raises(InvalidInput) as e:
        ex.load(r, rows)
    assert reported(e.value) == [(5, "人数", "应为整数")]
    assert dict(DataRecord.objects.filter(resource=r).values_list("record_id", "data")) == before
