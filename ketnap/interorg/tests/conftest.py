"""Helpers of the interorg tests: members, sympathisers and applicants built through the actions."""

import datetime

from django.utils import timezone

from ketnap.core.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401 (Debian's chromium)
from ketnap.people import actions as people_actions
from ketnap.testing import make_person

D = datetime.date
DAY = datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def member(tree, unit, *, official=True, user=None, ceremony_ago=100, **fields):
    """An existing party member entered by import (official, or probationary since `ceremony_ago` days)."""
    person = make_person(unit, **fields)
    user = user or tree.users["city_admin"]
    day = today() - 400 * DAY
    if official:
        data = {"stage": "OFFICIAL", "party_age_from": "2019-05-19", "ceremony_date": "2019-06-01",
                "official_date": "2020-06-01"}  # fmt: skip
    else:
        ceremony = today() - ceremony_ago * DAY
        data = {"stage": "PROBATIONARY", "party_age_from": (ceremony - 10 * DAY).isoformat(),
                "ceremony_date": ceremony.isoformat()}  # fmt: skip
        day = ceremony
    people_actions.record_event(person, "member_imported", acting_user=user, occurred_on=day, data=data)
    person.refresh_from_db()
    return person


def sympathiser(tree, unit, *, user=None, on=None, **fields):
    person = make_person(unit, **fields)
    people_actions.record_awareness_class(
        person, acting_user=user or tree.users["city_admin"], occurred_on=on or today() - 60 * DAY
    )
    person.refresh_from_db()
    return person


def applicant_to_verify(tree, unit, *, user=None, **fields):
    """An applicant whose dossier lacks only the background verification."""
    user = user or tree.users["city_admin"]
    start = today() - 200 * DAY
    person = make_person(unit, **fields)
    a = people_actions
    a.record_awareness_class(person, acting_user=user, occurred_on=start)
    a.record_document(person, "application", acting_user=user, occurred_on=start + 80 * DAY)
    a.record_document(person, "biography", acting_user=user, occurred_on=start + 85 * DAY)
    a.record_union_introduction(person, acting_user=user, occurred_on=start + 100 * DAY)
    a.record_member_introduction(person, acting_user=user, occurred_on=start + 100 * DAY,
                                 introducer_name="Trần Thị Bình", official_since=D(2019, 5, 19),
                                 cowork_since=start - 400 * DAY)  # fmt: skip
    a.record_document(person, "comments", acting_user=user, occurred_on=start + 120 * DAY)
    person.refresh_from_db()
    return person
