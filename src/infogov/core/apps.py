from django.apps import AppConfig


def _register_pages() -> None:
    """Each registered case type's pages (core/registry.py): the generic views find a case's URLs."""
    from infogov.core import registry
    from infogov.core.web.cases import NAMESPACES

    NAMESPACES.update(registry.namespaces())


class CoreConfig(AppConfig):
    name = "infogov.core"
    label = "core"
    verbose_name = "平台核心"

    def ready(self) -> None:
        from infogov.core import org_signals, signals  # noqa: F401  (signals: audit trail of sign-ins)
        from infogov.core.workflow.engine import install_all_workflows

        install_all_workflows()
        _register_pages()
        org_signals.connect()  # scope keys, cached tokens and roles follow the organisation register
