"""Property tests: any valid dossier folds without error, and deadlines always fall after their trigger."""

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketnap.rules import EDUCATION_LEVELS, EVENT_KINDS, STAGES, check, checklist, parse

DAY = dt.timedelta(days=1)


@st.composite
def event_data(draw, kind, date):
    if kind in ("cell_vote", "recognition_vote", "committee_vote"):
        key = "members" if kind == "committee_vote" else "official_members"
        members = draw(st.integers(0, 30))
        return {key: members, "in_favour": draw(st.integers(0, members))}
    if kind == "decision":
        data = {"received": (date + draw(st.integers(0, 15)) * DAY).isoformat()}
        if draw(st.booleans()):
            members = draw(st.integers(0, 15))
            data.update(authorized=True, members=members, in_favour=draw(st.integers(0, members)))
        return data
    if kind == "decision_extension":
        return {"days": draw(st.integers(1, 30))}
    if kind == "verification":
        return {"concluded": draw(st.booleans())}
    if kind == "member_introduction":
        replacement = draw(st.booleans())
        introducer = {
            "official_since": (date + draw(st.integers(-5000, 100)) * DAY).isoformat(),
            "replacement": replacement,
        }
        if not replacement or draw(st.booleans()):
            introducer["cowork_since"] = (date + draw(st.integers(-1000, 100)) * DAY).isoformat()
        return {"introducer": introducer}
    return {}


# Weighted towards the path so that long dossiers are common.
KINDS = st.one_of(st.sampled_from(EVENT_KINDS), st.sampled_from(EVENT_KINDS[:17]))


@st.composite
def dossiers(draw):
    date = draw(st.dates(dt.date(2019, 1, 1), dt.date(2029, 1, 1)))
    events = []
    for _ in range(draw(st.integers(0, 25))):
        date += draw(st.integers(0, 120)) * DAY
        kind = draw(KINDS)
        events.append({"kind": kind, "date": date.isoformat(), **draw(event_data(kind, date))})
    as_of = date + draw(st.integers(0, 500)) * DAY
    some_days = st.lists(st.dates(dt.date(2019, 1, 1), dt.date(2031, 1, 1)).map(str), max_size=5)
    return {
        "as_of": as_of.isoformat(),
        "person": {
            "birth_date": draw(st.dates(dt.date(1950, 1, 1), dt.date(2015, 12, 31))).isoformat(),
            "education": draw(st.sampled_from(EDUCATION_LEVELS)),
            "youth_union_member": draw(st.booleans()),
            "excellent_youth_union_member": draw(st.booleans()),
        },
        "unit": {"has_youth_union": draw(st.booleans()), "cell_is_grassroots": draw(st.booleans())},
        "events": draw(st.permutations(events)) if draw(st.booleans()) else events,
        "non_working_days": draw(some_days),
        "working_days": draw(some_days),
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dossiers())
def test_any_valid_dossier_folds(obj):
    dossier, as_of, calendar = parse(obj, dt.date(2000, 1, 1))
    result = check(dossier, as_of, calendar)
    assert result.stage in STAGES
    warnings = {(f.rule, f.date) for f in result.findings if f.severity == "warning"}
    for d in result.deadlines:
        assert d.start is not None and d.due > d.start
        assert calendar.is_working_day(d.due)
        if d.met is None:
            assert d.done is None and result.stage not in ("REMOVED", "WITHDRAWN")
        if d.met is False:
            assert (d.rule, d.due) in warnings
    for f in result.findings:
        assert f.date <= as_of and f.message and f.source
    assert json.loads(json.dumps(result.to_json(), ensure_ascii=False)) == result.to_json()
    items = checklist(dossier, as_of, calendar)
    assert all(i.status in ("ok", "missing", "error", "warning") and i.label and i.source for i in items)
    if result.stage in ("OFFICIAL", "REMOVED", "WITHDRAWN"):
        assert items == []


@settings(max_examples=100, deadline=None)
@given(dossiers())
def test_the_stage_never_moves_back(obj):
    dossier, as_of, calendar = parse(obj, dt.date(2000, 1, 1))
    dates = sorted({e.date for e in dossier.events})
    ranks = [STAGES.index(check(dossier, d, calendar).stage) for d in dates]
    assert ranks == sorted(ranks)
