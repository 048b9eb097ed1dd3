"""The directive's indicators (DOMAIN.md §5), the pipeline measures and the weakness lists: what each one
means, and the arithmetic on plain records. Pure Python: no Django, no clock (every date is passed in).

How the numbers are made (the Django side, ``ketnap/targets``, loads the records and stores the totals):

* A **window** is a school year (1/9–31/8 by default; the start is configurable) or a calendar year.
* The **tree at the window's end**: every unit that existed during the window hangs under its parent on the
  window's last day (a unit dissolved during the window: under its parent on its last day). A cell moved to
  another parent mid-year therefore counts under the parent it had at the window's end.
* Each **person** contributes counters to ``(window, unit)`` cells: flows (persons with an event dated in the
  window, counted once per flow at the ``org`` of their first such event, the organisation that held the
  person then, so a transfer never moves an admission) and stocks (members, pool, at the unit that held the
  person then); in the open window, the dossiers in progress by stage and age (see "projection").
  Admissions are ``decision`` events recorded in Ketnap; an existing member entered by import
  (``member_imported``) is a member from the import's ``party_age_from`` but never an admission: the
  admission happened elsewhere, before the unit kept its records here, and is not the importing unit's.
* Each unit gets **static** facts from the tree and the schools (is it a K-12 cell, a cell directly under a
  university's committee, an eligible student cell, exempt for "no source left") and **flags** computed from
  its totals (admitted ≥ 2, ≥ 1 teacher, …). Totals add up the tree: a unit's total is its own counters and
  flags plus its children's totals. An indicator is numerator total / denominator total at one unit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache
from operator import add as _add
from typing import Any

from .calendar import Calendar, add_months

__all__ = [
    "DEFAULT_PARAMS",
    "FLAG_FIELDS",
    "HE_LEVELS",
    "INDICATORS",
    "K12_LEVELS",
    "MEASURES",
    "TOTAL_FIELDS",
    "WEAKNESSES",
    "EventRec",
    "Indicator",
    "LinkRec",
    "Node",
    "Params",
    "PersonRec",
    "SchoolRec",
    "UnitRec",
    "Weakness",
    "Window",
    "calendar_year",
    "contributions",
    "effective_events",
    "meets",
    "median",
    "own_totals",
    "pool_holder",
    "pool_start",
    "Forecast",
    "Projection",
    "StageModel",
    "below_floor",
    "choose_models",
    "exact",
    "forecast",
    "ratio_of",
    "window_projection",
    "school_year",
    "school_year_of",
    "status",
    "totals_for_tree",
    "unit_flags",
    "value_of",
    "window_from_key",
    "window_tree",
    "prepare_tree",
    "TreeData",
]

DAY = dt.timedelta(days=1)

# School levels (the values of orgs.School.Level; a test keeps them equal).
K12_LEVELS = frozenset({"kindergarten", "primary", "lower_secondary", "upper_secondary", "multi_level"})
HE_LEVELS = frozenset({"professional_secondary", "college", "university"})

CELL_KINDS = frozenset({"cell", "grassroots_cell"})
TEACHER_ROLES = frozenset({"teacher"})


# ---------------------------------------------------------------------------------------------- windows


@dataclass(frozen=True, order=True)
class Window:
    """A reporting window: ``kind`` "SY" (school year, named by the year it starts) or "CY" (calendar)."""

    kind: str
    year: int
    start: dt.date
    end: dt.date  # inclusive

    @property
    def key(self) -> str:
        return f"{self.kind}{self.year}"

    @property
    def label(self) -> str:
        return f"{self.year}–{self.year + 1}" if self.kind == "SY" else str(self.year)

    @property
    def long_label(self) -> str:
        return f"năm học {self.label}" if self.kind == "SY" else f"năm {self.label}"

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def school_year(year: int, start: tuple[int, int] = (9, 1)) -> Window:
    """The school year that starts in ``year`` (default 1/9/year – 31/8/year+1)."""
    month, day = start
    return Window("SY", year, dt.date(year, month, day), dt.date(year + 1, month, day) - DAY)


def calendar_year(year: int) -> Window:
    return Window("CY", year, dt.date(year, 1, 1), dt.date(year, 12, 31))


def school_year_of(day: dt.date, start: tuple[int, int] = (9, 1)) -> int:
    """The year the school year containing ``day`` starts in: 31/8/2026 → 2025, 1/9/2026 → 2026."""
    return day.year if day >= dt.date(day.year, *start) else day.year - 1


def window_from_key(key: str, start: tuple[int, int] = (9, 1)) -> Window:
    kind, year = key[:2], int(key[2:])
    if kind == "SY":
        return school_year(year, start)
    if kind == "CY":
        return calendar_year(year)
    raise ValueError(f"unknown window kind in {key!r}")


def window_of(kind: str, day: dt.date, start: tuple[int, int] = (9, 1)) -> Window:
    return school_year(school_year_of(day, start), start) if kind == "SY" else calendar_year(day.year)


# ---------------------------------------------------------------------------------------------- totals

# Counters a person contributes to (window, unit). Flows count PERSONS, not events: a person counts once per
# flow and window, at the organisation of their first such event in the window (a second awareness class in
# the same year is not a second sympathiser).
FLOW_FIELDS = (
    "sources",  # became a source (source_identified)
    "sympathisers",  # took the awareness class (awareness_class)
    "applicants",  # wrote the application (application)
    "approved",  # the cell proposed the admission (cell_vote, which is recorded only when it passes)
    "admitted",  # admission decision recorded here (decision; never an imported member's)
    "admitted_teacher",
    "admitted_excellent",  # admitted with the Youth Union's introducing resolution (4-KNĐ) in the dossier
    "inducted",  # the admission ceremony
    "recognised",  # recognition decision
    "recognised_on_time",
    "removed",  # removed from the probationer list
    "withdrawn",  # left the list before admission
)

# ---- the pipeline model of the year-end projection (see "projection" below)
# Stages of a dossier in progress, the ledger kind that enters each, and the flow that counts the entries.
PIPE_STAGES = ("SYMPATHISER", "APPLICANT", "APPROVED")
PIPE_OF = {"SYMPATHISER": "SYMPATHISER", "APPLICANT": "APPLICANT", "CELL_APPROVED": "APPROVED",
           "COMMITTEE_APPROVED": "APPROVED"}  # fmt: skip
PIPE_KEY = {"SYMPATHISER": "sym", "APPLICANT": "app", "APPROVED": "apr"}
ENTRY_KIND = {"SYMPATHISER": "awareness_class", "APPLICANT": "application", "APPROVED": "cell_vote"}
ENTRY_FLOW = {"SYMPATHISER": "sympathisers", "APPLICANT": "applicants", "APPROVED": "approved"}
PIPE_LABELS = {
    "SYMPATHISER": "Cảm tình đảng (đã học lớp nhận thức)",
    "APPLICANT": "Đối tượng (đã làm đơn)",
    "APPROVED": "Chi bộ đã xét, chờ quyết định",
}
# Upper edges (days) of the bins of a lead time (entering the stage → decision) and of a dossier's age in the
# stage; the last bin is open: a dossier that old (twice the usual lead and more: an applicant stuck for
# years) is all but never decided, and the histogram of the leads says so.
LEAD_EDGES = {
    "SYMPATHISER": (180, 365, 540, 1080),
    "APPLICANT": (90, 180, 270, 540),
    "APPROVED": (30, 60, 90, 180),
}
N_BINS = 5
LEAD_FIELDS = tuple(
    f"lead_{PIPE_KEY[s]}{i}" for s in PIPE_STAGES for i in range(N_BINS)
)  # flows, at decisions
# The stage after each (a dossier moves on by its entry event), and the time spent in a stage by those who
# moved on (flows, at the next stage's entry: the application, the cell's vote).
NEXT_STAGE = {"SYMPATHISER": "APPLICANT", "APPLICANT": "APPROVED"}
STEP_FIELDS = tuple(f"step_{PIPE_KEY[s]}{i}" for s in NEXT_STAGE for i in range(N_BINS))
NOW_FIELDS = tuple(f"now_{PIPE_KEY[s]}{i}" for s in PIPE_STAGES for i in range(N_BINS))  # open window only

STOCK_FIELDS = ("pool_end", "members_start", "members_end")
# The open window only (as of the day the window's projection was taken, `Projection.as_of`): dossiers in
# progress by stage and age, those left out (past a rule deadline, or blocked by an error of the rule book),
# and the expected admissions (thousandths of a person) under the window's model, for the cells' "can reach".
PROJECTION_FIELDS = NOW_FIELDS + ("now_stale", "now_blocked", "proj_milli", "proj_teacher_milli")
PERSON_FIELDS = FLOW_FIELDS + LEAD_FIELDS + STEP_FIELDS + STOCK_FIELDS + PROJECTION_FIELDS
HE_NOW_FIELDS = tuple(f"he_{f}" for f in NOW_FIELDS)
# Own counters that exist only through the unit's place in the tree (higher education) or its schools.
LINEAR_FIELDS = ("he_admitted", "he_excellent", *HE_NOW_FIELDS, "k12_schools", "k12_schools_org")
# The higher-education copies of a unit's own counters (a unit of a university, college or professional school).
HE_COPIES = (("admitted", "he_admitted"), ("admitted_excellent", "he_excellent"),
             *((f, f"he_{f}") for f in NOW_FIELDS))  # fmt: skip
# Flags of one cell, from its totals; a unit's total of a flag is the number of such cells in its subtree.
FLAG_FIELDS = (
    "cells",
    "cells_admitting",
    "k12_cells",
    "k12_cells_two",
    "k12_cells_teacher",
    "k12_cells_two_reach",
    "k12_cells_teacher_reach",
    "he_subcells",
    "he_subcells_ok",
    "he_subcells_reach",
    "he_student_cells",
    "he_student_cells_ok",
    "he_student_cells_reach",
    "lagging",
)
TOTAL_FIELDS = PERSON_FIELDS + LINEAR_FIELDS + FLAG_FIELDS

FLOW_KINDS = {
    "source_identified": "sources",
    "awareness_class": "sympathisers",
    "application": "applicants",
    "cell_vote": "approved",
    "decision": "admitted",
    "ceremony": "inducted",
    "recognition_decision": "recognised",
    "removal": "removed",
    "withdrawal": "withdrawn",
}
# The Youth Union's resolution introducing an excellent member (mẫu 4-KNĐ): what makes an admitted person an
# "excellent Youth Union member" for HE_EXCELLENT_YOUTH (not the editable tick-box on the person).
EXCELLENT_KIND = "youth_union_introduction"
# Events that change the organisation holding a person; the destination is in `data` under one of these keys.
MOVE_KINDS = frozenset({"unit_changed", "transfer_confirmed", "introduction_confirmed"})
MOVE_KEYS = ("to_id", "into_id")  # unit_changed / transfer_ and introduction_confirmed (interorg)


@dataclass(frozen=True)
class Params:
    """Assumptions of the year-end projection and thresholds of the weakness lists (all configurable)."""

    recognition_working_days: int = 60  # 30 for the cell's vote + 30 for the decision
    student_cell_age_months: int = 12  # HE_STUDENT_CELLS: founded at least this long before the window's end
    pool_min: int = 5  # W_POOL_GT_ADMISSIONS: pool at least this large…
    pool_ratio: float = 0.2  # …and admissions below this share of it
    never_years: int = 3  # W_CELLS_NEVER_ADMIT: no admission in this many school years
    staff_members: int = 100  # W_MANY_MEMBERS_NO_STAFF: members at which full-time party staff is expected
    # The projection learns from this many school years before the current one…
    projection_years: int = 3
    # …at the unit when it had at least this many entries into a stage and admissions after it, else at its
    # parent (and so on up the tree).
    projection_min_entered: int = 30
    projection_min_decided: int = 10
    projection_z: float = 1.645  # the range is a 90 % interval (two-sided z of 1.645)


DEFAULT_PARAMS = Params()


# ---------------------------------------------------------------------------------------------- registry


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str  # short Vietnamese name
    explanation: str
    population: str
    numerator: str
    denominator: str  # "" for a count
    exemptions: str
    source: str
    window_kind: str  # "SY" | "CY"
    num: str  # total field of the numerator
    den: str | None  # total field of the denominator (None: the indicator is a count)
    target: float | None  # default target (a share 0..1, or a count)
    strict: bool = False  # the target must be exceeded (>) rather than reached (>=)
    group: str = "ALL"  # "K12" | "HE" | "ALL" | "PIPELINE"
    drill: str = "units"  # what opens behind the numerator: "units" (cells) or "persons"
    population_flag: str = ""  # flag field of the units in the population (drill "units")
    ok_flag: str = ""  # flag field of the units counted in the numerator
    reach_flag: str = ""  # flag of units that can still reach it with the dossiers in progress
    directive: bool = True  # one of the directive's targets (shown first, with a status colour)
    inherit: bool = True  # a target set for a unit applies to its subtree unless a lower unit sets its own
    short: str = ""  # column header
    default_from: str = "Chỉ thị"  # the text the default target comes from, as in "Mặc định theo Chỉ thị"

    @property
    def label(self) -> str:
        return self.short or self.name

    @property
    def default_label(self) -> str:
        """Where a unit's target comes from when no committee set one: the text that sets the default."""
        return f"Mặc định theo {self.default_from}"

    @property
    def is_share(self) -> bool:
        return self.den is not None

    @property
    def comparison(self) -> str:
        return ">" if self.strict else "≥"


