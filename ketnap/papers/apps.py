from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "ketnap.papers"
    label = "papers"
    verbose_name = "Giấy tờ, văn bản"
