"""`ketnap serve [--host H] [--port P]`: collect the static files, then run gunicorn (gthread).

Static files are served by WhiteNoise from STATIC_ROOT (with DEBUG on, straight from the app folders).
Defaults come from the environment (HOST, PORT), else 127.0.0.1:8000.
"""

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy Ketnap bằng gunicorn (2 tiến trình × 4 luồng) — serve Ketnap with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.getenv("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.getenv("PORT") or 8000))
        parser.add_argument("--workers", type=int, default=int(os.getenv("WEB_WORKERS") or 2))
        parser.add_argument("--threads", type=int, default=int(os.getenv("WEB_THREADS") or 4))

    def gunicorn_argv(self, host: str, port: int, workers: int, threads: int) -> list[str]:
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return [
            sys.executable, "-m", "gunicorn", "ketnap.wsgi:application",
            "--bind", bind,
            "--worker-class", "gthread",
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", "120",
            "--access-logfile", "-",
            "--no-control-socket",  # gunicorn ≥ 25 would otherwise open one in the home folder
        ]  # fmt: skip

    def handle(self, *args, host, port, workers, threads, **options):
        call_command("collectstatic", interactive=False, verbosity=0)
        shown = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Ketnap đang chạy tại http://{shown}:{port}/  (Ctrl+C để dừng)")
        self.stdout.flush()
        sys.stderr.flush()
        argv = self.gunicorn_argv(host, port, workers, threads)
        os.execv(argv[0], argv)  # gunicorn takes over this process (signals, exit status)