# Where the targets come from, as a committee clerk names the texts (shown on the indicator pages).
DIRECTIVE = (
    "Chỉ thị của Ban Thường vụ Thành ủy về tăng cường lãnh đạo công tác kết nạp đảng viên trong giảng viên, "
    "giáo viên, sinh viên và học sinh"
)
CITY_LETTER = "Văn bản của Thành ủy ngày 04/11/2025 về chỉ tiêu kết nạp đảng viên hằng năm"

_INDICATORS = [
    Indicator(
        "K12_SCHOOLS_WITH_ORG",
        "Trường phổ thông, mầm non có tổ chức đảng",
        "Tỷ lệ trường mầm non, tiểu học, trung học cơ sở, trung học phổ thông có tổ chức đảng (chi bộ hoặc "
        "đảng bộ) đang hoạt động vào ngày cuối của năm học.",
        "Trường mầm non, tiểu học, THCS, THPT, trường nhiều cấp học",
        "Số trường có tổ chức đảng",
        "Số trường",
        "Không",
        DIRECTIVE,
        "SY",
        "k12_schools_org",
        "k12_schools",
        1.0,
        group="K12",
        short="Trường có tổ chức đảng",
    ),
    Indicator(
        "K12_CELL_TWO",
        "Chi bộ trường phổ thông kết nạp từ 2 đảng viên",
        "Tỷ lệ chi bộ trong các trường mầm non, phổ thông kết nạp được ít nhất 2 đảng viên trong năm học "
        "(tính theo ngày ghi trong quyết định kết nạp).",
        "Chi bộ đang hoạt động trong trường mầm non, tiểu học, THCS, THPT",
        "Số chi bộ kết nạp từ 2 đảng viên",
        "Số chi bộ",
        "Chi bộ được ghi nhận «không còn nguồn» trong năm học",
        DIRECTIVE,
        "SY",
        "k12_cells_two",
        "k12_cells",
        1.0,
        group="K12",
        population_flag="k12_cells",
        ok_flag="k12_cells_two",
        reach_flag="k12_cells_two_reach",
        short="Chi bộ kết nạp ≥ 2",
    ),
    Indicator(
        "K12_CELL_TEACHER",
        "Chi bộ trường phổ thông kết nạp giáo viên",
        "Tỷ lệ chi bộ trong các trường mầm non, phổ thông kết nạp được ít nhất 1 giáo viên trong năm học.",
        "Chi bộ đang hoạt động trong trường mầm non, tiểu học, THCS, THPT",
        "Số chi bộ kết nạp từ 1 giáo viên",
        "Số chi bộ",
        "Chi bộ được ghi nhận «không còn nguồn» trong năm học",
        DIRECTIVE,
        "SY",
        "k12_cells_teacher",
        "k12_cells",
        1.0,
        group="K12",
        population_flag="k12_cells",
        ok_flag="k12_cells_teacher",
        reach_flag="k12_cells_teacher_reach",
        short="Chi bộ kết nạp giáo viên",
    ),
    Indicator(
        "HE_ADMISSIONS",
        "Kết nạp đảng viên trong đại học, cao đẳng, trung cấp",
        "Số đảng viên được kết nạp trong năm học tại các tổ chức đảng của trường đại học, cao đẳng, trung "
        "cấp chuyên nghiệp. Chỉ tiêu mặc định (1.000) là của toàn thành phố; cấp trên giao chỉ tiêu cho "
        "từng đơn vị.",
        "Tổ chức đảng của trường đại học, cao đẳng, trung cấp chuyên nghiệp",
        "Số người có quyết định kết nạp trong năm học",
        "",
        "Không",
        DIRECTIVE,
        "SY",
        "he_admitted",
        None,
        1000,
        group="HE",
        drill="persons",
        inherit=False,
        short="Kết nạp ĐH, CĐ, TC",
    ),
    Indicator(
        "HE_EXCELLENT_YOUTH",
        "Tỷ lệ đoàn viên ưu tú trong số được kết nạp",
        "Trong số đảng viên được kết nạp trong năm học tại các trường đại học, cao đẳng, trung cấp, tỷ lệ là "
        "đoàn viên ưu tú.",
        "Người được kết nạp trong năm học tại các trường đại học, cao đẳng, trung cấp",
        "Số đoàn viên ưu tú được kết nạp",
        "Số người được kết nạp",
        "Không",
        DIRECTIVE,
        "SY",
        "he_excellent",
        "he_admitted",
        0.6,
        strict=True,
        group="HE",
        drill="persons",
        short="Đoàn viên ưu tú",
    ),
    Indicator(
        "HE_SUBCELLS",
        "Chi bộ trực thuộc đảng ủy trường đại học, cao đẳng có kết nạp",
        "Tỷ lệ chi bộ trực thuộc đảng ủy các trường đại học, cao đẳng, trung cấp (theo cây tổ chức ngày cuối "
        "năm học) kết nạp được ít nhất 1 đảng viên trong năm học.",
        "Chi bộ trực thuộc đảng ủy cơ sở của trường đại học, cao đẳng, trung cấp",
        "Số chi bộ kết nạp từ 1 đảng viên",
        "Số chi bộ trực thuộc",
        "Không",
        DIRECTIVE,
        "SY",
        "he_subcells_ok",
        "he_subcells",
        0.7,
        strict=True,
        group="HE",
        population_flag="he_subcells",
        ok_flag="he_subcells_ok",
        reach_flag="he_subcells_reach",
        short="Chi bộ trực thuộc có kết nạp",
    ),
    Indicator(
        "HE_STUDENT_CELLS",
        "Chi bộ sinh viên có kết nạp",
        "Tỷ lệ chi bộ sinh viên (thành lập từ 12 tháng trở lên tính đến ngày cuối năm học) kết nạp được ít "
        "nhất 1 đảng viên trong năm học.",
        "Chi bộ sinh viên của trường đại học, cao đẳng, trung cấp, thành lập ≥ 12 tháng trước ngày cuối năm "
        "học",
        "Số chi bộ sinh viên kết nạp từ 1 đảng viên",
        "Số chi bộ sinh viên",
        "Chi bộ sinh viên thành lập chưa đủ 12 tháng",
        DIRECTIVE,
        "SY",
        "he_student_cells_ok",
        "he_student_cells",
        1.0,
        group="HE",
        population_flag="he_student_cells",
        ok_flag="he_student_cells_ok",
        reach_flag="he_student_cells_reach",
        short="Chi bộ sinh viên có kết nạp",
    ),
    Indicator(
        "ADMISSIONS_PER_MEMBERS",
        "Kết nạp trong năm so với tổng số đảng viên",
        "Số đảng viên kết nạp trong năm dương lịch so với tổng số đảng viên (chính thức và dự bị) đầu năm.",
        "Toàn bộ tổ chức đảng trong phạm vi",
        "Số người có quyết định kết nạp trong năm",
        "Số đảng viên ngày 31/12 năm trước",
        "Không",
        CITY_LETTER,
        "CY",
        "admitted",
        "members_start",
        0.03,
        group="ALL",
        drill="persons",
        short="Kết nạp / đảng viên",
        default_from="văn bản của Thành ủy ngày 04/11/2025",
    ),
]
INDICATORS: dict[str, Indicator] = {i.id: i for i in _INDICATORS}
DIRECTIVE_IDS = tuple(i.id for i in _INDICATORS)

