"""core.regulation: the measures as data, Chinese numerals and article citations."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infogov.core.regulation.articles import (
    Citation,
    article,
    articles,
    chinese_number,
    paragraph_text,
    to_chinese_number,
)
from infogov.core.workflow import engine as workflow
from infogov.core.workflow import rules as core_rules


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("十二", 12),
        ("二十", 20),
        ("三十一", 31),
        ("三十五", 35),
        ("九十九", 99),
    ],
)
def test_chinese_number_known_values(text, number):
    assert chinese_number(text) == number
    assert to_chinese_number(number) == text


@given(st.integers(min_value=1, max_value=99))
@settings(max_examples=99, deadline=None)
def test_chinese_number_round_trip(n):
    text = to_chinese_number(n)
    assert chinese_number(text) == n
    assert not text.startswith("一十")  # the regulation writes 十二, never 一十二


@given(st.integers(min_value=1, max_value=35), st.one_of(st.none(), st.integers(min_value=1, max_value=9)))
@settings(max_examples=60, deadline=None)
def test_citation_round_trip(art, para):
    c = Citation(art, para)
    text = str(c)
    assert Citation.parse(text) == c
    assert text.startswith(f"第{to_chinese_number(art)}条")


def test_citation_parse_examples():
    assert Citation.parse("第三十一条第一款") == Citation(31, 1)
    assert Citation.parse("第四条") == Citation(4, None)
    assert Citation.parse(" 第十三条第二款 ") == Citation(13, 2)
    assert Citation.parse("第九条第二款第一项") == Citation(9, 2)
    assert str(Citation.parse("第三十四条")) == "第三十四条"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "第13条",
        "三十一条",
        "第三十一条第一款以下",
        "第条",
        "第三十一款",
        "article 31",
        "第十十条",
        "第二三条",
        "第零条",
        "第三十六条",
        "第九十九条",
        "第三十一条第零款",
    ],
)
def test_bad_citations_raise_value_error(bad):
    with pytest.raises(ValueError):
        Citation.parse(bad)


@pytest.mark.parametrize("bad", ["", "十十", "二三", "廿", "三十百"])
def test_bad_numerals_raise_value_error(bad):
    with pytest.raises(ValueError):
        chinese_number(bad)


def test_the_measures_have_35_articles_in_order():
    arts = articles()
    assert sorted(arts) == list(range(1, 36))
    assert all(a.paragraphs and all(p.strip() for p in a.paragraphs) for a in arts.values())
    assert "同步规划" in paragraph_text("第三十一条第一款")
    assert "2015年1月1日" in article(35).text
    assert article(4).citation == "第四条"
    assert paragraph_text("第四条") == article(4).text


def test_rule_decorator_refuses_malformed_citation():
    with pytest.raises(ValueError):
        core_rules.rule("TEST-BAD-CITE", citation="第13条", message="x")


@pytest.mark.django_db
def test_every_declared_citation_names_an_existing_paragraph():
    """Every rule, transition and duty of every installed workflow cites a clause that exists."""
    arts = articles()

    def exists(citation: str) -> bool:
        c = Citation.parse(citation)
        if c.article not in arts:
            return False
        return c.paragraph is None or c.paragraph <= len(arts[c.article].paragraphs)

    cited = [(f"rule {r.code}", r.citation) for r in core_rules.REGISTRY.values()]
    for wf in workflow.REGISTRY.values():
        for t in wf.transitions.values():
            if t.citation:
                cited.append((f"{wf.model.__name__}.{t.name}", t.citation))
            cited += [(f"{wf.model.__name__}.{t.name} duty {d.code}", d.citation) for d in t.opens]
    assert len(cited) > 8
    missing = [(who, c) for who, c in cited if not exists(c)]
    assert missing == []
