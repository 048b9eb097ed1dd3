"""The ledger's hash chains (one per person, in insertion order) — see ketnap.core.integrity.

`fill_chains` computes the hashes of events written in bulk (the demo, data migrations), which skip
`PersonEvent.save()`; `verify_chains` finds every event whose hash does not match its content and place.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.db import connection

from ketnap.core.integrity import event_digest
from ketnap.people.models import PersonEvent

FIELDS = ("pk", "person_id", "kind", "occurred_on", "recorded_at", "actor_id", "org_id", "data", "corrects_id",
          "note", "prev_hash", "row_hash")  # fmt: skip
CHUNK = 20_000


class _Row:
    __slots__ = FIELDS

    def __init__(self, values):
        for name, value in zip(FIELDS, values):
            setattr(self, name, value)


def _rows(person_ids: Iterable[int] | None = None) -> Iterator[_Row]:
    """Every event, person by person, in insertion order (keyset pages: bounded memory at any scale)."""
    qs = PersonEvent.objects.all()
    if person_ids is not None:
        qs = qs.filter(person_id__in=list(person_ids))
    last = (0, 0)
    while True:
        page = list(
            qs.filter(person_id__gte=last[0])
            .exclude(person_id=last[0], pk__lte=last[1])
            .order_by("person_id", "pk")
            .values_list(*FIELDS)[:CHUNK]
        )
        if not page:
            return
        for values in page:
            yield _Row(values)
        last = (page[-1][1], page[-1][0])


def _walk(person_ids=None) -> Iterator[tuple[_Row, str, str]]:
    """(event, expected previous hash, expected hash) for every event."""
    person, prev = None, ""
    for row in _rows(person_ids):
        if row.person_id != person:
            person, prev = row.person_id, ""
        expected = event_digest(prev, row)
        yield row, prev, expected
        prev = expected


def fill_chains(person_ids: Iterable[int] | None = None) -> int:
    """Write the hashes of the events whose stored hash is not the computed one; returns how many."""
    table = PersonEvent._meta.db_table
    updates = [(prev, expected, row.pk) for row, prev, expected in _walk(person_ids)
               if (row.prev_hash, row.row_hash) != (prev, expected)]  # fmt: skip
    with connection.cursor() as cur:
        for i in range(0, len(updates), CHUNK):
            cur.executemany(
                f"UPDATE {table} SET prev_hash = %s, row_hash = %s WHERE id = %s", updates[i : i + CHUNK]
            )
    return len(updates)


def verify_chains() -> tuple[int, list[tuple[int, int]]]:
    """(events checked, [(person id, event id)] that do not hold: an event whose hash is not that of its
    content and stored predecessor hash (it was changed), or whose predecessor hash is not the stored hash of
    the person's previous event (an event was removed or inserted before it))."""
    total, bad = 0, []
    person, prev = None, ""
    for row in _rows():
        total += 1
        if row.person_id != person:
            person, prev = row.person_id, ""
        if row.prev_hash != prev or row.row_hash != event_digest(row.prev_hash, row):
            bad.append((row.person_id, row.pk))
        prev = row.row_hash
    return total, bad
