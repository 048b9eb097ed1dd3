"""The benchmark datasets: `city` (3,600 schools, ~31,000 units, 300,000 persons over 10 years, ~3 million
ledger events) and `nation` (15 cities under one root), plus `mini` for the tests.

Generation is built for speed, not for a story (the demo city, `ketnap seed`, tells the story):

* One pass per person draws how far the path goes and the dates of its steps, cut at `today`; the cached
  state (stage, stage since, party age, probation end, next deadline) is computed from that walk directly,
  never by running the rule book per person (`ketnap rebuild-state --check` may report deadline fields that
  differ from the rule book's: they only feed the people list's sorting).
* Rows are written with explicit keys: PostgreSQL by COPY (text format, written in large chunks), SQLite
  with executemany in one transaction; the big tables' secondary indexes are dropped during the load and
  created again afterwards.
* The event `data` passes the rule book's parser, so person pages of the dataset work.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from ketnap.accounts.models import RoleAssignment
from ketnap.core.audit import audit
from ketnap.core.text import fold, sort_key
from ketnap.demo.names import make_name
from ketnap.interorg.models import Request
from ketnap.orgs.models import OrgLink, OrgUnit, School, path_segment
from ketnap.people import ledger, search
from ketnap.people.models import Person, PersonEvent
from ketnap.rules import Calendar, add_months

D = dt.date
DAY = dt.timedelta(days=1)
REORG = D(2025, 7, 1)
HISTORY_YEARS = 10
BENCH_USER = "bench.thanhpho"
BENCH_PASSWORD = "ketnap-bench-2026"


@dataclass(frozen=True)
class Scale:
    cities: int
    wards: int
    districts: int
    k12_schools: int
    he: tuple[tuple[str, int, int, int], ...]  # (level, schools, min cells, max cells)
    persons: int  # per city


SIZES: dict[str, Scale] = {
    "mini": Scale(1, 6, 2, 60, (("university", 3, 4, 8), ("college", 3, 2, 4)), 6_000),
    "city": Scale(
        1,
        168,
        22,
        3_200,
        (("university", 120, 90, 130), ("college", 150, 30, 60), ("professional_secondary", 130, 10, 25)),
        300_000,
    ),  # fmt: skip
}
SIZES["nation"] = Scale(15, *[getattr(SIZES["city"], f) for f in ("wards", "districts", "k12_schools", "he",
                                                                  "persons")])  # fmt: skip

K12_LEVELS = (
    ["kindergarten"] * 30
    + ["primary"] * 35
    + ["lower_secondary"] * 23
    + ["upper_secondary"] * 11
    + ["multi_level"]
)

# Event data that the rule book's parser accepts (shared JSON text, one per kind).
DATA = {
    "source_identified": "{}",
    "awareness_class": json.dumps({"certificate_number": "123-CN/TTCT"}),
    "mentor_assigned": json.dumps({"mentor_name": "Đảng viên giúp đỡ"}, ensure_ascii=False),
    "application": "{}",
    "biography": "{}",
    "youth_union_introduction": json.dumps({"number": "45-NQ/ĐTN"}, ensure_ascii=False),
    "comments": "{}",
    "verification": json.dumps({"concluded": True}),
    "cell_vote": json.dumps({"official_members": 12, "in_favour": 10}),
    "committee_vote": json.dumps({"members": 11, "in_favour": 9}),
    "ceremony": "{}",
    "new_member_class": json.dumps({"number": "88-CN/TTCT"}),
    "recognition_vote": json.dumps({"official_members": 12, "in_favour": 11}),
    "recognition_decision": json.dumps({"number": "210-QĐ/ĐU"}, ensure_ascii=False),
    "withdrawal": "{}",
    "removal": json.dumps({"number": "12-QĐ/ĐU"}, ensure_ascii=False),
}


@dataclass
class CellSpec:
    unit_id: int
    school_id: int
    he: bool
    cell_kind: str
    grassroots_cell: bool
    decider_id: int
    level: str
    weight: float
    upper_secondary: bool = False


@dataclass
class Built:
    units: list[tuple] = field(default_factory=list)
    links: list[tuple] = field(default_factory=list)
    schools: list[tuple] = field(default_factory=list)
    cells: list[CellSpec] = field(default_factory=list)
    root_id: int = 0
    wards: list[tuple[int, str]] = field(default_factory=list)  # (id, name): receivers of requests


class Ids:
    def __init__(self):
        self.unit = self.link = self.school = 0

    def next_unit(self) -> int:
        self.unit += 1
        return self.unit


# ---------------------------------------------------------------------------------------------- the tree


def build_tree(scale: Scale, rng: random.Random, today: D) -> Built:
    b = Built()
    ids = Ids()

    def unit(name, code, kind, parent, *, founded=None, dissolved=None, cell_kind="", links=(), youth=True):
        pk = ids.next_unit()
        path = (parent[1] if parent else "") + path_segment(pk)
        depth = parent[2] + 1 if parent else 0
        b.units.append((pk, name, code, kind, cell_kind, founded, dissolved, youth, parent[0] if parent else None,
                        path, depth, fold(f"{name} {code}")))  # fmt: skip
        for p, start, end in links:
            ids.link += 1
            b.links.append((ids.link, pk, p, start, end, ""))
        return (pk, path, depth)

    def school(name, code, level, ward, org):
        ids.school += 1
        b.schools.append((ids.school, name, code, level, True, ward, org, level == "university" and rng.random() < 0.4,
                          fold(f"{name} {code}")))  # fmt: skip
        return ids.school

    K = OrgUnit.Kind
    multi = scale.cities > 1
    top = (
        unit("Ban Tổ chức Trung ương (dữ liệu đo)", "BENCH", K.CITY, None, founded=D(1930, 2, 3))
        if multi
        else None
    )
    b.root_id = top[0] if top else 0
    for c in range(scale.cities):
        pre = f"T{c + 1:02d}-" if multi else ""
        city = unit(f"Thành ủy số {c + 1}" if multi else "Thành ủy (dữ liệu đo)", f"{pre}TU", K.CITY, top,
                    founded=D(1930, 3, 28), links=[(top[0], D(1990, 1, 1), None)] if top else ())  # fmt: skip
        if not multi:
            b.root_id = city[0]
        districts = [
            unit(
                f"Quận ủy {pre}{i + 1}",
                f"{pre}QU{i + 1}",
                K.UPPER,
                city,
                founded=D(1976, 1, 1),
                dissolved=REORG,
                links=[(city[0], D(1976, 1, 1), REORG)],
            )  # fmt: skip
            for i in range(scale.districts)
        ]
        wards = [
            unit(
                f"Đảng ủy phường {pre}{i + 1}",
                f"{pre}P{i + 1}",
                K.WARD,
                city,
                founded=REORG,
                links=[(city[0], REORG, None)],
            )  # fmt: skip
            for i in range(scale.wards)
        ]
        b.wards += [(w[0], f"Đảng ủy phường {pre}{i + 1}") for i, w in enumerate(wards)]
        for i in range(scale.k12_schools):
            level = rng.choice(K12_LEVELS)
            wi = rng.randrange(len(wards))
            ward, district = wards[wi], districts[wi % len(districts)]
            name = f"Trường {level} {pre}{i + 1}"
            code = f"{pre}K{i + 1}"
            if rng.random() < 0.08:
                school(name, code, level, ward[0], None)
                continue
            founded = D(rng.randint(1985, 2020), rng.randint(1, 12), 1)
            links = [(district[0], founded, REORG), (ward[0], REORG, None)]
            youth = level not in ("kindergarten",) or rng.random() < 0.3
            if rng.random() < 0.75:
                org = unit(f"Chi bộ {name}", f"CB-{code}", K.GRASSROOTS_CELL, ward, founded=founded, cell_kind="staff",
                           links=links, youth=youth)  # fmt: skip
                sid = school(name, code, level, ward[0], org[0])
                b.cells.append(CellSpec(org[0], sid, False, "staff", True, ward[0], level, 1.0,
                                        level in ("upper_secondary", "multi_level")))  # fmt: skip
            else:
                org = unit(f"Đảng ủy {name}", f"DU-{code}", K.GRASSROOTS, ward, founded=founded, links=links)
                sid = school(name, code, level, ward[0], org[0])
                for j in range(rng.randint(4, 10)):
                    cell_founded = max(founded, D(rng.randint(1995, 2022), rng.randint(1, 12), 1))
                    cell = unit(f"Chi bộ {j + 1} {name}", f"CB{j + 1}-{code}", K.CELL, org, founded=cell_founded,
                                cell_kind="staff", links=[(org[0], cell_founded, None)], youth=youth)  # fmt: skip
                    b.cells.append(CellSpec(cell[0], sid, False, "staff", False, ward[0], level, 0.8,
                                            level in ("upper_secondary", "multi_level")))  # fmt: skip
        uppers = [
            unit(
                f"Đảng ủy khối trường {pre}{i + 1}",
                f"{pre}DUK{i + 1}",
                K.UPPER,
                city,
                founded=D(2000, 1, 1),
                links=[(city[0], D(2000, 1, 1), None)],
            )  # fmt: skip
            for i in range(6)
        ]
        n = 0
        for level, count, lo, hi in scale.he:
            for _ in range(count):
                n += 1
                upper = uppers[n % len(uppers)]
                name = f"Trường {level} {pre}{n}"
                code = f"{pre}H{n}"
                founded = D(rng.randint(1990, 2008), 1, 1)
                org = unit(f"Đảng ủy {name}", f"DU-{code}", K.GRASSROOTS, upper, founded=founded,
                           links=[(upper[0], founded, None)])  # fmt: skip
                sid = school(name, code, level, rng.choice(wards)[0], org[0])
                for j in range(rng.randint(lo, hi)):
                    kind = "student" if j % 3 == 0 else "merged" if j % 7 == 1 else "staff"
                    if kind == "student" and rng.random() < 0.05:
                        cell_founded = today - dt.timedelta(days=rng.randint(30, 700))
                    else:
                        cell_founded = D(rng.randint(founded.year, 2021), rng.randint(1, 12), 1)
                    cell = unit(f"Chi bộ {j + 1} {name}", f"CB{j + 1}-{code}", K.CELL, org, founded=cell_founded,
                                cell_kind=kind, links=[(org[0], cell_founded, None)])  # fmt: skip
                    weight = {"student": 5.0, "merged": 2.0}.get(kind, 0.7)
                    b.cells.append(CellSpec(cell[0], sid, True, kind, False, org[0], level, weight))
    return b


# ---------------------------------------------------------------------------------------------- persons


class Names:
    """A pool of generated names with their keys (computing keys per person would dominate the run)."""

    def __init__(self, rng: random.Random, size: int = 4000):
        self.items = []
        for i in range(size):
            gender = "F" if i % 2 else "M"
            n = make_name(rng, gender, 1970 + i % 40)
            full = " ".join(p for p in (n.family, n.middle, n.given) if p)
            self.items.append(
                (n.family, n.middle, n.given, gender, fold(full), sort_key(n.family, n.middle, n.given))
            )


@dataclass
class PersonRow:
    values: tuple
    events: list[tuple]


class PersonFactory:
    """One person and their ledger per call (and the letters between organisations about them)."""

    def __init__(self, rng: random.Random, today: D, calendar: Calendar, names: Names, start: D,
                 wards: Sequence[tuple[int, str]] = (), school_names: dict[int, str] | None = None):  # fmt: skip
        self.rng, self.today, self.cal, self.names, self.start = rng, today, calendar, names, start
        self.school_names = school_names or {}
        self.letter = "{}"  # the person as the letters about them name them (interorg.models.person_letter)
        self.sort_key = (
            ""  # the person's sort key (kept on a graduate's transfer: interorg.models.quarterly_fields)
        )
        self.span = (today - start).days
        self.wards = list(wards)
        self.requests: list[tuple] = []  # rows of REQUEST_COLUMNS without id, created_at, updated_at

    def _request(self, kind, status, pid, cell: CellSpec, sent: D, closed: D | None = None, *, answer="",
                 concluded=None, trigger="", trigger_on=None, reason=""):  # fmt: skip
        """One letter about person `pid` from the cell's deciding committee to a ward."""
        receiver, name = self.wards[self.rng.randrange(len(self.wards))]
        if kind == "transfer":
            due, rule = self.cal.add_working_days(sent, 30), "TRANSFER_PRESENT_DUE"
        else:
            due, rule = self.cal.add_working_days(sent, 30), ""
        received = min(sent + 3 * DAY, self.today) if status != "sent" else None
        self.requests.append((
            kind, status, pid, cell.decider_id, cell.unit_id, receiver, name, False, trigger, trigger_on,
            f"{len(self.requests) + 1}-CV/ĐU", None, "", "", sent, sent, due, rule, received, closed, answer,
            concluded, "[]", reason, None, None, None, None, self.letter,
            # the transfers made here are all of graduated students (trigger "graduation")
            sent.year * 10 + (sent.month - 1) // 3 + 1 if kind == "transfer" else None,
            self.sort_key if kind == "transfer" else "",
        ))  # fmt: skip

    def letters(self, pid: int, cell: CellSpec, evs, role: str, stage: str, graduation: D | None) -> None:
        """Verifications of the background (answered, or in transit for dossiers waiting for them) and the
        transfers of graduated student members (in transit for recent graduates, some returned)."""
        rng, today = self.rng, self.today
        days = {kind: day for kind, day in evs}
        if "verification" in days:
            sent = days["verification"] - dt.timedelta(days=rng.randint(15, 40))
            self._request("verification", "answered", pid, cell, sent, days["verification"],
                          answer="Không có vấn đề về chính trị.", concluded=True)  # fmt: skip
        elif "comments" in days and stage == "APPLICANT":
            sent = min(days["comments"] + dt.timedelta(days=rng.randint(2, 10)), today)
            self._request("verification", rng.choice(["sent", "received"]), pid, cell, sent)
        if role == "student" and stage in ("PROBATIONARY", "OFFICIAL") and graduation and graduation <= today:
            if (today - graduation).days <= 120 and rng.random() < 0.6:
                sent = min(graduation + dt.timedelta(days=rng.randint(5, 60)), today)
                self._request("transfer", rng.choice(["sent", "received"]), pid, cell, sent,
                              trigger="graduation", trigger_on=graduation)  # fmt: skip
            elif rng.random() < 0.3:
                sent = min(graduation + dt.timedelta(days=rng.randint(5, 60)), today)
                self._request("transfer", "returned", pid, cell, sent, min(sent + 20 * DAY, today),
                              trigger="graduation", trigger_on=graduation,
                              reason="Nơi nhận chưa tiếp nhận: đảng viên chưa đến trình giấy.")  # fmt: skip

    def wd(self, day: D, n: int) -> D:
        return self.cal.add_working_days(day, n)

    def person(self, pid: int, cell: CellSpec, now) -> tuple[tuple, list[tuple]]:
        rng, today = self.rng, self.today
        family, middle, given, gender, search, sortk = self.names.items[rng.randrange(len(self.names.items))]
        evs: list[tuple[str, D]] = []
        if cell.he:
            role = "student" if cell.cell_kind == "student" or (cell.cell_kind == "merged" and rng.random() < 0.6) else (
                "lecturer" if rng.random() < 0.75 else "staff")  # fmt: skip
        else:
            role = "pupil" if cell.upper_secondary and rng.random() < 0.2 else rng.choice(
                ["teacher"] * 7 + ["staff", "manager"])  # fmt: skip
        young = role in ("student", "pupil")
        stage, since, paf, probation_end, next_due, due_rule = "SOURCE", None, None, None, None, ""
        if rng.random() < 0.08:  # an existing member entered by import
            paf = D(rng.randint(1995, 2016), rng.randint(1, 12), rng.randint(1, 28))
            imported = self.start + dt.timedelta(days=rng.randint(0, 200))
            data = json.dumps({"stage": "OFFICIAL", "party_age_from": paf.isoformat(),
                               "ceremony_date": (paf + 20 * DAY).isoformat(),
                               "official_date": add_months(paf + 20 * DAY, 12).isoformat()})  # fmt: skip
            events = [("member_imported", imported, data)]
            stage, since = "OFFICIAL", imported
            birth = D(paf.year - rng.randint(22, 35), rng.randint(1, 12), rng.randint(1, 28))
        else:
            s = self.start + dt.timedelta(days=rng.randint(0, self.span))
            birth = D(s.year - (rng.randint(18, 21) if young else rng.randint(23, 45)), rng.randint(1, 12),
                      rng.randint(1, 28))  # fmt: skip
            r = rng.random()
            reach = 0 if r < 0.18 else 1 if r < 0.30 else 2 if r < 0.37 else 3 if r < 0.40 else 9
            evs.append(("source_identified", s))
            stage, since = "SOURCE", s
            d = s
            withdrawn = reach < 9 and rng.random() < 0.45
            steps = []
            if reach >= 1:
                d = d + dt.timedelta(days=rng.randint(20, 120))
                steps += [
                    ("awareness_class", d),
                    ("mentor_assigned", d + dt.timedelta(days=rng.randint(3, 20))),
                ]
            if reach >= 2:
                d = d + dt.timedelta(days=rng.randint(45, 200))
                steps += [("application", d), ("biography", d + 7 * DAY)]
                d = d + dt.timedelta(days=rng.randint(20, 60))
                steps += [("youth_union_introduction" if young else "member_introduction", d),
                          ("member_introduction", d)]  # fmt: skip
            if reach >= 3:
                d = d + dt.timedelta(days=rng.randint(10, 30))
                steps += [("comments", d)]
                if rng.random() < 0.4:  # a first answer without a conclusion, then the conclusion
                    steps += [("verification_pending", d + dt.timedelta(days=rng.randint(10, 20)))]
                d = d + dt.timedelta(days=rng.randint(25, 60))
                steps += [("verification", d)]
            if reach >= 9:
                vote = d + dt.timedelta(days=rng.randint(5, 30))
                steps.append(("cell_vote", vote))
                base = vote
                if not cell.grassroots_cell:
                    base = vote + dt.timedelta(days=rng.randint(4, 20))
                    steps.append(("committee_vote", base))
                decided = min(base + dt.timedelta(days=rng.randint(7, 60)), self.wd(vote, 58))
                steps.append(("decision", decided))
                ceremony = decided + dt.timedelta(days=rng.randint(5, 35))
                steps.append(("ceremony", ceremony))
                steps.append(("new_member_class", ceremony + dt.timedelta(days=rng.randint(30, 200))))
                end = add_months(ceremony, 12)
                if rng.random() < 0.02:
                    steps.append(("removal", ceremony + dt.timedelta(days=rng.randint(60, 300))))
                else:
                    rvote = self.wd(end, rng.randint(1, 28) if rng.random() < 0.93 else rng.randint(31, 50))
                    steps.append(("recognition_vote", rvote))
                    steps.append(("recognition_decision", self.wd(rvote, rng.randint(3, 25))))
            steps.sort(key=lambda e: e[1])
            for kind, day in steps:
                if day > today:
                    break
                evs.append((kind, day))
            last_kind, last_day = evs[-1]
            if withdrawn:
                w = last_day + dt.timedelta(days=rng.randint(60, 700))
                if w <= today:
                    evs.append(("withdrawal", w))
            events = []
            for kind, day in evs:
                if kind == "member_introduction":
                    data = json.dumps({"introducer": {"name": "Đảng viên giới thiệu", "official_since": "2010-05-19",
                                                      "cowork_since": (day - dt.timedelta(days=400)).isoformat(),
                                                      "replacement": False}}, ensure_ascii=False)  # fmt: skip
                elif kind == "verification_pending":
                    kind, data = "verification", json.dumps({"concluded": False})
                elif kind == "decision":
                    data = json.dumps({"number": "15-QĐ/ĐU", "decider_id": cell.decider_id, "authorized": False,
                                       "received": day.isoformat()}, ensure_ascii=False)  # fmt: skip
                else:
                    data = DATA[kind]
                events.append((kind, day, data))
            stage, since, paf, probation_end, next_due, due_rule = self.state(evs)
        graduation = D(birth.year + 22, 6, 30) if role == "student" else None
        if self.wards and events and events[0][0] != "member_imported":
            self.sort_key = sortk
            self.letter = json.dumps({"name": " ".join(x for x in (family, middle, given) if x),
                                      "school": self.school_names.get(cell.school_id, ""), "class": ""},
                                     ensure_ascii=False)  # fmt: skip
            self.letters(pid, cell, evs, role, stage, graduation)
        person = (
            pid, family, middle, given, birth, gender, None, "university" if not young else "upper_secondary", role,
            cell.school_id, "", graduation, young,
            young and rng.random() < 0.7, None, cell.unit_id, None, stage, since, next_due, due_rule, 0, 0, paf,
            probation_end, probation_end if stage == "OFFICIAL" else None,
            search, sortk, now, now, False, next((d for k, d in evs if k == "awareness_class"), None),
            *(min((d for k, d, _ in events if k == kind), default=None) for kind in ledger.FIRST_ON),
        )  # fmt: skip
        return person, events

    STAGE_OF = {
        "source_identified": "SOURCE",
        "awareness_class": "SYMPATHISER",
        "application": "APPLICANT",
        "cell_vote": "CELL_APPROVED",
        "committee_vote": "COMMITTEE_APPROVED",
        "decision": "ADMITTED",
        "ceremony": "PROBATIONARY",
        "recognition_decision": "OFFICIAL",
        "removal": "REMOVED",
        "withdrawal": "WITHDRAWN",
    }

    def state(self, evs: Sequence[tuple[str, D]]):
        """Stage, stage since, party age, probation end, next deadline of a generated walk."""
        stage, since, paf, ceremony, vote = "SOURCE", evs[0][1], None, None, None
        for kind, day in evs:
            new = self.STAGE_OF.get(kind)
            if kind == "decision":
                paf = day
            elif kind == "ceremony":
                ceremony = day
            elif kind == "cell_vote":
                vote = day
            if new:
                stage, since = new, day
        probation_end = add_months(ceremony, 12) if ceremony else None
        due, rule = None, ""
        if stage in ("CELL_APPROVED", "COMMITTEE_APPROVED") and vote:
            due, rule = self.wd(vote, 60), "DECISION_DUE"
        elif stage == "ADMITTED" and paf:
            due, rule = self.wd(paf, 30), "CEREMONY_DUE"
        elif stage == "PROBATIONARY" and probation_end:
            due, rule = self.wd(probation_end, 30), "RECOGNITION_REVIEW_DUE"
        return stage, since, paf, probation_end, due, rule


