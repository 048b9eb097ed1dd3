"""Requests between organisations follow the deployment's rule parameters and the calendar (issue 7.6)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ketnap import rules
from ketnap.core.models import AuditLog
from ketnap.interorg import actions, deadlines, queries
from ketnap.interorg.models import Kind
from ketnap.orgs import calendar_actions as core_actions
from ketnap.people import ledger

from .conftest import DAY, member, today

pytestmark = pytest.mark.django_db


def transfer(tree, person, sent_on, **kw):
    return actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.TRANSFER, person=person,
                            sender=tree.uni, receiver=kw.pop("receiver", tree.ward_b), sent_on=sent_on,
                            trigger="graduation", trigger_on=sent_on - 20 * DAY, **kw)  # fmt: skip


def test_the_transfer_due_date_follows_KETNAP_RULE_PARAMS(tree, settings, client):
    sent = today() - 3 * DAY
    calendar = ledger.load_calendar()
    default = transfer(tree, member(tree, tree.cell_student), sent)
    assert default.due_on == calendar.add_working_days(sent, 30)

    settings.KETNAP_RULE_PARAMS = {"transfer_present_days": 10}
    assert ledger.rule_params().transfer_present_days == 10
    short = transfer(tree, member(tree, tree.cell_student, given_name="Bình"), sent)
    assert short.due_rule == "TRANSFER_PRESENT_DUE"
    assert short.due_on == calendar.add_working_days(sent, 10) != default.due_on
    assert deadlines.due_for(Kind.TRANSFER, sent, calendar)[0] == short.due_on
    client.force_login(tree.users["uni_committee"])
    letter = client.get(reverse("request-letter", args=[short.pk])).content.decode()
    assert "trong 10 ngày làm việc" in letter and "trong 30 ngày làm việc" not in letter


def test_the_other_interorg_numbers_follow_KETNAP_RULE_PARAMS(tree, settings):
    graduated = today() - 30 * DAY
    person = member(tree, tree.cell_student, school_role="student", expected_graduation=graduated)
    settings.KETNAP_RULE_PARAMS = {"graduate_hold_months": 6, "transfer_unreceived_months": 1,
                                   "transfer_start_days": 5}  # fmt: skip
    params = ledger.rule_params()
    with pytest.raises(ValidationError, match="tối đa 6 tháng"):
        actions.hold_graduate(person, acting_user=tree.users["uni_committee"], occurred_on=today(),
                              until=rules.graduate_hold_until(graduated) - DAY)  # within 12 months, not 6  # fmt: skip
    event = actions.hold_graduate(person, acting_user=tree.users["uni_committee"], occurred_on=today())
    assert event.data["until"] == rules.graduate_hold_until(graduated, params).isoformat()
    calendar = ledger.load_calendar()
    assert deadlines.transfer_start(graduated, calendar) == (calendar.add_working_days(graduated, 5),
                                                             "TRANSFER_START_DUE")  # fmt: skip
    other = member(tree, tree.cell_student, given_name="Bình")
    old = transfer(tree, other, today() - 40 * DAY)  # more than one month ago, less than three
    assert old in queries.unreceived_transfers(tree.users["ward_b"], today())


def test_a_calendar_edit_moves_the_due_dates_it_crosses_and_only_those(tree):
    admin = tree.users["city_admin"]
    base = ledger.load_calendar()
    day = today() - 10 * DAY
    while not base.is_working_day(day):
        day -= DAY
    crossing = transfer(tree, member(tree, tree.cell_student), day - 5 * DAY)
    after_day = transfer(tree, member(tree, tree.cell_student, given_name="Bình"), day)  # starts on the day
    before = {r.pk: r.due_on for r in (crossing, after_day)}
    assert crossing.sent_on < day <= crossing.due_on

    core_actions.set_calendar_day(acting_user=admin, date=day, is_working_day=False, note="TB 7/TB")
    crossing.refresh_from_db()
    after_day.refresh_from_db()
    calendar = ledger.load_calendar()
    assert calendar.working_days_between(before[crossing.pk], crossing.due_on) == 1
    assert crossing.due_on == calendar.add_working_days(crossing.sent_on, 30)
    assert after_day.due_on == before[after_day.pk]  # counting starts after its sending day
    row = AuditLog.objects.filter(action="calendar.set").latest("id")
    assert row.after["recomputed"]["requests_changed"] == 1
    assert row.after["recomputed"]["request_ids"] == [crossing.pk]
    assert "hạn trả lời của 1 văn bản" in row.summary

    core_actions.remove_calendar_day(acting_user=admin, date=day)
    crossing.refresh_from_db()
    assert crossing.due_on == before[crossing.pk]
