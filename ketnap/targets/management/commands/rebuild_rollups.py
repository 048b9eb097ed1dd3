"""`ketnap rebuild-rollups [--check] [--window SY2025 …]`: recompute the indicator rollup from the ledger.

Without --window: the windows the dashboards show (the last school and calendar years) and every window
already built. With --check: compare the stored rows with a recomputation, list the differences and exit 1
when there is any. Without: replace the rows (one transaction, one audit row).
"""

import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ketnap.core.audit import audit
from ketnap.targets import conf, rollups


class Command(BaseCommand):
    help = "Tính lại bảng tổng hợp chỉ số từ sổ sự kiện — rebuild (or --check) the indicator rollup."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="chỉ kiểm tra; thoát với mã 1 nếu có sai lệch"
        )
        parser.add_argument("--window", action="append", default=[],
                            help="kỳ cần tính (SY2025 = năm học 2025–2026, CY2026 = năm 2026); lặp lại được")  # fmt: skip

    def handle(self, *args, check: bool, window: list[str], **options):
        try:
            windows = [conf.window(k) for k in window]
        except ValueError as exc:
            raise CommandError(f"Kỳ không hợp lệ: {exc}") from None
        if not windows:
            keys = {w.key: w for w in conf.default_windows(timezone.localdate())}
            for key in rollups.built_keys():
                keys.setdefault(key, conf.window(key))
            windows = sorted(keys.values())
        labels = ", ".join(w.key for w in windows)
        started = time.perf_counter()
        if check:
            diffs = rollups.check(windows)
            for key, unit, name, stored, computed in diffs[:200]:
                self.stdout.write(f"  {key} tổ chức #{unit}: {name} lưu {stored!r}, tính lại {computed!r}")
            if len(diffs) > 200:
                self.stdout.write(f"  … và {len(diffs) - 200} sai lệch khác")
            self.stdout.write(
                f"Đã kiểm tra {labels} trong {time.perf_counter() - started:.1f} s: {len(diffs)} sai lệch."
            )
            if diffs:
                sys.exit(1)
            return
        self.stdout.write(f"Tính lại bảng tổng hợp: {labels}")
        with transaction.atomic():
            timings = rollups.build(windows, log=self.stdout.write)
            audit(actor=None, action="rollup.rebuild", object_type="rollup", object_id=labels[:64],
                  summary=f"Tính lại bảng tổng hợp chỉ số {labels}",
                  after={k: round(v, 2) for k, v in timings.items()})  # fmt: skip
        self.stdout.write(f"Xong trong {time.perf_counter() - started:.1f} s.")
