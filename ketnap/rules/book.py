"""The rule book: stable rule ids, Vietnamese messages, citations that follow the text in force, parameters.

Everything a deployment may need to correct is data here:

* :data:`DOCUMENTS` — the period table of the regulations (which text is in force on which date);
* :class:`Params` — the numbers of the rules (validity months, deadlines in working days, thresholds);
  :func:`ketnap.rules.check.check` takes a ``Params`` so a deployment can override any of them;
* :data:`RULES` — one :class:`Rule` per id of DOMAIN.md §3 (ids are a public contract: never rename).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .calendar import Calendar, add_months

__all__ = [
    "DOCUMENTS",
    "RULES",
    "Params",
    "Ref",
    "Rule",
    "fmt_date",
    "document_on",
    "graduate_hold_until",
    "member_biography_due",
    "probation_end",
    "transfer_present_due",
    "transfer_start_due",
    "transfer_unreceived",
    "vote_passes",
    "votes_needed",
]


@dataclass(frozen=True)
class Params:
    """Numeric parameters of the rule book (defaults = the texts as read; see the marks in :data:`RULES`)."""

    min_age: int = 18  # AGE_MIN: fully 18 on the cell-vote date
    max_age: int = 60  # AGE_MAX: at most fully 60 (before the 61st birthday)
    youth_age_min: int = 16  # youth age: 16..30 inclusive
    youth_age_max: int = 30
    min_education: str = "lower_secondary"  # EDUCATION_MIN
    cert_validity_months: int = 60  # AWARENESS_CERT_VALID (S)
    dossier_fresh_months: int = 12  # DOSSIER_FRESH (S)
    cowork_months: int = 12  # INTRODUCER_COWORK
    vote_numerator: int = 2  # every vote threshold: in_favour >= 2/3 of the members counted
    vote_denominator: int = 3
    decision_days: int = 60  # DECISION_DUE, working days after the cell's resolution (P/U)
    ceremony_days: int = 30  # CEREMONY_DUE, working days after receiving the decision
    extension_max_days: int = 30  # decision_extension: at most this many days in total per deadline (P/U)
    member_biography_days: int = 30  # MEMBER_BIOGRAPHY_DUE, working days after the ceremony (S)
    probation_months: int = 12  # PROBATION_END
    recognition_review_days: int = 30  # RECOGNITION_REVIEW_DUE, working days after probation ends
    recognition_decision_days: int = 30  # RECOGNITION_DECISION_DUE, working days after the cell's resolution
    recognition_max_votes: int = 3  # THREE_VOTES
    transfer_start_days: int = 60  # TRANSFER_START_DUE, working days
    transfer_present_days: int = 30  # TRANSFER_PRESENT_DUE, working days
    transfer_unreceived_months: int = 3  # TRANSFER_UNRECEIVED (S)
    graduate_hold_months: int = 12  # GRADUATE_HOLD (S/U)
    min_cell_members: int = 3  # CELL_SIZE: a voting cell has at least this many official members (S)
    # INTRODUCERS: where the trade union's resolution (4A-KNĐ) + one member may introduce: "no_youth_union" (only
    # where there is no Youth Union: DOMAIN's reading of the Charter) or "outside_youth_age" (also for an
    # applicant past youth age where a Youth Union exists: 12-HD/BTCTW's dossier list) — docs/rules.md (S/U).
    trade_union_route: str = "no_youth_union"


DEFAULT_PARAMS = Params()


def vote_passes(in_favour: int, members: int, params: Params = DEFAULT_PARAMS) -> bool:
    """in_favour >= 2/3 of members, in exact integer arithmetic; a vote of nobody (members 0) never passes."""
    return members > 0 and params.vote_denominator * in_favour >= params.vote_numerator * members


def votes_needed(members: int, params: Params = DEFAULT_PARAMS) -> int:
    """The smallest number in favour that passes a vote of ``members``."""
    return max(1, -(-params.vote_numerator * members // params.vote_denominator))


# ---------------------------------------------------------------------------------------------------------------
# Period table of the texts. A family is a line of successive texts; the one in force on a date is the latest
# whose ``from`` is on or before it (a date before every ``from`` gets the family's earliest text).
# ``point_format`` (default "{label} pt {point}") cites one point of the text. Edit or pass another table to
# :meth:`Rule.source_on` when a new text comes into force.

DOCUMENTS: list[dict[str, Any]] = [
    {
        "family": "DL",
        "code": "Điều lệ Đảng 2011",
        "label": "Điều lệ Đảng 2011",
        "from": "2011-01-19",
        "point_format": "{label}, {point}",
    },
    {
        "family": "QD",
        "code": "29-QĐ/TW",
        "label": "QĐ 29-QĐ/TW",
        "signed": "2016-07-25",
        "from": "2016-07-25",
        "point_format": "{label} điểm {point}",  # its points are numbered 1.1 a), 4.2 c) …
    },
    {
        "family": "QD",
        "code": "24-QĐ/TW",
        "label": "QĐ 24-QĐ/TW",
        "signed": "2021-07-30",
        "from": "2021-07-30",
    },
    {
        "family": "QD",
        "code": "232-QĐ/TW",
        "label": "QĐ 232-QĐ/TW",
        "signed": "2025-01-20",
        "from": "2025-01-20",
    },
    {
        "family": "QD",
        "code": "294-QĐ/TW",
        "label": "QĐ 294-QĐ/TW",
        "signed": "2025-05-26",
        "from": "2025-07-01",
    },
    {
        "family": "HD",
        "code": "01-HD/TW/2016",
        "label": "HD 01-HD/TW (2016)",
        "signed": "2016-09-20",
        "from": "2016-09-20",
        "points_known": False,  # cite a point only where a Ref maps it for this text (docs/rules.md)
    },
    {
        "family": "HD",
        "code": "01-HD/TW",
        "label": "HD 01-HD/TW",
        "signed": "2021-09-28",
        "from": "2021-09-28",
    },
    {
        "family": "HD",
        "code": "06-HD/TW",
        "label": "HD 06-HD/TW",
        "signed": "2025-06-09",
        "from": "2025-06-09",
    },
    {
        "family": "BTCTW",
        "code": "09-HD/BTCTW",
        "label": "HD 09-HD/BTCTW",
        "signed": "2017-06-05",
        "from": "2017-06-05",
        "points_known": False,
    },
    # 18/01/2022: from two secondary sources that agree (docs/rules.md); the copy read says only "năm 2022".
    {
        "family": "BTCTW",
        "code": "12-HD/BTCTW",
        "label": "HD 12-HD/BTCTW",
        "signed": "2022-01-18",
        "from": "2022-01-18",
    },
]
DEFAULT_POINT_FORMAT = "{label} pt {point}"


def _as_date(value: Any) -> dt.date:
    if value is None:
        return dt.date.min
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def document_on(family: str, on: dt.date, documents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """The entry of ``documents`` (default :data:`DOCUMENTS`) of ``family`` in force on ``on``: the latest
    whose ``from`` is on or before ``on``, or the family's earliest text for an earlier date."""
    current = earliest = None
    for row in DOCUMENTS if documents is None else documents:
        if row["family"] != family:
            continue
        start = _as_date(row.get("from"))
        if earliest is None or start < earliest[0]:
            earliest = (start, row)
        if start <= on and (current is None or start >= current[0]):
            current = (start, row)
    if earliest is None:
        raise KeyError(family)
    return (current or earliest)[1]


