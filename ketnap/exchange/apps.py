from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "ketnap.exchange"
    label = "exchange"
    verbose_name = "Nhập dữ liệu"
