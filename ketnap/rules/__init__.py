"""Ketnap's rule book in pure Python (no Django, no clock: every date is passed in).

The public API: the working-day :class:`Calendar`, the rule registry :data:`RULES` with its :class:`Params`,
the dossier records, :func:`check` (alias :func:`fold`) and :func:`checklist`, the JSON reader :func:`parse`.
"""

from .book import (
    DOCUMENTS,
    RULES,
    Params,
    Rule,
    graduate_hold_until,
    member_biography_due,
    probation_end,
    transfer_present_due,
    transfer_start_due,
    transfer_unreceived,
    vote_passes,
)
from .calendar import Calendar, add_months, full_years
from .check import Item, Review, check, checklist, fold, review
from .dossier import (
    EDUCATION_LEVELS,
    EVENT_KINDS,
    STAGES,
    Deadline,
    Dossier,
    Event,
    Finding,
    Person,
    Result,
    Unit,
)
from .jsonio import DATE_MAX, DATE_MIN, DossierError, parse

__all__ = [
    "DATE_MAX",
    "DATE_MIN",
    "DOCUMENTS",
    "EDUCATION_LEVELS",
    "EVENT_KINDS",
    "RULES",
    "STAGES",
    "Calendar",
    "Deadline",
    "Dossier",
    "DossierError",
    "Event",
    "Finding",
    "Item",
    "Params",
    "Person",
    "Result",
    "Review",
    "Rule",
    "Unit",
    "add_months",
    "check",
    "checklist",
    "fold",
    "full_years",
    "graduate_hold_until",
    "member_biography_due",
    "parse",
    "probation_end",
    "review",
    "transfer_present_due",
    "transfer_start_due",
    "transfer_unreceived",
    "vote_passes",
]
