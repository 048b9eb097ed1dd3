"""How far a running import is, in a small file beside the database (`KETNAP_VAR_DIR/imports/`): the commit
runs in one database transaction, which another process cannot read before it ends, so its progress is told
outside the database. Written atomically (a new file renamed over the old one)."""

import json
import os
import time
from pathlib import Path

from django.conf import settings

STALE_SECONDS = (
    300  # a running import that has not moved for this long was stopped (killed, server restarted)
)


def _path(job_id: int) -> Path:
    folder = Path(settings.VAR_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.json"


def write(job_id: int, phase: str, done: int, total: int) -> None:
    path = _path(job_id)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"phase": phase, "done": done, "total": total, "at": time.time()}))
    os.replace(tmp, path)


def read(job_id: int) -> dict:
    try:
        return json.loads(_path(job_id).read_text())
    except (OSError, ValueError):
        return {}


def clear(job_id: int) -> None:
    try:
        _path(job_id).unlink()
    except OSError:
        pass


def stale(job_id: int, started: float | None) -> bool:
    """Nothing has moved for STALE_SECONDS (since the last progress, or the start when there was none)."""
    last = read(job_id).get("at") or started
    return last is not None and time.time() - last > STALE_SECONDS
