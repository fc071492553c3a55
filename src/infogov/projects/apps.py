from django.apps import AppConfig

from infogov.core.registry import ApiRouter, CaseType, MenuEntry, Pages, Registration


def _approver_or_authority(user) -> bool:
    return user.is_authority or user.has_role("gov_approver")


def _authority_or_cosupervisor(user) -> bool:
    return user.is_authority or user.has_role("co_supervisor")


class ProjectsConfig(AppConfig):
    name = "infogov.projects"
    label = "projects"
    verbose_name = "信息化工程项目"

    infogov = Registration(
        case_types=(
            CaseType("projects.Project", "infogov.projects.workflows:WORKFLOW", namespace="projects"),
            CaseType(
                "projects.AnnualConstructionPlan",
                "infogov.projects.workflows:PLAN_WORKFLOW",
                namespace="annual_plans",
            ),
        ),
        pages=(
            Pages("projects/", "infogov.projects.urls"),
            Pages("annual-plans/", "infogov.projects.plan_urls"),
        ),
        # the tools router first: the case router's /{id} would shadow its paths
        api=(
            ApiRouter("/projects/", "infogov.projects.api:tools", ("信息化工程项目",)),
            ApiRouter("/projects/", "infogov.projects.api:router", ("信息化工程项目",)),
            ApiRouter("/annual-plans/", "infogov.projects.api:plan_router", ("年度建设计划",)),
        ),
        menu=(
            MenuEntry("信息化工程项目", "projects:list", lambda u: not u.is_platform_admin, order=200),
            MenuEntry("年度建设计划", "annual_plans:list", _approver_or_authority, order=210),
            # 第十四条: co-supervisors (DRC, finance, audit) read the funds and risks of the fiscal
            # projects they co-supervise — read-only, and only what their scope lets them see
            MenuEntry("项目风险总览", "projects:overview", _authority_or_cosupervisor, order=220),
            MenuEntry("标准目录", "projects:standards", lambda u: not u.is_platform_admin, order=230),
        ),
        demo="infogov.projects.demo",
    )

    def ready(self) -> None:
        from infogov.core.web.changes import register_coded

        from .models import Project, Standard, TestReport

        # the case record shows a standard by code and title, not by its code alone
        register_coded(Project, "standards", Standard, "code")
        register_coded(TestReport, "standards", Standard, "code")