_MEASURES = [
    Indicator("POOL_SIZE", "Nguồn đang bồi dưỡng", "Số người trong nguồn (chưa có quyết định kết nạp, chưa "
              "rút) vào ngày cuối của kỳ.", "Người trong nguồn", "Số người", "", "Không", "", "SY", "pool_end",
              None, None, group="PIPELINE", drill="persons", directive=False, inherit=False),
    Indicator("CONV_SOURCE_SYMPATHISER", "Nguồn → cảm tình đảng", "Số người học lớp nhận thức về Đảng trong "
              "kỳ so với số người được đưa vào nguồn trong kỳ.", "Người đưa vào nguồn trong kỳ",
              "Số người học lớp nhận thức", "Số người vào nguồn", "Không", "", "SY", "sympathisers", "sources",
              None, group="PIPELINE", drill="persons", directive=False),
    Indicator("CONV_SYMPATHISER_APPLICANT", "Cảm tình đảng → đối tượng", "Số người làm đơn xin vào Đảng "
              "trong kỳ so với số người học lớp nhận thức trong kỳ.", "Cảm tình đảng",
              "Số người làm đơn", "Số người học lớp nhận thức", "Không", "", "SY", "applicants",
              "sympathisers", None, group="PIPELINE", drill="persons", directive=False),
    Indicator("CONV_APPLICANT_ADMITTED", "Đối tượng → kết nạp", "Số người có quyết định kết nạp trong kỳ so "
              "với số người làm đơn trong kỳ.", "Đối tượng kết nạp", "Số người được kết nạp",
              "Số người làm đơn", "Không", "", "SY", "admitted", "applicants", None, group="PIPELINE",
              drill="persons", directive=False),
    Indicator("CONV_ADMITTED_RECOGNISED", "Kết nạp → chính thức", "Số người được công nhận đảng viên chính "
              "thức trong kỳ so với số người được kết nạp trong kỳ.", "Đảng viên dự bị",
              "Số người được công nhận chính thức", "Số người được kết nạp", "Không", "", "SY", "recognised",
              "admitted", None, group="PIPELINE", drill="persons", directive=False),
    Indicator("RECOGNISED_ON_TIME", "Công nhận chính thức đúng hạn", "Tỷ lệ quyết định công nhận đảng viên "
              "chính thức trong kỳ được ban hành trong vòng 60 ngày làm việc sau khi hết 12 tháng dự bị (30 "
              "ngày chi bộ xét và 30 ngày cấp ủy quyết định).", "Người được công nhận chính thức trong kỳ",
              "Số người được công nhận đúng hạn", "Số người được công nhận", "Không", "Điều lệ Đảng điều 5; "
              "QĐ 294-QĐ/TW điểm 4.2", "SY", "recognised_on_time", "recognised", 1.0, group="PIPELINE",
              drill="persons", directive=False),
]  # fmt: skip
MEASURES: dict[str, Indicator] = {i.id: i for i in _MEASURES}
ALL_INDICATORS: dict[str, Indicator] = {**INDICATORS, **MEASURES}

# The pipeline funnel, in order: (label, total field).
FUNNEL = (
    ("Vào nguồn", "sources"),
    ("Học lớp nhận thức (cảm tình đảng)", "sympathisers"),
    ("Làm đơn (đối tượng)", "applicants"),
    ("Được kết nạp", "admitted"),
    ("Được công nhận chính thức", "recognised"),
)
# Steps whose median duration (working days) the pipeline page shows: (label, from kind, to kind); the flow
# that counts the persons completing each is FLOW_KINDS[to kind].
STEPS = (
    ("Vào nguồn → học lớp nhận thức", "source_identified", "awareness_class"),
    ("Học lớp nhận thức → làm đơn", "awareness_class", "application"),
    ("Làm đơn → chi bộ xét", "application", "cell_vote"),
    ("Chi bộ xét → quyết định kết nạp", "cell_vote", "decision"),
    ("Quyết định → lễ kết nạp", "decision", "ceremony"),
    ("Lễ kết nạp → công nhận chính thức", "ceremony", "recognition_decision"),
)


@dataclass(frozen=True)
class Weakness:
    id: str
    name: str
    explanation: str
    shows: str  # "units" | "persons" | "schools"


