from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ketnap.core"
    label = "core"
    verbose_name = "Lõi hệ thống"
