"""Browser tests of the login reuse the project's Chromium launch fixtures."""

from ketnap.core.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
