"""Fixtures of the dashboards' tests; the browser tests reuse the project's Chromium launch fixtures."""

import pytest

from ketnap.core.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401


@pytest.fixture
def plain_static(settings):
    """Pages rendered without the collected static files' manifest (the tests run no collectstatic)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
