"""`ketnap bench load --users 200 --duration 60 [--json]`: many users at once on the served app.

1. The database must hold the demo (`ketnap seed`): its accounts play the simulated users, each account by
   several of them, each simulated user with a session of its own opened here (a real login costs half a
   second of hashing: 200 of them would measure the password hasher, not the pages; `--logins N` makes N of
   the simulated users log in through the login page anyway).
2. The app is served by the same gunicorn as `ketnap serve` / `make demo` (gthread; `--workers`, `--threads`),
   unless `--url` names a server already running (the smoke test's).
3. Locust (`ketnap/bench/locustfile.py`) drives the simulated users headless in its own process, with a think
   time of 2–8 s between requests: browsing, searching, opening persons, the board, the inbox, the letters,
   the dashboards and the lists behind them; the clerks and secretaries add sources and record their awareness
   class through the pages' forms (CSRF and the one-time form token included).
4. Afterwards every write the simulated users saw succeed is looked up in the ledger: a missing one is a lost
   write. The summary gives the requests, errors, p50/p95/p99 overall and per page kind.
"""

from __future__ import annotations

import datetime as dt
import json as jsonlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from ketnap.accounts.models import RoleAssignment
from ketnap.bench.measure import logged_in_client
from ketnap.demo.seed import DEMO_PASSWORD, DEMO_USERS
from ketnap.orgs.models import OrgUnit
from ketnap.people import queries as people_queries
from ketnap.people.models import Person, PersonEvent
from ketnap.rules import indicators as ind

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
SEARCHES = [
    "nguyen",
    "nguyen van",
    "tran thi",
    "le",
    "thi hoa",
    "pham minh",
    "huong",
    "tuan anh",
    "vo thi",
    "duc",
]
WRITERS = {"clerk", "secretary"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _config(users: int, logins: int, today: dt.date) -> dict:
    User = get_user_model()
    accounts = []
    for username, role, _code in DEMO_USERS:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            continue
        ra = RoleAssignment.objects.filter(user=user).select_related("unit").order_by("unit__path").first()
        if ra is None:
            continue
        persons = list(people_queries.persons_for(user).order_by("?").values_list("pk", flat=True)[:300])
        accounts.append({"username": username, "role": role, "unit": ra.unit_id, "persons": persons,
                         "cell": role in WRITERS and ra.unit.kind in (OrgUnit.Kind.CELL, OrgUnit.Kind.GRASSROOTS_CELL)})  # fmt: skip
    if not accounts:
        raise CommandError("Không có người dùng mẫu: hãy chạy `ketnap seed` trên cơ sở dữ liệu này trước.")
    accounts.sort(key=lambda a: not a["cell"])  # a writer among the first simulated users, however few
    per_account = -(-users // len(accounts))
    for account in accounts:  # one session of its own for each simulated user playing the account
        user = User.objects.get(username=account["username"])
        sessions = []
        for _ in range(per_account):
            client = logged_in_client(user)
            sessions.append(client.cookies[settings.SESSION_COOKIE_NAME].value)
        account["sessions"] = sessions
    return {
        "users": accounts, "password": DEMO_PASSWORD, "session_cookie": settings.SESSION_COOKIE_NAME,
        "searches": SEARCHES, "weaknesses": list(ind.WEAKNESSES), "today": today.strftime("%d/%m/%Y"),
        "marker": timezone.now().strftime("%H%M%S"), "real_logins": logins, "seed": 2026,
    }  # fmt: skip


def _wait(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise CommandError(f"Máy chủ không trả lời ở {url} sau {seconds:.0f} giây.")


def _warm(url: str, config: dict) -> None:
    """A few requests of each page kind before measuring (each server thread loads its code and caches)."""
    account = config["users"][0]
    cookie = f"{config['session_cookie']}={account['sessions'][0]}"
    pages = ["/", "/nguoi/", "/nguoi/?q=nguyen", "/nguoi/bang/", "/lien-to-chuc/viec-can-lam/", "/lien-to-chuc/",
             "/lien-to-chuc/hang-quy/", f"/chi-tieu/{account['unit']}/"]  # fmt: skip
    if account["persons"]:
        pages.append(f"/nguoi/{account['persons'][0]}/")
    for _ in range(4):
        for page in pages:
            try:
                urllib.request.urlopen(
                    urllib.request.Request(url + page, headers={"Cookie": cookie}), timeout=30
                ).read()
            except OSError:
                pass


def percentile(hist: dict[float, int], q: float) -> float | None:
    """The q-th percentile (0–100) of Locust's response-time histogram {rounded ms: count}."""
    total = sum(hist.values())
    if not total:
        return None
    want, seen = q / 100 * total, 0
    for ms in sorted(hist):
        seen += hist[ms]
        if seen >= want:
            return float(ms)
    return float(max(hist))


def summarise(stats: list[dict]) -> dict:
    """Requests, errors and p50/p95/p99 overall and per page kind from Locust's --json statistics."""
    overall: dict[float, int] = {}
    kinds: dict[str, dict] = {}
    requests = errors = 0
    for entry in stats:
        hist = {float(k): v for k, v in entry["response_times"].items()}
        name = entry["name"] if entry["method"] == "GET" else f"{entry['name']} (gửi)"
        kind = kinds.setdefault(name, {"requests": 0, "errors": 0, "hist": {}})
        kind["requests"] += entry["num_requests"]
        kind["errors"] += entry["num_failures"]
        for ms, n in hist.items():
            kind["hist"][ms] = kind["hist"].get(ms, 0) + n
            overall[ms] = overall.get(ms, 0) + n
        requests += entry["num_requests"]
        errors += entry["num_failures"]
    by_kind = {
        name: {"requests": k["requests"], "errors": k["errors"], "p50_ms": percentile(k["hist"], 50),
               "p95_ms": percentile(k["hist"], 95), "p99_ms": percentile(k["hist"], 99)}
        for name, k in sorted(kinds.items())
    }  # fmt: skip
    return {"requests": requests, "errors": errors, "p50_ms": percentile(overall, 50),
            "p95_ms": percentile(overall, 95), "p99_ms": percentile(overall, 99), "by_kind": by_kind}  # fmt: skip


def check_writes(writes: list[dict]) -> dict:
    """Every write a simulated user saw succeed, looked up in the ledger: lost ones are listed."""
    lost = []
    steps = 0
    for w in writes:
        person = Person.objects.filter(pk=w["person"], given_name__endswith=w["name"].split()[-1]).first()
        kinds = list(PersonEvent.objects.filter(person_id=w["person"]).values_list("kind", flat=True))
        for step in w["steps"]:
            steps += 1
            if person is None or kinds.count(step) != w["steps"].count(step):
                lost.append({"person": w["person"], "step": step})
    return {"persons": len(writes), "steps": steps, "lost": len(lost), "lost_detail": lost[:20]}


def _failures(path: str) -> list[dict]:
    """What failed, by page kind and error (Locust's failures file), so that an error can be looked into."""
    import csv

    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8", newline="") as f:
        return [{"kind": row.get("Name", ""), "error": row.get("Error", ""), "count": int(row.get("Occurrences") or 0)}
                for row in csv.DictReader(f)]  # fmt: skip


def _log_summary(path: str) -> dict:
    """What the served app's log says about the run: its file, the workers started (more than the workers
    asked for: some were restarted), and its last error lines."""
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        return {}
    errors = [
        ln for ln in lines if any(w in ln for w in ("ERROR", "CRITICAL", "Traceback", "WORKER TIMEOUT"))
    ]
    return {
        "file": path,
        "workers_started": sum("Booting worker" in ln for ln in lines),
        "errors": errors[-10:],
    }


def run(command, *, users: int, duration: int, json: bool, spawn_rate: float = 0, workers: int = 0,
        threads: int = 0, url: str = "", logins: int = 0, **_) -> dict:  # fmt: skip
    log = command.stderr.write if json else command.stdout.write
    import importlib.util

    if importlib.util.find_spec("locust") is None:
        raise CommandError("Chưa cài Locust: `pip install -e '.[dev]'` (hoặc `pip install locust`).")
    today = timezone.localdate()
    from ketnap.core.management.commands.serve import workers_and_threads

    workers, threads = (
        workers or workers_and_threads()[0],
        threads or workers_and_threads()[1],
    )  # as `ketnap serve`
    config = _config(users, logins, today)
    server = server_log = None
    tmp = tempfile.mkdtemp(prefix="ketnap-load-")
    config_path, writes_path = os.path.join(tmp, "config.json"), os.path.join(tmp, "writes.json")
    with open(config_path, "w", encoding="utf-8") as f:
        jsonlib.dump(config, f, ensure_ascii=False)
    try:
        if not url:
            connection.close()  # the server and Locust get the database to themselves
            call_command("collectstatic", interactive=False, verbosity=0)
            port = _free_port()
            url = f"http://127.0.0.1:{port}"
            from ketnap.core.management.commands.serve import Command as Serve

            argv = Serve().gunicorn_argv("127.0.0.1", port, workers, threads)
            argv = [a for a in argv if a not in ("--access-logfile", "-")]
            log(f"Máy chủ: gunicorn gthread, {workers} tiến trình × {threads} luồng, {url}")
            # served as `make demo` serves it: the demo's users log in without a phone
            server_env = {
                **os.environ,
                "KETNAP_2FA_REQUIRED_ROLES": os.environ.get("KETNAP_2FA_REQUIRED_ROLES", ""),
            }
            # the server's log to a file (a pipe nobody reads would stop its workers once full)
            server_log = open(os.path.join(tmp, "server.log"), "w", encoding="utf-8")  # noqa: SIM115
            server = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=server_log,
                                      start_new_session=True, env=server_env)  # fmt: skip
            _wait(url)
        _warm(url, config)
        rate = spawn_rate or max(1.0, users / 10)
        log(f"Locust: {users} người dùng (thêm {rate:g}/giây), {duration} giây…")
        env = {**os.environ, "KETNAP_LOAD_CONFIG": config_path, "KETNAP_LOAD_WRITES": writes_path}
        locust = subprocess.run(
            [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "-u", str(users), "-r", str(rate),
             "-t", f"{duration}s", "--host", url, "--json", "--skip-log", "--only-summary", "--stop-timeout", "10",
             "--csv", os.path.join(os.path.dirname(config_path), "locust")],
            env=env, capture_output=True, text=True, timeout=duration + 180,
        )  # fmt: skip
        if not locust.stdout.strip().startswith("["):
            raise CommandError(f"Locust không chạy được: {locust.stderr[-2000:]}")
        stats = jsonlib.loads(locust.stdout)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
        if server_log is not None:
            server_log.close()
    out = summarise(stats)
    writes = jsonlib.load(open(writes_path, encoding="utf-8")) if os.path.exists(writes_path) else []
    out["writes"] = check_writes(writes)
    out["failures"] = _failures(os.path.join(os.path.dirname(config_path), "locust_failures.csv"))
    out["seconds"] = duration
    out["users"] = users
    out["rps"] = round(out["requests"] / duration, 1) if duration else None
    out["server"] = {"url": url, "workers": workers, "threads": threads, "engine": connection.vendor,
                     "started_here": server is not None}  # fmt: skip
    if server is not None:
        out["server"]["log"] = _log_summary(os.path.join(tmp, "server.log"))
    if json:
        command.stdout.write(jsonlib.dumps(out, ensure_ascii=False, indent=2))
    else:
        command.stdout.write(
            f"{out['requests']} yêu cầu trong {duration} giây ({out['rps']}/giây), {out['errors']} lỗi; "
            f"p50 {out['p50_ms']} ms, p95 {out['p95_ms']} ms, p99 {out['p99_ms']} ms; "
            f"ghi {out['writes']['steps']} bước của {out['writes']['persons']} người, mất {out['writes']['lost']}"
        )
        for name, k in out["by_kind"].items():
            command.stdout.write(f"  {name:28s} {k['requests']:6d} yêu cầu {k['errors']:4d} lỗi  p50 {k['p50_ms']}"
                                 f"  p95 {k['p95_ms']}  p99 {k['p99_ms']} ms")  # fmt: skip
    return out
