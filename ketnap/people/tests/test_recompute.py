"""A calendar edit recomputes, in its transaction, the cached deadlines and the rollup it affects (issue 7.6)."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from ketnap import rules
from ketnap.core.models import AuditLog, CalendarOverride
from ketnap.orgs import calendar_actions as core_actions
from ketnap.people import actions, ledger, recompute
from ketnap.people.models import Person, PersonEvent
from ketnap.targets import queries, rollups
from ketnap.targets.models import RollupWindow
from ketnap.testing import make_person, prepare_applicant

D = datetime.date
DAY = datetime.timedelta(days=1)
WINDOWS = ["SY2024", "SY2025", "CY2026"]
DEMO_TODAY = D(2026, 11, 27)


def rebuild_state_check() -> tuple[int, str]:
    """What `ketnap rebuild-state --check` reports: (exit code, output)."""
    out = io.StringIO()
    try:
        call_command("rebuild_state", "--check", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def rollup_drift() -> list:
    """What `ketnap rebuild-rollups --check` compares, over every built window."""
    return rollups.check([queries.window(k) for k in sorted(rollups.built_keys())])


def first_weekday(after: datetime.date, weekday: int, *, working: bool) -> datetime.date:
    """The first date after `after` on `weekday` that is (or is not) a working day in the base calendar."""
    base = rules.Calendar()
    day = after + DAY
    while day.weekday() != weekday or base.is_working_day(day) != working:
        day += DAY
    return day


# ------------------------------------------------------------------------------------------ the fixed tree


@pytest.fixture
def built(tree):
    rollups.build([queries.window(k) for k in WINDOWS])
    return tree


def cell_approved(tree, on: datetime.date, **fields) -> Person:
    """A student whose cell voted on `on`: DECISION_DUE (60 working days) is open."""
    person = prepare_applicant(make_person(tree.cell_student, **fields), tree.users["cell_secretary"])
    actions.record_cell_vote(
        person, acting_user=tree.users["cell_secretary"], occurred_on=on, official_members=12, in_favour=9
    )
    person.refresh_from_db()
    return person


def test_a_day_off_inside_an_open_deadline_moves_it_by_one_working_day_and_back(built):
    tree, admin = built, built.users["city_admin"]
    vote = D(2026, 4, 2)
    person = cell_approved(tree, vote)
    later = cell_approved(tree, D(2026, 5, 4), given_name="Bình")  # its deadline starts after the day off
    base = ledger.load_calendar()
    old_due, later_due = person.next_due, later.next_due
    assert (person.next_due_rule, old_due) == ("DECISION_DUE", base.add_working_days(vote, 60))
    day = first_weekday(D(2026, 4, 13), 2, working=True)  # a Wednesday between the vote and the due date
    assert vote < day < old_due

    core_actions.set_calendar_day(acting_user=admin, date=day, is_working_day=False, note="TB 1/TB-BNV")

    person.refresh_from_db()
    later.refresh_from_db()
    after = ledger.load_calendar()
    assert not after.is_working_day(day)
    assert person.next_due > old_due and after.working_days_between(old_due, person.next_due) == 1
    assert person.next_due == after.add_working_days(vote, 60)
    assert later.next_due == later_due
    code, out = rebuild_state_check()
    assert code == 0 and "0 người sai lệch" in out, out
    assert rollup_drift() == []
    row = AuditLog.objects.filter(action="calendar.set").latest("id")
    assert row.after["recomputed"]["persons_changed"] == 1
    assert row.after["recomputed"]["person_ids"] == [person.pk]
    assert row.after["recomputed"]["persons_checked"] >= 2  # both had events in the window
    assert "đã tính lại hạn của 1 người" in row.summary

    core_actions.remove_calendar_day(acting_user=admin, date=day)

    person.refresh_from_db()
    assert person.next_due == old_due
    code, out = rebuild_state_check()
    assert code == 0, out
    assert rollup_drift() == []
    row = AuditLog.objects.filter(action="calendar.remove").latest("id")
    assert row.after["recomputed"]["persons_changed"] == 1


def test_a_decision_received_long_after_it_was_signed_is_found_by_its_received_date(built):
    """CEREMONY_DUE starts when the cell received the decision: the person has no other date near the day."""
    tree, admin = built, built.users["city_admin"]
    committee = tree.users["uni_committee"]
    person = prepare_applicant(
        make_person(tree.cell_student), tree.users["cell_secretary"], start=D(2025, 1, 10)
    )
    actions.record_cell_vote(person, acting_user=tree.users["cell_secretary"], occurred_on=D(2025, 7, 1),
                             official_members=12, in_favour=9)  # fmt: skip
    actions.record_committee_vote(
        person, acting_user=committee, occurred_on=D(2025, 7, 15), members=9, in_favour=7
    )
    actions.record_decision(person, acting_user=committee, occurred_on=D(2025, 9, 2), decider=tree.uni,
                            received=D(2026, 6, 1), members=9, in_favour=8, number="7-QĐ/ĐU")  # fmt: skip
    person.refresh_from_db()
    old_due = person.next_due
    assert person.next_due_rule == "CEREMONY_DUE" and old_due == rules.Calendar().add_working_days(
        D(2026, 6, 1), 30
    )
    day = first_weekday(D(2026, 6, 5), 2, working=True)
    assert day < old_due
    core_actions.set_calendar_day(acting_user=admin, date=day, is_working_day=False, note="TB 4/TB")
    person.refresh_from_db()
    assert ledger.load_calendar().working_days_between(old_due, person.next_due) == 1
    assert rebuild_state_check()[0] == 0


def test_a_change_that_keeps_the_kind_of_day_recomputes_nothing(built):
    tree, admin = built, built.users["city_admin"]
    person = cell_approved(tree, D(2026, 4, 2))
    sunday = first_weekday(D(2026, 4, 2), 6, working=False)
    core_actions.set_calendar_day(acting_user=admin, date=sunday, is_working_day=False, note="TB 2/TB")
    row = AuditLog.objects.filter(action="calendar.set").latest("id")
    assert row.after["recomputed"] == {}
    person.refresh_from_db()
    assert person.next_due == rules.Calendar().add_working_days(D(2026, 4, 2), 60)


def recognised(tree, ceremony: datetime.date, decided_after: int, voted_after: int | None = None) -> Person:
    """A member admitted (imported) with this ceremony, recognised `decided_after` working days after the
    probation ended (the vote `voted_after` working days after it, default half-way), through the actions."""
    person = make_person(tree.cell_student, given_name="Cường")
    admin = tree.users["city_admin"]
    data = {"stage": "PROBATIONARY", "party_age_from": (ceremony - 10 * DAY).isoformat(),
            "ceremony_date": ceremony.isoformat()}  # fmt: skip
    actions.record_event(person, "member_imported", acting_user=admin, occurred_on=ceremony, data=data)
    person.refresh_from_db()
    base = ledger.load_calendar()
    end = person.probation_end
    actions.record_simple(person, "new_member_class", acting_user=admin, occurred_on=end - 100 * DAY)
    for kind in ("self_review", "helper_comments", "recognition_comments"):  # the recognition file
        actions.record_document(person, kind, acting_user=admin, occurred_on=end - 10 * DAY)
    actions.record_recognition_vote(person, acting_user=tree.users["cell_secretary"],
                                    occurred_on=base.add_working_days(end, voted_after or decided_after // 2),
                                    official_members=12, in_favour=10)  # fmt: skip
    actions.record_simple(person, "recognition_decision", acting_user=tree.users["uni_committee"],
                          occurred_on=base.add_working_days(end, decided_after))  # fmt: skip
    person.refresh_from_db()
    return person


def test_a_saturday_worked_makes_a_recognition_late_in_the_rollup_and_the_warnings(built):
    tree, admin = built, built.users["city_admin"]
    person = recognised(tree, D(2025, 3, 3), decided_after=60)  # on the last day that is on time
    assert person.stage == "OFFICIAL" and person.warning_count == 0
    assert queries.totals_at(tree.cell_student.pk, "SY2025")["recognised_on_time"] == 1
    assert queries.totals_at(tree.city.pk, "SY2025")["recognised_on_time"] == 1
    saturday = first_weekday(person.probation_end, 5, working=False)  # before the recognition vote

    core_actions.set_calendar_day(acting_user=admin, date=saturday, is_working_day=True, note="TB 3/TB")

    person.refresh_from_db()
    assert person.warning_count == 1  # the vote (30 working days after) is now one day late
    assert queries.totals_at(tree.cell_student.pk, "SY2025")["recognised_on_time"] == 0
    assert queries.totals_at(tree.city.pk, "SY2025")["recognised_on_time"] == 0
    assert rollup_drift() == []
    assert rebuild_state_check()[0] == 0
    row = AuditLog.objects.filter(action="calendar.set").latest("id")
    assert row.after["recomputed"]["rollup_persons"] == 1

    core_actions.remove_calendar_day(acting_user=admin, date=saturday)
    person.refresh_from_db()
    assert person.warning_count == 0
    assert queries.totals_at(tree.city.pk, "SY2025")["recognised_on_time"] == 1
    assert rollup_drift() == []
    assert rebuild_state_check()[0] == 0


def test_the_rollup_follows_a_recognition_whose_cached_state_the_edit_leaves_alone(built):
    tree, admin = built, built.users["city_admin"]
    person = recognised(
        tree, D(2025, 3, 3), decided_after=60, voted_after=5
    )  # decision 55 days after the vote
    assert person.warning_count == 1  # RECOGNITION_DECISION_DUE missed
    base = ledger.load_calendar()
    vote_due = base.add_working_days(base.add_working_days(person.probation_end, 5), 30)
    saturday = first_weekday(vote_due, 5, working=False)  # after both deadlines of the rule book
    state = {f: getattr(person, f) for f in ledger.STATE_FIELDS}
    assert queries.totals_at(tree.city.pk, "SY2025")["recognised_on_time"] == 1
    core_actions.set_calendar_day(acting_user=admin, date=saturday, is_working_day=True, note="TB 5/TB")
    person.refresh_from_db()
    assert {f: getattr(person, f) for f in ledger.STATE_FIELDS} == state
    assert queries.totals_at(tree.city.pk, "SY2025")["recognised_on_time"] == 0
    assert rollup_drift() == []


def test_a_failing_recompute_rolls_the_edit_back(built, monkeypatch):
    tree = built
    cell_approved(tree, D(2026, 4, 2))

    def boom(*args, **kwargs):
        raise RuntimeError("hỏng")

    monkeypatch.setattr(recompute, "recompute_persons", boom)
    with pytest.raises(RuntimeError):
        core_actions.set_calendar_day(acting_user=tree.users["city_admin"], date=D(2026, 4, 15),
                                      is_working_day=False, note="TB")  # fmt: skip
    assert not CalendarOverride.objects.exists()
    assert not AuditLog.objects.filter(action="calendar.set").exists()


# ------------------------------------------------------------------------------------------ the bound


@pytest.mark.parametrize("day", [D(2026, 1, 5), D(2026, 2, 20), D(2026, 5, 4), D(2026, 9, 2), D(2027, 1, 2)])
def test_no_deadline_starting_before_the_bound_reaches_the_day(day):
    """Exhaustive over the starts of a year before `day`: a deadline of any length up to the span whose due
    date depends on `day` (start < day <= due in either calendar) starts on or after `earliest_start`."""
    params = rules.Params()
    span = recompute.deadline_span(params)
    assert span == 90  # DECISION_DUE's 60 working days and 30 days of extension
    base = rules.Calendar()
    flipped = (
        rules.Calendar(non_working_days=[day])
        if base.is_working_day(day)
        else rules.Calendar(working_days=[day])
    )
    since = recompute.earliest_start(day, base, flipped, params)
    for offset in range(1, 400):
        start = day - offset * DAY
        for n in (1, 30, 59, 60, span):
            if any(start < day <= cal.add_working_days(start, n) for cal in (base, flipped)):
                assert start >= since, (start, n)
    assert since < day


def test_the_span_follows_the_deployments_parameters():
    assert recompute.deadline_span(rules.Params(decision_days=100, extension_max_days=10)) == 110


# ------------------------------------------------------------------------------------------ the demo city


@pytest.fixture
def city(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed", "--size", "small", "--today", DEMO_TODAY.isoformat(), stdout=io.StringIO())
    return get_user_model().objects.get(username="thanhuy.admin")


def request_drift() -> list:
    from ketnap.interorg import deadlines
    from ketnap.interorg.models import Request

    calendar = ledger.load_calendar()
    return [
        (r.pk, r.due_on)
        for r in Request.objects.exclude(sent_on=None)
        if (r.due_on, r.due_rule) != deadlines.due_for(r.kind, r.sent_on, calendar)
    ]


def test_calendar_edits_on_the_demo_city_leave_no_drift(city):
    admin = city
    assert RollupWindow.objects.exists()
    assert rebuild_state_check()[0] == 0 and rollup_drift() == [] and request_drift() == []
    # A Wednesday inside open deadlines: a week before the due date of a person whose deadline is still open.
    due = (
        Person.objects.filter(next_due__gt=DEMO_TODAY - 30 * DAY)
        .order_by("next_due")
        .values_list("next_due", flat=True)[0]
    )
    day_off = first_weekday(due - 8 * DAY, 2, working=True)
    saturday = first_weekday(DEMO_TODAY - 60 * DAY, 5, working=False)
    before = dict(Person.objects.values_list("pk", "next_due"))

    core_actions.set_calendar_day(acting_user=admin, date=day_off, is_working_day=False, note="TB 10/TB")
    report = AuditLog.objects.filter(action="calendar.set").latest("id").after["recomputed"]
    assert report["persons_changed"] > 0 and report["requests_changed"] > 0
    assert report["persons_checked"] < Person.objects.count()  # only the persons around the day
    moved = {pk for pk, due in Person.objects.values_list("pk", "next_due") if due != before[pk]}
    assert moved and moved <= set(report["person_ids"])
    code, out = rebuild_state_check()
    assert code == 0 and "0 người sai lệch" in out, out
    assert rollup_drift() == []
    assert request_drift() == []

    core_actions.set_calendar_day(acting_user=admin, date=saturday, is_working_day=True, note="TB 11/TB")
    assert rebuild_state_check()[0] == 0 and rollup_drift() == [] and request_drift() == []

    core_actions.remove_calendar_day(acting_user=admin, date=day_off)
    core_actions.remove_calendar_day(acting_user=admin, date=saturday)
    assert dict(Person.objects.values_list("pk", "next_due")) == before
    assert rebuild_state_check()[0] == 0 and rollup_drift() == [] and request_drift() == []


def test_every_deadline_of_the_demo_city_starts_where_the_recompute_looks(city):
    """`recompute.persons_around` finds a deadline by its start: an event the rule book reads, a decision's
    `received` date, `probation_end` or `party_age_from`. A deadline starting elsewhere fails here."""
    calendar = ledger.load_calendar()
    events: dict[int, list] = {}
    for ev in PersonEvent.objects.order_by("occurred_on", "id"):
        events.setdefault(ev.person_id, []).append(ev)
    seen = 0
    for person in Person.objects.select_related("unit"):
        evs = events.get(person.pk, [])
        result = ledger.evaluate(person, evs, ledger.ledger_date(evs), calendar)
        starts = {e.occurred_on for e in evs if e.kind in recompute.RULE_EVENT_KINDS}
        starts |= {
            D.fromisoformat(e.data["received"])
            for e in evs
            if e.kind == "decision" and e.data.get("received")
        }
        starts |= {person.probation_end, person.party_age_from}
        for deadline in result.deadlines:
            assert deadline.start in starts, (person.pk, deadline)
            seen += 1
    assert seen > 100
