from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def check_secret_key_from_environment(app_configs, **kwargs):
    if settings.SECRET_KEY == settings.DEV_SECRET_KEY:
        return [
            Error(
                "SECRET_KEY đang dùng khóa phát triển; hãy đặt biến môi trường SECRET_KEY.",
                hint="SECRET_KEY must come from the environment in production.",
                id="ketnap.E001",
            )
        ]
    return []
