from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "infogov.projects"
    label = "projects"
    verbose_name = "信息化工程项目"

    def ready(self) -> None:
        from infogov.core.web.context_processors import NAV

        entries = [
            ("信息化工程项目", "projects:list", lambda u: not u.is_platform_admin),
            ("年度建设计划", "annual_plans:list", lambda u: u.is_authority or u.has_role("gov_approver")),
            ("项目风险总览", "projects:overview", lambda u: u.is_authority),
        ]
        for entry in entries:
            if all(e[1] != entry[1] for e in NAV):
                NAV.insert(max(len(NAV) - 3, 1), entry)
