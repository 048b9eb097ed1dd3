"""From ledger rows to the rule book and back: the only bridge between Django and `ketnap.rules`.

The ledger's `data` holds exactly the event fields of spec/check-dossier.md, so a person's dossier
is the same JSON the CLI reads, and `rules.parse` validates both.
"""

import dataclasses
import datetime
import functools
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from ketnap import rules
from ketnap.core.calendar import load_calendar  # noqa: F401  (re-exported: the apps call ledger.load_calendar)
from ketnap.orgs.models import OrgUnit
from ketnap.rules import indicators

RULE_KINDS = frozenset(rules.EVENT_KINDS)


@functools.cache
def rule_params() -> rules.Params:
    """The rule book's parameters: defaults, overridden by settings.KETNAP_RULE_PARAMS (from the environment
    variable of the same name, JSON) — rules marked S/U in the domain book are data, not constants."""
    overrides = getattr(settings, "KETNAP_RULE_PARAMS", {}) or {}
    known = {f.name for f in dataclasses.fields(rules.Params)}
    unknown = set(overrides) - known
    if unknown:
        raise ImproperlyConfigured(f"KETNAP_RULE_PARAMS: unknown parameters {sorted(unknown)}")
    return rules.Params(**overrides)


@receiver(setting_changed)
def _reset_rule_params(*, setting, **kwargs):
    if setting == "KETNAP_RULE_PARAMS":
        rule_params.cache_clear()


def _order(event) -> float:
    return event.id if event.id is not None else float("inf")


def effective_events(events: Iterable) -> list:
    """Apply corrections. A correction points at the original event (`corrects`); the latest
    correction replaces it, and one whose data says {"void": true} drops it."""
    latest: dict[int, object] = {}
    originals = []
    for ev in sorted(events, key=_order):  # an unsaved (new) event comes last
        if ev.corrects_id:
            latest[ev.corrects_id] = ev
        else:
            originals.append(ev)
    out = []
    for ev in originals:
        current = latest.get(ev.id, ev)
        if not current.data.get("void"):
            out.append(current)
    out.sort(key=lambda e: (e.occurred_on, e.corrects_id or _order(e)))
    return out


def voting_unit(person, effective: list) -> OrgUnit:
    """The cell whose facts (Youth Union, grassroots or not) the rule book applies: the cell that held the
    latest cell vote, so a person introduced to another cell later is still judged as voted; else the
    current cell. Costs a query only for a person who moved after the vote."""
    vote = next((e for e in reversed(effective) if e.kind == "cell_vote"), None)
    org_id = getattr(vote, "org_id", None)
    if org_id in (None, person.unit_id):
        return person.unit
    return OrgUnit.objects.get(pk=org_id)


def no_committee_above(unit: OrgUnit) -> bool:
    """The rule book's `cell_is_grassroots`: no grassroots committee votes between this cell and the decider —
    a grassroots cell, or a cell placed directly under a ward (the ward decides after the cell's vote alone;
    `people.actions.deciders_for`)."""
    if unit.kind == OrgUnit.Kind.GRASSROOTS_CELL:
        return True
    return (
        unit.kind == OrgUnit.Kind.CELL
        and unit.parent_id is not None
        and unit.parent.kind == OrgUnit.Kind.WARD
    )


def dossier_json(person, events: Iterable, as_of: datetime.date, unit: OrgUnit | None = None) -> dict:
    effective = effective_events(events)
    unit = unit or voting_unit(person, effective)
    items = []
    for ev in effective:
        if ev.kind == "member_imported":
            # An existing member entered by import: the admission facts known are replayed as events.
            items.append({"kind": "decision", "date": ev.data["party_age_from"], "imported": True})
            if ev.data.get("ceremony_date"):
                items.append({"kind": "ceremony", "date": ev.data["ceremony_date"], "imported": True})
            continue
        if ev.kind not in RULE_KINDS:
            continue
        item = {k: v for k, v in ev.data.items() if k not in ("kind", "date", "void")}
        item["kind"] = ev.kind
        item["date"] = ev.occurred_on.isoformat()
        items.append(item)
    return {
        "as_of": as_of.isoformat(),
        "person": {
            "birth_date": person.birth_date.isoformat(),
            "education": person.education,
            "youth_union_member": person.youth_union_member,
            "excellent_youth_union_member": person.excellent_youth_union_member,
        },
        "unit": {"has_youth_union": unit.has_youth_union, "cell_is_grassroots": no_committee_above(unit)},
        "events": items,
    }


