from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "infogov.planning"
    label = "planning"
    verbose_name = "信息化发展规划"

    def ready(self) -> None:
        from infogov.core.web.context_processors import NAV

        def authority_of_city(user) -> bool:
            # cheap on every page (role set is cached); the page itself checks the city authority (第七条)
            return user.has_role("authority_staff", "authority_leader")

        entries = [
            ("信息化发展规划", "plans:list", lambda u: not u.is_platform_admin),
            ("规划执行考核", "plans:assessment", authority_of_city),
        ]
        for entry in entries:
            if entry[1] not in {name for _, name, _ in NAV}:
                NAV.append(entry)