WEAKNESSES: dict[str, Weakness] = {
    w.id: w
    for w in [
        Weakness("W_POOL_GT_ADMISSIONS", "Nguồn lớn nhưng kết nạp ít",
                 "Chi bộ có từ 5 người trong nguồn vào ngày cuối năm học nhưng số kết nạp trong năm học dưới "
                 "20% số nguồn.", "units"),
        Weakness("W_CELLS_NEVER_ADMIT", "Chi bộ nhiều năm không kết nạp",
                 "Chi bộ đang hoạt động, thành lập trước 3 năm học gần nhất, không kết nạp được đảng viên nào "
                 "trong 3 năm học đó.", "units"),
        Weakness("W_STUDENTS_FAILED_RECOGNITION", "Học sinh, sinh viên bị xóa tên khi dự bị",
                 "Đảng viên dự bị là học sinh, sinh viên bị xóa tên trong năm học; cột «nơi kết nạp» cho "
                 "biết người được kết nạp ở tổ chức khác rồi chuyển đến.", "persons"),
        Weakness("W_MANY_MEMBERS_NO_STAFF", "Trường đông đảng viên, không có cán bộ chuyên trách",
                 "Trường có từ 100 đảng viên trở lên trong tổ chức đảng của trường nhưng không có cán bộ "
                 "chuyên trách công tác đảng.", "schools"),
        Weakness("W_MERGED_CELLS", "Chi bộ sinh hoạt ghép",
                 "Chi bộ ghép đang hoạt động (nhiều trường hoặc nhiều đơn vị sinh hoạt chung một chi bộ).",
                 "units"),
        Weakness("W_HE_NO_STUDENT_CELL", "Trường đại học, cao đẳng chưa có chi bộ sinh viên",
                 "Trường đại học, cao đẳng, trung cấp có tổ chức đảng nhưng chưa có chi bộ sinh viên nào "
                 "đang hoạt động.", "schools"),
        Weakness("W_GRADUATES_NOT_TRANSFERRED", "Sinh viên tốt nghiệp chưa chuyển sinh hoạt",
                 "Đảng viên là học sinh, sinh viên đã tốt nghiệp, đã quá hạn phải bắt đầu chuyển sinh hoạt đảng "
                 "theo quy định (tính từ ngày tốt nghiệp, hoặc từ ngày hết thời gian trường giữ sinh hoạt) mà tổ "
                 "chức đảng của trường vẫn đang quản lý: chưa gửi giấy chuyển sinh hoạt, hoặc giấy đã bị trả lại, "
                 "bị hủy.", "persons"),
    ]
}  # fmt: skip


# ---------------------------------------------------------------------------------------------- values


def exact(x) -> Fraction:
    """A number as an exact fraction. A float is taken at its shortest decimal form (a target typed as 70 % is
    stored as 0.7 and compared as 7/10, never as the binary float nearest to it)."""
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    return _exact_float(float(x))


@lru_cache(maxsize=4096)
def _exact_float(x: float) -> Fraction:
    return Fraction(repr(x))


def ratio_of(ind: Indicator, totals: Mapping[str, int]) -> Fraction | int | None:
    """The indicator's exact value from a unit's totals: a share as a fraction (None when the denominator is
    0), or a count."""
    num = totals.get(ind.num, 0) or 0
    if ind.den is None:
        return num
    den = totals.get(ind.den, 0) or 0
    return Fraction(num, den) if den else None


def value_of(ind: Indicator, totals: Mapping[str, int]) -> float | None:
    """The indicator's value as a float (for display and charts); compare with `meets` on `ratio_of`."""
    value = ratio_of(ind, totals)
    return None if value is None else float(value) if ind.den is not None else value


def meets(ind: Indicator, value, target) -> bool | None:
    """Whether the value reaches the target (or exceeds it, for a strict target), compared exactly: 2,999 of
    3,000 cells do not meet a 100 % target, and 70.03 % exceeds "> 70 %". Pass the exact value (`ratio_of`)."""
    if value is None or target is None:
        return None
    value, target = exact(value), exact(target)
    return value > target if ind.strict else value >= target


def below_floor(ind: Indicator, value) -> bool:
    """A target set below the default of the text that sets the indicator (the directive's floor): 40 % for a
    "> 60 %" indicator. Counts (HE_ADMISSIONS) have no floor per unit: the text's default is the root's."""
    if value is None or ind.target is None or not ind.is_share:
        return False
    return exact(value) < exact(ind.target)


def status(ind: Indicator, value, target, *, final: bool, projected=None) -> str:
    """ "met" (green), "on_track" (yellow: not yet, but the projection reaches it), "behind" (red),
    "none" (no target or no population)."""
    ok = meets(ind, value, target)
    if ok is None:
        return "none"
    if ok:
        return "met"
    if not final and meets(ind, projected, target):
        return "on_track"
    return "behind"


def median(values: Iterable[float]) -> float | None:
    data = sorted(values)
    if not data:
        return None
    mid = len(data) // 2
    return float(data[mid]) if len(data) % 2 else (data[mid - 1] + data[mid]) / 2


# ---------------------------------------------------------------------------------------------- projection
#
# The year-end projection of admissions, learned from history instead of fixed assumptions:
#
# * For each stage of a dossier in progress (sympathiser, applicant, approved by the cell), the unit's history
#   of the last `projection_years` school years gives the CONVERSION SHARE (admissions of persons who went
#   through the stage ÷ entries into the stage) and the LEAD TIME from entering the stage to the decision
#   (a histogram in four bins). A unit with fewer than `projection_min_entered` entries or
#   `projection_min_decided` such admissions uses its parent's history (and so on up the tree).
# * A dossier approved by the cell `a` days ago, with `h` days left in the window, is decided by the window's
#   end with probability  s·(F(a+h) − F(a)) / (1 − s·F(a)),  s the share, F the lead-time distribution: the
#   chance of a decision in the next h days for a dossier still undecided after a days.
# * A sympathiser or applicant still in the stage after `a` days is judged by the time those who moved on
#   spent in it (a histogram E, recorded at the next stage's entry) and the next stage's own model: with q
#   the share that moved on, it moves on at e > a and is then decided within a + h − e with the next stage's
#   share and lead times, out of those still in the stage at a (q·P(E > a) + 1 − q, the others staying):
#   p = q·Σ P(E ≈ e, e > a)·s'·F'(a + h − e) / (q·P(E > a) + 1 − q). An applicant stuck for a year, long after
#   those who moved on did, is all but never admitted — the lead time alone would not say so.
# * Dossiers past a rule deadline (their next deadline is over) or blocked by an error of the rule book are
#   left out. The expected number is admitted + Σ p; the range is a 90 % interval: the share at the low and
#   high ends of its Wilson interval, ± z·√Σp(1−p), in whole persons, never below what is admitted already
#   nor above admitted + the dossiers counted.


def lead_bin(stage: str, days: int) -> int:
    """The bin of a lead time or of a dossier's age (days) for a stage of PIPE_STAGES."""
    edges = LEAD_EDGES[stage]
    for i, edge in enumerate(edges):
        if days <= edge:
            return i
    return len(edges)


def bin_bounds(stage: str, i: int) -> tuple[int, int]:
    """(low, high) days of a bin; the open last bin is read as ending at twice the last edge."""
    edges = LEAD_EDGES[stage]
    lo = 0 if i == 0 else edges[i - 1]
    hi = edges[i] if i < len(edges) else 2 * edges[-1]
    return lo, hi


def bin_age(stage: str, i: int) -> float:
    """The age (days) a dossier in age bin `i` is taken to have: the middle of the bin."""
    lo, hi = bin_bounds(stage, i)
    return (lo + hi) / 2


def lead_fields(stage: str) -> tuple[str, ...]:
    return tuple(f"lead_{PIPE_KEY[stage]}{i}" for i in range(N_BINS))


def step_fields(stage: str) -> tuple[str, ...]:
    return tuple(f"step_{PIPE_KEY[stage]}{i}" for i in range(N_BINS)) if stage in NEXT_STAGE else ()


def now_fields(stage: str, prefix: str = "") -> tuple[str, ...]:
    return tuple(f"{prefix}now_{PIPE_KEY[stage]}{i}" for i in range(N_BINS))


