"""Builders for the rule-book tests: the spec's worked example and small edits of it (plain JSON dicts)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from ketnap.rules import Result, check, parse

D = dt.date.fromisoformat

SPEC_INPUT: dict[str, Any] = {
    "as_of": "2027-08-01",
    "person": {
        "birth_date": "2007-03-15",
        "education": "upper_secondary",
        "youth_union_member": True,
        "excellent_youth_union_member": True,
    },
    "unit": {"has_youth_union": True, "cell_is_grassroots": False},
    "events": [
        {"kind": "awareness_class", "date": "2025-10-10"},
        {"kind": "application", "date": "2026-01-05"},
        {"kind": "biography", "date": "2026-01-10"},
        {"kind": "youth_union_introduction", "date": "2026-02-01"},
        {
            "kind": "member_introduction",
            "date": "2026-02-01",
            "introducer": {
                "official_since": "2019-05-19",
                "cowork_since": "2024-09-05",
                "replacement": False,
            },
        },
        {"kind": "comments", "date": "2026-02-20"},
        {"kind": "verification", "date": "2026-03-15", "concluded": True},
        {"kind": "cell_vote", "date": "2026-04-02", "official_members": 12, "in_favour": 9},
        {"kind": "committee_vote", "date": "2026-04-10", "members": 9, "in_favour": 7},
        {
            "kind": "decision",
            "date": "2026-05-06",
            "received": "2026-05-08",
            "authorized": True,
            "members": 9,
            "in_favour": 8,
        },
        {"kind": "ceremony", "date": "2026-05-19"},
        {"kind": "member_biography", "date": "2026-06-15"},
        {"kind": "new_member_class", "date": "2026-08-20"},
        {"kind": "self_review", "date": "2027-05-20"},
        {"kind": "helper_comments", "date": "2027-05-20"},
        {"kind": "recognition_comments", "date": "2027-05-21"},
        {"kind": "recognition_vote", "date": "2027-05-25", "official_members": 13, "in_favour": 12},
        {"kind": "recognition_decision", "date": "2027-06-10"},
    ],
    "non_working_days": ["2027-04-15"],
    "working_days": ["2026-08-22"],
}

SPEC_OUTPUT: dict[str, Any] = {
    "stage": "OFFICIAL",
    "findings": [],
    "deadlines": [
        {"rule": "DECISION_DUE", "due": "2026-06-30", "done": "2026-05-06", "met": True},
        {"rule": "CEREMONY_DUE", "due": "2026-06-19", "done": "2026-05-19", "met": True},
        {"rule": "MEMBER_BIOGRAPHY_DUE", "due": "2026-06-30", "done": "2026-06-15", "met": True},
        {"rule": "RECOGNITION_REVIEW_DUE", "due": "2027-06-30", "done": "2027-05-25", "met": True},
        {"rule": "RECOGNITION_DECISION_DUE", "due": "2027-07-06", "done": "2027-06-10", "met": True},
    ],
    "dates": {"probation_end": "2027-05-19", "official_date": "2027-05-19", "party_age_from": "2026-05-06"},
}


def spec() -> dict[str, Any]:
    return copy.deepcopy(SPEC_INPUT)


def until(obj: dict[str, Any], last: str) -> dict[str, Any]:
    """The dossier as it stood on ``last``: later events dropped, ``as_of`` = ``last``."""
    obj["events"] = [e for e in obj["events"] if e["date"] <= last]
    obj["as_of"] = last
    return obj


def event(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    """The (first) event of ``kind``."""
    return next(e for e in obj["events"] if e["kind"] == kind)


def drop(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    obj["events"] = [e for e in obj["events"] if e["kind"] != kind]
    return obj


def add(obj: dict[str, Any], kind: str, date: str, **fields: Any) -> dict[str, Any]:
    obj["events"].append({"kind": kind, "date": date, **fields})
    return obj


def edit(obj: dict[str, Any], kind: str, **fields: Any) -> dict[str, Any]:
    event(obj, kind).update(fields)
    return obj


def run(obj: dict[str, Any], today: dt.date = dt.date(2027, 8, 1), **kw: Any) -> Result:
    dossier, as_of, calendar = parse(obj, today)
    return check(dossier, as_of, calendar, **kw)


def rule_ids(result: Result) -> set[str]:
    return {f.rule for f in result.findings}