# ---------------------------------------------------------------------------------------------- writing


def _columns(model) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


def _text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")
    return str(value)


class Loader:
    """Rows into one table: COPY on PostgreSQL (text lines in chunks), executemany on SQLite."""

    def __init__(self, model, columns: Sequence[str] | None = None):
        self.model = model
        self.table = model._meta.db_table
        self.columns = list(columns or _columns(model))
        self.pg = connection.vendor == "postgresql"

    def load(self, rows: Iterable[tuple]) -> int:
        n = 0
        cols = ", ".join(f'"{c}"' for c in self.columns)
        with connection.cursor() as cur:
            if self.pg:
                with cur.cursor.copy(f"COPY {self.table} ({cols}) FROM STDIN") as copy:
                    buf: list[str] = []
                    for row in rows:
                        buf.append("\t".join(map(_text, row)))
                        n += 1
                        if len(buf) >= 50_000:
                            copy.write("\n".join(buf) + "\n")
                            buf = []
                    if buf:
                        copy.write("\n".join(buf) + "\n")
            else:
                marks = ", ".join("?" for _ in self.columns)
                sql = f"INSERT INTO {self.table} ({cols}) VALUES ({marks})"
                raw = cur.cursor if hasattr(cur, "cursor") else cur
                batch: list[tuple] = []
                for row in rows:
                    batch.append(row)
                    n += 1
                    if len(batch) >= 50_000:
                        raw.executemany(sql, batch)
                        batch = []
                if batch:
                    raw.executemany(sql, batch)
        return n


