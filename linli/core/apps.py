from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"

    def ready(self) -> None:
        from linli.core import auth_audit

        auth_audit.connect()
