"""`ketnap verify-audit [--anchor]`: prove the record's integrity; exit 1 on any break.

Checks the audit log's hash chain (every row, its time included), its signed head (deleting the newest rows
shows), and every person's ledger chain (a changed, removed or inserted event shows). `--anchor` signs the
head as the log stands (after a key rotation), only when the chain itself is intact; it writes an audit row.
"""

import sys
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from ketnap.core.audit import anchor_head, audit, verify_chain, verify_head
from ketnap.core.models import AuditLog
from ketnap.people.integrity import verify_chains


class Command(BaseCommand):
    help = "Kiểm tra tính toàn vẹn của nhật ký và sổ sự kiện — verify the audit log and the ledgers."

    def add_arguments(self, parser):
        parser.add_argument("--anchor", action="store_true",
                            help="ký lại dấu neo của nhật ký (sau khi đổi khóa kiểm toán)")  # fmt: skip

    def handle(self, *args, anchor: bool = False, **options):
        started = time.perf_counter()
        bad = verify_chain()
        total = AuditLog.objects.count()
        failed = False
        if bad:
            shown = ", ".join(map(str, bad[:50])) + (" …" if len(bad) > 50 else "")
            self.stderr.write(f"Chuỗi nhật ký bị phá vỡ tại {len(bad)}/{total} dòng: {shown}")
            failed = True
        elif anchor:
            with transaction.atomic():
                audit(actor=None, action="audit.anchor", summary="Ký lại dấu neo của nhật ký kiểm toán")
                head = anchor_head()
            self.stdout.write(f"Đã ký lại dấu neo: {head.count} dòng.")
        for problem in verify_head():
            self.stderr.write(problem)
            failed = True
        events, broken = verify_chains()
        if broken:
            persons = sorted({p for p, _ in broken})
            shown = ", ".join(f"{p}/{e}" for p, e in broken[:30]) + (" …" if len(broken) > 30 else "")
            self.stderr.write(
                f"Sổ sự kiện bị sửa: {len(broken)} sự kiện của {len(persons)} người (người/sự kiện: {shown})"
            )
            failed = True
        if failed:
            sys.exit(1)
        self.stdout.write(
            f"Nhật ký kiểm toán nguyên vẹn: {total} dòng, dấu neo khớp; sổ sự kiện nguyên vẹn: {events} sự kiện "
            f"({time.perf_counter() - started:.1f} s)."
        )
