"""`ketnap rebuild-state [--check]`: replay every ledger and compare with the cached state of each person.

With --check: list the drifting persons (id, name, field, cached, computed) and exit 1 when there is any.
Without: write the computed state back (one transaction, one audit row per person changed, before/after).
"""

import sys
import time

from django.core.management.base import BaseCommand
from django.db import transaction

from ketnap import rules
from ketnap.core.audit import audit
from ketnap.people import ledger
from ketnap.people.models import Person, PersonEvent

CHUNK = 2000


def replay(calendar, chunk: int = CHUNK):
    """Yield (person, computed fields or a DossierError) for every person, reading events chunk by chunk."""
    ids = list(Person.objects.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(ids), chunk):
        part = ids[i : i + chunk]
        persons = Person.objects.filter(pk__in=part).select_related("unit").order_by("pk")
        events: dict[int, list] = {pk: [] for pk in part}
        for ev in PersonEvent.objects.filter(person_id__in=part).order_by("occurred_on", "id"):
            events[ev.person_id].append(ev)
        for person in persons:
            evs = events[person.pk]
            try:
                result = ledger.evaluate(person, evs, ledger.ledger_date(evs), calendar)
            except rules.DossierError as exc:
                yield person, exc
                continue
            yield person, ledger.project(person, result, evs)


def _show(value) -> str:
    if value is None or value == "":
        return "—"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


class Command(BaseCommand):
    help = "Tính lại trạng thái của mọi người từ sổ sự kiện — replay every ledger and fix (or --check) the cache."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="chỉ kiểm tra; thoát với mã 1 nếu có sai lệch"
        )

    def handle(self, *args, check: bool, **options):
        started = time.perf_counter()
        calendar = ledger.load_calendar()
        total, drifted, invalid = 0, [], []
        for person, computed in replay(calendar):
            total += 1
            if isinstance(computed, rules.DossierError):
                invalid.append(person)
                self.stderr.write(f"{person.pk}\t{person.full_name}\tsổ sự kiện không hợp lệ: {computed}")
                continue
            diff = {f: v for f, v in computed.items() if getattr(person, f) != v}
            if diff:
                drifted.append((person, diff))
        elapsed = time.perf_counter() - started
        if check:
            for person, diff in drifted:
                for field, value in diff.items():
                    self.stdout.write(
                        f"{person.pk}\t{person.full_name}\t{field}\t{_show(getattr(person, field))}\t{_show(value)}"
                    )
            self.stdout.write(
                f"Đã kiểm tra {total} người trong {elapsed:.1f} s: {len(drifted)} người sai lệch, "
                f"{len(invalid)} sổ sự kiện không hợp lệ."
            )
            if drifted or invalid:
                sys.exit(1)
            return
        if drifted:
            with transaction.atomic():
                fields = sorted({f for _, diff in drifted for f in diff})
                before = {p.pk: {f: getattr(p, f) for f in diff} for p, diff in drifted}
                for person, diff in drifted:
                    for field, value in diff.items():
                        setattr(person, field, value)
                Person.objects.bulk_update([p for p, _ in drifted], fields, batch_size=1000)
                for person, diff in drifted:  # one audit row per person changed, with before and after
                    audit(actor=None, action="person.rebuild_state", obj=person, unit=person.unit,
                          summary=f"{person.full_name}: tính lại trạng thái từ sổ sự kiện ({', '.join(diff)})",
                          before=before[person.pk], after=diff)  # fmt: skip
        self.stdout.write(
            f"Đã tính lại {total} người trong {time.perf_counter() - started:.1f} s: sửa {len(drifted)} người, "
            f"{len(invalid)} sổ sự kiện không hợp lệ."
        )
        if invalid:
            sys.exit(1)
