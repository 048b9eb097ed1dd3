from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "ketnap.orgs"
    label = "orgs"
