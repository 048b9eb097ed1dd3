"""Vietnamese working days and the date arithmetic of the rule book (pure: every date is passed in).

Base calendar: Monday-Friday, minus the public holidays that the ``holidays`` package gives for country VN
(including observed days / days in lieu and the announced swap days off), plus the Saturdays or Sundays that
the package lists as worked (``weekend_workdays``, e.g. Saturday 22/08/2026). On top of it each ``Calendar``
applies its own overrides (the yearly government announcements an administrator enters); a date found in
both override lists is a working day.

Conventions (DOMAIN.md "Counting days"):

* "within N working days of D": D is not counted; the due date is the N-th working day after D.
* a calendar-month period ends on the corresponding day of the last month, or on the last day of that month
  when it has no such day (Civil Code 2015 art. 147-148): 29/02/2028 + 12 months = 28/02/2029.
* ages are counted by birthday; :func:`birthday` is the ONE place that says when a birthday falls.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import cache

import holidays

__all__ = ["Calendar", "add_months", "birthday", "full_years"]


def _days_in_month(year: int, month: int) -> int:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return (nxt - dt.date(year, month, 1)).days


def add_months(d: dt.date, n: int) -> dt.date:
    """``d`` plus ``n`` calendar months (n may be negative); a missing day becomes the month's last day."""
    m = d.month - 1 + n
    year, month = d.year + m // 12, m % 12 + 1
    return dt.date(year, month, min(d.day, _days_in_month(year, month)))


def birthday(birth: dt.date, year: int) -> dt.date:
    """The day a person born on ``birth`` has their birthday in ``year``.

    This is the single interpretation of "counted by month" for ages: the person turns N on their birthday.
    Someone born on 29 February has their birthday on 1 March in a non-leap year (they have not completed
    the year before the end of 28 February).
    """
    if birth.month == 2 and birth.day == 29 and _days_in_month(year, 2) == 28:
        return dt.date(year, 3, 1)
    return birth.replace(year=year)


def full_years(birth: dt.date, on: dt.date) -> int:
    """Completed years of age on the date ``on`` (turns N on the birthday itself, see :func:`birthday`)."""
    years = on.year - birth.year
    if on < birthday(birth, on.year):
        years -= 1
    return years


@cache
def _base_year(year: int) -> tuple[tuple[int, ...], frozenset[int]]:
    """Working days (as ordinals, sorted, and as a set) of the base calendar for one year; computed once."""
    vn = holidays.country_holidays("VN", years=year)
    off = {d for d in vn if d.year == year}
    worked_weekend = {d for d in getattr(vn, "weekend_workdays", ()) if d.year == year}
    days = []
    d = dt.date(year, 1, 1)
    one = dt.timedelta(days=1)
    while d.year == year:
        if d in worked_weekend or (d.weekday() < 5 and d not in off):
            days.append(d.toordinal())
        d += one
    return tuple(days), frozenset(days)


class Calendar:
    """Working-day calendar: the VN base calendar plus this instance's overrides.

    Holiday years are computed once per process and shared by all instances; an instance copies a year only
    when one of its overrides falls in it. Share one instance across many dossiers when possible.
    """

    __slots__ = ("_on", "_off", "_years")

    def __init__(self, non_working_days: Iterable[dt.date] = (), working_days: Iterable[dt.date] = ()):
        self._on = frozenset(working_days)
        self._off = frozenset(non_working_days) - self._on
        self._years: dict[int, tuple[tuple[int, ...], frozenset[int]]] = {}

    def __repr__(self) -> str:
        return f"Calendar(non_working_days={sorted(self._off)!r}, working_days={sorted(self._on)!r})"

    def _year(self, year: int) -> tuple[tuple[int, ...], frozenset[int]]:
        cached = self._years.get(year)
        if cached is None:
            days, dayset = _base_year(year)
            on = {d.toordinal() for d in self._on if d.year == year}
            off = {d.toordinal() for d in self._off if d.year == year}
            if on or off:
                dayset = (dayset | on) - off
                days = tuple(sorted(dayset))
            cached = self._years[year] = (days, dayset)
        return cached

    def is_working_day(self, d: dt.date) -> bool:
        return d.toordinal() in self._year(d.year)[1]

    def add_working_days(self, d: dt.date, n: int) -> dt.date:
        """The n-th working day after ``d`` (``d`` itself not counted); n < 0 counts backwards; n = 0 is ``d``."""
        if n == 0:
            return d
        o, year = d.toordinal(), d.year
        days = self._year(year)[0]
        if n > 0:
            i = bisect_right(days, o)  # index of the first working day after d
            while i + n > len(days):
                n -= len(days) - i
                year += 1
                days, i = self._year(year)[0], 0
            return dt.date.fromordinal(days[i + n - 1])
        m = -n
        i = bisect_left(days, o)  # number of working days of this year before d
        while i < m:
            m -= i
            year -= 1
            days = self._year(year)[0]
            i = len(days)
        return dt.date.fromordinal(days[i - m])

    def working_days_between(self, a: dt.date, b: dt.date) -> int:
        """Working days ``x`` with a < x <= b (negative when b < a), so that
        ``working_days_between(d, add_working_days(d, n)) == n``."""
        if b < a:
            return -self.working_days_between(b, a)
        oa, ob = a.toordinal(), b.toordinal()
        count = 0
        for year in range(a.year, b.year + 1):
            days = self._year(year)[0]
            count += bisect_right(days, ob) - bisect_right(days, oa)
        return count

    # The two calendar-month helpers live here too so that callers holding a calendar find everything.
    add_months = staticmethod(add_months)
    full_years = staticmethod(full_years)
