"""The demo city's requests: every kind in every state, some overdue, the ledger consistent."""

import datetime
import io

import pytest
from django.core.management import call_command

from ketnap.interorg.models import Kind, Request, Status
from ketnap.people.models import Person, PersonEvent

TODAY = datetime.date(2026, 11, 27)
pytestmark = pytest.mark.django_db


@pytest.fixture
def small(db):
    call_command("seed", "--size", "small", "--today", TODAY.isoformat(), stdout=io.StringIO())


EXPECTED = {
    Kind.VERIFICATION: {"draft", "sent", "received", "answered", "returned", "cancelled"},
    Kind.TRANSFER: {"draft", "sent", "received", "confirmed", "returned", "cancelled"},
    Kind.INTRODUCTION: {"draft", "sent", "received", "confirmed", "returned", "cancelled"},
    Kind.WARD_EVALUATION: {"draft", "sent", "received", "answered", "returned", "cancelled"},
    Kind.RESIDENCE_NOTICE: {"draft", "sent", "received", "answered", "returned", "cancelled"},
}


def test_the_demo_has_every_kind_in_every_state_and_some_overdue(small):
    for kind, states in EXPECTED.items():
        assert set(Request.objects.filter(kind=kind).values_list("status", flat=True)) == states, kind
    open_ = Request.objects.filter(status__in=[Status.SENT, Status.RECEIVED])
    assert open_.filter(due_on__lt=TODAY).exists() and open_.filter(due_on__gte=TODAY).exists()
    assert Request.objects.filter(receiver__isnull=True).exists()  # outside the system
    assert Request.objects.filter(batch__isnull=False).exists()
    assert PersonEvent.objects.filter(kind="graduate_held").exists()


def test_the_demo_moves_are_in_the_ledger_and_the_state_does_not_drift(small):
    for request in Request.objects.filter(status=Status.CONFIRMED).select_related("person"):
        assert request.person.unit_id == request.into_id or request.person.events.filter(
            kind="unit_changed", occurred_on__gt=request.closed_on).exists()  # fmt: skip
        moved = request.person.events.filter(kind="unit_changed", data__request_id=request.pk)
        assert moved.count() == 1
    out = io.StringIO()
    call_command("rebuild_state", "--check", stdout=out)
    assert "0 người sai lệch" in out.getvalue()
    assert not Person.objects.filter(error_count__gt=0).exists()
    numbers = list(Request.objects.exclude(number="").values_list("sender", "number", "sent_on__year"))
    assert len(numbers) == len(set(numbers))


def test_the_demo_sweep_twice_queues_nothing_the_second_time(small, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    import json

    def run():
        out = io.StringIO()
        call_command("sweep_deadlines", "--day", TODAY.isoformat(), stdout=out)
        return json.loads(out.getvalue())

    first, second = run(), run()
    assert first["queued"] > 0
    assert second["queued"] == 0
