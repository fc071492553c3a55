from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "infogov.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (audit trail of sign-ins)
        from .workflow import install_all_workflows

        install_all_workflows()
