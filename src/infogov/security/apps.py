from django.apps import AppConfig

from infogov.core.registry import ApiRouter, CaseType, MenuEntry, Pages, Provides, Registration

_PAGES = "infogov.security.pages"
_API = "infogov.security.api"
_WF = "infogov.security.workflows"


def _business(user) -> bool:
    return not user.is_platform_admin


class SecurityConfig(AppConfig):
    name = "infogov.security"
    label = "security"
    verbose_name = "信息安全"

    infogov = Registration(
        case_types=(
            CaseType("security.InformationSystem", f"{_WF}:SYSTEM_WORKFLOW", namespace="security_systems"),
            CaseType("security.Incident", f"{_WF}:INCIDENT_WORKFLOW", namespace="security_incidents"),
            CaseType("security.Inspection", f"{_WF}:INSPECTION_WORKFLOW", namespace="security_inspections"),
            CaseType(
                "security.Responsibility",
                f"{_WF}:RESPONSIBILITY_WORKFLOW",
                namespace="security_responsibilities",
            ),
            CaseType("security.TelecomPlanFiling", f"{_WF}:TELECOM_WORKFLOW", namespace="security_telecom"),
        ),
        pages=(
            Pages("security/systems/", f"{_PAGES}.systems"),
            Pages("security/incidents/", f"{_PAGES}.incidents"),
            Pages("security/inspections/", f"{_PAGES}.inspections"),
            Pages("security/responsibilities/", f"{_PAGES}.responsibilities"),
            Pages("security/telecom-filings/", f"{_PAGES}.telecom"),
            Pages("security/", f"{_PAGES}.overview"),
        ),
        api=(
            ApiRouter("/security/", f"{_API}:tools", ("信息安全",)),
            ApiRouter("/security/systems/", f"{_API}:router", ("信息安全",)),
            ApiRouter("/security/incidents/", f"{_API}:incident_router", ("信息安全",)),
            ApiRouter("/security/inspections/", f"{_API}:inspection_router", ("信息安全",)),
            ApiRouter("/security/responsibilities/", f"{_API}:responsibility_router", ("信息安全",)),
            ApiRouter("/security/telecom-filings/", f"{_API}:telecom_router", ("信息安全",)),
        ),
        menu=(
            MenuEntry("信息安全总览", "security:overview", _business, order=300),
            MenuEntry("信息系统登记", "security_systems:list", _business, order=310),
            MenuEntry("网络安全事件", "security_incidents:list", _business, order=320),
            MenuEntry("安全检查", "security_inspections:list", lambda u: u.is_authority, order=330),
            MenuEntry("安全责任制", "security_responsibilities:list", _business, order=340),
            MenuEntry("通信设施安全方案备案", "security_telecom:list", _business, order=350),
        ),
        demo="infogov.security.demo",
        # a project's delivery enters its system into the register (第三十一条第一款; core/hooks.py)
        provides=(Provides("register_system", "infogov.security.services:system_from_procedure"),),
    )
