"""`ketnap sweep-deadlines`: e-mail each user a digest of new and overdue items (run daily).

    ketnap sweep-deadlines                 sweep now; prints a JSON summary with the key "queued"
    ketnap sweep-deadlines --enqueue       put a sweep on the database-backed queue and return
    ketnap sweep-deadlines --worker        run queued tasks (loop; --once: what is due, then exit;
                                           --daily 06:30: keep the next daily sweep queued)

A second sweep on the same day queues nothing new (one stored digest per user and day).
"""

import datetime
import json
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ketnap.interorg import reminders


class Command(BaseCommand):
    help = "Gửi thư nhắc việc (việc mới và việc quá hạn) cho từng người dùng; mỗi ngày một lần."

    def add_arguments(self, parser):
        parser.add_argument("--day", default="", help="ngày quét (yyyy-mm-dd; mặc định: hôm nay)")
        parser.add_argument("--no-send", action="store_true", help="chỉ xếp hàng thư, chưa gửi")
        parser.add_argument("--enqueue", action="store_true", help="đưa một lượt quét vào hàng đợi nền")
        parser.add_argument("--worker", action="store_true", help="chạy các việc nền trong hàng đợi")
        parser.add_argument(
            "--once", action="store_true", help="(với --worker) chạy các việc đến hạn rồi dừng"
        )
        parser.add_argument("--daily", default="", help="(với --worker) giờ quét hằng ngày, ví dụ 06:30")
        parser.add_argument(
            "--poll", type=float, default=5.0, help="(với --worker) số giây giữa hai lần kiểm tra"
        )
        parser.add_argument(
            "--max-seconds", type=float, default=0, help="(với --worker) dừng sau số giây này"
        )

    def handle(self, *args, day, no_send, enqueue, worker, once, daily, poll, max_seconds, **options):
        try:
            when = datetime.date.fromisoformat(day) if day else None
        except ValueError as exc:
            raise CommandError("Ngày phải có dạng yyyy-mm-dd.") from exc
        if enqueue:
            task = reminders.enqueue(args={"day": day} if day else {})
            self.stdout.write(_json({"enqueued": task.pk, "name": task.name}))
            return
        if worker:
            self.work(once=once, daily=daily, poll=poll, max_seconds=max_seconds)
            return
        summary = reminders.sweep(
            when, send=not no_send, log=self.stderr.write if options["verbosity"] > 1 else None
        )
        self.stdout.write(_json(summary))

    def work(self, *, once, daily, poll, max_seconds):
        at = None
        if daily:
            try:
                at = datetime.time.fromisoformat(daily)
            except ValueError as exc:
                raise CommandError("Giờ phải có dạng HH:MM.") from exc
        started = time.monotonic()
        done = 0
        while True:
            if at is not None:
                reminders.ensure_daily(at)
            task = reminders.claim()
            if task is not None:
                task = reminders.run(task)
                done += 1
                self.stdout.write(_json({"task": task.pk, "name": task.name, "state": task.state,
                                         "result": task.result, "at": timezone.localtime().isoformat()}))  # fmt: skip
                continue
            if once or (max_seconds and time.monotonic() - started >= max_seconds):
                break
            time.sleep(poll)
        if once:
            self.stderr.write(f"Đã chạy {done} việc nền.")


def _json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=str)
