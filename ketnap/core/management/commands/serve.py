"""`ketnap serve [--host H] [--port P]`: collect the static files, then run gunicorn (gthread).

Static files are served by WhiteNoise from STATIC_ROOT (with DEBUG on, straight from the app folders).
Defaults come from the environment (HOST, PORT), else 127.0.0.1:8000.
"""

import os
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

# Processes × threads (WEB_WORKERS, WEB_THREADS). Django's work is CPU-bound under the GIL: threads of one
# process take turns, so processes spread the load over the cores; a second thread lets a process go on while
# one request waits for SQLite's write lock. Measured with `ketnap bench load` (docs/benchmarks.md).
DEFAULT_WORKERS = 4
DEFAULT_THREADS = 2


def workers_and_threads() -> tuple[int, int]:
    return int(os.getenv("WEB_WORKERS") or DEFAULT_WORKERS), int(os.getenv("WEB_THREADS") or DEFAULT_THREADS)


class Command(BaseCommand):
    help = "Chạy Ketnap bằng gunicorn (4 tiến trình × 2 luồng) — serve Ketnap with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.getenv("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.getenv("PORT") or 8000))
        workers, threads = workers_and_threads()
        parser.add_argument("--workers", type=int, default=workers)
        parser.add_argument("--threads", type=int, default=threads)

    def gunicorn_argv(self, host: str, port: int, workers: int, threads: int) -> list[str]:
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        return [
            sys.executable, "-m", "gunicorn", "ketnap.wsgi:application",
            "--bind", bind,
            "--worker-class", "gthread",
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", "120",
            # an idle connection kept longer than a user's pause between two pages: with gunicorn's 2 s, a
            # client sending on a connection the server was closing got a reset (status 0 in the load test)
            "--keep-alive", "10",
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
