"""The regulation as data: 35 articles, mended paragraphs, the duty flags of REGULATION_MAP.md."""

import importlib.util
import json
from pathlib import Path

import pytest

from infogov.core.regulation.articles import Citation, article, articles, paragraph_text

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "src" / "infogov" / "core" / "data"

PARAGRAPHS = {4: 3, 5: 3, 6: 2, 8: 2, 9: 2, 11: 2, 13: 2, 21: 2, 27: 2, 29: 2, 30: 2, 31: 2}
DUTY = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 21, 26, 27, 28, 29, 30, 31, 32}


def load_builder():
    spec = importlib.util.spec_from_file_location(
        "build_regulation_json", ROOT / "scripts" / "build_regulation_json.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_header():
    data = json.loads((DATA / "regulation.json").read_text(encoding="utf-8"))
    assert data["title"] == "吉林市信息化促进办法"
    assert data["order"] == "吉林市人民政府令第234号"
    assert (data["promulgated"], data["in_force"]) == ("2014-11-25", "2015-01-01")


def test_thirty_five_articles_in_order():
    arts = articles()
    assert list(arts) == list(range(1, 36))
    for a in arts.values():
        assert a.summary and a.platform
        for p in a.paragraphs:
            assert p.endswith("。"), (a.number, p)
            assert "**" not in p and "\n" not in p
            assert not p.startswith("第"), "the article heading is not part of the text"


@pytest.mark.parametrize("number", range(1, 36))
def test_paragraph_counts(number):
    assert len(article(number).paragraphs) == PARAGRAPHS.get(number, 1)


def test_duty_flags_follow_the_regulation_map():
    assert {a.number for a in articles().values() if a.duty} == DUTY


def test_page_breaks_are_mended():
    assert "组织编制全市信息化发展规划" in article(5).paragraphs[0]
    assert "市政基础设施" in article(8).paragraphs[0]
    assert "信息技术融合应用" in article(18).paragraphs[0]
    assert "工作人员，在信息化工作中" in article(34).paragraphs[0]
    assert "农业生产、社会管理" in article(23).paragraphs[0]


def test_paragraph_text_by_citation():
    assert paragraph_text("第十三条第一款").startswith("信息化工程项目竣工后")
    assert paragraph_text("第十三条第二款").startswith("使用财政性资金的信息化工程项目验收结果")
    assert Citation.parse("第三十一条第二款") == Citation(31, 2)
    assert str(Citation(31, 2)) == "第三十一条第二款"


def test_builder_output_matches_the_committed_json():
    builder = load_builder()
    built = builder.build((DATA / "regulation.zh.txt").read_text(encoding="utf-8"))
    assert builder.render(built) == (DATA / "regulation.json").read_text(encoding="utf-8")


def test_builder_rejects_a_truncated_text():
    builder = load_builder()
    text = (DATA / "regulation.zh.txt").read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        builder.build(text.split("第三十五条")[0].rstrip().rstrip("*"))
