"""Shared pytest fixtures live in ketnap/testing.py (the fixed org tree and users)."""

pytest_plugins = ["ketnap.testing"]


def pytest_configure(config):
    from django.conf import settings

    # Password hashing at full strength costs ~0.3 s per user; tests create many.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tests run without collectstatic: serve static files from the app folders, no manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
