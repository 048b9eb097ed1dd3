"""`manage.py check --deploy` is clean with production settings, and fails on the development key."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_check(**env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "KETNAP_HTTPS", "DJANGO_SETTINGS_MODULE")
    }
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
    from django.conf import settings

    result = run_check(KETNAP_HTTPS="1", KETNAP_VAR_DIR=str(tmp_path), SECRET_KEY=settings.DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "ketnap.E001" in result.stdout + result.stderr


def run_ketnap(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "KETNAP_HTTPS", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run([sys.executable, "-m", "ketnap.cli", *args], cwd=ROOT, env={**base, **env},
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_without_a_secret_key_and_debug_off_nothing_starts(tmp_path):
    for args in (["check"], ["migrate"], ["serve"]):
        result = run_ketnap(*args, KETNAP_VAR_DIR=str(tmp_path), DEBUG="0", SECRET_KEY="")
        assert result.returncode == 2, args
        assert "Thiếu SECRET_KEY" in result.stderr and "Missing SECRET_KEY" in result.stderr
        assert "Traceback" not in result.stderr
    # the WSGI entry (gunicorn) refuses too
    wsgi = subprocess.run([sys.executable, "-c", "import ketnap.wsgi"], cwd=ROOT, capture_output=True, text=True,
                          env={**{k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")},
                               "KETNAP_VAR_DIR": str(tmp_path)}, timeout=120)  # fmt: skip
    assert wsgi.returncode == 2 and "Missing SECRET_KEY" in wsgi.stderr
    # manage.py and any other import of the settings: a clear error, not the development key
    manage = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, capture_output=True, text=True,
                            env={**{k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE")},
                                 "KETNAP_VAR_DIR": str(tmp_path)}, timeout=120)  # fmt: skip
    assert manage.returncode != 0 and "Missing SECRET_KEY" in manage.stderr


def test_with_debug_on_the_development_key_is_used(tmp_path):
    result = run_ketnap("check", KETNAP_VAR_DIR=str(tmp_path), DEBUG="1", SECRET_KEY="")
    assert result.returncode == 0, result.stderr
