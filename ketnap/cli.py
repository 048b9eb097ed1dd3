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
    if _refuses_to_start(argv):
        return 2
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")  # `ketnap rebuild-state` runs the `rebuild_state` command
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketnap.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0


def _refuses_to_start(argv: list[str]) -> bool:
    """With DEBUG off and no SECRET_KEY, every command but the help refuses to start, with a clear message in
    Vietnamese and English (instead of a traceback from the settings)."""
    if len(argv) < 2 or argv[1] in ("help", "-h", "--help", "--version", "version"):
        return False
    debug = os.getenv("DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    if debug or os.getenv("SECRET_KEY"):
        return False
    from ketnap.settings_messages import MISSING_SECRET_KEY

    sys.stderr.write(MISSING_SECRET_KEY + "\n")
    return True


if __name__ == "__main__":
    sys.exit(main())
