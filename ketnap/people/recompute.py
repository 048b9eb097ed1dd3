"""Recompute the persons' cached state when an input other than their ledger changes: the working-day calendar.

`recompute_persons(ids, calendar)` replays the ledgers of some persons exactly as `ketnap rebuild-state` does
(`ledger.evaluate` + `ledger.project`, as of the latest event) and saves the ones whose cached fields
(`ledger.STATE_FIELDS`) differ.

Which persons a calendar edit can affect. The calendar reaches a person's cached state only through the rule
book's working-day deadlines (`rules.check`): a deadline starting on S with N working days is due on
`calendar.add_working_days(S, N)`, and whether day D is a working day changes that due date (and with it
`next_due`, and whether the deadline was met, i.e. `warning_count`) only when S < D <= due. Let N be the
longest span a deadline can have (`deadline_span`: the largest `*_days` parameter plus the largest extension;
90 working days — about four and a half months — with the default parameters) and L the N-th working day
before D (the same in both calendars: they differ on D only). A deadline starting before L is due before D
in both calendars, so only deadlines starting in [L, D) matter. Every deadline of the rule book starts on
the date of an event the rule book reads (a cell vote, a decision, a recognition vote, a ceremony …), on a
decision's `received` date, on `probation_end` (RECOGNITION_REVIEW_DUE), or, for a member entered by import,
on the replayed decision date `party_age_from` — `persons_around` selects the persons with any of these in
[L, D). `test_recompute.py` checks that every deadline of the demo city starts on one of these dates, so a
new kind of start in the rule book shows there.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from ketnap import rules
from ketnap.people import ledger
from ketnap.people.models import Person, PersonEvent

CHUNK = 2000
# The kinds of events the rule book reads (a ledger-only event never starts a deadline).
RULE_EVENT_KINDS = sorted({*ledger.RULE_KINDS, PersonEvent.Kind.MEMBER_IMPORTED})
# What `ledger.evaluate` and `ledger.project` read of an event (the rest is not loaded).
EVENT_FIELDS = ("id", "person_id", "kind", "occurred_on", "org_id", "data", "corrects_id")


def deadline_span(params: rules.Params) -> int:
    """The most working days between a deadline's start and its due date: the largest `*_days` parameter,
    plus the most days a decision extension may add."""
    days = [
        getattr(params, f.name)
        for f in dataclasses.fields(params)
        if f.name.endswith("_days") and f.name != "extension_max_days"
    ]
    return max(days) + max(params.extension_max_days, 0)


def earliest_start(
    day: datetime.date, before: rules.Calendar, after: rules.Calendar, params: rules.Params
) -> datetime.date:
    """A deadline that starts before this date is due before `day` whether `day` is a working day or not."""
    n = deadline_span(params)
    return min(before.add_working_days(day, -n), after.add_working_days(day, -n))


def _iso(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def persons_around(day: datetime.date, since: datetime.date) -> set[int]:
    """Persons with a possible deadline start in [since, day) (see the module's docstring)."""
    ids = set(
        PersonEvent.objects.filter(kind__in=RULE_EVENT_KINDS, occurred_on__gte=since, occurred_on__lt=day)
        .values_list("person_id", flat=True)
        .distinct()
    )
    for field in ("probation_end", "party_age_from"):
        ids.update(
            Person.objects.filter(**{f"{field}__gte": since, f"{field}__lt": day}).values_list(
                "pk", flat=True
            )
        )
    # A decision's deadline (CEREMONY_DUE) starts when the cell received it, on or after the decision's date.
    received = PersonEvent.objects.filter(
        kind=PersonEvent.Kind.DECISION, occurred_on__lt=day, data__has_key="received"
    ).exclude(person_id__in=ids)
    for person_id, data in received.values_list("person_id", "data"):
        on = _iso(data.get("received"))
        if on is not None and since <= on < day:
            ids.add(person_id)
    return ids


@dataclasses.dataclass
class Recomputed:
    checked: int = 0
    changed: list[tuple[Person, dict]] = dataclasses.field(default_factory=list)  # (person, state before)
    invalid: list[int] = dataclasses.field(
        default_factory=list
    )  # ledgers the rule book refuses: left as they are


def recompute_persons(person_ids: Iterable[int], calendar: rules.Calendar) -> Recomputed:
    """Replay these persons' ledgers with `calendar` and save the cached fields that differ (rows locked).

    Must run inside a transaction (the caller's action). Returns the persons changed with their state before.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("recompute_persons() must run inside the action's transaction")
    out = Recomputed()
    ids = sorted(set(person_ids))
    now = timezone.now()
    for i in range(0, len(ids), CHUNK):
        part = ids[i : i + CHUNK]
        persons = list(
            Person.objects.select_for_update(of=("self",))
            .filter(pk__in=part)
            .select_related("unit")
            .order_by("pk")
        )
        events: dict[int, list] = defaultdict(list)
        rows = (
            PersonEvent.objects.filter(person_id__in=part).order_by("occurred_on", "id").only(*EVENT_FIELDS)
        )
        for ev in rows:
            events[ev.person_id].append(ev)
        changed = []
        for person in persons:
            evs = events[person.pk]
            out.checked += 1
            try:
                result = ledger.evaluate(person, evs, ledger.ledger_date(evs), calendar)
            except rules.DossierError:
                out.invalid.append(person.pk)
                continue
            state = ledger.project(person, result, evs)
            before = {f: getattr(person, f) for f in state}
            if state == before:
                continue
            for field, value in state.items():
                setattr(person, field, value)
            person.updated_at = now
            changed.append(person)
            out.changed.append((person, before))
        if changed:
            Person.objects.bulk_update(changed, [*ledger.STATE_FIELDS, "updated_at"], batch_size=500)
    return out


def on_calendar_changed(*, day, before, after, report, **kwargs):
    """Receiver of `core.calendar.calendar_changed`: the persons' cached deadlines."""
    since = earliest_start(day, before, after, ledger.rule_params())
    done = recompute_persons(persons_around(day, since), after)
    report["persons_checked"] = done.checked
    report["persons_changed"] = len(done.changed)
    report["person_ids"] = [p.pk for p, _ in done.changed][:1000]
    if done.invalid:
        report["persons_invalid"] = done.invalid[:1000]
    report["person_states"] = {p.pk: state for p, state in done.changed}