def evaluate(person, events: Iterable, as_of: datetime.date, calendar: rules.Calendar, unit=None):
    """Parse (raises rules.DossierError on invalid data) and check; returns rules.Result."""
    events = list(events)
    imported = next((e for e in effective_events(events) if e.kind == "member_imported"), None)
    if imported is not None and imported.data.get("stage") == "OFFICIAL":
        # Imported official members have no path left to check.
        dates = {"party_age_from": _d(imported.data["party_age_from"])}
        if imported.data.get("official_date"):
            dates["official_date"] = _d(imported.data["official_date"])
        return rules.Result(stage="OFFICIAL", findings=[], deadlines=[], dates=dates)
    obj = dossier_json(person, events, as_of, unit)
    dossier, as_of, _ = rules.parse(obj, as_of, extensions=True)
    return rules.check(dossier, as_of, calendar, rule_params())


def review(
    person, events: Iterable, as_of: datetime.date, calendar: rules.Calendar, unit=None
) -> rules.Review:
    """One evaluation for a page: result, checklist and the steps open now (rules.review)."""
    events = list(events)
    imported = next((e for e in effective_events(events) if e.kind == "member_imported"), None)
    if imported is not None and imported.data.get("stage") == "OFFICIAL":
        return rules.Review(evaluate(person, events, as_of, calendar, unit), [], frozenset())
    obj = dossier_json(person, events, as_of, unit)
    dossier, as_of, _ = rules.parse(obj, as_of, extensions=True)
    return rules.review(dossier, as_of, calendar, rule_params())


def ledger_date(events: Iterable, extra: datetime.date | None = None) -> datetime.date:
    """The date of the latest event: the cached state is computed as of it, so it never drifts."""
    dates = [e.occurred_on for e in events]
    if extra is not None:
        dates.append(extra)
    return max(dates) if dates else datetime.date(2000, 1, 1)


def open_deadline(result):
    pool = [d for d in result.deadlines if d.done is None]
    return min(pool, key=lambda d: d.due) if pool else None


STATE_FIELDS = (
    "stage",
    "stage_since",
    "next_due",
    "next_due_rule",
    "warning_count",
    "error_count",
    "party_age_from",
    "probation_end",
    "official_date",
    "certificate_on",
    "repeated_step",
    "sourced_on",
    "applied_on",
    "cell_voted_on",
    "youth_union_on",
)
# The cached day of the person's first (effective) event of each of these kinds (Person fields).
FIRST_ON = {
    "source_identified": "sourced_on",
    "application": "applied_on",
    "cell_vote": "cell_voted_on",
    indicators.EXCELLENT_KIND: "youth_union_on",
}
COUNTED_KINDS = frozenset(indicators.FLOW_KINDS)  # the steps the indicators count once per person


def repeated_step(events) -> bool:
    """The ledger holds one of the steps the indicators count more than once (corrections included)."""
    seen = set()
    for ev in events:
        if ev.kind in COUNTED_KINDS:
            if ev.kind in seen:
                return True
            seen.add(ev.kind)
    return False


def project(person, result, events) -> dict:
    """The cached fields a Result implies. Returns {field: value}; the caller assigns and saves."""
    stage_since = None
    stage_kinds = {
        "SYMPATHISER": "awareness_class",
        "APPLICANT": "application",
        "CELL_APPROVED": "cell_vote",
        "COMMITTEE_APPROVED": "committee_vote",
        "ADMITTED": "decision",
        "PROBATIONARY": "ceremony",
        "OFFICIAL": "recognition_decision",
        "REMOVED": "removal",
        "WITHDRAWN": "withdrawal",
    }
    effective = effective_events(events)
    kind = stage_kinds.get(result.stage)
    if result.stage == "COMMITTEE_APPROVED" and not any(e.kind == "committee_vote" for e in effective):
        kind = "cell_vote"
    if not any(e.kind == kind for e in effective) and any(e.kind == "member_imported" for e in effective):
        kind = "member_imported"
    for ev in reversed(effective):
        if ev.kind == kind:
            stage_since = ev.occurred_on
            break
    if stage_since is None and effective:
        stage_since = effective[0].occurred_on
    due = open_deadline(result)
    dates = result.dates
    firsts: dict[str, datetime.date] = {}
    for ev in effective:  # (in date order)
        if ev.kind in FIRST_ON and ev.kind not in firsts:
            firsts[ev.kind] = ev.occurred_on
    return {
        "stage": result.stage,
        "stage_since": stage_since,
        "next_due": due.due if due else None,
        "next_due_rule": due.rule if due else "",
        "warning_count": sum(1 for f in result.findings if f.severity == "warning"),
        "error_count": sum(1 for f in result.findings if f.severity == "error"),
        "party_age_from": dates.get("party_age_from"),
        "probation_end": dates.get("probation_end"),
        "official_date": dates.get("official_date"),
        "certificate_on": max(
            (e.occurred_on for e in effective if e.kind == "awareness_class"), default=None
        ),
        "repeated_step": repeated_step(events),
        **{field: firsts.get(kind) for kind, field in FIRST_ON.items()},
    }


def _d(value):
    if not value:
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)
