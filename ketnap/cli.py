"""The `ketnap` console command: Django's management commands plus the domain ones.

`ketnap check-dossier FILE` runs the pure rule book without touching Django at all, so it works
without a database. Every other sub-command is a Django management command.
"""

import os
import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv if argv is None else argv)
    if len(argv) > 1 and argv[1] == "check-dossier":
        import datetime
        import zoneinfo

        from ketnap.rules.cli import main as check_dossier

        today = datetime.datetime.now(zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")).date()
        return check_dossier(argv[2:], sys.stdin, sys.stdout, sys.stderr, today)
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")  # `ketnap rebuild-state` runs the `rebuild_state` command
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnap.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
