from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "infogov.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from infogov.core import signals  # noqa: F401  (audit trail of sign-ins)
        from infogov.core.workflow.engine import install_all_workflows

        install_all_workflows()
