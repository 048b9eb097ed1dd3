"""Plain records of one person's dossier and of the result of checking it (no Django, no clock)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EDUCATION_LABELS",
    "EDUCATION_LEVELS",
    "EVENT_KINDS",
    "STAGES",
    "Deadline",
    "Dossier",
    "Event",
    "Finding",
    "Person",
    "Result",
    "Unit",
]

# The path of one person, in order; the last two are exits.
STAGES: tuple[str, ...] = (
    "SOURCE",
    "SYMPATHISER",
    "APPLICANT",
    "CELL_APPROVED",
    "COMMITTEE_APPROVED",
    "ADMITTED",
    "PROBATIONARY",
    "OFFICIAL",
    "REMOVED",
    "WITHDRAWN",
)

EVENT_KINDS: tuple[str, ...] = (
    "awareness_class",
    "application",
    "biography",
    "youth_union_introduction",
    "trade_union_introduction",
    "member_introduction",
    "comments",
    "verification",
    "cell_vote",
    "committee_vote",
    "decision",
    "decision_extension",
    "ceremony",
    "ceremony_consent",
    "new_member_class",
    "recognition_vote",
    "recognition_decision",
    "removal",
    "withdrawal",
    # Version 2 (spec/check-dossier.md, 30/11/2026)
    "member_biography",
    "self_review",
    "helper_comments",
    "recognition_comments",
    "age_consent",
)

# Lowest to highest.
EDUCATION_LEVELS: tuple[str, ...] = (
    "primary",
    "lower_secondary",
    "upper_secondary",
    "vocational",
    "college",
    "university",
    "postgraduate",
)

EDUCATION_LABELS: dict[str, str] = {
    "primary": "tiểu học",
    "lower_secondary": "trung học cơ sở",
    "upper_secondary": "trung học phổ thông",
    "vocational": "trung cấp",
    "college": "cao đẳng",
    "university": "đại học",
    "postgraduate": "sau đại học",
}


@dataclass(frozen=True)
class Person:
    birth_date: dt.date
    education: str
    youth_union_member: bool = False
    excellent_youth_union_member: bool = False


@dataclass(frozen=True)
class Unit:
    has_youth_union: bool = True
    cell_is_grassroots: bool = False


@dataclass(frozen=True)
class Event:
    """One ledger event. ``data`` holds the other fields of the event as in the JSON contract, e.g.
    ``official_members``/``in_favour`` (votes), ``received``/``authorized``/``members`` (decision), ``days``
    (decision_extension), ``concluded`` (verification), ``introducer`` (member_introduction: a dict with
    ``official_since``, ``cowork_since``, ``replacement``). Dates in ``data`` may be ``date`` or ISO strings."""

    kind: str
    date: dt.date
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Dossier:
    person: Person
    unit: Unit = field(default_factory=Unit)
    events: tuple[Event, ...] | list[Event] = ()


def _iso(d: dt.date | None) -> str | None:
    return None if d is None else d.isoformat()


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "error" | "warning"
    date: dt.date  # the date the rule was checked at (the due date for a missed deadline)
    message: str
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "severity": self.severity,
            "date": _iso(self.date),
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True)
class Deadline:
    rule: str
    due: dt.date
    done: dt.date | None  # the date of the event that met it
    met: bool | None  # None: still open and not yet due
    start: dt.date | None = None  # the triggering date (not part of the JSON contract)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "due": _iso(self.due), "done": _iso(self.done), "met": self.met}


DATE_KEYS = ("probation_end", "official_date", "party_age_from")


@dataclass(frozen=True)
class Result:
    stage: str
    findings: list[Finding]
    deadlines: list[Deadline]
    dates: dict[str, dt.date]  # keys among DATE_KEYS, present only when known

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def to_json(self) -> dict[str, Any]:
        """The output object of ``ketnap check-dossier`` (spec/check-dossier.md), keys in the spec's order."""
        return {
            "stage": self.stage,
            "findings": [f.to_json() for f in self.findings],
            "deadlines": [d.to_json() for d in self.deadlines],
            "dates": {k: self.dates[k].isoformat() for k in DATE_KEYS if k in self.dates},
        }