@dataclass(frozen=True)
class Ref:
    """One cited point: ``family`` of :data:`DOCUMENTS`, the point, and per-text points where they differ."""

    family: str
    point: str | None = None  # None: the text as a whole
    points: dict[str, str] = field(default_factory=dict)  # code -> the point in that text, when not ``point``
    note: str = ""  # shown in brackets after the citation, e.g. an unverified correspondence

    def cite(self, on: dt.date, documents: list[dict[str, Any]] | None = None) -> str:
        doc = document_on(self.family, on, documents)
        label = doc.get("label") or doc["code"]
        default = self.point if doc.get("points_known", True) else None
        point = self.points.get(doc["code"], default)
        text = (
            label
            if point is None
            else doc.get("point_format", DEFAULT_POINT_FORMAT).format(label=label, point=point)
        )
        return f"{text} ({self.note})" if self.note else text


# ---------------------------------------------------------------------------------------------------------------


def fmt_date(d: dt.date | None) -> str:
    """Dates are shown dd/mm/yyyy."""
    return "" if d is None else d.strftime("%d/%m/%Y")


class _Ctx(dict):
    """Format context: dates shown dd/mm/yyyy."""

    def __getitem__(self, key: str) -> Any:
        value = dict.__getitem__(self, key)
        return fmt_date(value) if isinstance(value, dt.date) else value


