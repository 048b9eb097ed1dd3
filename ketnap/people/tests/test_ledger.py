import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from ketnap.core.models import CalendarOverride
from ketnap.people import actions, ledger
from ketnap.testing import make_person, prepare_applicant

D = datetime.date
pytestmark = pytest.mark.django_db


def test_rule_parameters_come_from_settings(tree, settings):
    person = prepare_applicant(make_person(tree.cell_student), tree.users["cell_secretary"])
    # The awareness certificate of 10/10/2025 is about 6 months old at the vote.
    settings.KETNAP_RULE_PARAMS = {"cert_validity_months": 3}
    with pytest.raises(actions.ActionRefused) as exc:
        actions.record_cell_vote(
            person,
            acting_user=tree.users["cell_secretary"],
            occurred_on=D(2026, 4, 2),
            official_members=12,
            in_favour=12,
        )
    assert "AWARENESS_CERT_VALID" in {r.rule for r in exc.value.refusals}
    settings.KETNAP_RULE_PARAMS = {}
    actions.record_cell_vote(
        person,
        acting_user=tree.users["cell_secretary"],
        occurred_on=D(2026, 4, 2),
        official_members=12,
        in_favour=12,
    )


def test_unknown_rule_parameter_is_a_configuration_error(settings):
    settings.KETNAP_RULE_PARAMS = {"no_such_param": 1}
    with pytest.raises(ImproperlyConfigured):
        ledger.rule_params()


def test_calendar_overrides_move_deadlines(db):
    base = ledger.load_calendar()
    assert base.add_working_days(D(2026, 4, 2), 60) == D(2026, 6, 30)
    CalendarOverride.objects.create(date=D(2026, 6, 15), is_working_day=False, note="Nghỉ thêm")
    assert ledger.load_calendar().add_working_days(D(2026, 4, 2), 60) == D(2026, 7, 1)


def test_a_person_moved_after_the_vote_is_judged_with_the_voting_cells_facts(tree):
    from ketnap.people.models import Person

    sec = tree.users["cell_secretary"]
    person = prepare_applicant(make_person(tree.cell_student), sec)
    actions.record_cell_vote(
        person, acting_user=sec, occurred_on=D(2026, 4, 2), official_members=12, in_favour=9
    )
    person.refresh_from_db()
    before = actions.rebuild_state(person, ledger.load_calendar())
    # The new cell is a grassroots cell without a Youth Union: judged there, the introducers would not fit.
    tree.cell_b.has_youth_union = False
    tree.cell_b.save()
    Person.objects.filter(pk=person.pk).update(unit=tree.cell_b)
    person.refresh_from_db()
    assert actions.rebuild_state(person, ledger.load_calendar()) == before
