import datetime as dt

import pytest

from ketnap.rules import Calendar, add_months, full_years
from ketnap.rules.calendar import birthday

D = dt.date.fromisoformat
CAL = Calendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        ("2026-02-13", True),  # Friday before Tết
        ("2026-02-16", False),  # Tết 2026: Monday 16 .. Friday 20 February
        ("2026-02-20", False),
        ("2026-02-23", True),
        ("2026-04-27", False),  # Hùng Kings' day fell on Sunday 26/4: Monday off in lieu
        ("2026-04-30", False),
        ("2026-05-01", False),
        ("2026-08-22", True),  # Saturday worked (2026 swap)
        ("2026-08-31", False),  # ... for Monday 31/8 off
        ("2026-09-01", False),
        ("2026-09-02", False),
        ("2026-08-23", False),  # an ordinary Sunday
        ("2027-04-15", True),  # only the spec example's override makes it a day off
    ],
)
def test_it_knows_the_base_calendar(day, working):
    assert CAL.is_working_day(D(day)) is working


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        ("2026-04-02", 60, "2026-06-30"),  # the spec's decision deadline
        ("2026-05-08", 30, "2026-06-19"),  # ceremony deadline
        ("2026-02-12", 5, "2026-02-26"),  # across Tết 2026
        ("2026-02-12", 30, "2026-04-02"),
        ("2026-02-10", 60, "2026-05-15"),  # Tết, 27/4 in lieu, 30/4, 1/5
        ("2026-08-20", 2, "2026-08-22"),  # Saturday 22/8 is worked
        ("2026-08-20", 3, "2026-08-24"),
        ("2026-08-28", 1, "2026-09-03"),  # 31/8 swapped off, 1-2/9 National Day
        ("2026-08-28", 2, "2026-09-04"),
        ("2026-02-14", 1, "2026-02-23"),  # a Saturday start: the next working day
        ("2026-12-30", 3, "2027-01-05"),  # across the year's end and New Year's Day
        ("2026-06-30", 0, "2026-06-30"),
        ("2026-06-30", -60, "2026-04-02"),  # counting back
    ],
)
def test_it_adds_working_days(start, n, due):
    assert CAL.add_working_days(D(start), n) == D(due)


def test_the_day_itself_is_not_counted():
    assert CAL.add_working_days(D("2026-04-02"), 1) == D("2026-04-03")


@pytest.mark.parametrize(
    ("off", "on", "start", "n", "due"),
    [
        (["2027-04-15"], [], "2027-04-14", 1, "2027-04-19"),  # override 15/4 + Hùng Kings 16/4
        ([], [], "2027-04-14", 1, "2027-04-15"),
        (["2026-08-22"], [], "2026-08-20", 3, "2026-08-25"),  # the swap withdrawn
        ([], ["2026-08-31"], "2026-08-28", 1, "2026-08-31"),
        (["2026-08-31"], ["2026-08-31"], "2026-08-28", 1, "2026-08-31"),  # in both lists: working
        ([], ["2026-02-14"], "2026-02-13", 1, "2026-02-14"),  # an extra worked Saturday
    ],
)
def test_overrides_apply_on_top_of_the_base(off, on, start, n, due):
    cal = Calendar(non_working_days=[D(x) for x in off], working_days=[D(x) for x in on])
    assert cal.add_working_days(D(start), n) == D(due)


@pytest.mark.parametrize(
    ("a", "b", "count"),
    [
        ("2026-04-02", "2026-06-30", 60),
        ("2026-02-13", "2026-02-20", 0),  # all of Tết
        ("2026-02-13", "2026-02-23", 1),
        ("2026-06-30", "2026-04-02", -60),
        ("2026-12-30", "2027-01-05", 3),
        ("2026-05-05", "2026-05-05", 0),
    ],
)
def test_it_counts_working_days_between(a, b, count):
    assert CAL.working_days_between(D(a), D(b)) == count


@pytest.mark.parametrize("start", ["2025-12-31", "2026-02-15", "2026-08-21", "2027-04-14"])
@pytest.mark.parametrize("n", [1, 7, 30, 60, 90, 300])
def test_between_inverts_add(start, n):
    due = CAL.add_working_days(D(start), n)
    assert CAL.working_days_between(D(start), due) == n
    assert CAL.is_working_day(due)
    assert CAL.add_working_days(due, -n) <= D(start)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2026-05-19", 12, "2027-05-19"),
        ("2028-02-29", 12, "2029-02-28"),  # probation from 29/02/2028 ends 28/02/2029
        ("2028-02-29", 48, "2032-02-29"),
        ("2026-01-31", 1, "2026-02-28"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2020-01-15", 60, "2025-01-15"),
        ("2026-11-30", 3, "2027-02-28"),
    ],
)
def test_add_months_ends_on_the_corresponding_day(start, months, end):
    assert add_months(D(start), months) == D(end)
    assert CAL.add_months(D(start), months) == D(end)


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        ("2008-04-02", "2026-04-01", 17),
        ("2008-04-02", "2026-04-02", 18),  # turns 18 on the birthday
        ("2008-04-02", "2026-04-03", 18),
        ("2008-02-29", "2026-02-28", 17),  # born 29/02: birthday is 01/03 in a non-leap year
        ("2008-02-29", "2026-03-01", 18),
        ("2008-02-29", "2028-02-29", 20),
        ("2008-02-29", "2028-02-28", 19),
        ("1965-04-02", "2026-04-01", 60),
        ("1965-04-02", "2026-04-02", 61),
    ],
)
def test_full_years(birth, on, years):
    assert full_years(D(birth), D(on)) == years
    assert CAL.full_years(D(birth), D(on)) == years


def test_birthday_of_a_leap_day_birth():
    assert birthday(D("2008-02-29"), 2026) == D("2026-03-01")
    assert birthday(D("2008-02-29"), 2028) == D("2028-02-29")
    assert birthday(D("2008-07-31"), 2026) == D("2026-07-31")


def test_holiday_years_are_computed_once(monkeypatch):
    import ketnap.rules.calendar as module

    CAL.add_working_days(D("2026-01-01"), 400)  # warm 2026-2027
    calls = []
    monkeypatch.setattr(module.holidays, "country_holidays", lambda *a, **k: calls.append(a) or {})
    other = Calendar(non_working_days=[D("2026-03-03")])
    for _ in range(100):
        other.add_working_days(D("2026-01-01"), 400)
        Calendar().add_working_days(D("2026-01-01"), 400)
    assert calls == []