@dataclass(frozen=True)
class Rule:
    """One rule of DOMAIN.md §3.

    ``message`` (and the ``variants``) are Vietnamese templates formatted with the parameters and the facts
    of the finding (dates shown dd/mm/yyyy); ``title`` is the short label of the checklist.
    """

    id: str
    title: str
    message: str
    severity: str  # "error" or "warning"
    mark: str  # P, S, U (or P/U, S/U): how sure we are of the text
    refs: tuple[Ref, ...]
    variants: dict[str, str] = field(default_factory=dict)
    variant_refs: dict[str, tuple[Ref, ...]] = field(default_factory=dict)  # a variant citing other points

    def source_on(
        self, on: dt.date, documents: list[dict[str, Any]] | None = None, variant: str | None = None
    ) -> str:
        """The citation under the texts in force on ``on``, e.g. ``"QĐ 294-QĐ/TW pt 1.1.1"``."""
        refs = self.variant_refs.get(variant, self.refs) if variant else self.refs
        return "; ".join(ref.cite(on, documents) for ref in refs)

    @property
    def source(self) -> str:
        """The citation as the domain book writes it (the current texts)."""
        return self.source_on(dt.date.max)

    def text(self, variant: str | None = None, /, **facts: Any) -> str:
        template = self.variants[variant] if variant else self.message
        return template.format_map(_Ctx(facts))


def _r(family: str, point: str | None = None, **kw: Any) -> Ref:
    return Ref(family, point, **kw)


