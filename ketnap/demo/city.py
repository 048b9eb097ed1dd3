"""The organisation tree and the schools of the demo city, built in memory with explicit primary keys.

Thành ủy → upper committees → university committees (grassroots) → cells, and Thành ủy → ward committees →
school cells (grassroots cells). Before 1/7/2025 the school cells sat under the old district committees; those
are kept as dissolved `upper` units and their links are closed on 1/7/2025, so the tree's history shows the
reorganisation. Schools of the Đảng ủy UBND Thành phố moved there from the Khối's committee on 1/2/2025.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from itertools import count

from ketnap.core.text import fold
from ketnap.orgs.models import Authorization, OrgLink, OrgUnit, School, path_segment

from . import places

D = dt.date
REORG = D(2025, 7, 1)  # district level abolished, wards directly under the city committee
UBND_FROM = D(2025, 2, 1)  # Đảng bộ UBND Thành phố set up; city-run schools move under it
K = OrgUnit.Kind


class Ids:
    """Explicit primary keys, one counter per model (started after the largest existing id)."""

    def __init__(self, start: dict[str, int] | None = None):
        self._counters = {name: count(first) for name, first in (start or {}).items()}

    def next(self, name: str) -> int:
        counter = self._counters.get(name)
        if counter is None:
            counter = self._counters[name] = count(1)
        return next(counter)


@dataclass
class Member:
    """An official member of a cell who can introduce and mentor."""

    person: object
    official_since: dt.date
    join: dt.date


@dataclass
class CellInfo:
    """A cell (or grassroots cell) that holds persons, with what the generator needs to know about it."""

    unit: OrgUnit
    schools: list[School]
    grassroots: OrgUnit  # the grassroots organisation (the cell itself for a grassroots cell)
    higher: list[tuple[dt.date, dt.date | None, OrgUnit]]  # the deciding higher committee over time
    authorizations: list[tuple[dt.date, dt.date | None]]  # the grassroots committee's authorisations
    he: bool  # higher education
    level: str
    history_from: dt.date  # first date the cell has a parent in the city's tree
    committee_size: int
    classes: list[dt.date]  # sessions of the party-awareness class open to this cell's people
    n_members: int  # imported official members
    weight: float  # share of the pipeline persons
    abbr: str = ""  # class-name abbreviation for students
    faculty: str = ""  # faculty or department name
    course_years: int = 4
    members: list[Member] = field(default_factory=list)
    member_count: int = 0  # imported members (official or probationary)

    @property
    def is_grassroots_cell(self) -> bool:
        return self.unit.kind == K.GRASSROOTS_CELL

    def higher_on(self, day: dt.date) -> OrgUnit:
        for start, end, unit in self.higher:
            if start <= day and (end is None or day < end):
                return unit
        return self.higher[-1][2]

    def authorized_on(self, day: dt.date) -> bool:
        return any(start <= day and (end is None or day <= end) for start, end in self.authorizations)


@dataclass
class City:
    units: list[OrgUnit] = field(default_factory=list)
    links: list[OrgLink] = field(default_factory=list)
    schools: list[School] = field(default_factory=list)
    authorizations: list[Authorization] = field(default_factory=list)
    cells: list[CellInfo] = field(default_factory=list)
    wards: list[OrgUnit] = field(default_factory=list)
    by_code: dict[str, OrgUnit] = field(default_factory=dict)
    school_by_code: dict[str, School] = field(default_factory=dict)


def code_of(text: str) -> str:
    return fold(text).upper().replace(" ", "").replace("-", "").replace(",", "").replace(".", "")


class CityBuilder:
    def __init__(self, rng: random.Random, today: dt.date, size: str, ids: Ids, calendar):
        self.rng, self.today, self.size, self.ids, self.cal = rng, today, size, ids, calendar
        self.city = City()
        self.small = size == "small"
        self._class_dates: dict[int, list[dt.date]] = {}

    # ------------------------------------------------------------------ helpers
    def work(self, day: dt.date) -> dt.date:
        while not self.cal.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def day_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def unit(self, name, code, kind, parent=None, *, founded=None, dissolved=None, cell_kind="",
             has_youth_union=True, links=()) -> OrgUnit:  # fmt: skip
        pk = self.ids.next("orgunit")
        unit = OrgUnit(
            id=pk,
            name=name,
            code=code,
            kind=kind,
            cell_kind=cell_kind,
            founded_on=founded,
            dissolved_on=dissolved,
            has_youth_union=has_youth_union,
            parent=parent,
            path=(parent.path if parent else "") + path_segment(pk),
            depth=parent.depth + 1 if parent else 0,
            search_key=fold(f"{name} {code}"),
        )
        assert code not in self.city.by_code, code
        self.city.units.append(unit)
        self.city.by_code[code] = unit
        for link_parent, start, end, note in links:
            self.city.links.append(
                OrgLink(
                    id=self.ids.next("orglink"),
                    child=unit,
                    parent=link_parent,
                    valid_from=start,
                    valid_to=end,
                    note=note,
                )  # fmt: skip
            )
        return unit

    def school(self, name, code, level, ward, party_org, full_time=False, public=True) -> School:
        base, n = code, 2
        while code in self.city.school_by_code:
            code, n = f"{base}-{n}", n + 1
        school = School(
            id=self.ids.next("school"),
            name=name,
            code=code,
            level=level,
            is_public=public,
            ward=ward,
            party_org=party_org,
            has_full_time_party_staff=full_time,
            search_key=fold(f"{name} {code}"),
        )
        self.city.schools.append(school)
        self.city.school_by_code[code] = school
        return school

    def classes_for(self, organiser: OrgUnit) -> list[dt.date]:
        """Sessions of the party-awareness class run for an organiser's people (three a year)."""
        dates = self._class_dates.get(organiser.pk)
        if dates is None:
            dates = []
            for year in range(2020, self.today.year + 2):
                for month in (3, 6, 10):
                    dates.append(self.work(D(year, month, self.rng.randint(1, 24))))
            self._class_dates[organiser.pk] = dates
        return dates

    # ------------------------------------------------------------------ the tree
    def build(self) -> City:
        c = self.city
        city = self.unit("Thành ủy Thành phố Hồ Chí Minh", "TU", K.CITY, founded=D(1930, 3, 28))
        self.root = city
        uppers = {}
        upper_keys = ["DHQG"] if self.small else list(places.UPPER_COMMITTEES)
        for key in upper_keys:
            name, founded = places.UPPER_COMMITTEES[key]
            start = D.fromisoformat(founded)
            uppers[key] = self.unit(name, key, K.UPPER, city, founded=start, links=[(city, start, None, "")])
        self.uppers = uppers

        wards = [w for w in places.WARDS if not self.small or w[1] in places.SMALL_WARDS]
        districts = {}
        for district in dict.fromkeys(w[2] for w in wards if w[2]):
            name, founded = places.OLD_DISTRICTS[district]
            start = D.fromisoformat(founded)
            districts[district] = self.unit(
                name, f"QU-{district}", K.UPPER, city, founded=start, dissolved=REORG,
                links=[(city, start, REORG, "Giải thể từ 01/07/2025 (tổ chức chính quyền địa phương hai cấp)")],
            )  # fmt: skip
        ward_units = {}
        for kind_word, name, district in wards:
            prefix = {"phường": "P", "xã": "X", "đặc khu": "DK"}[kind_word]
            ward = self.unit(
                f"Đảng ủy {kind_word} {name}", f"{prefix}-{code_of(name)}", K.WARD, city, founded=REORG,
                links=[(city, REORG, None, "Thành lập từ 01/07/2025")],
            )  # fmt: skip
            ward_units[name] = (ward, districts.get(district))
            c.wards.append(ward)
        self.ward_units = ward_units

        institutions = [
            i for i in places.INSTITUTIONS if not self.small or i.code in places.SMALL_INSTITUTIONS
        ]
        for inst in institutions:
            self.institution(inst)
        self.k12_schools()
        self.grant_authorizations()
        return c

    def institution(self, inst: places.Institution) -> None:
        rng, c = self.rng, self.city
        upper = self.uppers[inst.upper]
        founded = D(rng.randint(1990, 2006), rng.randint(1, 12), 1)
        if inst.upper == "UBND":
            khoi = self.uppers["KDH"]
            links = [(khoi, founded, UBND_FROM, "Chuyển về Đảng bộ UBND Thành phố từ 01/02/2025"),
                     (upper, UBND_FROM, None, "")]  # fmt: skip
            higher = [(founded, UBND_FROM, khoi), (UBND_FROM, None, upper)]
        else:
            links = [(upper, founded, None, "")]
            higher = [(founded, None, upper)]
        ward = self.ward_units.get(inst.ward, (None, None))[0]
        kind_name = inst.name.replace("Trường ", "", 1)
        if inst.grassroots_cell:
            grassroots = self.unit(f"Chi bộ {inst.name}", inst.code, K.GRASSROOTS_CELL, upper, founded=founded,
                                   cell_kind="merged", links=links)  # fmt: skip
        else:
            grassroots = self.unit(f"Đảng ủy {inst.name}", inst.code, K.GRASSROOTS, upper, founded=founded,
                                   links=links)  # fmt: skip
        school = self.school(inst.name, f"S-{inst.code}", inst.level, ward, grassroots, inst.full_time_staff)
        course = {"university": 4, "college": 3, "professional_secondary": 2}[inst.level]
        committee = rng.randint(9, 15) if inst.level == "university" else rng.randint(5, 9)
        classes = self.classes_for(grassroots)
        size = inst.size
        if inst.grassroots_cell:
            c.cells.append(CellInfo(
                unit=grassroots, schools=[school], grassroots=grassroots, higher=higher, authorizations=[],
                he=True, level=inst.level, history_from=founded, committee_size=0, classes=classes,
                n_members=rng.randint(6, 12), weight=4.0 * size, abbr=inst.code[:3], faculty=kind_name,
                course_years=course,
            ))  # fmt: skip
            return
        for cell_kind, suffix, name in inst.cells:
            if suffix == inst.new_student_cell:
                cell_founded = self.today - dt.timedelta(days=rng.randint(60, 300))
            elif cell_kind == "student":
                cell_founded = D(rng.randint(2010, 2021), 9, rng.randint(1, 28))
            else:
                cell_founded = max(founded, D(rng.randint(1995, 2015), rng.randint(1, 12), 1))
            unit = self.unit(name, f"{inst.code}-{suffix}", K.CELL, grassroots, founded=cell_founded,
                             cell_kind=cell_kind, links=[(grassroots, cell_founded, None, "")])  # fmt: skip
            faculty = name.removeprefix("Chi bộ ").removeprefix("Sinh viên ").split(" (")[0]
            if faculty in ("", "Sinh viên", "Học sinh - Sinh viên"):
                faculty = kind_name
            abbr = suffix.removeprefix("SV-").removeprefix("SV").removeprefix("HSSV") or inst.code[:4]
            if cell_kind == "student":
                n_members, weight = rng.randint(3, 6), 24.0 * size
            elif cell_kind == "merged":
                n_members, weight = rng.randint(8, 16), 8.0 * size
            else:
                n_members, weight = rng.randint(12, 30), 1.4
            if suffix == "SV-CNTT" and inst.code == "KHTN":
                weight *= 0.6  # the showcase cell also gets hand-placed persons
            c.cells.append(CellInfo(
                unit=unit, schools=[school], grassroots=grassroots, higher=higher, authorizations=[], he=True,
                level=inst.level, history_from=max(cell_founded, founded), committee_size=committee,
                classes=classes, n_members=n_members, weight=weight, abbr=abbr, faculty=faculty,
                course_years=6 if suffix == "SV-Y" else course,
            ))  # fmt: skip

    def k12_schools(self) -> None:
        rng = self.rng
        famous: dict[str, list[tuple[str, str]]] = {}
        for level, name, ward in places.FAMOUS_SCHOOLS:
            famous.setdefault(ward, []).append((level, name))
        used: set[str] = set(n for _, n, _ in places.FAMOUS_SCHOOLS)
        figures = list(places.FIGURES)
        kindergartens = list(places.KINDERGARTEN_NAMES)
        for ward_name, (ward, district) in self.ward_units.items():
            plan = list(famous.get(ward_name, []))
            if self.small:
                plan.append(("kindergarten", f"Mầm non {ward_name}"))
            else:
                levels = (["kindergarten"] * rng.randint(1, 3) + ["primary"] * rng.randint(1, 3)
                          + ["lower_secondary"] * rng.randint(1, 2))  # fmt: skip
                if not any(level == "upper_secondary" for level, _ in plan) and rng.random() < 0.45:
                    levels.append("upper_secondary")
                for level in levels:
                    prefix = places.LEVEL_PREFIX[level]
                    pool = kindergartens if level == "kindergarten" else figures
                    name = ""
                    for _ in range(8):
                        candidate = f"{prefix} {rng.choice(pool)}"
                        if candidate not in used:
                            name = candidate
                            break
                    if not name:
                        name = f"{prefix} {ward_name}"
                        if name in used:
                            name = f"{prefix} {ward_name} {len(used)}"
                    used.add(name)
                    plan.append((level, name))
            last_kindergarten_cell = None
            for i, (level, name) in enumerate(plan):
                school_name = name if name.startswith("Trường") else f"Trường {name}"
                code = code_of(name.replace("Trường ", ""))[:30]
                has_org = {
                    "kindergarten": 0.78, "primary": 0.9, "lower_secondary": 0.94, "upper_secondary": 1.0,
                    "multi_level": 1.0,
                }[level] > rng.random()  # fmt: skip
                if self.small:
                    has_org = not (level == "kindergarten" and ward_name == places.SMALL_WARDS[0])
                if (name, ward_name) in ((n, w) for _, n, w in places.FAMOUS_SCHOOLS):
                    has_org = True
                if not has_org:
                    self.school(school_name, code, level, ward, None, public=rng.random() < 0.9)
                    continue
                if level == "kindergarten" and last_kindergarten_cell is not None and rng.random() < 0.3:
                    # two small kindergartens share one cell (sinh hoạt ghép)
                    info = last_kindergarten_cell
                    school = self.school(school_name, code, level, ward, info.unit)
                    info.schools.append(school)
                    info.unit.cell_kind = OrgUnit.CellKind.MERGED
                    info.unit.name = f"Chi bộ ghép {info.schools[0].name} và {school_name}"
                    info.unit.search_key = fold(f"{info.unit.name} {info.unit.code}")
                    info.weight *= 1.5
                    last_kindergarten_cell = None
                    continue
                self.k12_cell(school_name, code, level, ward, district, ward_name, i)
                if level == "kindergarten":
                    last_kindergarten_cell = self.city.cells[-1]

    def k12_cell(self, school_name, code, level, ward, district, ward_name, i) -> None:
        rng = self.rng
        if rng.random() < 0.05 and not self.small:
            founded = self.today - dt.timedelta(days=rng.randint(60, 520))
        else:
            founded = D(rng.randint(1985, 2021), rng.randint(1, 12), 1)
        if district is not None and founded < REORG:
            links = [
                (district, founded, REORG, ""),
                (ward, REORG, None, "Chuyển về đảng ủy phường từ 01/07/2025"),
            ]
            higher = [(founded, REORG, district), (REORG, None, ward)]
            history_from = founded
        else:
            start = max(founded, REORG)
            links = [(ward, start, None, "")]
            higher = [(start, None, ward)]
            history_from = start
        youth = {"kindergarten": 0.65, "primary": 0.85}.get(level, 1.0) > rng.random()
        if self.small:
            youth = not (level == "kindergarten")
        unit = self.unit(f"Chi bộ {school_name}", f"CB-{code}", K.GRASSROOTS_CELL, ward, founded=founded,
                         cell_kind="staff", has_youth_union=youth, links=links)  # fmt: skip
        school = self.school(school_name, code, level, ward, unit, public=True)
        size = {"kindergarten": 0.6, "primary": 0.8, "lower_secondary": 1.0}.get(level, 1.4)
        organiser = district if district is not None else ward
        self.city.cells.append(CellInfo(
            unit=unit, schools=[school], grassroots=unit, higher=higher, authorizations=[], he=False,
            level=level, history_from=history_from, committee_size=0, classes=self.classes_for(organiser),
            n_members=rng.randint(4, 7) + int(size * rng.randint(2, 8)), weight=size,
        ))  # fmt: skip

    def grant_authorizations(self) -> None:
        plan = [
            ("DHQG", "KHTN", D(2024, 1, 1), None, "125-QĐ/ĐU"),
            ("DHQG", "BK", D(2023, 3, 1), None, "98-QĐ/ĐU"),
            ("DHQG", "KHXHNV", D(2025, 9, 15), None, "214-QĐ/ĐU"),
            ("KDH", "UEH", D(2023, 1, 1), D(2025, 12, 31), "41-QĐ/ĐUK"),
            ("KDH", "HCMUE", D(2024, 9, 1), None, "77-QĐ/ĐUK"),
            ("UBND", "SGU", D(2025, 6, 1), None, "18-QĐ/ĐU"),
        ]
        for grantor_code, grantee_code, start, end, number in plan:
            grantor, grantee = self.city.by_code.get(grantor_code), self.city.by_code.get(grantee_code)
            if grantor is None or grantee is None:
                continue
            self.city.authorizations.append(Authorization(
                id=self.ids.next("authorization"), grantor=grantor, grantee=grantee, valid_from=start,
                valid_to=end, document_number=number,
            ))  # fmt: skip
            for cell in self.city.cells:
                if cell.grassroots is grantee:
                    cell.authorizations.append((start, end))


def build_city(rng: random.Random, today: dt.date, size: str, ids: Ids, calendar) -> City:
    return CityBuilder(rng, today, size, ids, calendar).build()
