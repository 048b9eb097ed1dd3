from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ketnap.people"
    label = "people"