_RULE_LIST = [
    # --- eligibility, checked at the date of the cell's admission vote ---------------------------------------
    Rule(
        "AGE_MIN",
        "Đủ tuổi đời tối thiểu",
        "Người vào Đảng phải đủ {min_age} tuổi (tính theo tháng) vào ngày chi bộ xét kết nạp; "
        "ngày {date} mới {age} tuổi.",
        "error",
        "P",
        (_r("QD", "1.1.1", points={"29-QĐ/TW": "1.1a"}),),
    ),
    Rule(
        "AGE_MAX",
        "Không quá tuổi đời tối đa",
        "Người vào Đảng không quá {max_age} tuổi vào ngày chi bộ xét kết nạp (ngày {date} đã {age} tuổi); "
        "trên {max_age} tuổi phải có văn bản đồng ý của Ban Thường vụ Thành ủy trước khi quyết định kết nạp, "
        "nhưng quyết định đã ban hành mà chưa có văn bản này.",
        "error",
        "P",
        (
            _r("QD", "1.1.1–1.1.2", points={"29-QĐ/TW": "1.1a–b"}),
            _r("HD", "1.1", points={"01-HD/TW/2016": "1.1"}),
        ),
        {
            "consent": "Người vào Đảng đã {age} tuổi vào ngày chi bộ xét kết nạp ({date}), quá {max_age} tuổi: "
            "cần văn bản đồng ý của Ban Thường vụ Thành ủy trước khi cấp ủy quyết định kết nạp.",
        },
    ),
    Rule(
        "EDUCATION_MIN",
        "Trình độ học vấn",
        "Người vào Đảng phải có bằng tốt nghiệp trung học cơ sở trở lên (trình độ đã khai: {education}).",
        "error",
        "P",
        (_r("QD", "1.2.1", points={"29-QĐ/TW": "1.2a"}),),
    ),
    Rule(
        "AWARENESS_CERT",
        "Giấy chứng nhận lớp bồi dưỡng nhận thức về Đảng",
        "Chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng trước ngày chi bộ xét kết nạp ({date}).",
        "error",
        "S",
        (_r("HD", "5.4"),),
    ),
    Rule(
        "AWARENESS_CERT_VALID",
        "Giấy chứng nhận nhận thức về Đảng còn giá trị",
        "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng đã quá {cert_validity_months} tháng "
        "(học ngày {cert}, chi bộ xét ngày {date}); người vào Đảng phải học lại lớp bồi dưỡng.",
        "error",
        "S",
        (_r("HD", "5.4"),),
    ),
    Rule(
        "APPLICATION",
        "Đơn xin vào Đảng",
        "Chưa có đơn xin vào Đảng (viết tay) trước ngày chi bộ xét kết nạp ({date}).",
        "error",
        "P",
        (_r("DL", "Điều 4.1"), _r("HD", "3")),
        {
            "order": "Đơn xin vào Đảng (ngày {application}) phải viết trước lý lịch người xin vào Đảng "
            "(ngày {biography})."
        },
    ),
    Rule(
        "BIOGRAPHY",
        "Lý lịch người xin vào Đảng",
        "Chưa có lý lịch người xin vào Đảng (đã được cấp ủy cơ sở chứng nhận sau thẩm tra) "
        "trước ngày chi bộ xét kết nạp ({date}).",
        "error",
        "S",
        (_r("HD", "3.3"),),
    ),
    Rule(
        "YOUTH_UNION_MEMBER",
        "Là đoàn viên (người trong độ tuổi thanh niên)",
        "Người vào Đảng trong độ tuổi thanh niên ({age} tuổi) ở nơi có tổ chức Đoàn phải là đoàn viên "
        "Đoàn TNCS Hồ Chí Minh.",
        "error",
        "P",
        (_r("DL", "Điều 4.1"),),
    ),
    Rule(
        "INTRODUCERS",
        "Người và tổ chức giới thiệu",
        "Cần giấy giới thiệu của hai đảng viên chính thức (hiện có: {have}).",
        "error",
        "P",
        (_r("DL", "Điều 4.1"), _r("QD", "3.1")),
        {
            "youth": "Người vào Đảng trong độ tuổi thanh niên cần nghị quyết giới thiệu của Ban Chấp hành Đoàn "
            "cơ sở và giấy giới thiệu của một đảng viên chính thức (hiện có: {have}).",
            "trade_union": "Nơi không có tổ chức Đoàn cần giấy giới thiệu của hai đảng viên chính thức, hoặc "
            "nghị quyết giới thiệu của Ban Chấp hành Công đoàn cơ sở và một đảng viên chính thức "
            "(hiện có: {have}).",
        },
    ),
    Rule(
        "INTRODUCER_OFFICIAL",
        "Người giới thiệu là đảng viên chính thức",
        "Người giới thiệu phải là đảng viên chính thức vào ngày giới thiệu (giấy giới thiệu ngày {dates}).",
        "error",
        "P",
        (_r("QD", "3.2.1"),),
    ),
    Rule(
        "INTRODUCER_COWORK",
        "Người giới thiệu cùng công tác, học tập đủ thời gian",
        "Người giới thiệu phải cùng công tác, lao động, học tập hoặc cùng sinh hoạt nơi cư trú với người vào Đảng "
        "ít nhất {cowork_months} tháng trong một đơn vị thuộc cùng đảng bộ, chi bộ cơ sở (giấy giới thiệu ngày "
        "{dates}).",
        "error",
        "P",
        (_r("QD", "3.2.1–3.2.2", points={"29-QĐ/TW": "3.2"}),),
    ),
    Rule(
        "COMMENTS",
        "Tổng hợp ý kiến nhận xét (mẫu 5-KNĐ)",
        "Chưa có bản tổng hợp ý kiến nhận xét của đoàn thể chính trị - xã hội nơi làm việc, học tập và của chi "
        "ủy nơi cư trú (mẫu 5-KNĐ) trước ngày chi bộ xét kết nạp ({date}).",
        "error",
        "P",
        (_r("DL", "Điều 4.3"),),
    ),
    Rule(
        "VERIFICATION",
        "Thẩm tra, xác minh lý lịch",
        "Chưa có kết luận thẩm tra, xác minh lý lịch của người vào Đảng và những người thân cần thẩm tra "
        "trước ngày chi bộ xét kết nạp ({date}).",
        "error",
        "S",
        (_r("HD", "3.4"),),
        {
            "open": "Việc thẩm tra, xác minh lý lịch (ngày {verification}) chưa có kết luận trước ngày chi bộ "
            "xét kết nạp ({date})."
        },
    ),
    Rule(
        "DOSSIER_FRESH",
        "Giấy giới thiệu, nhận xét còn thời hạn",
        "Giấy giới thiệu, nghị quyết giới thiệu và bản tổng hợp ý kiến nhận xét không được quá "
        "{dossier_fresh_months} tháng tính đến ngày chi bộ xét kết nạp ({date}); đã quá hạn: {stale}.",
        "error",
        "S",
        (
            _r("HD", "5.4", points={"01-HD/TW/2016": None}),
        ),  # the point from secondary sources (docs/rules.md)
    ),
    Rule(
        "CELL_VOTE",
        "Nghị quyết của chi bộ (đạt hai phần ba)",
        "Nghị quyết của chi bộ chưa đạt: {in_favour}/{members} đảng viên chính thức tán thành, cần ít nhất "
        "hai phần ba ({needed}); chi bộ chưa đề nghị kết nạp.",
        "error",
        "P",
        (_r("DL", "Điều 4.3"), _r("QD", "9.3.2")),
        {
            "missing": "Chi bộ chưa họp xét, đề nghị kết nạp.",
            "recognition": "Nghị quyết của chi bộ xét công nhận đảng viên chính thức chưa đạt: "
            "{in_favour}/{members} đảng viên chính thức tán thành, cần ít nhất hai phần ba ({needed}).",
            "recognition_missing": "Chi bộ chưa họp xét công nhận đảng viên chính thức.",
        },
        {
            "recognition": (_r("DL", "Điều 5.2"), _r("QD", "4.2a")),
            "recognition_missing": (_r("DL", "Điều 5.2"), _r("QD", "4.2a")),
        },
    ),
    Rule(
        "COMMITTEE_VOTE",
        "Nghị quyết của đảng ủy cơ sở (đạt hai phần ba)",
        "Nghị quyết của đảng ủy cơ sở chưa đạt: {in_favour}/{members} đảng ủy viên tán thành, cần ít nhất "
        "hai phần ba ({needed}).",
        "error",
        "P",
        (_r("DL", "Điều 4.3"),),
        {"missing": "Đảng ủy cơ sở chưa xét, đề nghị kết nạp."},
    ),
    Rule(
        "DECIDER",
        "Quyết định kết nạp đúng thẩm quyền",
        "Đảng ủy cơ sở được ủy quyền quyết định kết nạp phải có ít nhất hai phần ba tổng số đảng ủy viên tán "
        "thành: {in_favour}/{members}, cần {needed}.",
        "error",
        "P",
        (_r("DL", "Điều 4.3, Điều 23"), _r("QD", "4.3.2"), _r("HD", "3.7a")),
        {"missing": "Chưa có quyết định kết nạp của cấp ủy có thẩm quyền."},
    ),
    # --- deadlines and dates ------------------------------------------------------------------------------------
    Rule(
        "DECISION_DUE",
        "Hạn quyết định kết nạp",
        "Quá hạn quyết định kết nạp: cấp ủy có thẩm quyền phải quyết định trong {days} ngày làm việc kể từ "
        "ngày chi bộ có nghị quyết ({start}); hạn là {due}.",
        "warning",
        "P/U",
        (_r("QD", "4.3.1"),),
    ),
    Rule(
        "CEREMONY_DUE",
        "Hạn tổ chức lễ kết nạp",
        "Quá hạn tổ chức lễ kết nạp: chi bộ phải tổ chức trong {days} ngày làm việc kể từ ngày nhận quyết "
        "định ({start}), hạn là {due}; tổ chức muộn hơn phải được cấp ủy cấp trên đồng ý.",
        "warning",
        "P",
        (_r("QD", "4.1"),),
    ),
    Rule(
        "MEMBER_BIOGRAPHY_DUE",
        "Hạn hoàn thành lý lịch đảng viên",
        "Quá hạn hoàn thành lý lịch đảng viên: phải xong trong {days} ngày làm việc sau lễ kết nạp "
        "({start}), hạn là {due}.",
        "warning",
        "S",
        (_r("BTCTW", "2.2"),),
    ),
    Rule(
        "PROBATION_END",
        "Hết thời gian dự bị",
        "Thời gian dự bị là {probation_months} tháng kể từ ngày kết nạp ({start}); hết dự bị ngày {due}.",
        "warning",
        "P",
        (_r("DL", "Điều 5.1"),),
    ),
    Rule(
        "NEW_MEMBER_CLASS",
        "Giấy chứng nhận lớp bồi dưỡng đảng viên mới",
        "Hồ sơ xét công nhận đảng viên chính thức chưa có giấy chứng nhận học lớp bồi dưỡng lý luận chính "
        "trị dành cho đảng viên mới (tính đến ngày {date}).",
        "error",
        "S",
        (_r("HD", "8.3"),),
    ),
    Rule(
        "RECOGNITION_REVIEW_DUE",
        "Hạn chi bộ xét công nhận chính thức",
        "Quá hạn xét công nhận đảng viên chính thức: chi bộ phải xét trong {days} ngày làm việc kể từ ngày "
        "hết thời gian dự bị ({start}), hạn là {due}.",
        "warning",
        "P",
        (_r("DL", "Điều 5.2"), _r("QD", "4.2a")),
    ),
    Rule(
        "RECOGNITION_DECISION_DUE",
        "Hạn quyết định công nhận chính thức",
        "Quá hạn quyết định công nhận đảng viên chính thức: cấp ủy có thẩm quyền phải quyết định trong {days} "
        "ngày làm việc kể từ ngày chi bộ có nghị quyết ({start}), hạn là {due}.",
        "warning",
        "P/U",
        (_r("QD", "4.3.1"),),
    ),
    Rule(
        "OFFICIAL_DATE",
        "Ngày công nhận đảng viên chính thức",
        "Ngày công nhận đảng viên chính thức là ngày hết {probation_months} tháng dự bị ({due}), kể cả khi chi "
        "bộ xét hoặc cấp ủy quyết định muộn.",
        "warning",
        "P",
        (_r("QD", "4.2b"),),
    ),
    Rule(
        "THREE_VOTES",
        "Ba lần xét không đạt",
        "Chi bộ đã {count} lần xét công nhận đảng viên chính thức mà không đạt hai phần ba tán thành (lần thứ "
        "{count} ngày {date}); chi bộ báo cáo cấp ủy cấp trên trực tiếp xem xét, quyết định.",
        "warning",
        "P",
        (_r("QD", "4.2c"),),
    ),
    Rule(
        "PARTY_AGE",
        "Tuổi đảng",
        "Tuổi đảng tính từ ngày ghi trong quyết định kết nạp ({start}), không tính từ ngày lễ kết nạp.",
        "warning",
        "P",
        (_r("DL", "Điều 5.4"),),
    ),
    Rule(
        "TRANSFER_START_DUE",
        "Hạn làm thủ tục chuyển sinh hoạt đảng",
        "Quá hạn làm thủ tục chuyển sinh hoạt đảng chính thức: phải làm trong {days} ngày làm việc kể từ "
        "ngày {start}, hạn là {due}.",
        "warning",
        "P",
        (_r("QD", "6.3.1"),),
    ),
    Rule(
        "TRANSFER_PRESENT_DUE",
        "Hạn xuất trình giấy giới thiệu sinh hoạt đảng",
        "Quá hạn xuất trình giấy giới thiệu sinh hoạt đảng với chi ủy nơi đến: phải nộp trong {days} ngày "
        "làm việc kể từ ngày {start}, hạn là {due}.",
        "warning",
        "P",
        (_r("QD", "6.3.1"),),
    ),
    Rule(
        "TRANSFER_UNRECEIVED",
        "Đảng viên chuyển đến chưa nộp hồ sơ",
        "Đảng viên đã quá {months} tháng chưa nộp hồ sơ chuyển sinh hoạt đảng cho nơi đến (giấy giới thiệu "
        "ngày {start}); cấp ủy nơi đến báo cáo cấp ủy cấp trên.",
        "warning",
        "S",
        (_r("HD", "8.2h"),),
    ),
    Rule(
        "GRADUATE_HOLD",
        "Giữ sinh hoạt đảng sau tốt nghiệp",
        "Đảng viên sinh viên tốt nghiệp chưa có việc làm (hoặc nơi làm việc chưa có tổ chức đảng) chỉ được "
        "đảng ủy trường giữ sinh hoạt tối đa {months} tháng, đến {due}; sau đó chuyển sinh hoạt về nơi cư trú.",
        "warning",
        "S/U",
        (_r("HD", None, note="quy định từ HD 01-HD/TW năm 2012"),),  # no point found in the later texts
    ),
    # --- version 2: the path's order, probation and the recognition file -----------------------------------
    Rule(
        "STEP_ORDER",
        "Các bước theo đúng trình tự",
        "{what} ngày {date} được ghi khi chưa có {needed} trước hoặc cùng ngày; các bước kết nạp và công nhận "
        "đảng viên chính thức phải theo đúng trình tự.",
        "error",
        "P",
        (_r("DL", "Điều 4.3"),),
        {
            "recognition": "{what} ngày {date} được ghi khi chưa có {needed} trước hoặc cùng ngày; các bước "
            "xét công nhận đảng viên chính thức phải theo đúng trình tự."
        },
        {"recognition": (_r("DL", "Điều 5"),)},
    ),
    Rule(
        "STEP_REPEATED",
        "Không ghi trùng một bước",
        "Đã có {what} ngày {first}; mỗi lần kết nạp chỉ có một {what_short}, không ghi thêm một bản ngày {date}. "
        "Nếu bản đã ghi bị sai, hãy đính chính hoặc hủy bản ghi đó.",
        "error",
        "P",
        (_r("DL", "Điều 4.3"),),
    ),
    Rule(
        "PROBATION_COMPLETE",
        "Đã hết thời gian dự bị",
        "Chi bộ chỉ xét công nhận đảng viên chính thức khi đã hết {probation_months} tháng dự bị (hết ngày "
        "{end}); ngày {date} chưa hết thời gian dự bị.",
        "error",
        "P",
        (_r("DL", "Điều 5.2"), _r("QD", "4.2a")),
    ),
    Rule(
        "CELL_SIZE",
        "Chi bộ đủ số đảng viên chính thức",
        "Chi bộ phải có ít nhất {min_cell_members} đảng viên chính thức mới xét kết nạp hoặc công nhận đảng viên "
        "chính thức; nghị quyết ngày {date} chỉ tính {members} đảng viên chính thức.",
        "error",
        "S",
        (_r("DL", "Điều 21.2, Điều 24.1"),),
    ),
    Rule(
        "RECOGNITION_FILE",
        "Hồ sơ xét công nhận đảng viên chính thức",
        "Trước khi chi bộ xét công nhận đảng viên chính thức ({date}) phải có: {missing}.",
        "error",
        "S",
        (_r("HD", "8.3"),),
    ),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _RULE_LIST}


