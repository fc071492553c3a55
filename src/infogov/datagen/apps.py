from django.apps import AppConfig


class DatagenConfig(AppConfig):
    name = "infogov.datagen"
    label = "datagen"
    verbose_name = "模拟数据生成"
