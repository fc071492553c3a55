from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "infogov.org"
    label = "org"
    verbose_name = "组织与人员"

    # No ready(): what reacts to changes of the register (scope keys, cached API tokens) is core's,
    # connected in CoreConfig.ready (core/org_signals.py) — org imports nothing of the platform's.
