"""The numbers 第三十条至第三十二条 do not set: platform policy (core/regulation/policy.py), each with its
source. docs/security.md lists them; tests change them with override_policy."""

from __future__ import annotations

import datetime as dt

from infogov.core.regulation.policy import ALWAYS, Policy

FILING_DAYS = Policy(
    key="security.filing_days",
    label="定级后向公安机关备案的期限",
    unit="天",
    basis="第三十条第一款",
    source="《信息安全等级保护管理办法》（公通字〔2007〕43号）第十五条：第二级以上信息系统在安全保护等级确定后30日内备案",
    history={ALWAYS: 30},
)

EVALUATION_PERIOD = Policy(
    key="security.evaluation_period",
    label="等级测评周期（按安全保护等级）",
    unit="ISO 8601 周期",
    basis="第三十条第一款",
    source="《信息安全等级保护管理办法》第十四条：第三级每年至少一次，第四级每半年至少一次",
    history={ALWAYS: {3: "P1Y", 4: "P6M", 5: "P6M"}},
)

RISK_ASSESSMENT_PERIOD = Policy(
    key="security.risk_assessment_period",
    label="信息安全风险评估周期（按安全保护等级）",
    unit="ISO 8601 周期",
    basis="第三十条第一款",
    source="第三十条“定期进行信息安全风险评估”；GB/T 20984-2022 未定周期，平台取每年一次",
    history={ALWAYS: {0: "P1Y", 1: "P1Y", 2: "P1Y", 3: "P1Y", 4: "P1Y", 5: "P1Y"}},
)

PLAN_REVIEW_PERIOD = Policy(
    key="security.emergency_plan_review",
    label="应急预案评审修订周期",
    unit="ISO 8601 周期",
    basis="第三十条第一款",
    source="《国家网络安全事件应急预案》：预案定期评估修订；平台取每年一次",
    history={ALWAYS: "P1Y"},
)

DRILL_PERIOD = Policy(
    key="security.drill_period",
    label="应急演练周期",
    unit="ISO 8601 周期",
    basis="第三十条第一款",
    source="《国家网络安全事件应急预案》：定期组织应急演练；平台取每年至少一次",
    history={ALWAYS: "P1Y"},
)

RESPONSIBILITY_REVIEW_PERIOD = Policy(
    key="security.responsibility_review",
    label="安全责任制复核周期",
    unit="ISO 8601 周期",
    basis="第三十条第一款",
    source="《党委（党组）网络安全工作责任制实施办法》：每年对责任制落实情况进行检查；平台取每年复核一次",
    history={ALWAYS: "P1Y"},
)

# 国家网络安全事件报告管理办法 (国家互联网信息办公室, 自2025年11月1日起施行): 较大及以上事件，关键信息
# 基础设施运营者1小时内、其他单位4小时内报告. Before it, the platform keeps the same numbers.
INCIDENT_REPORT_HOURS = Policy(
    key="security.incident_report_hours",
    label="网络安全事件报告时限（小时，按事件级别和运营者类型）",
    unit="小时",
    basis="第三十条第二款",
    source="《国家网络安全事件报告管理办法》（2025年11月1日起施行）：较大及以上事件，关键信息基础设施运营者1小时内、"
    "其他运营者4小时内报告；一般事件平台取24小时",
    history={
        ALWAYS: {
            "cii": {"特别重大": 1, "重大": 1, "较大": 1, "一般": 24},
            "other": {"特别重大": 4, "重大": 4, "较大": 4, "一般": 24},
        },
        dt.date(2025, 11, 1): {
            "cii": {"特别重大": 1, "重大": 1, "较大": 1, "一般": 24},
            "other": {"特别重大": 4, "重大": 4, "较大": 4, "一般": 24},
        },
    },
)

TELECOM_FILING_DAYS = Policy(
    key="security.telecom_filing_days",
    label="市信息化主管部门办理通信基础设施安全保障方案备案的期限",
    unit="天",
    basis="第三十一条第二款",
    source="第三十一条第二款只规定备案；平台参照备案类事项的一般办理时限取20日",
    history={ALWAYS: 20},
)

DANGER_DEFAULT_DAYS = Policy(
    key="security.danger_rectify_days",
    label="安全检查隐患整改的默认期限",
    unit="天",
    basis="第三十二条",
    source="第三十二条“及时查找隐患”；检查组未另定期限时，平台取30日",
    history={ALWAYS: 30},
)


def report_hours(grade: str, cii: bool, on: dt.date) -> int:
    """Hours from detection within which an incident of `grade` is reported (the policy on `on`)."""
    table = INCIDENT_REPORT_HOURS.on(on)
    return int(table["cii" if cii else "other"][grade])
