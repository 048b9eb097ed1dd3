"""Browser tests of the dashboards reuse the project's Chromium launch fixtures. (Pages render with plain
static URLs for every test: the root conftest.py.)"""

from ketnap.core.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401
