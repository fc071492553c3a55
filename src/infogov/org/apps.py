from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "infogov.org"
    label = "org"
    verbose_name = "组织与人员"
