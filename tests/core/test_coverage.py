"""`regulation_coverage`: the rules and the tests behind each of the 35 articles."""

import json
import textwrap
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from infogov.core.workflow import coverage as cov

THIS = "tests/core/test_coverage.py"


def run(*args: str) -> str:
    out = StringIO()
    call_command("regulation_coverage", *args, stdout=out)
    return out.getvalue()


@pytest.mark.article(4)
def test_json_lists_all_articles_with_rules_and_tests():
    report = json.loads(run("--format", "json"))
    arts = report["articles"]
    assert [a["number"] for a in arts] == list(range(1, 36))
    for a in arts:
        assert set(a) >= {"number", "duty", "rules", "tests"}
        assert isinstance(a["duty"], bool)
        for r in a["rules"]:
            assert set(r) == {"code", "citation", "summary"}
    by_number = {a["number"]: a for a in arts}
    assert by_number[4]["duty"] and not by_number[1]["duty"]
    a4 = by_number[4]
    assert "A4-AUTHORITY" in {r["code"] for r in a4["rules"]}
    assert f"{THIS}::test_json_lists_all_articles_with_rules_and_tests" in a4["tests"]
    assert "A34-NO-AUDIT-WRITE" in {r["code"] for r in by_number[34]["rules"]}


def test_test_only_rules_are_left_out():
    codes = {r["code"] for a in cov.coverage()["articles"] for r in a["rules"]}
    assert "TEST-SECURITY-PLAN" not in codes and "TEST-BUDGET" not in codes


def test_table_output():
    out = run()
    lines = out.splitlines()
    assert lines[0].split() == ["条款", "义务", "规则数", "测试数", "状态", "摘要"]
    row4 = next(line for line in lines if line.startswith("第四条 "))
    assert row4.split()[1] == "是"
    assert row4.split()[4] == "✓"
    row1 = next(line for line in lines if line.startswith("第一条 "))
    assert row1.split()[4] == "—"
    assert lines[-1].startswith("共 35 条，其中义务条款 20 条")
    # CJK-aware alignment: the 义务 column starts at the same display column on every row
    rows = lines[2:37]
    assert len(rows) == 35
    starts = {
        cov.display_width(line[: min(i for i in (line.find("是"), line.find("否")) if i >= 0)])
        for line in rows
    }
    assert len(starts) == 1


def _trace(tmp_path, refused_codes) -> str:
    folder = tmp_path / "trace"
    folder.mkdir(parents=True)
    (folder / "gw0.json").write_text(
        json.dumps({code: {"refused": ["tests/x.py::test_x"], "passed": []} for code in refused_codes})
    )
    return str(folder)


def test_complete_fails_when_a_duty_article_lacks_rules_or_tests(monkeypatch, tmp_path):
    report = cov.coverage()
    report["articles"][2]["rules"] = []  # 第三条
    monkeypatch.setattr("infogov.core.management.commands.regulation_coverage.coverage", lambda: report)
    every_rule = [r.code for r in cov.platform_rules()]
    with pytest.raises(CommandError) as excinfo:
        run("--complete", "--trace", _trace(tmp_path, every_rule))
    assert excinfo.value.returncode == 1
    assert "第三条" in str(excinfo.value)
    run()  # without --strict or --complete the same report exits 0


def test_strict_fails_on_a_rule_no_test_makes_refuse(tmp_path):
    every_rule = [r.code for r in cov.platform_rules()]
    with pytest.raises(CommandError) as excinfo:
        run("--strict", "--trace", _trace(tmp_path, every_rule[1:]))
    assert excinfo.value.returncode == 1
    assert every_rule[0] in str(excinfo.value) and "没有使之拒绝的测试" in str(excinfo.value)


def test_strict_needs_the_rule_trace_of_a_test_run(tmp_path):
    with pytest.raises(CommandError) as excinfo:
        run("--strict", "--trace", str(tmp_path / "none"))
    assert "请先运行测试" in str(excinfo.value)


