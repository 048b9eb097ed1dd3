"""Persons and their ledgers for the demo city.

Every cell gets imported members (the officials who introduce and mentor) and pipeline persons. A pipeline
person starts as a source on a date of the history window and walks the admission path step by step with
realistic delays; a drawn `Fate` makes some stall (large pools, overdue decisions, ceremonies or recognition
votes), some late (rule warnings), some withdraw or be removed. Steps that would fall after `today` are not
recorded, so the stage at `today` emerges from the dates. Dossiers are built to pass the rule book (ages,
introducers, fresh documents, two-thirds votes, the path's order, the recognition file, the end of probation,
three official members in every voting cell), exactly as the actions would accept them: no person's ledger
gives an error finding, only the warnings of the late steps.
"""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect_right
from collections import defaultdict
from dataclasses import dataclass

from ketnap.people.models import Person
from ketnap.rules import add_months, full_years

from . import places
from .city import CellInfo, City, Ids, Member
from .names import make_name

D = dt.date
DAY = dt.timedelta(days=1)
GO_LIVE = D(2023, 8, 25)  # existing members were entered before the 2023-24 school year
HISTORY_START = D(2022, 1, 10)  # earliest source date (people admitted in 2023 started before)
PROVINCES = ["001", "038", "040", "036", "049", "051", "052", "054", "060", "066", "068", "072", "074",
             "075", "077", "080", "082", "083", "084", "086", "087", "089", "091", "092", "094", "096"]  # fmt: skip

SOURCE_NOTES = [
    "Đoàn trường giới thiệu đoàn viên ưu tú",
    "Chi bộ phát hiện qua phong trào thi đua",
    "Đoàn trường giới thiệu (sinh viên 5 tốt)",
    "Tổ chuyên môn đề xuất",
    "Công đoàn trường giới thiệu",
    "",
]
WITHDRAW_NOTES = [
    "Chuyển công tác",
    "Xin rút vì hoàn cảnh gia đình",
    "Không tiếp tục phấn đấu",
    "Chưa đủ điều kiện, đưa khỏi danh sách nguồn",
    "Chuyển trường",
]


class Ev:
    """A ledger event before it is written: what `ketnap.people.ledger` reads from a PersonEvent."""

    __slots__ = ("id", "kind", "occurred_on", "data", "note", "corrects_id", "org_id")

    def __init__(self, kind: str, occurred_on: dt.date, data: dict, note: str = ""):
        self.id = None
        self.kind = kind
        self.occurred_on = occurred_on
        self.data = data
        self.note = note
        self.corrects_id = None
        self.org_id = None  # the person's cell when the event is recorded (`ledger.voting_unit` reads it)


@dataclass
class Fate:
    """How far a pipeline person goes, and which steps come late. `stop` names the last point reached
    before the path stalls (None: go on as far as the dates allow)."""

    stop: str | None = (
        None  # SOURCE SYMPATHISER PARTIAL APPLICANT VOTED COMMITTEE ADMITTED NOCLASS NOVOTE REMOVED
    )
    withdraw: bool = False
    extension: bool = False
    late_decision: bool = False
    late_ceremony: bool = False
    consent: bool = False
    late_recognition: bool = False
    late_recognition_decision: bool = False
    verification_twice: bool = False
    late_biography: bool = False


# Points of the walk in order; `reached` names the last one recorded.
POINTS = ["SOURCE", "SYMPATHISER", "PARTIAL", "APPLICANT", "VOTED", "COMMITTEE", "ADMITTED", "PROBATIONARY",
          "OFFICIAL"]  # fmt: skip


@dataclass
class Ctx:
    """What the walk needs to know about one pipeline person."""

    person: Person
    cell: CellInfo
    join: dt.date  # started working or studying in the school
    leave: dt.date | None  # graduation: the pre-admission path ends there
    pupil: bool = False


