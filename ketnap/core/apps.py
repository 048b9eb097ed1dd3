from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ketnap.core"
    label = "core"
    verbose_name = "Lõi hệ thống"

    def ready(self):
        from ketnap.core import checks  # noqa: F401  (registers the deploy checks)