# ---------------------------------------------------------------------------------------------------------------
# Date helpers of the rules the dossier check does not evaluate (used by the Django side).


def probation_end(ceremony: dt.date, params: Params = DEFAULT_PARAMS) -> dt.date:
    """PROBATION_END: 12 calendar months from the ceremony (also the OFFICIAL_DATE once recognised)."""
    return add_months(ceremony, params.probation_months)


def member_biography_due(ceremony: dt.date, cal: Calendar, params: Params = DEFAULT_PARAMS) -> dt.date:
    """MEMBER_BIOGRAPHY_DUE: counted in working days, as every day count of DOMAIN.md §3 that says no other."""
    return cal.add_working_days(ceremony, params.member_biography_days)


def transfer_start_due(event_date: dt.date, cal: Calendar, params: Params = DEFAULT_PARAMS) -> dt.date:
    """TRANSFER_START_DUE: within 60 working days of the triggering event (new job, graduation, move)."""
    return cal.add_working_days(event_date, params.transfer_start_days)


def transfer_present_due(letter_date: dt.date, cal: Calendar, params: Params = DEFAULT_PARAMS) -> dt.date:
    """TRANSFER_PRESENT_DUE: the letter is presented within 30 working days of its date."""
    return cal.add_working_days(letter_date, params.transfer_present_days)


def transfer_unreceived(letter_date: dt.date, as_of: dt.date, params: Params = DEFAULT_PARAMS) -> bool:
    """TRANSFER_UNRECEIVED: more than 3 calendar months have passed since the letter without the papers."""
    return as_of > add_months(letter_date, params.transfer_unreceived_months)


def graduate_hold_until(graduation: dt.date, params: Params = DEFAULT_PARAMS) -> dt.date:
    """GRADUATE_HOLD: the school committee may keep a graduate member until this date (12 months)."""
    return add_months(graduation, params.graduate_hold_months)