@dataclass(frozen=True)
class StageModel:
    """What a unit's history says about one stage: entries into it, and the admissions of persons who went
    through it by lead time (entering the stage → decision)."""

    stage: str
    entered: int
    hist: tuple[int, ...]
    unit_id: int | None = None  # whose history (the unit, or an ancestor when the unit had too little)
    step: tuple[int, ...] = ()  # time spent in the stage by those who moved on to the next, by bin
    next: StageModel | None = None  # the next stage's model (SYMPATHISER → APPLICANT → APPROVED)

    @property
    def moved(self) -> int:
        return sum(self.step)

    @property
    def chained(self) -> bool:
        """Projected through the next stage (those who moved on, then the next stage's model)."""
        return self.next is not None and bool(self.moved) and bool(self.next.decided)

    @property
    def passed(self) -> int:
        """Those whose share drives the projection: moved on (chained), else decided."""
        return self.moved if self.chained else self.decided

    @property
    def progress(self) -> float:
        """The share of the entries that moved on to the next stage."""
        return min(1.0, self.moved / self.entered) if self.entered else 0.0

    @property
    def decided(self) -> int:
        return sum(self.hist)

    @property
    def share(self) -> Fraction:
        if not self.entered:
            return Fraction(0)
        return min(Fraction(1), Fraction(self.decided, self.entered))

    def enough(self, params: Params = DEFAULT_PARAMS) -> bool:
        return self.entered >= params.projection_min_entered and self.decided >= params.projection_min_decided

    def cdf(self, days: float) -> float:
        """Share of the admissions with a lead time of at most `days` (linear inside a bin)."""
        total = self.decided
        if not total or days <= 0:
            return 0.0
        acc = 0.0
        for i, n in enumerate(self.hist):
            lo, hi = bin_bounds(self.stage, i)
            if days >= hi:
                acc += n
            else:
                acc += n * (days - lo) / (hi - lo)
                break
        return min(1.0, acc / total)

    def lead_quantile(self, q: float) -> float | None:
        """The lead time (days) below which a share `q` of the admissions fall (median: q = 0.5)."""
        total = self.decided
        if not total:
            return None
        want, acc = q * total, 0.0
        for i, n in enumerate(self.hist):
            lo, hi = bin_bounds(self.stage, i)
            if n and acc + n >= want:
                return lo + (hi - lo) * (want - acc) / n
            acc += n
        return float(bin_bounds(self.stage, N_BINS - 1)[1])

    def probability(self, age: float, horizon: float, share: float | None = None) -> float:
        """Chance that a dossier `age` days in the stage, still in it, is decided within `horizon` days.
        `share`: the share that moves on (or, for the last stage, is decided) at one end of its interval."""
        if horizon <= 0:
            return 0.0
        if self.chained:
            return self._through_next(age, horizon, self.progress if share is None else share)
        s = float(self.share if share is None else share)
        if s <= 0:
            return 0.0
        f_a, f_b = self.cdf(age), self.cdf(age + horizon)
        alive = 1.0 - s * f_a
        if alive <= 1e-12:
            return 0.0
        return max(0.0, min(1.0, s * (f_b - f_a) / alive))

    def _through_next(self, age: float, horizon: float, q: float) -> float:
        """Moving on at e > age (the histogram of the time in the stage), then decided within age + horizon − e
        by the next stage's share and lead times, out of those still in the stage at `age`."""
        if q <= 0:
            return 0.0
        total = self.moved
        above, reached = 0.0, 0.0
        nxt = self.next
        s_next = float(nxt.share) if nxt.next is None else None
        for i, n in enumerate(self.step):
            if not n:
                continue
            lo, hi = bin_bounds(self.stage, i)
            if hi <= age:
                continue
            start = max(lo, age)
            mass = n / total * (hi - start) / (hi - lo)
            e = (start + hi) / 2
            left = age + horizon - e
            above += mass
            if left <= 0:
                continue
            if s_next is not None:  # the next stage is the last: its share and lead times
                reached += mass * s_next * nxt.cdf(left)
            else:  # two stages on: the next stage's own chance from its entry (age 0)
                reached += mass * nxt.probability(0, left)
        alive = q * above + (1 - q)
        if alive <= 1e-12:
            return 0.0
        return max(0.0, min(1.0, q * reached / alive))


def stage_model(stage: str, totals: Mapping[str, int], unit_id: int | None = None, nxt=None) -> StageModel:
    """A stage's model from learning totals (the sum of a unit's rows over the learning school years)."""
    return StageModel(stage, int(totals.get(ENTRY_FLOW[stage], 0) or 0),
                      tuple(int(totals.get(f, 0) or 0) for f in lead_fields(stage)), unit_id,
                      tuple(int(totals.get(f, 0) or 0) for f in step_fields(stage)), nxt)  # fmt: skip


def choose_models(chain: Sequence[tuple[int, Mapping[str, int]]], params: Params = DEFAULT_PARAMS) -> dict:
    """{stage: StageModel}: for each stage the history of the first unit of `chain` (the unit, then its
    ancestors up to the root, each with its learning totals) that has enough of it; the last one's otherwise.
    Each stage's model knows the next stage's (chosen the same way)."""
    out: dict[str, StageModel] = {}
    for stage in reversed(PIPE_STAGES):  # the next stage first
        nxt = out.get(NEXT_STAGE.get(stage, ""))
        chosen = None
        for unit_id, totals in chain:
            chosen = stage_model(stage, totals, unit_id, nxt)
            if chosen.enough(params):
                break
        out[stage] = chosen or StageModel(stage, 0, (0,) * N_BINS, None, (), nxt)
    return {stage: out[stage] for stage in PIPE_STAGES}


def learning_years(
    as_of: dt.date, params: Params = DEFAULT_PARAMS, start: tuple[int, int] = (9, 1)
) -> list[Window]:
    """The school years a projection taken on `as_of` learns from: the `projection_years` complete school
    years before the one containing `as_of`."""
    current = school_year_of(as_of, start)
    return [school_year(current - k, start) for k in range(params.projection_years, 0, -1)]


def is_open(window: Window, as_of: dt.date) -> bool:
    return window.start <= as_of <= window.end


@dataclass(frozen=True)
class Projection:
    """A window's projection snapshot, taken on `as_of` (the open window only): the expected thousandths of a
    person per stage and age bin under the models of the whole tree, used for the cells' "can still reach"."""

    as_of: dt.date
    horizon: int  # days from as_of to the window's last day
    milli: Mapping[str, tuple[int, ...]]

    def to_json(self) -> dict:
        return {"as_of": self.as_of.isoformat(), "horizon": self.horizon,
                "milli": {s: list(v) for s, v in self.milli.items()}}  # fmt: skip

    @classmethod
    def from_json(cls, data: Mapping) -> Projection:
        return cls(dt.date.fromisoformat(data["as_of"]), int(data["horizon"]),
                   {s: tuple(int(x) for x in v) for s, v in data["milli"].items()})  # fmt: skip


def window_projection(window: Window, as_of: dt.date, models: Mapping[str, StageModel]) -> Projection | None:
    """The snapshot of an open window (None for a window that is over or not begun on `as_of`)."""
    if not is_open(window, as_of):
        return None
    horizon = (window.end - as_of).days
    milli = {
        s: tuple(round(1000 * models[s].probability(bin_age(s, i), horizon)) for i in range(N_BINS))
        for s in PIPE_STAGES
    }
    return Projection(as_of, horizon, milli)


