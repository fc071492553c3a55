from django.apps import AppConfig

from infogov.core.registry import ApiRouter, CaseType, MenuEntry, Pages, Registration


def _staff(user) -> bool:  # type: ignore[no-untyped-def]
    return not user.is_platform_admin


class ResourcesConfig(AppConfig):
    name = "infogov.resources"
    label = "resources"
    verbose_name = "政务信息资源"

    infogov = Registration(
        case_types=(
            CaseType("resources.Resource", "infogov.resources.workflows:WORKFLOW", namespace="resources"),
            CaseType(
                "resources.SharingRequest",
                "infogov.resources.workflows:SHARING_WORKFLOW",
                namespace="sharing",
            ),
        ),
        pages=(
            Pages("resources/", "infogov.resources.urls"),
            Pages("sharing/", "infogov.resources.sharing_urls"),
        ),
        # the tools routers first: a case router's /{id} would shadow their paths
        api=(
            ApiRouter("/catalogue/", "infogov.resources.api:catalogue", ("政务信息资源目录",)),
            ApiRouter("/resources/", "infogov.resources.api:router", ("政务信息资源目录",)),
            ApiRouter("/sharing/", "infogov.resources.api:sharing_tools", ("信息资源共享",)),
            ApiRouter("/sharing/", "infogov.resources.api:sharing_router", ("信息资源共享",)),
            ApiRouter("/exchange/", "infogov.resources.api:exchange_router", ("信息资源交换",)),
        ),
        menu=(
            MenuEntry("政务信息资源目录", "resources:catalogue", _staff, order=300),
            MenuEntry("本单位资源与编目", "resources:list", _staff, order=310),
            MenuEntry("共享申请", "sharing:list", _staff, order=320),
            MenuEntry("收到的共享申请", "sharing:incoming", _staff, order=330),
        ),
        demo="infogov.resources.demo",
    )
