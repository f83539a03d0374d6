from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "linli.core"
    label = "core"

    def ready(self) -> None:
        from linli.core import auth_audit, checks  # noqa: F401 - registers the system checks

        auth_audit.connect()
