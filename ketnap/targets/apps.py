from django.apps import AppConfig


class TargetsConfig(AppConfig):
    name = "ketnap.targets"
    label = "targets"