BIG_TABLES = (Person, PersonEvent, OrgUnit, OrgLink, School, Request)
# Column order of the generated rows (a new NOT NULL column without a default shows up as a load error).
UNIT_COLUMNS = ["id", "name", "code", "kind", "cell_kind", "founded_on", "dissolved_on", "has_youth_union",
                "parent_id", "path", "depth", "search_key"]  # fmt: skip
LINK_COLUMNS = ["id", "child_id", "parent_id", "valid_from", "valid_to", "note"]
SCHOOL_COLUMNS = ["id", "name", "code", "level", "is_public", "ward_id", "party_org_id", "has_full_time_party_staff",
                  "search_key"]  # fmt: skip
PERSON_COLUMNS = [
    "id", "family_name", "middle_name", "given_name", "birth_date", "gender", "citizen_id", "education",
    "school_role", "school_id", "faculty_class", "expected_graduation", "youth_union_member",
    "excellent_youth_union_member", "residence_ward_id", "unit_id", "mentor_id", "stage", "stage_since", "next_due",
    "next_due_rule", "warning_count", "error_count", "party_age_from", "probation_end", "official_date",
    "search_key", "sort_key", "created_at", "updated_at", "repeated_step", "certificate_on",
    *ledger.FIRST_ON.values(),
]  # fmt: skip
REQUEST_COLUMNS = ["id", "kind", "status", "person_id", "sender_id", "origin_id", "receiver_id", "receiver_name",
                   "temporary", "trigger", "trigger_on", "number", "seq", "content", "rating", "created_on", "sent_on",
                   "due_on", "due_rule", "received_on", "closed_on", "answer", "concluded", "documents", "reason",
                   "into_id", "batch_id", "created_by_id", "closed_by_id", "person_letter", "quarter", "person_sort_key",
                   "created_at", "updated_at"]  # fmt: skip
