"""第三十条第一款: the system register and classified protection (定级, 专家评审, 备案, 等级测评)."""

from __future__ import annotations

import datetime as dt

import pytest

from infogov.core.errors import NotPermitted, RuleViolation
from infogov.core.models import Obligation
from infogov.core.regulation.policy import override_policy
from infogov.security import services
from infogov.security.choices import SystemState, matrix_level
from infogov.security.models import Finding, InformationSystem
from infogov.security.policies import EVALUATION_PERIOD, FILING_DAYS
from tests.conftest import fresh

from .conftest import D, evaluation, filed_system, filing, fire, grading, register, review

pytestmark = [pytest.mark.django_db, pytest.mark.article(30)]


def open_codes(case) -> list[tuple[str, dt.date]]:
    return sorted(Obligation.objects.for_case(case).open().values_list("code", "due_date"))


def test_the_matrix_follows_gb_t_22240_2020():
    assert matrix_level("citizens", "general") == 1
    assert matrix_level("citizens", "grave") == 2
    assert matrix_level("society", "general") == 2
    assert matrix_level("society", "serious") == 3
    assert matrix_level("society", "grave") == 4
    assert matrix_level("state", "general") == 3
    assert matrix_level("state", "serious") == 4
    assert matrix_level("state", "grave") == 5


def test_a_unit_registers_only_its_own_systems(world):
    system = register(world.yongji, purpose="网格事件办理", data_categories=["个人信息"])
    assert system.owner == world.yongji.department and system.state == SystemState.REGISTERED
    with pytest.raises(NotPermitted) as exc:  # a co-supervisor has no unit of its own to register for
        services.system_register(user=fresh(world.yongji.finance_user), title="越权登记")
    assert exc.value.code == "A30-1-OWN-UNIT" and exc.value.article == "第三十条第一款"


def test_a_declared_level_below_the_matrix_is_refused_with_its_article(world):
    system = register(world.yongji)
    with pytest.raises(RuleViolation) as exc:
        fire(system, "determine_level", world.yongji.dept_user, grading(level=2))  # society × serious → 3
    assert exc.value.code == "A30-1-GRADING" and exc.value.article == "第三十条第一款"
    assert "第3级" in exc.value.message
    assert InformationSystem.objects.get(pk=system.pk).level is None


def test_grading_cannot_be_dated_in_the_future(world):
    system = register(world.yongji)
    later = dt.date.today() + dt.timedelta(days=3)
    with pytest.raises(RuleViolation) as exc:
        fire(system, "determine_level", world.yongji.dept_user, grading(on=later))
    assert exc.value.code == "A30-1-NOT-FUTURE"


def test_an_expert_review_may_lower_the_level_only_with_reasons(world):
    land = world.yongji
    system = register(land)
    fire(system, "determine_level", land.dept_user, grading(level=3))
    with pytest.raises(RuleViolation) as exc:
        fire(system, "review_grading", land.dept_user, review(level=2))
    assert exc.value.code == "A30-1-OVERRIDE"
    system = fire(
        system,
        "review_grading",
        land.dept_user,
        review(level=2, reasons="系统仅处理公开信息，经评审降为第二级"),
    )
    assert system.level == 2 and system.matrix_level == 3 and system.review_override
    assert system.grading_reviews.get().override_reasons.startswith("系统仅处理")


def test_level_two_and_above_is_filed_only_after_the_expert_review(world):
    land = world.yongji
    system = register(land)
    fire(system, "determine_level", land.dept_user, grading(level=3))
    with pytest.raises(RuleViolation) as exc:
        fire(system, "file_record", land.dept_user, filing())
    assert exc.value.code == "A30-1-REVIEWED"


def test_a_level_one_system_is_not_filed(world):
    land = world.yongji
    system = register(land)
    fire(system, "determine_level", land.dept_user, grading(level=1, harmed="citizens", degree="general"))
    assert open_codes(system) == [("sec-risk-assessment", D(2026, 3, 1))]  # no filing duty for level 1
    with pytest.raises(RuleViolation) as exc:
        fire(system, "file_record", land.dept_user, filing())
    assert exc.value.code == "A30-1-FILING-LEVEL"


def test_filing_cannot_predate_the_grading(world):
    land = world.yongji
    system = register(land)
    fire(system, "determine_level", land.dept_user, grading(level=3))
    fire(system, "review_grading", land.dept_user, review(level=3))
    with pytest.raises(RuleViolation) as exc:
        fire(system, "file_record", land.dept_user, filing(on=D(2025, 2, 1)))
    assert exc.value.code == "A30-1-FILED-AFTER"


