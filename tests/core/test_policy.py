"""Platform policy settings: dated values, deployment overrides, test overrides, labels."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import override_settings

from infogov.core.regulation.policy import Policy, get, override_policy

D = dt.date

SAMPLE = Policy(
    "test.sample_days",
    label="测试期限",
    unit="天",
    basis="第十三条第一款",
    source="测试用",
    history={D(2015, 1, 1): 30, D(2027, 1, 1): 20},
)


def test_value_by_the_date_of_the_act():
    assert SAMPLE.on(D(2016, 5, 1)) == 30
    assert SAMPLE.on(D(2026, 12, 31)) == 30
    assert SAMPLE.on(D(2027, 1, 1)) == 20
    assert SAMPLE.on(D(2010, 1, 1)) == 30  # before the first value: the first value


def test_label_says_platform_policy_not_the_article():
    assert SAMPLE.note == "平台规定（依据第十三条第一款设定）"
    assert SAMPLE.describe(D(2027, 6, 1)) == "20天（平台规定（依据第十三条第一款设定））"


def test_deployment_setting_changes_a_value_from_a_date():
    with override_settings(INFOGOV_POLICY={"test.sample_days": {"2026-07-01": 45}}):
        assert SAMPLE.on(D(2026, 6, 30)) == 30
        assert SAMPLE.on(D(2026, 7, 1)) == 45
        assert SAMPLE.on(D(2027, 1, 1)) == 20


def test_override_for_tests():
    with override_policy(SAMPLE, 3):
        assert SAMPLE.on(D(2016, 1, 1)) == 3
    assert SAMPLE.on(D(2016, 1, 1)) == 30


def test_declaration_refuses_bad_basis_and_no_value():
    with pytest.raises(ValueError):
        Policy("test.bad", label="x", unit="天", basis="第九十九条", source="x", history={D(2015, 1, 1): 1})
    with pytest.raises(ValueError):
        Policy("test.empty", label="x", unit="天", basis="第九条", source="x", history={})
    with pytest.raises(ValueError):
        Policy(
            "test.sample_days", label="x", unit="天", basis="第九条", source="x", history={D(2015, 1, 1): 1}
        )
    assert get("test.sample_days") is SAMPLE


def test_policy_list_command(capsys):
    call_command("policy_list", "--markdown")
    out = capsys.readouterr().out
    assert "test.sample_days" in out and "平台规定（依据第十三条第一款设定）" in out