class PopulationBuilder:
    def __init__(self, rng: random.Random, today: dt.date, city: City, ids: Ids, calendar):
        self.rng, self.today, self.city, self.ids, self.cal = rng, today, city, ids, calendar
        self.persons: list[Person] = []
        self.events: dict[int, list[Ev]] = {}
        self._citizen_ids: set[str] = set()
        self.ward_list = city.wards

    # ------------------------------------------------------------------ small helpers
    def work(self, day: dt.date) -> dt.date:
        while not self.cal.is_working_day(day):
            day += DAY
        return day

    def after(self, day: dt.date, lo: int, hi: int) -> dt.date:
        return self.work(day + dt.timedelta(days=self.rng.randint(lo, hi)))

    def wd(self, day: dt.date, n: int) -> dt.date:
        return self.cal.add_working_days(day, n)

    def between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randint(0, max(0, (end - start).days)))

    def birth(self, year: int) -> dt.date:
        return D(year, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))

    def citizen_id(self, birth: dt.date, gender: str, local_share: float) -> str | None:
        rng = self.rng
        if rng.random() < 0.06:
            return None
        province = "079" if rng.random() < local_share else rng.choice(PROVINCES)
        century = (0 if birth.year < 2000 else 2) + (1 if gender == "F" else 0)
        while True:
            value = f"{province}{century}{birth.year % 100:02d}{rng.randint(0, 999999):06d}"
            if value not in self._citizen_ids:
                self._citizen_ids.add(value)
                return value

    def new_person(self, cell: CellInfo, *, role: str, gender: str, birth: dt.date, education: str,
                   school=None, faculty_class: str = "", yu: bool = False, excellent: bool = False,
                   graduation: dt.date | None = None, local_share: float = 0.7) -> Person:  # fmt: skip
        rng = self.rng
        name = make_name(rng, gender, birth.year)
        if cell.he or rng.random() < 0.4:
            residence = rng.choice(self.ward_list) if self.ward_list else None
        else:
            residence = cell.schools[0].ward
        person = Person(
            id=self.ids.next("person"),
            family_name=name.family,
            middle_name=name.middle,
            given_name=name.given,
            birth_date=birth,
            gender=gender,
            citizen_id=self.citizen_id(birth, gender, local_share),
            education=education,
            school_role=role,
            school=school or cell.schools[0],
            faculty_class=faculty_class[:120],
            expected_graduation=graduation,
            youth_union_member=yu,
            excellent_youth_union_member=excellent,
            residence_ward=residence,
            unit=cell.unit,
        )
        person.refresh_keys()
        self.persons.append(person)
        self.events[person.id] = []
        return person

    def record(self, person: Person, evs: list[Ev]) -> None:
        evs.sort(key=lambda e: e.occurred_on)  # stable: same-day events keep their order
        for ev in evs:
            ev.id = self.ids.next("personevent")
            ev.org_id = person.unit_id
        self.events[person.id] = evs

    # ------------------------------------------------------------------ imported members
    def department(self, cell: CellInfo) -> str:
        if cell.he:
            return cell.faculty
        return self.rng.choice(places.DEPARTMENTS.get(cell.level, ["Tổ Văn phòng"]))

    def import_members(self, cell: CellInfo) -> None:
        rng, today = self.rng, self.today
        imported_on = self.work(max(GO_LIVE, cell.history_from))
        for i in range(cell.n_members):
            if cell.he:
                role = rng.choices(["lecturer", "manager", "staff"], [70, 12, 18])[0]
                gender = "F" if rng.random() < 0.5 else "M"
            else:
                role = rng.choices(["teacher", "manager", "staff"], [78, 16, 6])[0]
                gender = (
                    "F"
                    if rng.random() < (0.85 if cell.level in ("kindergarten", "primary") else 0.68)
                    else "M"
                )
            birth = self.birth(today.year - rng.randint(28, 59))
            education = {
                "lecturer": "postgraduate",
                "manager": rng.choice(["university", "postgraduate"]),
                "teacher": rng.choice(["university"] * 4 + ["postgraduate", "college"]),
                "staff": rng.choice(["upper_secondary", "vocational", "college", "university"]),
            }[role]
            join = self.between(D(birth.year + 23, 8, 1), min(D(birth.year + 40, 8, 1), D(2020, 8, 1)))
            # The first three are official members from before the history window and never leave: every cell
            # has at least three official members on every vote date (CELL_SIZE).
            probationary = imported_on == GO_LIVE and i > 2 and rng.random() < 0.1
            person = self.new_person(cell, role=role, gender=gender, birth=birth, education=education,
                                     faculty_class=self.department(cell), local_share=0.75)  # fmt: skip
            evs = []
            if probationary:
                ceremony = self.work(imported_on - dt.timedelta(days=rng.randint(20, 330)))
                decision = self.wd(ceremony, -rng.randint(5, 25))
                evs.append(Ev("member_imported", imported_on, {
                    "stage": "PROBATIONARY", "party_age_from": decision.isoformat(),
                    "ceremony_date": ceremony.isoformat(),
                }, "Nhập dữ liệu đảng viên dự bị đang sinh hoạt"))  # fmt: skip
                end = add_months(ceremony, 12)
                course = self.after(ceremony, 30, 150)
                if course <= today:
                    evs.append(Ev("new_member_class", course, {"number": f"{rng.randint(100, 999)}-CN/TTCT"}))
                vote = self.wd(end, rng.randint(2, 20))
                helper = rng.choice(cell.members[:3]).person
                evs += self.recognition_file(ceremony, vote, helper, floor=imported_on)
                if vote <= today:
                    evs.append(Ev("recognition_vote", vote, {}))  # counted by `fill_votes`
                    decided = self.wd(vote, rng.randint(4, 22))
                    if decided <= today:
                        evs.append(Ev("recognition_decision", decided, {"number": self.number("QĐ/ĐU")}))
            else:
                start = max(D(birth.year + 21, 1, 1), join - dt.timedelta(days=400), D(1992, 1, 1))
                latest = D(2020, 6, 30) if i < 3 else D(2021, 6, 30)  # official before HISTORY_START
                decision = self.work(self.between(start, min(D(birth.year + 45, 1, 1), latest)))
                ceremony = self.wd(decision, rng.randint(4, 25))
                official = add_months(ceremony, 12)
                join = min(join, decision - dt.timedelta(days=200))
                evs.append(Ev("member_imported", imported_on, {
                    "stage": "OFFICIAL", "party_age_from": decision.isoformat(),
                    "ceremony_date": ceremony.isoformat(), "official_date": official.isoformat(),
                }, "Nhập dữ liệu đảng viên đang sinh hoạt"))  # fmt: skip
                cell.members.append(Member(person, official, join))
            self.record(person, evs)
        cell.member_count = cell.n_members

    # ------------------------------------------------------------------ pipeline persons
    def vote(self, members: int, key: str) -> dict:
        needed = max(1, -(-2 * members // 3))
        return {key: members, "in_favour": self.rng.randint(needed, members)}

    def number(self, suffix: str) -> str:
        return f"{self.rng.randint(12, 980)}-{suffix}"

    @staticmethod
    def suffix(decider) -> str:
        """Document number suffix of a committee's decisions (Quận ủy: QĐ/QU, Huyện ủy: QĐ/HU, …)."""
        return {"Q": "QĐ/QU", "H": "QĐ/HU", "T": "QĐ/TU"}.get(decider.name[0], "QĐ/ĐU")

    def member_biography(self, ceremony: dt.date, late: bool) -> Ev:
        """The new member's party-member biography (HD 12-HD/BTCTW pt 2.2): within 30 working days of the
        ceremony, a few late (MEMBER_BIOGRAPHY_DUE warnings). One not done yet by today is dated between the
        ceremony and today: every member admitted along the path has it."""
        rng, today = self.rng, self.today
        if late:
            day = self.wd(self.wd(ceremony, 30), rng.randint(3, 30))
        else:
            day = self.wd(ceremony, rng.randint(2, 27))
        if day > today:
            day = ceremony + dt.timedelta(days=rng.randint(0, (today - ceremony).days))
        return Ev("member_biography", day, {}, "Hoàn thiện lý lịch đảng viên, phiếu đảng viên")

    def recognition_file(self, ceremony: dt.date, vote: dt.date, helper: Person | None,
                         floor: dt.date | None = None, papers: int = 3) -> list[Ev]:  # fmt: skip
        """The recognition file (HD 06 pt 8.3), written in the weeks before the cell's recognition vote on
        `vote`: the probationer's self-review (10-KNĐ), the helping member's comments (11-KNĐ), then the
        consolidated comments of the mass organisations and the residence cell committee (12-KNĐ). All after the
        ceremony (and `floor`), none after the vote; papers dated after today are not written yet. `papers`: how
        many of the three get written (a file under way)."""
        rng, today = self.rng, self.today
        lo = max(ceremony + DAY, floor or ceremony)
        self_review = min(max(lo, self.wd(vote, -rng.randint(8, 20))), vote)
        helper_day = min(max(self_review, self.wd(self_review, rng.randint(1, 4))), vote)
        consolidated = min(max(helper_day, self.wd(vote, -rng.randint(1, 5))), vote)
        helper_note = f"Đảng viên giúp đỡ: {helper.full_name}" if helper is not None else ""
        file = [
            Ev("self_review", self_review, {}, "Bản tự kiểm điểm trong thời gian dự bị"),
            Ev("helper_comments", helper_day, {}, helper_note),
            Ev("recognition_comments", consolidated, {},
               "Ý kiến của các đoàn thể chính trị - xã hội và chi ủy nơi cư trú"),
        ]  # fmt: skip
        return [ev for ev in file[:papers] if ev.occurred_on <= today]

    def fill_votes(self) -> None:
        """The counts of every cell and recognition vote: `official_members` is the cell's roster of official
        members on the vote's date as the demo's ledgers tell it, and two thirds or more of them in favour.

        A person is on a cell's roster from the day they are official (the decision recognising them, for an
        imported probationary member too; for an imported official member, the official date of the import:
        they were in the cell before the system went live, though their ledger starts at the import) for as
        long as the cell holds them: from the start or a move into it (`unit_changed`) until a move out.
        Exact per date, with two sorted lists of dates per cell. The first three imported members of every cell
        are official before the history window and never move: the count is three or more (CELL_SIZE).

        Called once every path is walked (`populate`), then again by the seed after the requests between
        organisations, whose confirmed transfers move graduates out of their cells: the second call redraws
        only the votes whose count changed."""
        starts: dict[int, list[dt.date]] = defaultdict(list)
        ends: dict[int, list[dt.date]] = defaultdict(list)
        votes: list = []
        for person in self.persons:
            since, moves = None, []
            for ev in self.events[person.id]:
                kind = ev.kind
                if kind == "cell_vote" or kind == "recognition_vote":
                    votes.append(ev)
                elif kind == "recognition_decision":
                    since = ev.occurred_on
                elif kind == "member_imported" and ev.data["stage"] == "OFFICIAL":
                    since = D.fromisoformat(ev.data["official_date"])
                elif kind == "unit_changed":
                    moves.append((ev.occurred_on, ev.data["from_id"], ev.data["to_id"]))
            if since is None:
                continue
            moves.sort()
            unit, start = (moves[0][1] if moves else person.unit_id), since
            for day, _, to in moves:
                if start < day:  # on the roster of the cell left, up to the day before the move
                    starts[unit].append(start)
                    ends[unit].append(day)
                unit, start = to, max(start, day)
            starts[unit].append(start)
        for days in (*starts.values(), *ends.values()):
            days.sort()
        for ev in votes:
            day, unit = ev.occurred_on, ev.org_id
            n = bisect_right(starts[unit], day) - bisect_right(ends[unit], day)
            if n < 3:
                raise RuntimeError(f"unit {unit} has {n} official members on {day}")
            if ev.data.get("official_members") != n:
                ev.data = self.vote(n, "official_members")

    def pipeline_ctx(self, cell: CellInfo, start: dt.date, first_year: bool = False) -> tuple[Ctx, dt.date]:
        """A new pipeline person who becomes a source on (about) `start`; returns the context and the start.
        `first_year`: a student starts in the first year of study (far from graduation)."""
        rng = self.rng
        if cell.he:
            kinds = {"student": (100, 0, 0), "merged": (65, 25, 10)}.get(cell.unit.cell_kind, (0, 70, 30))
            if cell.is_grassroots_cell:
                kinds = (75, 15, 10)
            role = rng.choices(["student", "lecturer", "staff"], kinds)[0]
        else:
            pupils = cell.level in ("upper_secondary", "multi_level")
            role = rng.choices(["pupil", "teacher", "staff"], [22 if pupils else 0, 66, 12])[0]
        school = rng.choice(cell.schools)
        if role == "student":
            year_of_study = 1 if first_year else rng.choices([1, 2, 3, 4], [34, 36, 24, 6])[0]
            school_year = start.year if start.month >= 9 else start.year - 1
            enrolled = D(school_year - year_of_study + 1, 9, 5)
            start = max(start, enrolled + dt.timedelta(days=35))
            graduation = D(enrolled.year + cell.course_years, 6, 30)
            birth = self.birth(enrolled.year - rng.choices([18, 19, 20], [86, 10, 4])[0])
            gender = "F" if rng.random() < 0.55 else "M"
            klass = f"{cell.faculty}, lớp {enrolled.year % 100:02d}{cell.abbr}{rng.randint(1, 4)}"
            person = self.new_person(cell, role="student", gender=gender, birth=birth, education="upper_secondary",
                                     school=school, faculty_class=klass, yu=True, excellent=rng.random() < 0.72,
                                     graduation=graduation, local_share=0.45)  # fmt: skip
            return Ctx(person, cell, enrolled, graduation), start
        if role == "pupil":
            school_year = start.year if start.month >= 9 else start.year - 1
            start = min(max(start, D(school_year, 9, 20)), D(school_year + 1, 3, 15))
            graduation = D(school_year + 1, 5, 31)
            birth = self.birth(school_year - 17)
            gender = "F" if rng.random() < 0.58 else "M"
            person = self.new_person(cell, role="pupil", gender=gender, birth=birth, education="lower_secondary",
                                     school=school, faculty_class=f"Lớp 12A{rng.randint(1, 12)}", yu=True,
                                     excellent=rng.random() < 0.6, graduation=graduation, local_share=0.85)  # fmt: skip
            return Ctx(person, cell, D(school_year - 2, 9, 5), graduation, pupil=True), start
        # teachers, lecturers, staff: either young (youth age through the whole path) or past 31
        young = rng.random() < 0.45
        age = rng.randint(23, 26) if young else rng.randint(32, 48)
        birth = self.birth(start.year - age)
        if cell.he:
            gender = "F" if rng.random() < 0.52 else "M"
        else:
            gender = (
                "F" if rng.random() < (0.88 if cell.level in ("kindergarten", "primary") else 0.7) else "M"
            )
        if role == "lecturer":
            education = "postgraduate" if rng.random() < 0.8 else "university"
        elif role == "teacher":
            education = rng.choice(["university"] * 5 + (["college"] if cell.level == "kindergarten" else
                                                          ["postgraduate"]))  # fmt: skip
        else:
            education = rng.choice(["upper_secondary", "vocational", "college", "university"])
        earliest_job = D(birth.year + 22, 8, 15)
        if young:
            join = self.between(earliest_job, max(earliest_job, start - dt.timedelta(days=90)))
        else:
            join = self.between(
                max(earliest_job, start - dt.timedelta(days=15 * 365)), start - dt.timedelta(days=400)
            )
        yu = young and (cell.unit.has_youth_union or rng.random() < 0.5)
        person = self.new_person(cell, role=role, gender=gender, birth=birth, education=education, school=school,
                                 faculty_class=self.department(cell), yu=yu, excellent=yu and rng.random() < 0.5)  # fmt: skip
        return Ctx(person, cell, join, None), start

    # Cumulative shares of the points where a pipeline person's path stalls (the rest go on).
    STALLS = {
        "student": [(0.20, "SOURCE"), (0.38, "SYMPATHISER"), (0.43, "PARTIAL"), (0.46, "APPLICANT")],
        "other": [(0.26, "SOURCE"), (0.48, "SYMPATHISER"), (0.54, "PARTIAL"), (0.57, "APPLICANT")],
    }
    LATE_STALLS = [(0.015, "VOTED"), (0.025, "COMMITTEE"), (0.035, "ADMITTED"), (0.05, "NOCLASS"),
                   (0.07, "NOVOTE"), (0.082, "REMOVED")]  # fmt: skip

    def draw_fate(self, ctx: Ctx) -> Fate:
        rng = self.rng
        r = rng.random()
        stop = None
        if ctx.pupil:
            stop = "SOURCE" if r < 0.45 else "SYMPATHISER"
        else:
            table = self.STALLS["student" if ctx.person.school_role == "student" else "other"]
            for share, point in table:
                if r < share:
                    stop = point
                    break
            else:
                r2 = (r - table[-1][0]) / (1 - table[-1][0])
                stop = next((point for share, point in self.LATE_STALLS if r2 < share), None)
        late = rng.random()
        return Fate(
            stop=stop,
            withdraw=stop in ("SOURCE", "SYMPATHISER", "PARTIAL", "APPLICANT") and rng.random() < 0.5,
            extension=late < 0.04,
            late_decision=0.04 <= late < 0.09,
            late_ceremony=rng.random() < 0.045,
            consent=rng.random() < 0.5,
            late_recognition=rng.random() < 0.06,
            late_recognition_decision=rng.random() < 0.04,
            verification_twice=rng.random() < 0.05,
            late_biography=rng.random() < 0.06,
        )

    def walk(self, ctx: Ctx, start: dt.date, fate: Fate) -> tuple[list[Ev], str]:
        """The events of one path from `start`; returns them with the last point reached."""
        rng, today, cell, person = self.rng, self.today, ctx.cell, ctx.person
        evs: list[Ev] = []
        reached = "SOURCE"
        s = self.work(start)
        evs.append(Ev("source_identified", s, {}, rng.choice(SOURCE_NOTES)))
        last = s

        def over(day: dt.date) -> bool:
            return day > today or (ctx.leave is not None and day > ctx.leave)

        def finish(stalled: bool):
            """End of the recorded path before admission: maybe a withdrawal (or graduation)."""
            options = []
            if stalled and fate.withdraw:
                options.append((self.after(last, 120, 900), rng.choice(WITHDRAW_NOTES)))
            if ctx.leave is not None:
                note = (
                    "Tốt nghiệp THPT; giới thiệu về nơi học tập mới" if ctx.pupil else "Tốt nghiệp ra trường"
                )
                options.append((self.work(max(ctx.leave, last + DAY)), note))
            if options:
                day, note = min(options)
                if day <= today:
                    evs.append(Ev("withdrawal", day, {}, note))
                    return evs, "WITHDRAWN"
            return evs, reached

        if fate.stop == "SOURCE":
            return finish(True)
        # the party-awareness class: the first session at least 20 days after becoming a source
        sessions = [d for d in cell.classes if d >= s + dt.timedelta(days=20)]
        if not sessions:
            return finish(False)
        awareness = sessions[1] if len(sessions) > 1 and rng.random() < 0.25 else sessions[0]
        if over(awareness):
            return finish(False)
        evs.append(Ev("awareness_class", awareness, {"certificate_number": self.number("CN/TTCT")}))
        last, reached = awareness, "SYMPATHISER"
        if cell.members:
            mentor_day = self.after(awareness, 3, 25)
            if mentor_day <= today:
                mentor = rng.choice(cell.members).person
                evs.append(
                    Ev(
                        "mentor_assigned",
                        mentor_day,
                        {"mentor_id": mentor.id, "mentor_name": mentor.full_name},
                    )
                )
                person.mentor = mentor
        if fate.stop == "SYMPATHISER" or ctx.pupil:
            return finish(True)

        partial_cut = rng.randint(1, 4) if fate.stop == "PARTIAL" else 99
        application = self.after(awareness, 45, 300)
        if over(application):
            return finish(False)
        evs.append(Ev("application", application, {}))
        last, reached = application, "PARTIAL"
        biography = self.after(application, 3, 20)
        if partial_cut <= 1 or over(biography):
            return finish(partial_cut <= 1)
        evs.append(Ev("biography", biography, {}))
        last = biography

        introduced = self.after(biography, 7, 40)
        eligible = [m for m in cell.members if m.official_since < introduced]  # official on the day
        introducers = rng.sample(eligible, min(2, len(eligible)))
        if not introducers:
            return finish(True)
        cowork = {id(m): max(ctx.join, m.join) for m in introducers}
        earliest = max(add_months(c, 12) for c in cowork.values())
        if introduced < earliest:
            introduced = self.after(earliest, 1, 20)
        age = full_years(person.birth_date, introduced)
        youth = 16 <= age <= 30
        if youth and cell.unit.has_youth_union and person.youth_union_member:
            plan = ["youth_union_introduction", "member_introduction"]
        elif not cell.unit.has_youth_union and rng.random() < 0.5:
            plan = ["trade_union_introduction", "member_introduction"]
        else:
            plan = ["member_introduction", "member_introduction"]
        if plan.count("member_introduction") > len(introducers):
            return finish(True)
        if partial_cut <= 2 or over(introduced):
            return finish(partial_cut <= 2)
        docs = [introduced]
        for kind in plan:
            if kind == "member_introduction":
                m = introducers.pop(0)
                evs.append(Ev(kind, introduced, {"introducer": {
                    "name": m.person.full_name, "official_since": m.official_since.isoformat(),
                    "cowork_since": cowork[id(m)].isoformat(), "replacement": False,
                }}))  # fmt: skip
            else:
                suffix = "NQ/ĐTN" if kind == "youth_union_introduction" else "NQ/CĐCS"
                evs.append(Ev(kind, introduced, {"number": self.number(suffix)}))
        last = introduced
        comments = self.after(introduced, 5, 30)
        if partial_cut <= 3 or over(comments):
            return finish(partial_cut <= 3)
        evs.append(Ev("comments", comments, {}))
        docs.append(comments)
        last = comments
        verification = self.after(comments, 15, 60)
        if partial_cut <= 4 or over(verification):
            return finish(partial_cut <= 4)
        if fate.verification_twice:
            evs.append(
                Ev("verification", verification, {"concluded": False}, "Chờ kết quả xác minh nơi cư trú")
            )
            verification = self.after(verification, 15, 40)
            if over(verification):
                return finish(False)
        evs.append(Ev("verification", verification, {"concluded": True}))
        last, reached = verification, "APPLICANT"
        if fate.stop == "APPLICANT":
            return finish(True)

        # the cell's vote, checked as the rule book will: age, youth status, fresh documents
        cell_vote = self.after(verification, 5, 30)
        if over(cell_vote):
            return finish(False)
        vote_age = full_years(person.birth_date, cell_vote)
        fresh = all(cell_vote <= add_months(d, 12) for d in docs)
        if vote_age < 18 or vote_age > 60 or (16 <= vote_age <= 30) != youth or not fresh:
            return finish(True)
        evs.append(Ev("cell_vote", cell_vote, {}))  # counted by `fill_votes`
        last, reached = cell_vote, "VOTED"
        # a stalled decision is a recent problem: old stalls were resolved long ago
        stall_decision = self.wd(cell_vote, 60) >= today - dt.timedelta(days=120)
        if fate.stop == "VOTED" and stall_decision:
            return finish(True)
        base = cell_vote
        if not cell.is_grassroots_cell:
            committee = self.after(cell_vote, 4, 20)
            if over(committee):
                return finish(False)
            evs.append(Ev("committee_vote", committee, self.vote(cell.committee_size, "members")))
            last, base = committee, committee
        reached = "COMMITTEE"
        if fate.stop == "COMMITTEE" and stall_decision:
            return finish(True)

        # the decision (60 working days from the cell's resolution, +30 with an extension)
        due = self.wd(cell_vote, 60)
        if fate.extension:
            extended = max(self.wd(cell_vote, rng.randint(40, 58)), base + DAY)
            if extended > today:
                return finish(False)
            evs.append(
                Ev("decision_extension", self.work(extended), {"days": 30}, "Chờ kết quả thẩm tra bổ sung")
            )
            decided = self.wd(due, rng.randint(1, 28))
        elif fate.late_decision:
            decided = self.wd(due, rng.randint(2, 35))
        else:
            decided = min(self.after(base, 7, 50), due)
        if over(decided):
            return finish(False)
        higher = cell.higher_on(decided)
        data: dict = {}
        if not cell.is_grassroots_cell and cell.authorized_on(decided) and rng.random() < 0.85:
            data.update(number=self.number("QĐ/ĐU"), decider_id=cell.grassroots.pk,
                        decider_name=cell.grassroots.name, authorized=True,
                        **self.vote(cell.committee_size, "members"))  # fmt: skip
        else:
            data.update(
                number=self.number(self.suffix(higher)),
                decider_id=higher.pk,
                decider_name=higher.name,
                authorized=False,
            )
        received = min(self.wd(decided, rng.randint(0, 4)), today)
        data["received"] = received.isoformat()
        evs.append(Ev("decision", decided, data))
        last, reached = decided, "ADMITTED"
        if fate.stop == "ADMITTED" and self.wd(received, 30) >= today - dt.timedelta(days=120):
            return finish(True)

        # the ceremony (30 working days from receiving the decision)
        due = self.wd(received, 30)
        if fate.late_ceremony:
            if fate.consent:
                consent = self.wd(received, rng.randint(15, 28))
                if consent > today:
                    return finish(False)
                evs.append(Ev("ceremony_consent", consent, {}, "Đảng ủy cấp trên đồng ý tổ chức lễ muộn"))
            ceremony = self.wd(due, rng.randint(3, 25))
        else:
            ceremony = min(self.after(received, 5, 40), due)
        if ceremony > today:
            return finish(False)
        evs.append(Ev("ceremony", ceremony, {}))
        last, reached = ceremony, "PROBATIONARY"
        biography = self.member_biography(ceremony, fate.late_biography)

        # probation: the new-member class, then the recognition vote and decision
        probation_end = add_months(ceremony, 12)
        course = self.after(ceremony, 30, 200)
        if fate.stop == "REMOVED":
            removed = self.after(ceremony, 60, 330)
            if course < removed and course <= today:
                evs.append(Ev("new_member_class", course, {"number": self.number("CN/TTCT")}))
            if biography.occurred_on < removed or removed > today:
                evs.append(biography)
            if removed <= today:
                evs.append(Ev("removal", removed, {"number": self.number("QĐ/ĐU")},
                              "Không đủ tư cách đảng viên trong thời gian dự bị"))  # fmt: skip
                return evs, "REMOVED"
            return evs, reached
        evs.append(biography)
        stall_recognition = self.wd(probation_end, 30) >= today - dt.timedelta(days=150)
        if (fate.stop == "NOCLASS" and stall_recognition) or course > today:
            return evs, reached
        evs.append(Ev("new_member_class", course, {"number": self.number("CN/TTCT")}))
        due = self.wd(probation_end, 30)
        if fate.late_recognition:
            voted = self.wd(due, rng.randint(2, 30))
        else:
            voted = self.wd(probation_end, rng.randint(1, 28))
        if fate.stop == "NOVOTE" and stall_recognition:
            # the vote stalls: the file is incomplete (none, or some of its papers written)
            evs += self.recognition_file(ceremony, voted, person.mentor, papers=rng.randint(0, 2))
            return evs, reached
        evs += self.recognition_file(ceremony, voted, person.mentor)
        if voted > today:
            return evs, reached
        evs.append(Ev("recognition_vote", voted, {}))  # counted by `fill_votes`
        due = self.wd(voted, 30)
        if fate.late_recognition_decision:
            decided = self.wd(due, rng.randint(2, 20))
        else:
            decided = self.wd(voted, rng.randint(3, 25))
        if decided > today:
            return evs, reached
        number = self.number(
            self.suffix(cell.grassroots if cell.authorized_on(decided) else cell.higher_on(decided))
        )
        evs.append(Ev("recognition_decision", decided, {"number": number}))
        return evs, "OFFICIAL"

    def pipeline_person(self, cell: CellInfo, start: dt.date, fate: Fate | None = None) -> tuple[Person, str]:
        ctx, start = self.pipeline_ctx(cell, start)
        fate = fate or self.draw_fate(ctx)
        evs, reached = self.walk(ctx, start, fate)
        if ctx.person.mentor is not None and reached in ("WITHDRAWN", "REMOVED", "OFFICIAL"):
            ctx.person.mentor = None
        self.record(ctx.person, evs)
        return ctx.person, reached

    # ------------------------------------------------------------------ hand-placed persons
    def placed(self, cell: CellInfo, want: str, fate: Fate, span_days: int, extra_days: int = 0) -> Person:
        """A person whose path reaches exactly `want` by today: about the latest start (going back from
        `span_days` ago) that gets there, moved `extra_days` earlier still to make the next step overdue."""
        start = self.today - dt.timedelta(days=span_days)
        for attempt in range(240):
            ctx, first = self.pipeline_ctx(cell, start - dt.timedelta(days=extra_days), first_year=True)
            evs, reached = self.walk(ctx, first, fate)
            if reached == want:
                self.record(ctx.person, evs)
                return ctx.person
            self.persons.pop()  # discard the try (its id stays unused)
            del self.events[ctx.person.id]
            if attempt % 3 == 2:  # three tries per start date, then 20 days earlier
                start -= dt.timedelta(days=20)
        raise RuntimeError(f"cannot place a {want} person in {cell.unit.code}")
