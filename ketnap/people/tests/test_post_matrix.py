"""POST every step kind to persons at every stage, as a committee user, whatever the page offered: the server
answers without a 5xx, and nothing the rule book refuses is ever recorded.

The check is independent of the action's own: the person's dossier before and after each POST is sent to the
rule book (`ledger.dossier_json` → `rules.parse` → `rules.check`, exactly what `ketnap check-dossier` runs),
and any new event must not bring an error finding that was not there before.
"""

import datetime

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from ketnap import rules
from ketnap.people import ledger
from ketnap.people.forms import ACTIONS
from ketnap.people.models import Person
from ketnap.testing import make_person, walk_to_stage

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)
TODAY = timezone.localdate()
START = TODAY - 800 * DAY  # old enough for a probation to have ended


def walk(tree, stage: str) -> Person:
    """A person brought to ``stage`` through the actions (valid steps, dated in the past)."""
    return walk_to_stage(tree, stage, START)


STAGES = ["SOURCE", "SYMPATHISER", "APPLICANT", "CELL_APPROVED", "COMMITTEE_APPROVED", "ADMITTED",
          "PROBATIONARY", "OFFICIAL", "WITHDRAWN", "REMOVED"]  # fmt: skip


def post_data(tree, kind: str, day: datetime.date, official) -> dict:
    """What a browser could send for ``kind`` (every field any form has, plausible values)."""
    return {
        "occurred_on": day.strftime("%d/%m/%Y"),
        "note": "Kiểm thử",
        "confirm": "on",
        "number": "7-NQ/CB",
        "certificate_number": "123",
        "official_members": "12",
        "in_favour": "9",
        "members": "9",
        "introducer": str(official.pk),
        "cowork_since": "01/09/2020",
        "concluded": "on",
        "days": "10",
        "decider": str(tree.uni.pk),
        "received": day.strftime("%d/%m/%Y"),
        "mentor": str(official.pk),
    }


def errors(person) -> set[tuple]:
    events = list(person.events.all())
    obj = ledger.dossier_json(person, events, ledger.ledger_date(events))
    dossier, as_of, _ = rules.parse(obj, ledger.ledger_date(events), extensions=True)
    result = rules.check(dossier, as_of, ledger.load_calendar(), ledger.rule_params())
    return {(f.rule, f.date, f.message) for f in result.findings if f.severity == "error"}


def offered(person) -> frozenset:
    """What the rule book opens for the person today (what the page offers)."""
    events = list(person.events.all())
    return ledger.review(person, events, TODAY, ledger.load_calendar()).next_steps


@pytest.mark.parametrize("stage", STAGES)
def test_every_step_posted_at_every_stage_records_only_what_the_rule_book_allows(client, tree, stage):
    person = walk(tree, stage)
    person.refresh_from_db()
    assert person.stage == stage
    official = make_person(tree.cell_staff, given_name="Giới Thiệu", stage="OFFICIAL",
                           official_date=datetime.date(2015, 1, 1))  # fmt: skip
    client.force_login(tree.users["uni_committee"])
    open_now = offered(person)
    before = errors(person)
    recorded, refused = set(), set()
    for kind in [*ACTIONS, "not_a_step"]:
        for day in (TODAY, TODAY + DAY, datetime.date(1900, 1, 1)):
            # Each POST starts from the same person: a savepoint rolled back after it.
            with transaction.atomic():
                before_ids = set(person.events.values_list("pk", flat=True))
                response = client.post(reverse("person-record", args=[person.pk, kind]),
                                       post_data(tree, kind, day, official))  # fmt: skip
                assert response.status_code < 500, (stage, kind, day)
                new = list(person.events.exclude(pk__in=before_ids))
                if new:
                    assert response.status_code == 302, (stage, kind, day)
                    assert day == TODAY, (stage, kind, day)  # never a future date, never before 1930
                    reopened = kind == "reinstate" and stage in ("WITHDRAWN", "REMOVED")
                    assert kind in open_now or kind == "mentor_assigned" or reopened, (
                        stage,
                        kind,
                        "not offered",
                    )
                    assert not (errors(person) - before), (stage, kind, "an error was recorded")
                    recorded.add(kind)
                elif day == TODAY:
                    refused.add(kind)
                transaction.set_rollback(True)
    # Not vacuous: at every stage some real step kind is refused at a valid date, and the steps that are
    # recorded are exactly those open and permitted.
    assert refused - {"not_a_step"}
    if stage in ("COMMITTEE_APPROVED", "ADMITTED"):
        assert recorded & {"decision", "ceremony"}
    if stage in ("PROBATIONARY", "OFFICIAL"):
        assert "withdrawal" in refused
    if stage in ("SOURCE", "SYMPATHISER", "APPLICANT", "CELL_APPROVED", "COMMITTEE_APPROVED", "ADMITTED"):
        assert "removal" in refused and "recognition_vote" in refused


def test_the_decisive_steps_are_refused_at_the_stages_the_issue_names(client, tree):
    """The issue's cases through the pages: committee vote, decision and ceremony for an applicant without
    a cell vote, and a recognition vote during probation."""
    client.force_login(tree.users["uni_committee"])
    official = make_person(tree.cell_staff, given_name="Giới Thiệu", stage="OFFICIAL")
    for stage, kinds in (("APPLICANT", ["committee_vote", "decision", "ceremony"]),
                         ("PROBATIONARY", ["recognition_vote", "recognition_decision"])):  # fmt: skip
        person = walk(tree, stage)
        for kind in kinds:
            response = client.post(reverse("person-record", args=[person.pk, kind]),
                                   post_data(tree, kind, TODAY, official), HTTP_HX_REQUEST="true")  # fmt: skip
            assert response.status_code == 200
            assert "Không ghi được vì trái quy định" in response.content.decode()
            assert not person.events.filter(kind=kind).exists()
        person.refresh_from_db()
        assert person.stage == stage
