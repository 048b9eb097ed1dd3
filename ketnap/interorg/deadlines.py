"""Due dates of the requests and the horizons of the inbox: data, overridable per deployment.

A request's due date comes from the rule book where a rule exists (a transfer letter is presented to the
receiving committee within TRANSFER_PRESENT_DUE working days); every other kind has a default number of
working days, which `settings.KETNAP_REQUEST_DUE_DAYS` (a dict by kind) may override. None of these defaults
is a party rule: they are the city's working practice, shown on the page as "mặc định".
"""

from __future__ import annotations

import datetime

from django.conf import settings

from ketnap import rules
from ketnap.people import ledger

# Working days the receiver has to answer, for the kinds without a rule.
DEFAULT_DUE_DAYS: dict[str, int] = {
    "verification": 30,
    "introduction": 30,
    "ward_evaluation": 20,
    "residence_notice": 20,
}

# The rule that sets a kind's due date (its id is shown with its citation).
DUE_RULES: dict[str, str] = {"transfer": "TRANSFER_PRESENT_DUE"}

# Students whose expected graduation falls within this many calendar days cannot finish their admission
# before leaving, at each stage (an estimate of the shortest remaining path: class, dossier, votes, the 60
# working days of DECISION_DUE, the 30 of CEREMONY_DUE). Override with settings.KETNAP_GRADUATING_DAYS.
GRADUATING_DAYS: dict[str, int] = {
    "SOURCE": 240,
    "SYMPATHISER": 180,
    "APPLICANT": 110,
    "CELL_APPROVED": 90,
    "COMMITTEE_APPROVED": 60,
    "ADMITTED": 45,
}

INBOX_HORIZON_DAYS = 30  # pipeline deadlines due within this many days (or overdue) show in the inbox
PROBATION_HORIZON_DAYS = 30  # probation ending within 30 days
CERTIFICATE_HORIZON_DAYS = 90  # awareness certificate expiring within 90 days, before the next vote
REMIND_SOON_DAYS = 7  # a digest names items due within a week, and every overdue one


def due_days(kind: str) -> int:
    return {**DEFAULT_DUE_DAYS, **getattr(settings, "KETNAP_REQUEST_DUE_DAYS", {})}[kind]


def graduating_days() -> dict[str, int]:
    return {**GRADUATING_DAYS, **getattr(settings, "KETNAP_GRADUATING_DAYS", {})}


def due_for(kind: str, sent_on: datetime.date, calendar: rules.Calendar) -> tuple[datetime.date, str]:
    """(due date, rule id or "") of a request of `kind` sent on `sent_on` (the deployment's rule parameters)."""
    if kind == "transfer":
        return rules.transfer_present_due(sent_on, calendar, ledger.rule_params()), DUE_RULES["transfer"]
    return calendar.add_working_days(sent_on, due_days(kind)), ""


def recompute_due_dates(day: datetime.date, calendar: rules.Calendar) -> list[int]:
    """The working-day calendar changed on `day`: recompute the due dates that counted working days over it —
    those of the requests sent before `day` and due on or after it (a due date before `day` counted only days
    the change leaves alone). Rows locked; returns the ids of the requests whose due date changed."""
    from django.utils import timezone

    from ketnap.interorg.models import Request

    changed, now = [], timezone.now()
    for request in (
        Request.objects.select_for_update().filter(sent_on__lt=day, due_on__gte=day).order_by("pk")
    ):
        due, rule = due_for(request.kind, request.sent_on, calendar)
        if (due, rule) != (request.due_on, request.due_rule):
            request.due_on, request.due_rule, request.updated_at = due, rule, now
            changed.append(request)
    if changed:
        Request.objects.bulk_update(changed, ["due_on", "due_rule", "updated_at"], batch_size=500)
    return [r.pk for r in changed]


def on_calendar_changed(*, day, before, after, report, **kwargs):
    """Receiver of `core.calendar.calendar_changed`: the requests' due dates."""
    ids = recompute_due_dates(day, after)
    report["requests_changed"] = len(ids)
    report["request_ids"] = ids[:1000]


def transfer_start(graduation: datetime.date, calendar: rules.Calendar, held_until=None) -> tuple:
    """When a graduated member's transfer must start: the end of the school's hold (GRADUATE_HOLD), or
    TRANSFER_START_DUE working days after graduation."""
    if held_until is not None:
        return held_until, "GRADUATE_HOLD"
    return rules.transfer_start_due(graduation, calendar, ledger.rule_params()), "TRANSFER_START_DUE"


def citation(rule_id: str, on: datetime.date) -> str:
    rule = rules.RULES.get(rule_id)
    return rule.source_on(on) if rule else ""
