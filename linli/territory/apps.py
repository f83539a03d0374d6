from django.apps import AppConfig


class TerritoryConfig(AppConfig):
    name = "linli.territory"
    label = "territory"
