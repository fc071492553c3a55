"""core.text: normalisation, folding, segmentation and the word search column (issue 9 item 7)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infogov.core.text import (
    clean_name,
    fold,
    index_words,
    normalise,
    query_words,
    search_column,
    search_q,
    words,
)
from infogov.core.text.normal import INVISIBLE

REMOVED = [*sorted(INVISIBLE), "\x00", "\x07", "\x1b", "\x7f", "\x85"]
# text that exercises what is removed, full-width forms, traditional characters and spaces
_alphabet = st.one_of(
    st.characters(codec="utf-8"),
    st.sampled_from(
        [*REMOVED, "\u3000", "\r", "\n", "\t", " ", "Ａ", "２", "（", "資", "訊", "網", "絡", "數"]
    ),
)
texts = st.text(alphabet=_alphabet, max_size=60)
cjk = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=30),
    # characters of government IT terms, so that dictionary words form and overlap
    st.text(
        alphabet="电子政务外网内一通办统管云平台数据共享交换信息化系统城市大脑支付印章证照建设", max_size=30
    ),
)


def test_normalise_full_width_and_spaces() -> None:
    assert normalise("　２０２６年ＩＰｖ６　改造\t\t项目 ") == "2026年IPv6 改造 项目"
    assert normalise("第一段  \r\n\r\n\r\n\r\n  第二段") == "第一段\n\n第二段"
    assert normalise(None) == ""


def test_normalise_removes_invisible_and_bidi() -> None:
    assert normalise("电子\u200b政务\u202e外网\u2066\ufeff") == "电子政务外网"


def test_clean_name_bidi_attachment() -> None:
    # U+202E would display "\u202efdp.exe" as "exe.pdf"
    assert clean_name("\u202efdp.exe") == "fdp.exe"
    assert clean_name("实施方案\x00（第２版）\n.pdf") == "实施方案（第2版） .pdf"
    assert clean_name("  电子政务  外网  ", max_length=4) == "电子政务"
    assert clean_name("\u200b\x00") == ""


def test_fold_government_it_terms() -> None:
    assert fold("資訊化") == "信息化"
    assert fold("數據") == "数据"
    assert fold("電子政務") == "电子政务"
    assert fold("網絡") == "网络"
    assert fold("信息化 abc") == "信息化 abc"


def test_words_are_search_mode_lower_cased() -> None:
    ws = words("電子政務外網 IPv6 改造，５Ｇ")
    assert "电子" in ws and "政务" in ws and "ipv6" in ws and "5g" in ws
    assert "，" not in ws and " " not in ws


def test_user_dictionary_keeps_terms_whole() -> None:
    assert "一网通办" in words("推进一网通办服务")
    assert query_words("一网通办") == ["一网通办"]
    assert "政务云" in query_words("政务云平台")


def test_search_column_format() -> None:
    col = search_column("电子政务外网", None, "升级")
    assert col.startswith(" ") and col.endswith(" ") and "  " not in col
    assert " 电子政务 " in col and " 政务 " in col and " 升级 " in col
    assert search_column("", None, "！") == ""


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("吉林市电子政务外网升级改造", "政务"),
        ("吉林市电子政务外网升级改造", "电子政务"),
        ("吉林市电子政务外网升级改造", "外网 吉林"),
        ("推进一网通办服务", "通办"),
        ("政务云平台扩容", "云平台"),
        ("城市大脑二期", "大脑"),
        ("2026年度医保信息系统", "２０２６"),
        ("信息化发展规划", "資訊化"),
        ("資訊化發展規劃", "信息化"),
        ("IPv6 改造", "ipv6"),
    ],
)
def test_every_query_word_is_a_word_of_the_text(text: str, query: str) -> None:
    assert set(query_words(query)) <= set(index_words(text))


def test_query_not_in_text_is_not_found() -> None:
    assert not set(query_words("医保")) <= set(index_words("电子政务外网"))


def test_search_q_empty_and_wordless() -> None:
    assert search_q("search_text", "  ") == search_q("search_text", None)
    assert "search_text" not in str(search_q("search_text", "！？", fallback=("title",)))
    assert "title__icontains" in str(search_q("search_text", "！？", fallback=("title",)))


@given(texts)
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@given(texts)
def test_normalise_never_contains_removed_code_points(text: str) -> None:
    out = normalise(text)
    assert not any(c in out for c in REMOVED)
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in out)


@given(texts)
def test_clean_name_is_idempotent_and_one_line(text: str) -> None:
    once = clean_name(text)
    assert clean_name(once) == once
    assert "\n" not in once and "\x00" not in once and not any(c in once for c in INVISIBLE)


@given(st.one_of(texts, cjk))
def test_fold_after_normalise_is_idempotent(text: str) -> None:
    once = fold(normalise(text))
    assert fold(normalise(once)) == once


@given(cjk, cjk, cjk)
def test_a_contained_query_is_always_found(before: str, query: str, after: str) -> None:
    """Whatever surrounds the query in the text, its words are the text's words (the property
    the search relies on, on both databases)."""
    assert set(query_words(query)) <= set(index_words(before + query + after))


def test_clean_name_on_input_schema_and_form() -> None:
    from django import forms
    from pydantic import BaseModel, Field

    from infogov.core.text import CleanName, NameField

    class In(BaseModel):
        title: CleanName = Field(..., min_length=2, max_length=20)

    assert In(title=" 电子政务\u202e外网\x00 ").title == "电子政务外网"
    with pytest.raises(ValueError):
        In(title="\u200b\u200b\x00")  # nothing left: shorter than 2

    class NameForm(forms.Form):
        title = NameField(max_length=10)

    ok = NameForm({"title": "\u2066附件\x00（２）"})
    assert ok.is_valid() and ok.cleaned_data["title"] == "附件（2）"
    empty = NameForm({"title": "\u200b\x00"})
    assert not empty.is_valid() and "title" in empty.errors  # only invisible characters: required
