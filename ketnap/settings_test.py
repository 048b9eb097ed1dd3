"""Settings of the test suite: the project's settings with a test-only SECRET_KEY (the settings refuse to start
without one when DEBUG is off, as production does)."""

import os

os.environ.setdefault("SECRET_KEY", "ketnap-tests-only-key-3f9c2a7e51d84b60a1c7e9f2d4b8a6c3e5f7091b")
# The fixed test users hold committee and admin roles: two factors are tested where a test asks for them.
os.environ.setdefault("KETNAP_2FA_REQUIRED_ROLES", "")

from ketnap.settings import *  # noqa: E402,F403
