"""`ketnap restore PATH`: restore a backup made by `ketnap backup` into an EMPTY database, after checking its
SHA-256 against PATH.sha256; then `verify-audit` and `rebuild-state --check` must pass (exit 1 otherwise)."""

import os
import sqlite3
import subprocess
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from ketnap.core.management.commands.backup import pg_env, sha256_of


class Command(BaseCommand):
    help = "Khôi phục bản sao lưu vào cơ sở dữ liệu trống — restore a backup into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("path", help="tệp sao lưu do `ketnap backup` tạo")

    def handle(self, *args, path, **options):
        source = Path(path)
        stamp = Path(f"{source}.sha256")
        if not source.is_file() or not stamp.is_file():
            raise CommandError(f"Không thấy {source} hoặc {stamp}. / {source} or its .sha256 is missing.")
        expected = stamp.read_text(encoding="utf-8").split()[0]
        actual = sha256_of(source)
        if actual != expected:
            raise CommandError(f"Mã SHA-256 không khớp: tệp đã bị thay đổi hoặc hỏng ({actual} ≠ {expected}). / "
                               "SHA-256 mismatch: the file was changed or damaged.")  # fmt: skip
        if connection.introspection.table_names():
            raise CommandError("Cơ sở dữ liệu đích không trống; khôi phục chỉ vào cơ sở dữ liệu trống. / "
                               "The target database is not empty.")  # fmt: skip
        db = connection.settings_dict
        connection.close()
        if connection.vendor == "sqlite":
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            dest = sqlite3.connect(db["NAME"])
            with dest:
                src.backup(dest)
            src.close()
            dest.close()
        elif connection.vendor == "postgresql":
            args, env = pg_env(db)
            result = subprocess.run(["pg_restore", "--no-owner", "--exit-on-error", *args, "--dbname", db["NAME"],
                                     str(source)], env={**env, **os.environ, "PGPASSWORD": env["PGPASSWORD"]},
                                    capture_output=True, text=True)  # fmt: skip
            if result.returncode != 0:
                raise CommandError(f"pg_restore thất bại / failed: {result.stderr.strip()}")
        else:
            raise CommandError(f"Không hỗ trợ khôi phục {connection.vendor}.")
        self.stdout.write(f"Đã khôi phục {source} (SHA-256 khớp). Kiểm tra sau khôi phục:")
        call_command("verify_audit", stdout=self.stdout, stderr=self.stderr)  # exits 1 on a broken chain
        call_command("rebuild_state", "--check", stdout=self.stdout, stderr=self.stderr)  # exits 1 on drift
