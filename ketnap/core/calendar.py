"""The deployment's working-day calendar, and the hook that lets the apps above follow its changes.

`load_calendar()` is the rule book's `Calendar` with the administrator's `CalendarOverride` rows.

`calendar_changed` is sent by `orgs.calendar_actions.set_calendar_day` / `remove_calendar_day` inside their
transaction, when a day changes between working and not working. The apps whose cached data is computed with
working days register a function in their `AppConfig.ready()` (so core imports none of them) and recompute it
in the same transaction: `people` the persons' cached state, `interorg` the requests' due dates, `targets`
the indicator rollup. Receivers run in the order of INSTALLED_APPS (people, interorg, targets).

Arguments: `day` (the date edited), `before` and `after` (the two calendars), `report` (a dict each receiver
adds its counts to — the calendar's audit row records it; `report["person_states"]` holds, for the persons
whose cached state changed, the state before the change, which the rollup needs). A receiver that fails
rolls the edit back.
"""

from __future__ import annotations

from ketnap import rules
from ketnap.core.hooks import Hook
from ketnap.core.models import CalendarOverride

calendar_changed = Hook("core.calendar_changed")


def load_calendar() -> rules.Calendar:
    off, on = [], []
    for day, working in CalendarOverride.objects.values_list("date", "is_working_day"):
        (on if working else off).append(day)
    return rules.Calendar(non_working_days=off, working_days=on)
