from django.apps import AppConfig

from infogov.core.registry import ApiRouter, CaseType, MenuEntry, Pages, Registration


def _authority(user) -> bool:
    # cheap on every page (role set is cached); the page itself checks the city authority (第七条)
    return user.has_role("authority_staff", "authority_leader")


class PlanningConfig(AppConfig):
    name = "infogov.planning"
    label = "planning"
    verbose_name = "信息化发展规划"

    infogov = Registration(
        case_types=(
            CaseType("planning.PlanVersion", "infogov.planning.workflows:WORKFLOW", namespace="plans"),
        ),
        pages=(
            Pages("plans/", "infogov.planning.urls"),
            Pages("public/plans/", "infogov.planning.public_urls"),
        ),
        api=(
            ApiRouter("/plans/", "infogov.planning.api:router"),
            ApiRouter("/public/plans/", "infogov.planning.api:public"),
        ),
        menu=(
            MenuEntry("信息化发展规划", "plans:list", lambda u: not u.is_platform_admin, order=100),
            MenuEntry("规划执行考核", "plans:assessment", _authority, order=110),
        ),
        demo="infogov.planning.demo",
    )
