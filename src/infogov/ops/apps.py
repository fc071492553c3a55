from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "infogov.ops"
    label = "ops"
    verbose_name = "运维"
