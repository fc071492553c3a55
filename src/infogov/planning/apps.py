from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "infogov.planning"
    label = "planning"
    verbose_name = "信息化发展规划"
