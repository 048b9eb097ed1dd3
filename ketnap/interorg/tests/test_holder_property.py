"""The invariant of the hand-offs, as a property: over any sequence of sends, receipts, confirmations,
refusals, cancellations and introductions, every person has exactly one holder at every moment — the one
a simple model predicts — is never lost between two organisations, shows on both sides while in transit
and at the sides' lowest common upper committee, and the ledger records every move."""

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from ketnap.interorg import actions
from ketnap.interorg.models import MOVING_KINDS, OPEN_STATUSES, Kind, Request
from ketnap.orgs.models import OrgUnit
from ketnap.people import ledger
from ketnap.people.actions import rebuild_state
from ketnap.people.models import Person

from .conftest import member, sympathiser, today

pytestmark = pytest.mark.django_db


def lowest_common_ancestor(a: OrgUnit, b: OrgUnit) -> str:
    common = ""
    for x, y in zip(a.path.split("."), b.path.split(".")):
        if x != y or not x:
            break
        common += x + "."
    return common


def test_every_person_always_has_exactly_one_holder(tree):
    admin = tree.users["city_admin"]
    units = [tree.cell_student, tree.cell_staff, tree.cell_a, tree.cell_b, tree.ward_a, tree.ward_b, tree.uni,
             tree.upper]  # fmt: skip

    class Handoffs(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            self.people = [
                member(tree, tree.cell_student, given_name="An"),
                member(tree, tree.cell_a, given_name="Bình", official=False),
                sympathiser(tree, tree.cell_a, given_name="Chi"),
                sympathiser(tree, tree.cell_student, given_name="Dũng"),
            ]
            self.holder = {p.pk: p.unit_id for p in self.people}
            self.moving: dict[int, int] = {}  # person → open request
            self.confirmed = {p.pk: 0 for p in self.people}

        def teardown(self):
            for p in self.people:
                person = Person.objects.get(pk=p.pk)
                expected = rebuild_state(person, ledger.load_calendar())
                assert {k: getattr(person, k) for k in expected} == expected
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def person(self, i) -> Person:
            return Person.objects.select_related("unit").get(pk=self.people[i].pk)

        @rule(i=st.integers(0, 3), to=st.sampled_from(range(len(units))), via_grassroots=st.booleans())
        def send(self, i, to, via_grassroots):
            person, receiver = self.person(i), units[to]
            kind = Kind.TRANSFER if person.is_member else Kind.INTRODUCTION
            sender = (person.unit.grassroots() or person.unit) if via_grassroots else person.unit
            expected_ok = person.pk not in self.moving and not person.unit.path.startswith(receiver.path)
            expected_ok = expected_ok and receiver.pk != sender.pk
            try:
                request = actions.send_new(acting_user=admin, kind=kind, person=person, sender=sender,
                                           receiver=receiver, sent_on=today())  # fmt: skip
            except ValidationError:
                assert not expected_ok
                return
            assert expected_ok
            self.moving[person.pk] = request.pk

        def _open(self, i):
            pk = self.moving.get(self.people[i].pk)
            return Request.objects.get(pk=pk) if pk else None

        @rule(i=st.integers(0, 3))
        def receive(self, i):
            request = self._open(i)
            if request is None or request.status != "sent":
                return
            actions.receive_request(request, acting_user=admin, received_on=today())

        @rule(i=st.integers(0, 3), deeper=st.booleans())
        def confirm(self, i, deeper):
            request = self._open(i)
            if request is None:
                return
            into = request.receiver
            if deeper:
                into = OrgUnit.objects.filter(path__startswith=into.path).order_by("-depth", "pk").first()
            actions.confirm_request(request, acting_user=admin, confirmed_on=today(), into=into)
            pk = self.people[i].pk
            self.holder[pk] = into.pk
            self.confirmed[pk] += 1
            del self.moving[pk]

        @rule(i=st.integers(0, 3))
        def refuse(self, i):
            request = self._open(i)
            if request is None:
                return
            actions.return_request(request, acting_user=admin, returned_on=today(), reason="Không tiếp nhận")
            del self.moving[self.people[i].pk]

        @rule(i=st.integers(0, 3))
        def cancel(self, i):
            request = self._open(i)
            if request is None:
                return
            actions.cancel_request(request, acting_user=admin, cancelled_on=today(), reason="Hủy")
            del self.moving[self.people[i].pk]

        @invariant()
        def exactly_one_holder(self):
            for p in self.people:
                person = Person.objects.select_related("unit").get(pk=p.pk)
                assert person.unit_id == self.holder[p.pk]  # one holder, the expected one
                assert OrgUnit.objects.filter(pk=person.unit_id).exists()  # never lost
                moves = Request.objects.filter(person=person, kind__in=MOVING_KINDS, status__in=OPEN_STATUSES)
                assert moves.count() == (1 if p.pk in self.moving else 0)
                for request in moves.select_related("sender", "receiver"):
                    # in transit: the sender still holds the person; both sides and their lowest common
                    # upper committee see the request, and that committee sees the person
                    assert person.unit.path.startswith(request.sender.path)
                    assert Request.objects.in_subtree(request.sender).filter(pk=request.pk).exists()
                    assert Request.objects.in_subtree(request.receiver).filter(pk=request.pk).exists()
                    lca = lowest_common_ancestor(request.sender, request.receiver)
                    assert person.unit.path.startswith(lca) and request.receiver.path.startswith(lca)
                moved = list(
                    person.events.filter(kind="unit_changed").order_by("id").values_list("data", flat=True)
                )
                assert len(moved) == self.confirmed[p.pk]
                if moved:
                    assert moved[-1]["to_id"] == person.unit_id
                    for a, b in zip(moved, moved[1:]):
                        assert a["to_id"] == b["from_id"]  # an unbroken chain of holders

    run_state_machine_as_test(
        Handoffs,
        settings=settings(max_examples=30, stateful_step_count=12, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]),
    )  # fmt: skip
