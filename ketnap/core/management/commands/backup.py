"""`ketnap backup PATH`: a consistent copy of the database and its SHA-256 (PATH.sha256).

SQLite: the online backup API (pages copied while the application keeps serving; a consistent snapshot).
PostgreSQL: `pg_dump --format=custom`. Restore with `ketnap restore PATH` (README: a daily schedule).
"""

import hashlib
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pg_env(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments and environment (the password) for pg_dump / pg_restore / psql."""
    args = ["--host", settings_dict.get("HOST") or "127.0.0.1", "--port", str(settings_dict.get("PORT") or 5432),
            "--username", settings_dict.get("USER") or "postgres"]  # fmt: skip
    env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    return args, env


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu vào một tệp kèm mã SHA-256 — back up the database to a file with its SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp sao lưu sẽ tạo (không ghi đè tệp đã có)")

    def handle(self, *args, path, **options):
        target = Path(path)
        if target.exists():
            raise CommandError(
                f"Tệp {target} đã có; hãy chọn tên khác. / {target} exists; choose another name."
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        db = connection.settings_dict
        # Write next to the target, then rename: a backup file is complete or absent.
        handle, partial = tempfile.mkstemp(prefix=".ketnap-backup-", dir=target.parent)
        os.close(handle)
        try:
            if connection.vendor == "sqlite":
                source = sqlite3.connect(db["NAME"])
                dest = sqlite3.connect(partial)
                with dest:
                    source.backup(dest, pages=1024)
                dest.close()
                source.close()
            elif connection.vendor == "postgresql":
                args, env = pg_env(db)
                result = subprocess.run(["pg_dump", "--format=custom", "--no-owner", *args, "--file", partial,
                                         db["NAME"]], env=env, capture_output=True, text=True)  # fmt: skip
                if result.returncode != 0:
                    raise CommandError(f"pg_dump thất bại / failed: {result.stderr.strip()}")
            else:
                raise CommandError(f"Không hỗ trợ sao lưu {connection.vendor}.")
            os.replace(partial, target)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
        digest = sha256_of(target)
        Path(f"{target}.sha256").write_text(f"{digest}  {target.name}\n", encoding="utf-8")
        self.stdout.write(f"Đã sao lưu {connection.vendor} vào {target} ({target.stat().st_size:,} byte), "
                          f"SHA-256 {digest} (trong {target}.sha256).")  # fmt: skip
        sys.stdout.flush()
