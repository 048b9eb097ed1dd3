"""The PostgreSQL connection's options: no JIT compilation for the pages' short queries (a list's first page
read from an index was compiled for 240 ms to run for 9 ms on the nation dataset)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SHOW = "import json; from django.conf import settings; print(json.dumps(settings.DATABASES['default']))"


def database(url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "x" * 50,
        "DJANGO_SETTINGS_MODULE": "ketnap.settings",
    }
    out = subprocess.run([sys.executable, "-c", f"import django; django.setup(); {SHOW}"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_postgresql_connections_turn_jit_off():
    db = database("postgres://u:p@127.0.0.1:5432/x")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert db["OPTIONS"]["options"] == "-c jit=off"


def test_other_engines_get_no_postgresql_option():
    db = database("sqlite:////tmp/ketnap-settings-test.sqlite3")
    assert "options" not in db.get("OPTIONS", {})