def test_the_filing_duty_is_due_by_the_policy_after_the_determination(world):
    land = world.yongji
    system = register(land)
    with override_policy(FILING_DAYS, 10):
        fire(system, "determine_level", land.dept_user, grading(level=3))
    assert ("sec-filing", D(2025, 3, 11)) in open_codes(system)
    ob = Obligation.objects.for_case(system).get(code="sec-filing")
    assert ob.owed_by == land.department and ob.owed_to == land.authority


def test_a_level_three_system_graded_reviewed_filed_and_evaluated_with_an_overdue_evaluation(world):
    land = world.yongji
    system = filed_system(world, level=3)
    assert system.state == SystemState.FILED and system.filing_number
    # filed 2025-04-01: the first evaluation is due a year later (level 3: yearly), the filing duty is done
    assert ("sec-evaluation", D(2026, 4, 1)) in open_codes(system)
    assert not Obligation.objects.for_case(system).open().filter(code="sec-filing").exists()
    # evaluated on 2025-06-01, recorded today: the next one is clocked from the evaluation's own date
    fire(system, "record_evaluation", land.dept_user, evaluation(D(2025, 6, 1)))
    evaluations = Obligation.objects.for_case(system).filter(code="sec-evaluation")
    assert evaluations.count() == 2
    [next_one] = evaluations.filter(fulfilled_at__isnull=True)
    assert next_one.due_date == D(2026, 6, 1) and next_one.is_overdue(D(2026, 12, 3))
    assert InformationSystem.objects.get(pk=system.pk).last_evaluated_on == D(2025, 6, 1)


def test_a_level_four_system_is_evaluated_every_six_months_and_tests_change_the_policy(world):
    land = world.yongji
    system = filed_system(world, level=4)
    fire(system, "record_evaluation", land.dept_user, evaluation(D(2025, 8, 31), result="优", score="92"))
    assert ("sec-evaluation", D(2026, 2, 28)) in open_codes(system)  # a month end stays in its month
    with override_policy(EVALUATION_PERIOD, {3: "P1Y", 4: "P3M"}):
        fire(system, "record_evaluation", land.dept_user, evaluation(D(2025, 10, 1), result="优", score="95"))
    assert ("sec-evaluation", D(2026, 1, 1)) in open_codes(system)


def test_the_result_must_match_the_score(world):
    system = filed_system(world)
    with pytest.raises(RuleViolation) as exc:
        fire(
            system,
            "record_evaluation",
            world.yongji.dept_user,
            evaluation(D(2025, 6, 1), result="优", score="75"),
        )
    assert exc.value.code == "A30-1-EVAL-RESULT"


def test_each_issue_found_is_a_finding_with_a_rectification_duty(world):
    land = world.yongji
    system = filed_system(world)
    issues = [
        {"description": "未启用双因素认证", "severity": "高", "due_date": "2025-09-01"},
        {"description": "日志留存不足六个月", "severity": "中", "due_date": "2025-10-01"},
    ]
    fire(system, "record_evaluation", land.dept_user, evaluation(D(2025, 6, 1), issues=issues))
    first, second = Finding.objects.filter(system=system).order_by("due_date")
    assert (first.duty_code, D(2025, 9, 1)) in open_codes(system)
    fire(
        system,
        "rectify_finding",
        land.dept_user,
        {"finding_id": first.pk, "rectified_on": "2025-08-20", "rectification": "已部署双因素认证"},
    )
    assert not Obligation.objects.for_case(system).open().filter(code=first.duty_code).exists()
    assert Obligation.objects.for_case(system).open().filter(code=second.duty_code).exists()
    with pytest.raises(RuleViolation) as exc:  # once rectified, not again
        fire(
            system,
            "rectify_finding",
            land.dept_user,
            {"finding_id": first.pk, "rectified_on": "2025-08-21", "rectification": "再次"},
        )
    assert exc.value.code == "A30-1-FINDING-OPEN"


def test_only_the_owner_records_on_its_system(world):
    system = filed_system(world)
    with pytest.raises(NotPermitted) as exc:
        fire(system, "record_evaluation", world.jiaohe.dept_user, evaluation(D(2025, 6, 1)))
    assert exc.value.code == "A4-OWNER"
