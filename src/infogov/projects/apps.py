from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "infogov.projects"
    label = "projects"
    verbose_name = "信息化工程项目"
