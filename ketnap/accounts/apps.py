from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ketnap.accounts"
    label = "accounts"

    def ready(self):
        from ketnap.accounts import middleware  # noqa: F401  (the login signal's receiver)
