"""The one write path of a person's ledger: lock → append → project → notify, inside the caller's transaction.

Every app that writes a person's ledger or a field the rule book reads goes through :func:`lock` (the
people actions, the requests between organisations, imports):

    with transaction.atomic():
        w = write.lock(person)          # SELECT … FOR UPDATE; what the observers need to see the change
        w.append(kind, on=…, org=…, actor=…, data=…)
        w.finish()                      # cached state from the ledger, saved; observers told

The caller checks scope and role and writes its audit row; the rule book's refusal of a step is
``people.actions.record_event``'s job. Observers are registered by apps above ``people`` in their
``AppConfig.ready`` (``ketnap.targets`` keeps the indicator rollup current that way), so that ``people`` never
imports them.
"""

from __future__ import annotations

import datetime
from typing import Any, Protocol

from django.db import transaction

from ketnap import rules
from ketnap.people import ledger
from ketnap.people.models import Person, PersonEvent

__all__ = ["PersonObserver", "PersonWrite", "lock", "register"]


class PersonObserver(Protocol):
    """Something kept current with a person's cached state, in the same transaction (e.g. the rollup)."""

    def snapshot(self, person: Person) -> Any:
        """What the observer needs to know of the person before the change."""

    def changed(self, before: Any, person: Person, events_before: list, events_after: list, calendar) -> None:
        """The person has been written; ``before`` is what :meth:`snapshot` returned."""


_OBSERVERS: list[PersonObserver] = []


def register(observer: PersonObserver) -> None:
    if observer not in _OBSERVERS:
        _OBSERVERS.append(observer)


class PersonWrite:
    """One locked person being written. Create it with :func:`lock`."""

    def __init__(self, person: Person, calendar: rules.Calendar | None = None):
        self.person = person
        self.events_before: list[PersonEvent] = list(person.events.all())
        self.appended: list[PersonEvent] = []
        self._calendar = calendar
        self._snapshots = [(o, o.snapshot(person)) for o in _OBSERVERS]
        self.state_before = {f: getattr(person, f) for f in ledger.STATE_FIELDS}

    @property
    def calendar(self) -> rules.Calendar:
        if self._calendar is None:
            self._calendar = ledger.load_calendar()
        return self._calendar

    @property
    def events(self) -> list[PersonEvent]:
        return [*self.events_before, *self.appended]

    def append(
        self,
        kind: str,
        *,
        on: datetime.date,
        org=None,
        actor=None,
        data: dict | None = None,
        note: str = "",
        corrects: PersonEvent | None = None,
    ) -> PersonEvent:
        """Write one ledger event (the ledger is append-only: a correction is a new event)."""
        event = PersonEvent(
            person=self.person,
            kind=kind,
            occurred_on=on,
            actor=actor if getattr(actor, "pk", None) else None,
            org=org or self.person.unit,
            data=dict(data or {}),
            corrects=corrects,
            note=(note or "")[:500],
        )
        return self.add(event)

    def add(self, event: PersonEvent) -> PersonEvent:
        """Write an event built by the caller (``people.actions.record_event`` builds it to evaluate it first)."""
        event.save()
        self.appended.append(event)
        return event

    def evaluate(self, events: list | None = None) -> rules.Result:
        """The rule book's result on ``events`` (default: the ledger as written so far) as of the latest
        event's date — the date the cached state is always computed as of, never the clock."""
        events = self.events if events is None else events
        return ledger.evaluate(self.person, events, ledger.ledger_date(events), self.calendar)

    def finish(self, *, result: rules.Result | None = None, fields: tuple[str, ...] | None = ()) -> dict:
        """Project the ledger onto the cached fields, save the person and tell the observers.

        ``result``: the evaluation of :attr:`events` if the caller already has it. ``fields``: other fields the
        caller changed, saved with the state (``None``: save every field). Returns {"before", "after"} of the
        cached state, for the caller's audit row."""
        events = self.events
        result = result or self.evaluate(events)
        after = ledger.project(self.person, result, events)
        for name, value in after.items():
            setattr(self.person, name, value)
        if fields is None:
            self.person.save()
        else:
            self.person.save(update_fields=[*ledger.STATE_FIELDS, *fields, "updated_at"])
        for observer, before in self._snapshots:
            observer.changed(before, self.person, self.events_before, events, self.calendar)
        return {"before": self.state_before, "after": after}


def lock(person: Person | int, calendar: rules.Calendar | None = None) -> PersonWrite:
    """Lock the person's row for the rest of the transaction and start a write."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("people.write.lock() must run inside transaction.atomic()")
    pk = person if isinstance(person, int) else person.pk
    # Lock the person's row only (on PostgreSQL, not the cell's row the join reads).
    locked = Person.objects.select_for_update(of=("self",)).select_related("unit").get(pk=pk)
    return PersonWrite(locked, calendar)
