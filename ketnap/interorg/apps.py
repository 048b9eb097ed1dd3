from django.apps import AppConfig


class InterorgConfig(AppConfig):
    name = "ketnap.interorg"
    label = "interorg"