def test_strict_passes_when_every_rule_is_refused_by_a_test(monkeypatch, tmp_path):
    report = cov.coverage()
    for a in report["articles"]:
        a["rules"] = a["rules"] or [{"code": "X", "citation": a["citation"], "summary": "x"}]
        a["tests"] = a["tests"] or ["tests/x.py::test_x"]
    monkeypatch.setattr("infogov.core.management.commands.regulation_coverage.coverage", lambda: report)
    run("--strict", "--trace", _trace(tmp_path, [r.code for r in cov.platform_rules()]))


@pytest.mark.article(13)
def test_one_article_in_full(tmp_path):
    out = run("--article", "13", "--trace", _trace(tmp_path, ["A13-1-ACCEPTED"]))
    assert out.startswith("第十三条（义务条款）")
    assert "A13-1-ACCEPTED  第十三条第一款  src/infogov/projects/rules.py:" in out
    assert "拒绝：tests/x.py::test_x" in out
    assert "依据本条的办理步骤：" in out and "（accept，第十三条第一款）" in out
    assert "本条产生的法定义务：" in out
    data = json.loads(run("--article", "13", "--format", "json", "--trace", _trace(tmp_path / "b", [])))
    assert data["number"] == 13 and data["rules"] and all(r["refused_by"] == [] for r in data["rules"])


def test_status_labels():
    assert cov.status({"duty": True, "rules": [1], "tests": [1]}) == "✓"
    assert cov.status({"duty": True, "rules": [], "tests": [1]}) == "缺规则"
    assert cov.status({"duty": True, "rules": [1], "tests": []}) == "缺测试"
    assert cov.status({"duty": False, "rules": [], "tests": []}) == "—"


def test_marks_are_found_statically(tmp_path):
    (tmp_path / "tests" / "sub").mkdir(parents=True)
    (tmp_path / "tests" / "sub" / "test_a.py").write_text(
        textwrap.dedent(
            """
            import pytest
            from pytest import mark

            @pytest.mark.article(9, 31)
            def test_two_articles(): ...

            @pytest.mark.django_db
            @mark.article(13)
            def test_bare_mark(): ...

            def test_unmarked(): ...

            @pytest.mark.article(5)
            def helper_not_a_test(): ...

            @pytest.mark.article(6)
            class TestPlans:
                def test_change(self): ...

                @pytest.mark.article(7)
                def test_inspection(self): ...

                def helper(self): ...

                class TestNested:
                    def test_inner(self): ...
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "tests" / "test_b.py").write_text(
        textwrap.dedent(
            """
            import pytest

            pytestmark = [pytest.mark.django_db, pytest.mark.article(21)]

            def test_network(): ...

            async def test_async(): ...
            """
        ),
        encoding="utf-8",
    )
    (tmp_path / "tests" / "test_c.py").write_text("pytestmark = pytest.mark.article(30)\ndef test_x(): ...\n")
    (tmp_path / "tests" / "broken.py").write_text("def (:\n")
    found = cov.marked_tests(tmp_path)
    a = "tests/sub/test_a.py"
    assert found[9] == found[31] == [f"{a}::test_two_articles"]
    assert found[13] == [f"{a}::test_bare_mark"]
    assert 5 not in found
    assert found[6] == [
        f"{a}::TestPlans::test_change",
        f"{a}::TestPlans::test_inspection",
        f"{a}::TestPlans::TestNested::test_inner",
    ]
    assert found[7] == [f"{a}::TestPlans::test_inspection"]
    assert found[21] == ["tests/test_b.py::test_network", "tests/test_b.py::test_async"]
    assert found[30] == ["tests/test_c.py::test_x"]


def test_paths_are_relative_to_the_directory_with_manage_py():
    root = cov.repo_root()
    assert (root / "manage.py").is_file()
    tests = cov.marked_tests()
    assert any(t.startswith("tests/core/test_docket.py::") for t in tests[34])
