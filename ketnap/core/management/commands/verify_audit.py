"""`ketnap verify-audit`: check the hash chain of the audit log; exit 1 when a row was altered."""

import sys

from django.core.management.base import BaseCommand

from ketnap.core.audit import verify_chain
from ketnap.core.models import AuditLog


class Command(BaseCommand):
    help = "Kiểm tra chuỗi băm của nhật ký kiểm toán — verify the audit log's hash chain."

    def handle(self, *args, **options):
        bad = verify_chain()
        total = AuditLog.objects.count()
        if bad:
            shown = ", ".join(map(str, bad[:50])) + (" …" if len(bad) > 50 else "")
            self.stderr.write(f"Chuỗi nhật ký bị phá vỡ tại {len(bad)}/{total} dòng: {shown}")
            sys.exit(1)
        self.stdout.write(f"Nhật ký kiểm toán nguyên vẹn: {total} dòng.")
