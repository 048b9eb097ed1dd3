"""Deployment settings of the targets app (environment or Django settings), with the directive's defaults.

* ``KETNAP_SCHOOL_YEAR_START`` ("MM-DD", default "09-01"): first day of the school year window.
* ``KETNAP_INDICATOR_PARAMS`` (Django setting, a dict): overrides of `rules.indicators.Params`
  (how the projection learns, weakness thresholds); the recognition's "on time" follows
  ``KETNAP_RULE_PARAMS`` (the rule book's two recognition deadlines) unless set here.
* ``KETNAP_TREND_YEARS`` (default 5): school years shown in trends and kept in the rollup.
* ``KETNAP_ROLLUP_INLINE_UNITS`` (default 5,000): above this many units, rollup rebuilds after a tree change
  and the daily projection snapshot run in the background worker (``ketnap db_worker``).
"""

import datetime as dt
import os
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ketnap.rules import indicators as ind


@cache
def _start(raw: str) -> tuple[int, int]:
    try:
        month, day = (int(x) for x in raw.split("-"))
        dt.date(2001, month, day)
    except ValueError:
        raise ImproperlyConfigured(
            f"KETNAP_SCHOOL_YEAR_START phải có dạng MM-DD, không phải {raw!r}"
        ) from None
    return month, day


def school_year_start() -> tuple[int, int]:
    raw = getattr(settings, "KETNAP_SCHOOL_YEAR_START", None) or os.getenv(
        "KETNAP_SCHOOL_YEAR_START", "09-01"
    )
    return _start(raw)


def params() -> ind.Params:
    """The indicators' parameters; `recognition_working_days` (a recognition "on time") follows the rule book's
    deadlines as this deployment sets them (RECOGNITION_REVIEW_DUE + RECOGNITION_DECISION_DUE) unless set here."""
    from ketnap.people import ledger

    extra = dict(getattr(settings, "KETNAP_INDICATOR_PARAMS", None) or {})
    rule = ledger.rule_params()
    extra.setdefault(
        "recognition_working_days", rule.recognition_review_days + rule.recognition_decision_days
    )
    if extra == {"recognition_working_days": ind.DEFAULT_PARAMS.recognition_working_days}:
        return ind.DEFAULT_PARAMS
    return ind.Params(**extra)


def inline_units() -> int:
    """Up to this many units, a tree change and the daily projection rebuild the rollup at once; above it,
    the background worker does (``KETNAP_ROLLUP_INLINE_UNITS``, default 5,000: the demo city has 432)."""
    return int(
        getattr(settings, "KETNAP_ROLLUP_INLINE_UNITS", None)
        or os.getenv("KETNAP_ROLLUP_INLINE_UNITS", "5000")
    )


def trend_years() -> int:
    return int(getattr(settings, "KETNAP_TREND_YEARS", None) or os.getenv("KETNAP_TREND_YEARS", "5"))


def window(key: str) -> ind.Window:
    return ind.window_from_key(key, school_year_start())


def current_school_year(today: dt.date) -> ind.Window:
    start = school_year_start()
    return ind.school_year(ind.school_year_of(today, start), start)


def calendar_for(sy: ind.Window, today: dt.date) -> ind.Window:
    """The calendar year shown beside a school year: the current year, or the year the school year ends."""
    return ind.calendar_year(min(today.year, sy.end.year))


def default_windows(today: dt.date) -> list[ind.Window]:
    """The windows the dashboards show: the last N school years and the calendar year shown beside each."""
    start, n = school_year_start(), trend_years()
    sy = ind.school_year_of(today, start)
    years = [ind.school_year(y, start) for y in range(sy - n + 1, sy + 1)]
    calendars = sorted({calendar_for(y, today) for y in years})
    return years + calendars
