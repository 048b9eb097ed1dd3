"""Small hand-built trees and ledgers for the indicator tests (rows written directly, as the demo seed does,
with each person's cached state computed by the same code as the actions)."""

import datetime as dt

from ketnap.orgs.models import OrgLink, OrgUnit, School, path_segment
from ketnap.people import actions, ledger
from ketnap.people.models import Person, PersonEvent
from ketnap.rules import indicators as ind
from ketnap.targets import rollups

D = dt.date
K = OrgUnit.Kind


def unit(name, kind, parent=None, *, links=(), founded=None, cell_kind="", code=None):
    """A unit; `links` = [(parent, valid_from, valid_to)] (default: under `parent` since 01/07/2025)."""
    u = OrgUnit.objects.create(name=name, code=code or name, kind=kind, parent=parent, founded_on=founded,
                               cell_kind=cell_kind)  # fmt: skip
    u.path = (parent.path if parent else "") + path_segment(u.pk)
    u.depth = parent.depth + 1 if parent else 0
    u.save(update_fields=["path", "depth"])
    if parent is not None and not links:
        links = [(parent, D(2025, 7, 1), None)]
    for p, start, end in links:
        OrgLink.objects.create(child=u, parent=p, valid_from=start, valid_to=end)
    return u


def school(name, level, party_org=None, ward=None):
    return School.objects.create(name=name, code=name, level=level, party_org=party_org, ward=ward)


EMPTY = ind.PersonRec(0, 0)


def person(unit, events, *, role="teacher", excellent=False, incremental=False, **fields):
    """A person held by `unit` with the given ledger [(kind, date, data?, org?)]; with `incremental`, the
    rollup is updated through `rollups.person_changed` as the actions do (otherwise a rebuild counts it)."""
    values = dict(family_name="Nguyễn", middle_name="Văn", given_name="An", birth_date=D(1990, 1, 1), gender="M",
                  education="university", youth_union_member=True)  # fmt: skip
    values.update(fields)
    p = Person.objects.create(unit=unit, school_role=role, excellent_youth_union_member=excellent, **values)
    before = ind.PersonRec(p.pk, unit.pk, role)
    rows = []
    for item in events:
        kind, day = item[0], item[1]
        data = item[2] if len(item) > 2 else {}
        org = item[3] if len(item) > 3 else unit
        rows.append(PersonEvent.objects.create(person=p, kind=kind, occurred_on=day, org=org, data=data))
    if rows:
        for name, value in actions.rebuild_state(p, ledger.load_calendar(), rows).items():
            setattr(p, name, value)
        p.save()
    if incremental:
        rollups.person_changed(before, p, [], rows)
    return p


def votes(day, org):
    """The two votes a decision on `day` needs (STEP_ORDER), on the same day: the cell's and the grassroots
    committee's (the rule book skips the latter for a grassroots cell)."""
    return [
        ("cell_vote", day, {"official_members": 9, "in_favour": 9}, org),
        ("committee_vote", day, {"members": 5, "in_favour": 5}, org),
    ]


def admitted(unit, day, *, role="teacher", excellent=False, incremental=False, org=None):
    """A member admitted on `day` (a minimal valid ledger: source, the votes, decision); `excellent`: with the
    Youth Union's introducing resolution (4-KNĐ) a month before, as an excellent Youth Union member has."""
    intro = [("youth_union_introduction", day - dt.timedelta(days=30), {"number": "12-NQ/ĐTN"}, org or unit)]
    return person(
        unit,
        [
            ("source_identified", day - dt.timedelta(days=400)),
            *(intro if excellent else []),
            *votes(day, org or unit),
            ("decision", day, {}, org or unit),
        ],
        role=role,
        excellent=excellent,
        incremental=incremental,
    )


def dossier_events(vote_day, *, members=9, intro_since=dt.date(2010, 5, 19)):
    """A complete dossier up to a passing cell vote on `vote_day` (awareness class 200 days before, the
    application, biography, two members' introductions, comments, a concluded verification). A cell of fewer
    than 3 official `members` cannot vote (CELL_SIZE): the dossier is then blocked by that error."""
    start = vote_day - dt.timedelta(days=200)

    def intro(name):
        return {"introducer": {"name": name, "official_since": intro_since.isoformat(),
                               "cowork_since": (start - dt.timedelta(days=400)).isoformat(), "replacement": False}}  # fmt: skip

    return [
        ("source_identified", start - dt.timedelta(days=60)),
        ("awareness_class", start, {"certificate_number": "123-CN/TTCT"}),
        ("application", start + dt.timedelta(days=80)),
        ("biography", start + dt.timedelta(days=85)),
        ("member_introduction", start + dt.timedelta(days=100), intro("Trần Thị Bình")),
        ("member_introduction", start + dt.timedelta(days=100), intro("Lê Văn Cường")),
        ("comments", start + dt.timedelta(days=120)),
        ("verification", start + dt.timedelta(days=150), {"concluded": True}),
        ("cell_vote", vote_day, {"official_members": members, "in_favour": members}),
    ]
