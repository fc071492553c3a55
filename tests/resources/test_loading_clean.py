"""Loading's cell text (第二十七条第一款: 真实、准确): loading._clean's short way — printable text already in
NFKC has only its spaces folded — gives exactly what the long way (core.text.normalise without control
characters) gives, for any text; and a date cell read once per distinct text gives what parse_date gives."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from infogov.resources import loading
from infogov.resources.models import ResourceField

pytestmark = [pytest.mark.article(27)]

# the characters that tell the two ways apart: spaces of every kind, line breaks, controls, invisible and
# bidi characters, full-width forms, compatibility ideographs, combining marks, CJK
_SPACES_AND_CONTROLS = [" ", "\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\xa0", "\u2028", "\u3000"]
_INVISIBLE = ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\x00", "\x7f", "\x9f"]
_FORMS = [
    "Ａ",
    "１",
    "（",
    "\uf900",
    "\u2f00",
    "e\u0301",
    "é",
    "ﬁ",
    "㈱",
    "張",
    "张",
    "三",
    "吉林市",
    "a",
    "Z",
    "-",
    "·",
]
_TRICKY = st.sampled_from([*_SPACES_AND_CONTROLS, *_INVISIBLE, *_FORMS])
TEXT = st.one_of(st.text(), st.lists(_TRICKY, max_size=12).map("".join), st.text(max_size=2100))


def slow(raw: str) -> str:
    return loading._clean_slow.__wrapped__(raw)


@given(TEXT)
@example("  张  三  ")
@example("张\u3000三")
@example("ＡＢＣ １２３")
@example("a" * 2001 + " ")
def test_the_short_way_gives_what_normalise_gives(raw):
    assert loading._clean(raw) == slow(raw)


@given(TEXT)
def test_a_text_field_prepares_a_cell_as_before(raw):
    field = ResourceField(code="t", name="文本", field_type="text")
    ident = ResourceField(code="i", name="公民身份号码", field_type="resident_id")
    text = slow(raw)
    assert loading.prepare(field, raw) == ((text or None) if raw.strip() else None, None)
    assert loading.preparer(ident)(raw)[0] == loading._prepare_any("resident_id", raw)[0]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2020-03-01", ("2020-03-01", None)),
        ("２０２０年３月１日", ("2020-03-01", None)),
        ("20200301", ("2020-03-01", None)),
        ("2020-02-30", (None, loading.DATE)),
        ("  ", (None, None)),
        (45352, ("2024-03-01", None)),
        ({"a": 1}, (None, loading.SINGLE)),
        (None, (None, None)),
    ],
)
def test_a_date_cell(raw, expected):
    field = ResourceField(code="d", name="日期", field_type="date")
    assert loading.prepare(field, raw) == expected
    assert loading.prepare(field, raw) == expected  # the second time from the cache


_KINDS = ["text", "resident_id", "credit_code", "date", "code", "phone"]
_CELL = st.one_of(
    TEXT,
    st.sampled_from(["2020-03-01", "2020-02-30", "0000-01-01", "2020-3-1", "２０２０-03-01", "20200301"]),
    st.sampled_from(["220221196601317013", "91350100m000100y43", "张三", "a b", " a", "a ", "", "|"]),
    st.none(),
    st.integers(),
    st.floats(allow_nan=False),
    st.just({"a": 1}),
)


@given(st.sampled_from(_KINDS), st.lists(_CELL, max_size=8))
@example("text", [])
@example("resident_id", [])
@example("text", ["张三", "吉林市 船营区", "a\x00b"])
@example("text", ["e\u0301", "x"])
@example("text", ["e", "\u0301"])
@example("resident_id", ["abc", "x1"])
@example("resident_id", ["ａｂｃ", "x1"])
@example("date", ["2020-03-01", "2020-02-30"])
@example("date", ["2020-03-01", "2021-12-31"])
@example("address", ["a" * 2001])
def test_a_column_prepares_as_its_cells_do(kind, raw):
    """loading.prepare_column (the staging COPY, a column at a time) gives what preparer gives each
    cell: the same stored text and the same error, for any column — its short ways included."""
    field = ResourceField(code="c", name="列", field_type=kind)
    one = loading.preparer(field)
    expected = [one(cell) for cell in raw]
    texts, errors = loading.prepare_column(field, list(raw))
    assert texts == [text for text, _ in expected]
    assert (errors or [None] * len(raw)) == [error for _, error in expected]


def test_a_clean_csv_column_takes_the_short_way():
    """The short way is taken (not only agreed with): a column of clean CSV text never reaches the cell
    by cell preparer, identifiers come back upper-cased, empty cells as None."""
    field = ResourceField(code="i", name="公民身份号码", field_type="resident_id")
    raw = ["22022119660131701x", "", "220204195109060729"]
    calls = []
    original = loading.preparer

    def counting(f):
        calls.append(f)
        return original(f)

    loading.preparer = counting  # type: ignore[assignment]
    try:
        texts, errors = loading.prepare_column(field, raw)
    finally:
        loading.preparer = original  # type: ignore[assignment]
    assert texts == ["22022119660131701X", None, "220204195109060729"]
    assert errors is None and calls == []