def wilson(k: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a share k/n (k capped at n)."""
    if n <= 0:
        return 0.0, 1.0
    k = min(k, n)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5 / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class ForecastRow:
    stage: str
    label: str
    count: int  # dossiers counted (in progress, not past a deadline, not blocked)
    expected: float  # expected admissions among them by the window's end
    model: StageModel

    @property
    def share(self) -> Fraction:
        return self.model.share

    @property
    def median_lead(self) -> float | None:
        return self.model.lead_quantile(0.5)


@dataclass(frozen=True)
class Forecast:
    admitted: int
    expected: float  # admitted + expected admissions of the dossiers counted
    low: int
    high: int
    rows: tuple[ForecastRow, ...]
    horizon: int
    stale: int = 0  # left out: past a rule deadline
    blocked: int = 0  # left out: blocked by an error

    @property
    def in_progress(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def expected_whole(self) -> int:
        return int(Fraction(self.expected).limit_denominator(1000) + Fraction(1, 2))  # half up


def forecast(admitted: int, counts: Mapping[str, Sequence[int]], models: Mapping[str, StageModel],
             horizon: int, params: Params = DEFAULT_PARAMS, *, stale: int = 0, blocked: int = 0,
             interval: bool = True) -> Forecast:  # fmt: skip
    """Admissions expected by the window's end: `admitted` so far, plus the dossiers in progress counted by
    stage and age bin (`counts[stage][bin]`), under the stage models, with `horizon` days left (without
    `interval`, the range is not worked out: low and high are the admitted and all the dossiers counted)."""
    z = params.projection_z
    rows = []
    e_mid = e_lo = e_hi = v_lo = v_hi = 0.0
    total = 0
    for stage in PIPE_STAGES:
        model = models[stage]
        if interval:  # the share that moves on (or, for the last stage, is decided), at its interval's ends
            lo_share, hi_share = wilson(model.passed, model.entered, z)
        n_stage, e_stage = 0, 0.0
        for i, n in enumerate(counts.get(stage, ()) or ()):
            if not n:
                continue
            age = bin_age(stage, i)
            n_stage += n
            e_stage += n * model.probability(age, horizon)
            if interval:
                p_lo = model.probability(age, horizon, lo_share)
                p_hi = model.probability(age, horizon, hi_share)
                e_lo += n * p_lo
                e_hi += n * p_hi
                v_lo += n * p_lo * (1 - p_lo)
                v_hi += n * p_hi * (1 - p_hi)
        total += n_stage
        e_mid += e_stage
        rows.append(ForecastRow(stage, PIPE_LABELS[stage], n_stage, e_stage, model))
    if not interval:
        return Forecast(
            admitted, admitted + e_mid, admitted, admitted + total, tuple(rows), horizon, stale, blocked
        )
    low = max(admitted, math.floor(admitted + e_lo - z * math.sqrt(v_lo) + 1e-9))
    high = min(admitted + total, math.ceil(admitted + e_hi + z * math.sqrt(v_hi) - 1e-9))
    low = min(low, high)
    return Forecast(admitted, admitted + e_mid, low, high, tuple(rows), horizon, stale, blocked)


# ---------------------------------------------------------------------------------------------- the tree


@dataclass(frozen=True)
class UnitRec:
    id: int
    kind: str
    cell_kind: str
    founded_on: dt.date | None
    dissolved_on: dt.date | None
    parent_id: int | None  # current parent (used when the unit has no parent history)


@dataclass(frozen=True)
class LinkRec:
    child_id: int
    parent_id: int
    valid_from: dt.date
    valid_to: dt.date | None  # exclusive


@dataclass(frozen=True)
class SchoolRec:
    id: int
    level: str
    party_org_id: int | None
    ward_id: int | None


@dataclass
class Node:
    """One unit in the tree at a window's end, with its static facts."""

    id: int
    kind: str
    parent_id: int | None
    depth: int = 0
    path: str = ""  # "0000001.0000007." of the tree at the window's end
    lo: int = 0  # pre-order number; the subtree is lo..hi
    hi: int = 0
    active: bool = True  # exists on the window's last day
    is_cell: bool = False
    school_kind: str = ""  # "k12" | "he" | "" (the school the unit belongs to)
    k12_cell: bool = False
    he_subcell: bool = False
    he_student_cell: bool = False
    exempt: bool = False  # recorded "no source left" for the window
    k12_schools: int = 0
    k12_schools_org: int = 0

    @property
    def he(self) -> bool:
        return self.school_kind == "he"


def _parent_on(unit: UnitRec, links: Sequence[LinkRec], day: dt.date) -> int | None:
    """The parent on ``day`` from the unit's links (sorted by valid_from); before the first link the first
    link's parent, after the last one the last link's parent; no links: the current parent."""
    if not links:
        return unit.parent_id
    chosen = links[0].parent_id
    for link in links:
        if link.valid_from <= day:
            chosen = link.parent_id
            if link.valid_to is None or day < link.valid_to:
                return link.parent_id
    return chosen


@dataclass
class TreeData:
    """The tree's records prepared once for many windows (see `prepare_tree`)."""

    by_id: dict[int, UnitRec]
    links_of: dict[int, list[LinkRec]]
    schools: list[SchoolRec]
    levels: dict[int, set[str]]  # school levels of each party organisation


def prepare_tree(
    units: Iterable[UnitRec], links: Iterable[LinkRec], schools: Iterable[SchoolRec]
) -> TreeData:
    links_of: dict[int, list[LinkRec]] = defaultdict(list)
    for link in links:
        links_of[link.child_id].append(link)
    for lst in links_of.values():
        lst.sort(key=lambda ln: ln.valid_from)
    school_list = list(schools)
    levels: dict[int, set[str]] = defaultdict(set)
    for sch in school_list:
        if sch.party_org_id is not None:
            levels[sch.party_org_id].add(sch.level)
    return TreeData({u.id: u for u in units}, dict(links_of), school_list, dict(levels))


def window_tree(
    units,
    links: Iterable[LinkRec] = (),
    schools: Iterable[SchoolRec] = (),
    window: Window | None = None,
    exempt_ids: Iterable[int] = (),
    params: Params = DEFAULT_PARAMS,
) -> dict[int, Node]:
    """The units that existed during the window, each under its parent at the window's end (or on its last
    day), in pre-order, with their static facts. Schools without an organisation at the window's end count
    at their ward (or at the root when the ward did not exist). `units` may be a prepared `TreeData`."""
    data = units if isinstance(units, TreeData) else prepare_tree(units, links, schools)
    end = window.end
    start = window.start
    by_id, links_of, levels = data.by_id, data.links_of, data.levels
    present = {
        uid: u
        for uid, u in by_id.items()
        if (u.founded_on is None or u.founded_on <= end)
        and (u.dissolved_on is None or u.dissolved_on > start)
    }
    no_links: tuple = ()

    parent: dict[int, int | None] = {}
    for uid, u in present.items():
        ref = end if u.dissolved_on is None or end < u.dissolved_on else u.dissolved_on - DAY
        p = _parent_on(u, links_of.get(uid, no_links), ref)
        if p is not None and p not in present:  # a parent gone by then: its own parent on that day
            seen = {uid}
            while p is not None and p not in present:
                if p in seen or p not in by_id:
                    p = None
                    break
                seen.add(p)
                p = _parent_on(by_id[p], links_of.get(p, no_links), ref)
        parent[uid] = p

    children: dict[int | None, list[int]] = defaultdict(list)
    for uid in sorted(present):
        children[parent[uid]].append(uid)

    nodes: dict[int, Node] = {}
    counter = 0
    roots = children.get(None, [])
    stack: list[tuple[int, int | None, int, str]] = [(r, None, 0, "") for r in reversed(roots)]
    while stack:
        uid, pid, depth, ppath = stack.pop()
        counter += 1
        u = present[uid]
        path = f"{ppath}{uid:07d}."
        nodes[uid] = Node(uid, u.kind, pid, depth, path, counter, counter,
                          u.dissolved_on is None or end < u.dissolved_on)  # fmt: skip
        kids = children.get(uid)
        if kids:
            stack.extend((kid, uid, depth + 1, path) for kid in reversed(kids))
    for node in reversed(nodes.values()):  # reverse pre-order: a subtree ends where its last descendant does
        if node.parent_id is not None:
            p = nodes[node.parent_id]
            if node.hi > p.hi:
                p.hi = node.hi
    # Guard against cycles in bad data: units never reached from a root are left out.

    exempt = set(exempt_ids)
    old_enough = add_months(end, -params.student_cell_age_months)
    he_orgs = {uid for uid, lv in levels.items() if lv & HE_LEVELS}
    for node in nodes.values():  # pre-order: a parent's school kind is known before its children's
        uid = node.id
        u = present[uid]
        if uid in levels:
            node.school_kind = "he" if uid in he_orgs else "k12"
        elif node.parent_id is not None:
            node.school_kind = nodes[node.parent_id].school_kind
        if u.kind in CELL_KINDS:
            node.is_cell = True
            if node.active:
                node.k12_cell = node.school_kind == "k12"
                node.he_subcell = (
                    u.kind == "cell"
                    and node.parent_id in he_orgs
                    and nodes[node.parent_id].kind == "grassroots"
                )
                node.he_student_cell = (
                    node.school_kind == "he"
                    and u.cell_kind == "student"
                    and (u.founded_on is None or u.founded_on <= old_enough)
                )
        if uid in exempt:
            node.exempt = True

    root_ids = [r for r in roots if r in nodes]
    for s in data.schools:
        if s.level not in K12_LEVELS:
            continue
        org = nodes.get(s.party_org_id) if s.party_org_id is not None else None
        if org is not None and org.active:
            org.k12_schools += 1
            org.k12_schools_org += 1
        elif s.ward_id in nodes:
            nodes[s.ward_id].k12_schools += 1
        elif len(root_ids) == 1:
            nodes[root_ids[0]].k12_schools += 1
    return nodes


# ---------------------------------------------------------------------------------------------- flags


def own_totals(node: Node, counts: Mapping[str, int], static: bool = True) -> dict[str, int]:
    """What a unit's own counters add to its totals: the counters, their higher-education copies, and (with
    ``static``) the schools counted at the unit."""
    out = {f: counts.get(f, 0) for f in PERSON_FIELDS if counts.get(f, 0)}
    if node.he:
        for f, he in HE_COPIES:
            if counts.get(f):
                out[he] = counts[f]
    if static and node.k12_schools:
        out["k12_schools"] = node.k12_schools
    if static and node.k12_schools_org:
        out["k12_schools_org"] = node.k12_schools_org
    return out


def reach_milli(done: int, need: int, expected_milli: int) -> int:
    """Thousandths of the chance that a cell with `done` admissions reaches `need` by the window's end, when
    its dossiers in progress bring `expected_milli` thousandths of a person (a Poisson count of that mean):
    summed over cells, the expected number of cells that reach the threshold."""
    missing = need - done
    if missing <= 0:
        return 1000
    lam = expected_milli / 1000
    if lam <= 0:
        return 0
    term = below = math.exp(-lam)
    for j in range(1, missing):
        term *= lam / j
        below += term
    return max(0, min(1000, round(1000 * (1 - below))))


def unit_flags(node: Node, t: Mapping[str, int]) -> dict[str, int]:
    """The flags of one unit from its totals (all 0 for a unit that is not a cell active at the window's end).
    "reach" fields are in thousandths of a cell: the chance that the cell meets the threshold by the window's
    end, its admissions so far plus those expected of its dossiers in progress (`proj_milli`, under the
    window's projection) — summed up the tree, the expected number of cells that will meet it."""
    if not (node.is_cell and node.active):
        return {}
    adm = t.get("admitted", 0)
    teachers = t.get("admitted_teacher", 0)
    expected = t.get("proj_milli", 0)
    f = {"cells": 1, "cells_admitting": int(adm >= 1)}
    lagging = False
    if node.k12_cell and not node.exempt:
        two, teacher = adm >= 2, teachers >= 1
        f.update(
            k12_cells=1,
            k12_cells_two=int(two),
            k12_cells_teacher=int(teacher),
            k12_cells_two_reach=reach_milli(adm, 2, expected),
            k12_cells_teacher_reach=reach_milli(teachers, 1, t.get("proj_teacher_milli", 0)),
        )
        lagging = not (two and teacher)
    if node.he_subcell:
        f.update(he_subcells=1, he_subcells_ok=int(adm >= 1), he_subcells_reach=reach_milli(adm, 1, expected))
        lagging = lagging or adm == 0
    if node.he_student_cell:
        f.update(
            he_student_cells=1,
            he_student_cells_ok=int(adm >= 1),
            he_student_cells_reach=reach_milli(adm, 1, expected),
        )
        lagging = lagging or adm == 0
    f["lagging"] = int(lagging)
    return {k: v for k, v in f.items() if v}


FIELD_INDEX = {name: i for i, name in enumerate(TOTAL_FIELDS)}


class TotalsView:
    """Read-only name access to a unit's totals kept as a list in TOTAL_FIELDS order (fast to add up)."""

    __slots__ = ("values",)

    def __init__(self, values: list[int] | None = None):
        self.values = values if values is not None else [0] * len(TOTAL_FIELDS)

    def get(self, name: str, default: int = 0) -> int:
        i = FIELD_INDEX.get(name)
        return self.values[i] if i is not None else default

    def __getitem__(self, name: str) -> int:
        return self.values[FIELD_INDEX[name]]

    def as_dict(self) -> dict[str, int]:
        return dict(zip(TOTAL_FIELDS, self.values))


_I = FIELD_INDEX
_N_PERSON = len(PERSON_FIELDS)  # PERSON_FIELDS come first in TOTAL_FIELDS
_HE_PAIRS = [(_I[f], _I[he]) for f, he in HE_COPIES]


def _flags_into(node: Node, v: list[int]) -> bool:
    """Add the unit's flags to its totals list in place (the list form of `unit_flags`, kept equal by a test);
    returns the unit's own "lagging" flag."""
    adm = v[_I["admitted"]]
    teachers = v[_I["admitted_teacher"]]
    expected = v[_I["proj_milli"]]
    v[_I["cells"]] += 1
    if adm >= 1:
        v[_I["cells_admitting"]] += 1
    lagging = False
    if node.k12_cell and not node.exempt:
        two, teacher = adm >= 2, teachers >= 1
        v[_I["k12_cells"]] += 1
        v[_I["k12_cells_two"]] += two
        v[_I["k12_cells_teacher"]] += teacher
        v[_I["k12_cells_two_reach"]] += reach_milli(adm, 2, expected)
        v[_I["k12_cells_teacher_reach"]] += reach_milli(teachers, 1, v[_I["proj_teacher_milli"]])
        lagging = not (two and teacher)
    if node.he_subcell:
        v[_I["he_subcells"]] += 1
        v[_I["he_subcells_ok"]] += adm >= 1
        v[_I["he_subcells_reach"]] += reach_milli(adm, 1, expected)
        lagging = lagging or adm == 0
    if node.he_student_cell:
        v[_I["he_student_cells"]] += 1
        v[_I["he_student_cells_ok"]] += adm >= 1
        v[_I["he_student_cells_reach"]] += reach_milli(adm, 1, expected)
        lagging = lagging or adm == 0
    v[_I["lagging"]] += lagging
    return lagging


def totals_for_tree(
    nodes: Mapping[int, Node], own: Mapping, lagging: set[int] | None = None
) -> dict[int, TotalsView]:
    """Totals of every unit: its own totals, its flags (from its totals) and its children's totals. `nodes` is
    in pre-order, as `window_tree` returns it; `own[unit]` is a mapping {field: count} or a list of PERSON_FIELDS
    counts in order. With `lagging`, the ids of the cells whose own flag "lagging" is set are added to it (what
    `unit_flags(node, totals[id])["lagging"]` says, without computing the other flags again)."""
    width = len(TOTAL_FIELDS)
    tail = [0] * (width - _N_PERSON)
    out: dict[int, list[int]] = {}
    get = out.get
    own_get = own.get
    k12s, k12o = _I["k12_schools"], _I["k12_schools_org"]
    for node in reversed(list(nodes.values())):  # `nodes` in pre-order (window_tree): children before parents
        uid = node.id
        v = get(uid)  # the children's sums so far
        counts = own_get(uid)
        if counts:
            row = [counts.get(f, 0) for f in PERSON_FIELDS] if isinstance(counts, Mapping) else counts
            if v is None:  # a leaf: its own counters, copied (one list, no addition)
                v = out[uid] = [*row, *tail]
            else:
                v[:_N_PERSON] = map(_add, v[:_N_PERSON], row)
            if node.school_kind == "he":
                for a, b in _HE_PAIRS:
                    v[b] += row[a]
        elif v is None:
            v = out[uid] = [0] * width
        if node.k12_schools:
            v[k12s] += node.k12_schools
            v[k12o] += node.k12_schools_org
        if node.is_cell and node.active and _flags_into(node, v) and lagging is not None:
            lagging.add(uid)
        pid = node.parent_id
        if pid is not None:
            p = get(pid)
            if p is None:
                out[pid] = v[:]
            else:
                p[:] = map(_add, p, v)
    return {uid: TotalsView(v) for uid, v in out.items()}


# ---------------------------------------------------------------------------------------------- persons


@dataclass(frozen=True)
class PersonRec:
    """The person's attributes and cached state (as people.Person stores them)."""

    id: int
    unit_id: int
    school_role: str = ""
    stage: str = "SOURCE"
    stage_since: dt.date | None = None
    party_age_from: dt.date | None = None
    probation_end: dt.date | None = None
    next_due: dt.date | None = None
    error_count: int = 0


@dataclass(frozen=True)
class EventRec:
    id: int | None
    kind: str
    occurred_on: dt.date
    org_id: int
    data: Mapping[str, Any] = field(default_factory=dict)
    corrects_id: int | None = None


def effective_events(events: Iterable) -> list:
    """Apply corrections as the ledger does (people.ledger.effective_events): the latest correction replaces
    the original, one with {"void": true} drops it. The corrected event keeps the original's ``org``."""

    def order(ev):
        return ev.id if ev.id is not None else float("inf")

    latest: dict[int, Any] = {}
    originals = []
    for ev in sorted(events, key=order):
        if ev.corrects_id:
            latest[ev.corrects_id] = ev
        else:
            originals.append(ev)
    out = []
    for ev in originals:
        current = latest.get(ev.id)
        if current is None:
            out.append(ev)
        elif not (current.data or {}).get("void"):
            out.append(
                EventRec(
                    ev.id, current.kind, current.occurred_on, ev.org_id, current.data or {}, ev.corrects_id
                )
            )
    out.sort(key=lambda e: (e.occurred_on, order(e)))
    return out


def holders(person: PersonRec, effective: Sequence) -> list[tuple[dt.date, int]]:
    """(from, unit) of the organisations that held the person: the first event's org, then the destination
    of each move. A person whose ledger has no move is held by their current unit throughout."""
    moves = [ev for ev in effective if ev.kind in MOVE_KINDS]
    if not moves:
        return [(dt.date.min, person.unit_id)]
    out = [(dt.date.min, effective[0].org_id)]
    for ev in moves:
        if ev.kind in MOVE_KINDS:
            dest = next((ev.data.get(k) for k in MOVE_KEYS if ev.data.get(k)), None)
            if dest:
                out.append((ev.occurred_on, int(dest)))
    return out


def _holder_on(timeline: Sequence[tuple[dt.date, int]], day: dt.date) -> int:
    unit = timeline[0][1]
    for start, uid in timeline:
        if start <= day:
            unit = uid
    return unit


def member_on(person: PersonRec, day: dt.date) -> bool:
    """A member (probationary or official) on ``day``: the decision is dated on or before it and the person
    was not removed by then."""
    paf = person.party_age_from
    if paf is None or paf > day:
        return False
    return not (person.stage == "REMOVED" and person.stage_since is not None and person.stage_since <= day)


def in_pool_on(person: PersonRec, pool_from: dt.date | None, day: dt.date) -> bool:
    """In the source pool on ``day``: became a source by then, not admitted and not withdrawn by then."""
    if pool_from is None or pool_from > day:
        return False
    if person.party_age_from is not None and person.party_age_from <= day:
        return False
    return not (person.stage == "WITHDRAWN" and person.stage_since is not None and person.stage_since <= day)


def pool_start(effective: Sequence) -> dt.date | None:
    """The day the person entered the source pool: their first (effective) ``source_identified``."""
    return next((ev.occurred_on for ev in effective if ev.kind == "source_identified"), None)


def pool_holder(person: PersonRec, events: Iterable, day: dt.date) -> int | None:
    """The unit that holds the person in the source pool on ``day``, or None when the person is not in the
    pool then: the one definition of the stock ``pool_end`` (:func:`contributions` counts it at the window's
    last day) and of the list of persons behind it."""
    eff = effective_events(events)
    if not in_pool_on(person, pool_start(eff), day):
        return None
    return _holder_on(holders(person, eff), day)


def pipeline_state(person: PersonRec, as_of: dt.date) -> tuple[str, str | None, int]:
    """How the projection taken on `as_of` sees the person: ("", None, 0) when not in progress; else
    ("blocked" | "stale" | "counted", the stage of PIPE_STAGES, the age bin of the dossier in it). Blocked: an
    error of the rule book stops the dossier (Person.error_count). Stale: its next deadline is over."""
    stage = PIPE_OF.get(person.stage)
    if stage is None or person.stage_since is None:
        return "", None, 0
    if person.error_count:
        return "blocked", stage, 0
    if person.next_due is not None and person.next_due < as_of:
        return "stale", stage, 0
    return "counted", stage, lead_bin(stage, max(0, (as_of - person.stage_since).days))


def on_time(probation_end: dt.date | None, decided: dt.date, calendar: Calendar, params: Params) -> bool:
    if probation_end is None:
        return False
    return decided <= calendar.add_working_days(probation_end, params.recognition_working_days)


def _first_on(effective: Sequence, kind: str, by: dt.date) -> dt.date | None:
    return next((ev.occurred_on for ev in effective if ev.kind == kind and ev.occurred_on <= by), None)


def contributions(
    person: PersonRec,
    events: Iterable,
    windows: Sequence[Window],
    calendar: Calendar,
    params: Params = DEFAULT_PARAMS,
    projections: Mapping[str, Projection] | None = None,
) -> dict[tuple[str, int], Counter]:
    """Everything one person adds to the (window key, unit id) cells of the given windows. ``projections``:
    the snapshot of each open window (its pipeline counters are taken as of the snapshot's day)."""
    eff = effective_events(events)
    out: dict[tuple[str, int], Counter] = defaultdict(Counter)
    teacher = person.school_role in TEACHER_ROLES
    pool_from = pool_start(eff)
    seen: set[tuple[str, str]] = set()
    for ev in eff:
        # An imported member (member_imported) is not a flow: the admission was not this unit's.
        day, name = ev.occurred_on, FLOW_KINDS.get(ev.kind)
        if name is None:
            continue
        for w in windows:
            if not w.contains(day) or (w.key, name) in seen:
                continue
            seen.add((w.key, name))  # a person counts once per flow and window
            cell = out[(w.key, ev.org_id)]
            cell[name] += 1
            if name == "admitted":
                if teacher:
                    cell["admitted_teacher"] += 1
                if _first_on(eff, EXCELLENT_KIND, day) is not None:
                    cell["admitted_excellent"] += 1
                for stage in PIPE_STAGES:
                    entered = _first_on(eff, ENTRY_KIND[stage], day)
                    if entered is not None:
                        cell[f"lead_{PIPE_KEY[stage]}{lead_bin(stage, (day - entered).days)}"] += 1
            elif name in ("applicants", "approved"):  # the time spent in the stage before
                stage = "SYMPATHISER" if name == "applicants" else "APPLICANT"
                entered = _first_on(eff, ENTRY_KIND[stage], day)
                if entered is not None:
                    cell[f"step_{PIPE_KEY[stage]}{lead_bin(stage, (day - entered).days)}"] += 1
            elif name == "recognised" and on_time(person.probation_end, day, calendar, params):
                cell["recognised_on_time"] += 1
    timeline = holders(person, eff)
    current = timeline[-1][1]
    for w in windows:
        before = w.start - DAY
        if member_on(person, before):
            out[(w.key, _holder_on(timeline, before))]["members_start"] += 1
        if member_on(person, w.end):
            out[(w.key, _holder_on(timeline, w.end))]["members_end"] += 1
        if in_pool_on(person, pool_from, w.end):  # = pool_holder(person, events, w.end), shared work
            out[(w.key, _holder_on(timeline, w.end))]["pool_end"] += 1
        snap = (projections or {}).get(w.key)
        if snap is None:
            continue
        state, stage, age = pipeline_state(person, snap.as_of)
        if not state:
            continue
        cell = out[(w.key, current)]
        if state == "counted":
            cell[f"now_{PIPE_KEY[stage]}{age}"] += 1
            milli = snap.milli[stage][age]
            if milli:
                cell["proj_milli"] += milli
                if teacher:
                    cell["proj_teacher_milli"] += milli
        else:
            cell[f"now_{state}"] += 1
    return {k: v for k, v in out.items() if v}


def diff(after: Mapping, before: Mapping) -> dict[tuple[str, int], dict[str, int]]:
    """after − before, per cell, without zeros."""
    out: dict[tuple[str, int], dict[str, int]] = {}
    for key in set(after) | set(before):
        a, b = after.get(key, {}), before.get(key, {})
        d = {f: a.get(f, 0) - b.get(f, 0) for f in set(a) | set(b)}
        d = {f: v for f, v in d.items() if v}
        if d:
            out[key] = d
    return out