# The benchmark datasets carry no ledger hash chains (computing 43 M digests is not what they measure):
# `ketnap verify-audit` reports them unchained; `people.integrity.fill_chains()` can add them.
EVENT_COLUMNS = ["id", "person_id", "kind", "occurred_on", "recorded_at", "actor_id", "org_id", "data",
                 "corrects_id", "note", "prev_hash", "row_hash"]  # fmt: skip


def _secondary_indexes(tables: Sequence[str]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of the non-unique, non-key indexes of the tables."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = ANY(%s) AND NOT x.indisunique "
                "AND NOT x.indisprimary",
                [list(tables)],
            )
            return list(cur.fetchall())
        out = []
        for table in tables:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL "
                        "AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])  # fmt: skip
            out += cur.fetchall()
        return out


def _drop_indexes(indexes) -> None:
    with connection.cursor() as cur:
        for name, _ in indexes:
            cur.execute(f'DROP INDEX IF EXISTS "{name}"')


def _create_indexes(indexes, log) -> None:
    with connection.cursor() as cur:
        for name, sql in indexes:
            t = time.perf_counter()
            cur.execute(sql)
            log(f"    chỉ mục {name}: {time.perf_counter() - t:.1f} s")


def _fk_constraints(tables: Sequence[str]) -> list[tuple[str, str, str]]:
    """PostgreSQL: (table, name, definition) of the foreign keys of the tables."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [list(tables)],
        )
        return list(cur.fetchall())


@dataclass
class Report:
    size: str
    units: int = 0
    schools: int = 0
    persons: int = 0
    events: int = 0
    requests: int = 0
    timings: dict[str, float] = field(default_factory=dict)


def generate(size: str, *, today: D | None = None, seed: int = 2026, log: Callable[[str], None] = print,
             persons: int | None = None) -> Report:  # fmt: skip
    """Write the dataset into the current (empty) database."""
    if Person.objects.exists() or OrgUnit.objects.exists():
        raise RuntimeError("Cơ sở dữ liệu đo phải trống (chưa có tổ chức, chưa có người).")
    scale = SIZES[size]
    today = today or timezone.localdate()
    rng = random.Random(seed)
    report = Report(size)
    clock = time.perf_counter()

    def lap(label):
        nonlocal clock
        now = time.perf_counter()
        report.timings[label] = round(now - clock, 1)
        log(f"  {label}: {now - clock:.1f} s")
        clock = now

    built = build_tree(scale, rng, today)
    report.units, report.schools = len(built.units), len(built.schools)
    lap(f"cây tổ chức ({report.units} tổ chức, {report.schools} trường)")
    tables = [m._meta.db_table for m in BIG_TABLES]
    pg = connection.vendor == "postgresql"
    with transaction.atomic():
        if pg:
            fks = _fk_constraints(tables)
            with connection.cursor() as cur:
                for table, name, _ in fks:
                    cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        else:
            fks = []
            with connection.cursor() as cur:
                cur.execute("PRAGMA defer_foreign_keys = ON")
        indexes = _secondary_indexes(tables)
        _drop_indexes(indexes)
        with connection.cursor() as cur:
            search.suspend(cur)  # the search index is filled once, after the load
        Loader(OrgUnit, UNIT_COLUMNS).load(built.units)
        Loader(OrgLink, LINK_COLUMNS).load(built.links)
        Loader(School, SCHOOL_COLUMNS).load(built.schools)
        lap("ghi cây tổ chức")

        cal = Calendar()
        factory = PersonFactory(rng, today, cal, Names(rng), D(today.year - HISTORY_YEARS, today.month, 1),
                                built.wards, {row[0]: row[1] for row in built.schools})  # fmt: skip
        cells = built.cells
        cum, total = [], 0.0
        for c in cells:
            total += c.weight
            cum.append(total)
        n_persons = persons or scale.persons * scale.cities
        now = timezone.now()
        if not pg:  # SQLite keeps datetimes as naive UTC text
            now = now.replace(tzinfo=None).isoformat(" ")
        person_loader = Loader(Person, PERSON_COLUMNS)
        event_loader = Loader(PersonEvent, EVENT_COLUMNS)
        request_loader = Loader(Request, REQUEST_COLUMNS)
        pid = eid = rid = 0
        chunk = 100_000
        for start in range(0, n_persons, chunk):
            prow, erows = [], []
            for _ in range(min(chunk, n_persons - start)):
                pid += 1
                cell = cells[bisect_right(cum, rng.random() * total)]
                person, events = factory.person(pid, cell, now)
                prow.append(person)
                for kind, day, data in events:
                    eid += 1
                    erows.append((eid, pid, kind, day, now, None, cell.unit_id, data, None, "", "", ""))
            person_loader.load(prow)
            event_loader.load(erows)
            rrows = []
            for row in factory.requests:
                rid += 1
                rrows.append((rid, *row, now, now))
            factory.requests.clear()
            request_loader.load(rrows)
            report.persons, report.events, report.requests = pid, eid, rid
            log(f"    {pid:,} người, {eid:,} sự kiện".replace(",", "."))
        lap(f"ghi người, sổ sự kiện và văn bản ({pid} người, {eid} sự kiện, {rid} văn bản)")
        _create_indexes(indexes, log)
        if pg:
            with connection.cursor() as cur:
                for table, name, definition in fks:
                    # NOT VALID: the loader's keys are consistent by construction; new rows are checked.
                    cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition} NOT VALID')
                for sql in connection.ops.sequence_reset_sql(no_style(), list(BIG_TABLES)):
                    cur.execute(sql)
        with connection.cursor() as cur:
            search.rebuild(cur)
        lap("tạo lại chỉ mục (cả chỉ mục tìm kiếm không dấu)")
        user, _ = get_user_model().objects.get_or_create(username=BENCH_USER)
        user.set_password(BENCH_PASSWORD)
        user.save()
        RoleAssignment.objects.get_or_create(user=user, unit_id=built.root_id, role="admin")
        audit(actor=None, action="bench.dataset", object_type="bench", object_id=size,
              summary=f"Dữ liệu đo «{size}»: {report.units} tổ chức, {report.schools} trường, {report.persons} người, "
              f"{report.events} sự kiện, {report.requests} văn bản (ngày {today:%d/%m/%Y})",
              after={"size": size, "today": today, "seed": seed, "timings": report.timings})  # fmt: skip
    if pg:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    lap("thống kê (ANALYZE)")
    return report
