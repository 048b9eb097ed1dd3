"""`ketnap backup` / `ketnap restore` round trip on a seeded demo city (counts equal, audit chain verified,
no drift), a damaged backup refused, a non-empty target refused — on SQLite, and on PostgreSQL when the suite
runs against it."""

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import dj_database_url
import pytest

ROOT = Path(__file__).resolve().parents[3]
TABLES = ("people_person", "people_personevent", "core_auditlog", "orgs_orgunit", "interorg_request")


def ketnap(*args, **env):
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE")
    }
    return subprocess.run([sys.executable, "-m", "ketnap.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**base, "SECRET_KEY": "backup-test-key-" + "x" * 40, **env}, timeout=600)  # fmt: skip


def sqlite_counts(path) -> dict:
    with sqlite3.connect(path) as db:
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def seeded(env) -> None:
    for args in (["migrate", "-v", "0"], ["seed", "--size", "small", "--today", "2026-11-27"]):
        result = ketnap(*args, **env)
        assert result.returncode == 0, result.stderr


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    src = {"SQLITE_PATH": str(tmp_path / "source.sqlite3"), "KETNAP_VAR_DIR": str(tmp_path)}
    seeded(src)
    backup = tmp_path / "backups" / "ketnap-2026-11-27.sqlite3"
    result = ketnap("backup", str(backup), **src)
    assert result.returncode == 0, result.stderr
    assert backup.is_file() and Path(f"{backup}.sha256").read_text().split()[0] in result.stdout
    assert ketnap("backup", str(backup), **src).returncode != 0  # never overwrites

    dest = {"SQLITE_PATH": str(tmp_path / "restored.sqlite3"), "KETNAP_VAR_DIR": str(tmp_path)}
    result = ketnap("restore", str(backup), **dest)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Nhật ký kiểm toán nguyên vẹn" in result.stdout and "0 người sai lệch" in result.stdout
    before = sqlite_counts(src["SQLITE_PATH"])
    assert before["people_person"] > 0 and sqlite_counts(dest["SQLITE_PATH"]) == before

    again = ketnap("restore", str(backup), **dest)  # the target is no longer empty
    assert again.returncode != 0 and "không trống" in again.stderr

    damaged = tmp_path / "damaged.sqlite3"
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    Path(f"{damaged}.sha256").write_text(Path(f"{backup}.sha256").read_text())
    other = {"SQLITE_PATH": str(tmp_path / "other.sqlite3"), "KETNAP_VAR_DIR": str(tmp_path)}
    refused = ketnap("restore", str(damaged), **other)
    assert refused.returncode != 0 and "SHA-256 không khớp" in refused.stderr


@pytest.mark.skipif(not os.getenv("DATABASE_URL", "").startswith("postgres"), reason="PostgreSQL only")
def test_postgresql_backup_and_restore_round_trip(tmp_path):
    import psycopg

    url = os.environ["DATABASE_URL"]
    cfg = dj_database_url.parse(url)
    admin = f"postgresql://{cfg['USER']}:{cfg['PASSWORD']}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/postgres"
    names = [f"ketnap_backup_{uuid.uuid4().hex[:8]}", f"ketnap_restore_{uuid.uuid4().hex[:8]}"]
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f"CREATE DATABASE {name}")
    try:
        base = url.rsplit("/", 1)[0]
        src, dest = ({"DATABASE_URL": f"{base}/{name}", "KETNAP_VAR_DIR": str(tmp_path)} for name in names)
        seeded(src)
        backup = tmp_path / "ketnap.dump"
        assert ketnap("backup", str(backup), **src).returncode == 0
        result = ketnap("restore", str(backup), **dest)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "Nhật ký kiểm toán nguyên vẹn" in result.stdout and "0 người sai lệch" in result.stdout

        def counts(name):
            with psycopg.connect(f"{base}/{name}") as conn:
                return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}

        assert counts(names[0]) == counts(names[1]) and counts(names[0])["people_person"] > 0
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
