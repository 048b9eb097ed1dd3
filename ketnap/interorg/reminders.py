"""Reminders: one e-mail digest per user and day with the inbox items that are new (never sent to that user)
or overdue, and the database-backed queue that runs the sweep in the background (no broker).

Idempotent per day: a `Digest` row (unique per user and day) is the stored record of what was queued; a
second sweep on the same day finds it and queues nothing new. `Reminder` rows remember which items each user
was told about, so that tomorrow's digest names only the new ones again (and every overdue one).
"""

from __future__ import annotations

import datetime
import os
import sys
import traceback

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from ketnap.core.audit import audit
from ketnap.interorg import deadlines, queries
from ketnap.interorg.models import BackgroundTask, Digest, Reminder
from ketnap.people import ledger
from ketnap.people.templatetags.ketnap_tags import full_name_of

SWEEP_TASK = "sweep_deadlines"


def site_url() -> str:
    url = getattr(settings, "KETNAP_SITE_URL", "") or os.getenv("KETNAP_SITE_URL", "")
    return (url or f"http://{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '8000')}").rstrip("/")


def recipients():
    """Active users with an e-mail address and at least one role (or superusers)."""
    User = get_user_model()
    qs = User.objects.filter(is_active=True).exclude(email="")
    return qs.filter(Q(roles__isnull=False) | Q(is_superuser=True)).distinct()


def compose(user, day: datetime.date, new: list, overdue: list) -> tuple[str, str]:
    subject = f"[Ketnap] Việc cần làm ngày {day:%d/%m/%Y}: {len(new)} việc mới, {len(overdue)} việc quá hạn"
    base = site_url()
    name = full_name_of(user)
    lines = [f"Kính gửi đồng chí {name}," if name else "Kính gửi đồng chí,", ""]

    def block(title, items):
        if not items:
            return
        lines.append(title)
        for item in items[:100]:
            due = f"{item.due:%d/%m/%Y}" if item.due else "không có hạn"
            lines.append(f"- {due} · {item.title} · {item.person_name} ({item.unit_name})")
            lines.append(f"  {base}{item.url}")
        if len(items) > 100:
            lines.append(f"… và {len(items) - 100} việc khác.")
        lines.append("")

    block("VIỆC QUÁ HẠN", overdue)
    block("VIỆC MỚI", [i for i in new if i not in overdue])
    lines += [f"Xem tất cả: {base}/lien-to-chuc/viec-can-lam/", "", "Ketnap — thư tự động, xin đừng trả lời."]
    return subject, "\n".join(lines)


def sweep(day: datetime.date | None = None, *, send: bool = True, log=None) -> dict:
    """Queue today's digest of every recipient (once per day), then send the queued digests."""
    day = day or timezone.localdate()
    calendar = ledger.load_calendar()
    summary = {"day": day.isoformat(), "users": 0, "queued": 0, "already": 0, "nothing": 0, "items": 0,
               "sent": 0, "failed": 0}  # fmt: skip
    for user in recipients().order_by("pk"):
        summary["users"] += 1
        if Digest.objects.filter(user=user, day=day).exists():
            summary["already"] += 1
            continue
        items = queries.inbox_all(user, day, calendar=calendar, horizon_days=deadlines.REMIND_SOON_DAYS)
        known = set(Reminder.objects.filter(user=user).values_list("key", flat=True))
        new = [i for i in items if i.key not in known]
        overdue = [i for i in items if i.due is not None and i.due < day]
        if not new and not overdue:
            summary["nothing"] += 1
            continue
        subject, body = compose(user, day, new, overdue)
        try:
            with transaction.atomic():
                Digest.objects.create(user=user, day=day, new_items=len(new), overdue_items=len(overdue),
                                      subject=subject[:200], body=body)  # fmt: skip
                Reminder.objects.bulk_create(
                    [Reminder(user=user, key=i.key[:120], first_sent_on=day, last_sent_on=day) for i in new],
                    ignore_conflicts=True,
                )
                Reminder.objects.filter(user=user, key__in=[i.key[:120] for i in overdue]).update(
                    last_sent_on=day
                )
        except IntegrityError:  # another sweep queued it meanwhile
            summary["already"] += 1
            continue
        summary["queued"] += 1
        summary["items"] += len(set(i.key for i in new) | set(i.key for i in overdue))
        if log:
            log(f"  {user.get_username()}: {len(new)} mới, {len(overdue)} quá hạn")
    if send:
        summary.update(deliver(day))
    if summary["queued"]:
        with transaction.atomic():
            audit(actor=None, action="interorg.sweep", object_type="digest", object_id=day.isoformat(),
                  summary=f"Nhắc việc ngày {day:%d/%m/%Y}: {summary['queued']} thư", after=summary)  # fmt: skip
    return summary


