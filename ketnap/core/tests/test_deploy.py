"""`manage.py check --deploy` is clean with production settings, and fails on the development key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_check(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "KETNAP_HTTPS")}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = run_check(
        SECRET_KEY="k" * 20 + "Zq8#x!pL2@vR7$wT9^mN4&bC6*dF1(gH3)jK5",
        KETNAP_HTTPS="1",
        ALLOWED_HOSTS="ketnap.example.vn",
        KETNAP_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_key(tmp_path):
    result = run_check(KETNAP_HTTPS="1", KETNAP_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "ketnap.E001" in result.stdout + result.stderr