def deliver(day: datetime.date) -> dict:
    """Send the queued digests of the day (SMTP from the environment; the console backend in the demo)."""
    sent = failed = 0
    # The console backend (the demo) prints the mails on stderr, so that stdout stays the JSON summary.
    console = settings.EMAIL_BACKEND.endswith("console.EmailBackend")
    connection = get_connection(stream=sys.stderr) if console else get_connection()
    for digest in Digest.objects.filter(day=day, state=Digest.State.QUEUED).select_related("user"):
        try:
            send_mail(digest.subject, digest.body, settings.DEFAULT_FROM_EMAIL, [digest.user.email],
                      connection=connection)  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - a mail server error must not stop the other digests
            digest.state, digest.error = Digest.State.FAILED, str(exc)[:500]
            failed += 1
        else:
            digest.state, digest.sent_at = Digest.State.SENT, timezone.now()
            sent += 1
        digest.save(update_fields=["state", "error", "sent_at"])
    return {"sent": sent, "failed": failed}


# ------------------------------------------------------------------------------------------ the queue


def enqueue(name: str = SWEEP_TASK, *, args: dict | None = None, run_after=None) -> BackgroundTask:
    return BackgroundTask.objects.create(name=name, args=args or {}, run_after=run_after or timezone.now())


def claim():
    """The oldest due task, marked running (one worker wins: the row is re-checked in the UPDATE)."""
    now = timezone.now()
    for task in BackgroundTask.objects.filter(state=BackgroundTask.State.QUEUED, run_after__lte=now).order_by(
        "run_after", "id"
    )[:5]:  # fmt: skip
        won = BackgroundTask.objects.filter(pk=task.pk, state=BackgroundTask.State.QUEUED).update(
            state=BackgroundTask.State.RUNNING, started_at=now
        )
        if won:
            task.refresh_from_db()
            return task
    return None


TASKS = {
    SWEEP_TASK: lambda args: sweep(datetime.date.fromisoformat(args["day"]) if args.get("day") else None)
}


def run(task: BackgroundTask) -> BackgroundTask:
    try:
        result = TASKS[task.name](task.args or {})
    except Exception:  # noqa: BLE001 - the error is stored on the task for the page to show
        task.state, task.error = BackgroundTask.State.FAILED, traceback.format_exc()[-4000:]
    else:
        task.state, task.result = BackgroundTask.State.DONE, result
    task.finished_at = timezone.now()
    task.save(update_fields=["state", "error", "result", "finished_at"])
    return task


def next_daily(at: datetime.time, now=None) -> datetime.datetime:
    """The next moment of the day at `at` (local time) after `now`."""
    now = timezone.localtime(now or timezone.now())
    moment = now.replace(hour=at.hour, minute=at.minute, second=0, microsecond=0)
    return moment if moment > now else moment + datetime.timedelta(days=1)


def ensure_daily(at: datetime.time) -> None:
    """Keep one queued sweep for the next daily run."""
    if not BackgroundTask.objects.filter(name=SWEEP_TASK, state=BackgroundTask.State.QUEUED).exists():
        enqueue(run_after=next_daily(at))


def recent_tasks(limit: int = 30):
    return list(BackgroundTask.objects.order_by("-id")[:limit])


def recent_digests(limit: int = 50):
    return list(Digest.objects.select_related("user").order_by("-day", "-id")[:limit])
