"""Checking one dossier: stage folding, rule findings, deadlines, derived dates, and the current checklist.

Reading of the contract (spec/check-dossier.md) where it leaves room, decided once here:

* Events are taken in date order; within one day a step comes after what it needs (`_DAY_ORDER`: a paper,
  then the cell vote, the committee vote, … the exits last), events of the same rank keep their given order;
  events dated after
  ``as_of`` are ignored (the JSON reader refuses them).
* Stage: each event can only move the stage forward; a vote below its threshold (including an authorised
  committee's decision vote below 2/3) does not move it at all, whatever came before. Removal and withdrawal
  end the dossier: later events are ignored.
* "The latest one counts": findings of a vote are those of the latest vote of its kind; eligibility is checked
  at the date of the latest cell vote; a deadline runs from the latest vote of its kind that passed and is
  done by the latest event that fulfils it.
* After a removal or withdrawal no deadline stays open: a deadline already missed before the exit stays in
  the output (``met: false`` and its warning); one not yet due at the exit is dropped.
* ``decision_extension`` adds its days to the deadline that is open on its date (started on or before it and
  not yet done before it): the admission decision first, else the recognition decision; the total added to
  one deadline is capped at ``Params.extension_max_days``.
* ``ceremony_consent`` (anywhere in the dossier) makes a late ceremony ``met: true`` and keeps an unheld one
  open (``met: null``) after its due date.
* THREE_VOTES: the first three recognition votes in their place all below 2/3 (dated at the third).
* NEW_MEMBER_CLASS is checked at the latest recognition vote, or at the recognition decision if no vote.
* A missed deadline's finding is dated at the due date and cites the text in force when the period started.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .book import DEFAULT_PARAMS, RULES, Params, fmt_date, probation_end, vote_passes, votes_needed
from .calendar import Calendar, add_months, full_years
from .dossier import (
    EDUCATION_LABELS,
    EDUCATION_LEVELS,
    EVENT_KINDS,
    STAGES,
    Deadline,
    Dossier,
    Event,
    Finding,
    Result,
)

__all__ = ["Item", "Review", "check", "checklist", "fold", "review"]

_FORWARD = {"awareness_class": 1, "application": 2}
_EXITS = {"removal": "REMOVED", "withdrawal": "WITHDRAWN"}
_DENOMINATOR = {
    "cell_vote": "official_members",
    "recognition_vote": "official_members",
    "committee_vote": "members",
    "decision": "members",
}
_DOC_LABELS = {
    "member_introduction": "giấy giới thiệu của đảng viên",
    "youth_union_introduction": "nghị quyết giới thiệu của Ban Chấp hành Đoàn cơ sở",
    "trade_union_introduction": "nghị quyết giới thiệu của Ban Chấp hành Công đoàn cơ sở",
    "comments": "bản tổng hợp ý kiến nhận xét",
}

# The path's chain (STEP_ORDER): each step needs the latest of its predecessor, on or before its date, to be
# valid (a vote: passing). A grassroots cell has no committee vote: its decision follows the cell vote.
_VOTES = ("cell_vote", "committee_vote", "recognition_vote")
_AFTER_CEREMONY = (
    "member_biography",
    "new_member_class",
    "self_review",
    "helper_comments",
    "recognition_comments",
)
_ONCE = ("decision", "ceremony", "recognition_decision")  # STEP_REPEATED
_RECOGNITION_FILE = ("self_review", "helper_comments", "recognition_comments")
_RECOGNITION_STEPS = frozenset(("recognition_vote", "recognition_decision", *_AFTER_CEREMONY))
# Within one day, a step comes after what it needs ("a document dated the same day as the step it serves counts
# as before it"); exits come last. Events of the same rank keep their given order.
_DAY_ORDER = {
    "cell_vote": 1,
    "committee_vote": 2,
    "decision": 3,
    "ceremony": 4,
    **dict.fromkeys(_AFTER_CEREMONY, 5),
    "recognition_vote": 6,
    "recognition_decision": 7,
    "removal": 8,
    "withdrawal": 8,
}
STEP_LABELS = {
    "cell_vote": "nghị quyết chi bộ đề nghị kết nạp",
    "committee_vote": "nghị quyết đảng ủy cơ sở đề nghị kết nạp",
    "decision": "quyết định kết nạp",
    "ceremony": "lễ kết nạp",
    "member_biography": "lý lịch đảng viên",
    "new_member_class": "giấy chứng nhận lớp bồi dưỡng đảng viên mới",
    "self_review": "bản tự kiểm điểm của đảng viên dự bị (mẫu 10-KNĐ)",
    "helper_comments": "bản nhận xét của đảng viên giúp đỡ (mẫu 11-KNĐ)",
    "recognition_comments": "bản tổng hợp ý kiến nhận xét của đoàn thể và chi ủy nơi cư trú (mẫu 12-KNĐ)",
    "recognition_vote": "nghị quyết chi bộ đề nghị công nhận đảng viên chính thức",
    "recognition_decision": "quyết định công nhận đảng viên chính thức",
}
_NEEDED = {
    "cell_vote": "nghị quyết chi bộ đề nghị kết nạp đạt hai phần ba",
    "committee_vote": "nghị quyết đảng ủy cơ sở đề nghị kết nạp đạt hai phần ba",
    "decision": "quyết định kết nạp hợp lệ",
    "ceremony": "lễ kết nạp",
    "recognition_vote": "nghị quyết chi bộ đề nghị công nhận chính thức đạt hai phần ba",
}
# Errors that make a step invalid: it does not move the stage and opens no deadline.
STRUCTURAL = frozenset(("STEP_ORDER", "STEP_REPEATED", "PROBATION_COMPLETE", "CELL_SIZE", "RECOGNITION_FILE"))


def _predecessor(kind: str, grassroots: bool) -> str | None:
    if kind == "committee_vote":
        return "cell_vote"
    if kind == "decision":
        return "cell_vote" if grassroots else "committee_vote"
    if kind in ("recognition_vote", *_AFTER_CEREMONY):
        return "ceremony"
    if kind == "ceremony":
        return "decision"
    if kind == "recognition_decision":
        return "recognition_vote"
    return None


@dataclass(frozen=True)
class Item:
    """One line of the checklist of the current step, for the person page."""

    rule: str
    status: str  # "ok" | "missing" | "error" | "warning"
    label: str  # short Vietnamese label of the rule
    message: str  # Vietnamese: what is done, or what is missing/wrong
    source: str  # citation under the text in force on the date the item is checked at


def _NO_TEXT() -> str:
    return ""


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def _count(data: dict[str, Any], key: str) -> int:
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _by_date(event: Event) -> dt.date:
    return event.date


class _Facts:
    """The events of one dossier up to ``as_of``, folded once: stage, exit, events by kind (date order), and the
    structural findings of each step of the path (STEP_ORDER, STEP_REPEATED, PROBATION_COMPLETE, CELL_SIZE,
    RECOGNITION_FILE): a step with one of them is invalid — it moves no stage and opens no deadline."""

    __slots__ = ("params", "by_kind", "stage", "exit_date", "structural", "_bad")

    def __init__(self, dossier: Dossier, as_of: dt.date, params: Params):
        self.params = params
        grassroots = dossier.unit.cell_is_grassroots
        by_kind: dict[str, list[Event]] = {}
        self.structural: list[tuple[str, Event, str | None, dict[str, Any]]] = []
        self._bad: set[int] = set()  # id() of the events with a structural error
        self.by_kind = by_kind
        rank, stage, exit_date = 0, None, None
        first_valid: dict[str, Event] = {}
        order = sorted(
            (e for e in dossier.events if e.date <= as_of), key=lambda e: (e.date, _DAY_ORDER.get(e.kind, 0))
        )
        for ev in order:
            kind = ev.kind
            if grassroots and kind == "committee_vote":
                continue  # the cell is itself grassroots: no committee vote applies
            by_kind.setdefault(kind, []).append(ev)
            if kind in _EXITS:
                stage, exit_date = _EXITS[kind], ev.date
                break
            self._structure(ev, grassroots, first_valid)
            target = _FORWARD.get(kind, 0)
            if self.ok(ev):
                if kind in _ONCE:
                    first_valid.setdefault(kind, ev)
                if kind == "cell_vote":
                    target = 4 if grassroots else 3
                elif kind == "committee_vote":
                    target = 4
                elif kind == "decision":
                    target = 5
                elif kind == "ceremony":
                    target = 6
                elif kind == "recognition_decision":
                    target = 7
            rank = max(rank, target)
        self.stage = stage or STAGES[rank]
        self.exit_date = exit_date

    def _structure(self, ev: Event, grassroots: bool, first_valid: dict[str, Event]) -> None:
        """Record the structural errors of ``ev`` given the events before it (date order)."""
        kind, params = ev.kind, self.params
        variant = "recognition" if kind in _RECOGNITION_STEPS else None

        def bad(rule_id: str, v: str | None = None, **facts: Any) -> None:
            self.structural.append((rule_id, ev, v, facts))
            self._bad.add(id(ev))

        pred = _predecessor(kind, grassroots)
        if pred is not None and not (kind == "decision" and ev.data.get("imported")):
            if pred in _VOTES:
                before = self.by_kind.get(pred, [])
                ok = bool(before) and self.ok(before[-1])
            else:
                ok = pred in first_valid
            if not ok:
                bad("STEP_ORDER", variant, what=_cap(STEP_LABELS[kind]), needed=_NEEDED[pred])
        if kind in _ONCE and kind in first_valid:
            first = first_valid[kind]
            bad("STEP_REPEATED", what=STEP_LABELS[kind], what_short=STEP_LABELS[kind], first=first.date)
        if kind in ("cell_vote", "recognition_vote"):
            members = _count(ev.data, "official_members")
            if members < params.min_cell_members:
                bad("CELL_SIZE", members=members)
        ceremony = first_valid.get("ceremony")
        if kind == "recognition_vote" and ceremony is not None:  # without a ceremony: STEP_ORDER says it all
            end = probation_end(ceremony.date, params)
            if ev.date < end:
                bad("PROBATION_COMPLETE", end=end)
            # The file's papers count when they are in their place (after the ceremony, on or before the vote).
            missing = [
                STEP_LABELS[k]
                for k in _RECOGNITION_FILE
                if not any(self.valid(d) for d in self.by_kind.get(k, ()))
            ]
            if missing:
                bad("RECOGNITION_FILE", missing="; ".join(missing))

    def valid(self, ev: Event) -> bool:
        """No structural error (the step is in its place in the path)."""
        return id(ev) not in self._bad

    def passes(self, ev: Event) -> bool:
        return vote_passes(_count(ev.data, "in_favour"), _count(ev.data, _DENOMINATOR[ev.kind]), self.params)

    def decision_valid(self, ev: Event) -> bool:
        return not ev.data.get("authorized") or self.passes(ev)

    def ok(self, ev: Event) -> bool:
        """The step counts: in its place and, for a vote, passing; for a decision, validly taken."""
        if not self.valid(ev):
            return False
        if ev.kind in _VOTES:
            return self.passes(ev)
        if ev.kind == "decision":
            return self.decision_valid(ev)
        return True

    def all(self, kind: str, on: dt.date | None = None) -> list[Event]:
        events = self.by_kind.get(kind, [])
        return events if on is None else [e for e in events if e.date <= on]

    def latest(self, kind: str, on: dt.date | None = None, valid: Any = None) -> Event | None:
        for ev in reversed(self.by_kind.get(kind, ())):
            if (on is None or ev.date <= on) and (valid is None or valid(ev)):
                return ev
        return None

    def first(self, kind: str, valid: Any = None) -> Event | None:
        return next((ev for ev in self.by_kind.get(kind, ()) if valid is None or valid(ev)), None)

    def vote_facts(self, ev: Event) -> dict[str, int]:
        members = _count(ev.data, _DENOMINATOR[ev.kind])
        return {
            "in_favour": _count(ev.data, "in_favour"),
            "members": members,
            "needed": votes_needed(members, self.params),
        }


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _eligibility(
    f: _Facts, dossier: Dossier, on: dt.date, describe_ok: bool = False
) -> list[tuple[str, str, str]]:
    """The eligibility rules at the (real or prospective) cell-vote date ``on``: (rule id, status, message),
    status "ok", "missing" (a document is absent) or "error" (present but breaking the rule). The message of
    an "ok" rule (built lazily: ``check`` does not need it) is empty unless ``describe_ok``."""
    params, person, unit = f.params, dossier.person, dossier.unit
    ctx = {**vars(params), "date": on}
    out: list[tuple[str, str, str]] = []

    def add(
        rule_id: str, status: str, ok: Callable[[], str], variant: str | None = None, **facts: Any
    ) -> None:
        if status != "ok":
            message = RULES[rule_id].text(variant, **ctx, **facts)
        else:
            message = ok() if describe_ok else ""
        out.append((rule_id, status, message))

    age = full_years(person.birth_date, on)
    add(
        "AGE_MIN",
        "ok" if age >= params.min_age else "error",
        lambda: f"Đủ {age} tuổi vào ngày {fmt_date(on)}.",
        age=age,
    )
    if age <= params.max_age:
        add("AGE_MAX", "ok", lambda: f"{age} tuổi vào ngày {fmt_date(on)}.", age=age)
    else:
        # Over the age limit: the city standing board's written consent, on or before the decision, allows it;
        # without it the dossier may go on (a warning) until a decision is recorded (then an error).
        decision = f.first("decision", valid=f.ok)  # the admission's decision (a repeated one does not count)
        consent = f.latest("age_consent", decision.date if decision else None)
        if consent is not None:
            add(
                "AGE_MAX",
                "ok",
                lambda: (
                    f"{age} tuổi; Ban Thường vụ Thành ủy đã đồng ý bằng văn bản ngày {fmt_date(consent.date)}."
                ),
                age=age,
            )
        elif decision is None:
            add("AGE_MAX", "warning", _NO_TEXT, "consent", age=age)
        else:
            add("AGE_MAX", "error", _NO_TEXT, age=age)

    level = person.education
    good = level in EDUCATION_LEVELS and EDUCATION_LEVELS.index(level) >= EDUCATION_LEVELS.index(
        params.min_education
    )
    label = EDUCATION_LABELS.get(level, str(level))
    add("EDUCATION_MIN", "ok" if good else "error", lambda: f"Trình độ {label}.", education=label)

    cert = f.latest("awareness_class", on)
    if cert is None:
        add("AWARENESS_CERT", "missing", _NO_TEXT)
    else:
        add("AWARENESS_CERT", "ok", lambda: f"Học ngày {fmt_date(cert.date)}.")
        valid_until = add_months(cert.date, params.cert_validity_months)
        add(
            "AWARENESS_CERT_VALID",
            "ok" if on <= valid_until else "error",
            lambda: f"Còn giá trị đến ngày {fmt_date(valid_until)}.",
            cert=cert.date,
        )

    applications, biography = f.all("application", on), f.latest("biography", on)
    if not applications:
        add("APPLICATION", "missing", _NO_TEXT)
    elif biography is not None and applications[0].date > biography.date:
        add(
            "APPLICATION",
            "error",
            _NO_TEXT,
            "order",
            application=applications[0].date,
            biography=biography.date,
        )
    else:
        add("APPLICATION", "ok", lambda: f"Đơn ngày {fmt_date(applications[0].date)}.")
    if biography is None:
        add("BIOGRAPHY", "missing", _NO_TEXT)
    else:
        add("BIOGRAPHY", "ok", lambda: f"Lý lịch ngày {fmt_date(biography.date)}.")

    youth = params.youth_age_min <= age <= params.youth_age_max
    if youth and unit.has_youth_union:
        add(
            "YOUTH_UNION_MEMBER",
            "ok" if person.youth_union_member else "error",
            lambda: "Là đoàn viên.",
            age=age,
        )

    members = f.all("member_introduction", on)
    yu, tu = f.latest("youth_union_introduction", on), f.latest("trade_union_introduction", on)
    if youth and unit.has_youth_union and person.youth_union_member:
        variant, ok = "youth", yu is not None and len(members) >= 1
        used = [yu, *members[-1:]]
    elif (
        (not unit.has_youth_union or (params.trade_union_route == "outside_youth_age" and not youth))
        and len(members) < 2
        and tu is not None
    ):
        variant, ok = "trade_union", len(members) >= 1
        used = [tu, *members[-1:]]
    else:
        variant, ok = ("trade_union" if not unit.has_youth_union else None), len(members) >= 2
        used = list(members[-2:])
    have = [f"{len(members)} giấy giới thiệu của đảng viên"] if members else []
    have += ["nghị quyết của Đoàn"] if yu else []
    have += ["nghị quyết của Công đoàn"] if tu else []
    add(
        "INTRODUCERS",
        "ok" if ok else "missing",
        lambda: "Đủ người và tổ chức giới thiệu.",
        variant,
        have=", ".join(have) or "chưa có",
    )

    if members:
        late = [
            m.date for m in members if (_date(_introducer(m).get("official_since")) or dt.date.max) > m.date
        ]
        add(
            "INTRODUCER_OFFICIAL",
            "error" if late else "ok",
            lambda: "Người giới thiệu là đảng viên chính thức.",
            dates=", ".join(map(fmt_date, late)),
        )
        short = [m.date for m in members if not _cowork_ok(m, params)]
        add(
            "INTRODUCER_COWORK",
            "error" if short else "ok",
            lambda: f"Người giới thiệu cùng công tác, học tập đủ {params.cowork_months} tháng.",
            dates=", ".join(map(fmt_date, short)),
        )

    comments = f.latest("comments", on)
    if comments is None:
        add("COMMENTS", "missing", _NO_TEXT)
    else:
        add("COMMENTS", "ok", lambda: f"Tổng hợp nhận xét ngày {fmt_date(comments.date)}.")

    verification = f.latest("verification", on)
    if verification is None:
        add("VERIFICATION", "missing", _NO_TEXT)
    elif not verification.data.get("concluded"):
        add("VERIFICATION", "missing", _NO_TEXT, "open", verification=verification.date)
    else:
        add("VERIFICATION", "ok", lambda: f"Đã kết luận ngày {fmt_date(verification.date)}.")

    documents = [d for d in (*used, comments) if d is not None]
    if documents:
        stale = [
            f"{_DOC_LABELS[d.kind]} ngày {fmt_date(d.date)}"
            for d in documents
            if on > add_months(d.date, params.dossier_fresh_months)
        ]
        add(
            "DOSSIER_FRESH",
            "error" if stale else "ok",
            lambda: f"Các giấy tờ chưa quá {params.dossier_fresh_months} tháng.",
            stale="; ".join(stale),
        )
    return out


def _introducer(ev: Event) -> dict[str, Any]:
    introducer = ev.data.get("introducer")
    return introducer if isinstance(introducer, dict) else {}


def _cowork_ok(ev: Event, params: Params) -> bool:
    introducer = _introducer(ev)
    if introducer.get("replacement"):
        return True
    since = _date(introducer.get("cowork_since"))
    return since is not None and add_months(since, params.cowork_months) <= ev.date


class _Checker:
    """One run of :func:`check`; keeps what :func:`checklist` needs besides the result."""

    def __init__(self, dossier: Dossier, as_of: dt.date, calendar: Calendar, params: Params):
        self.dossier, self.as_of, self.calendar, self.params = dossier, as_of, calendar, params
        self.f = f = _Facts(dossier, as_of, params)
        self.ctx = vars(params)
        self.findings: list[Finding] = []
        self.deadlines: list[Deadline] = []
        self.dates: dict[str, dt.date] = {}

        # --- admission ------------------------------------------------------------------------------------
        cell_vote = f.latest("cell_vote")
        if cell_vote is not None:
            for rule_id, status, message in _eligibility(f, dossier, cell_vote.date):
                if status != "ok":
                    severity = "warning" if status == "warning" else "error"
                    self._add(rule_id, cell_vote.date, message=message, severity=severity)
            if not f.passes(cell_vote):
                self._add("CELL_VOTE", cell_vote.date, **f.vote_facts(cell_vote))
        committee_vote = f.latest("committee_vote")
        if committee_vote is not None and not f.passes(committee_vote):
            self._add("COMMITTEE_VOTE", committee_vote.date, **f.vote_facts(committee_vote))
        decision_last = f.latest("decision")
        if decision_last is not None and not f.decision_valid(decision_last):
            self._add("DECIDER", decision_last.date, **f.vote_facts(decision_last))

        for rule_id, ev, variant, facts in f.structural:
            self._add(rule_id, ev.date, variant, **facts)

        # Only the steps in their place count (f.ok): an invalid step opens no deadline and meets none.
        cell_pass = f.latest("cell_vote", valid=f.ok)
        decision = f.latest("decision", valid=f.ok)
        ceremony = f.latest("ceremony", valid=f.ok)
        recognition_pass = f.latest("recognition_vote", valid=f.ok)
        recognition_decision = f.latest("recognition_decision", valid=f.ok)
        extensions = self._extensions(cell_pass, decision, recognition_pass, recognition_decision)

        if cell_pass is not None:
            self._deadline(
                "DECISION_DUE",
                cell_pass.date,
                params.decision_days + extensions[0],
                decision.date if decision else None,
            )
        if decision is not None:
            self.dates["party_age_from"] = decision.date
            self._deadline(
                "CEREMONY_DUE",
                _date(decision.data.get("received")) or decision.date,
                params.ceremony_days,
                ceremony.date if ceremony else None,
                consent=bool(f.all("ceremony_consent")),
            )

        # --- probation and recognition ---------------------------------------------------------------------
        if ceremony is not None:
            if not ceremony.data.get("imported"):  # an imported member's biography was made where admitted
                biography = f.first("member_biography", valid=f.valid)
                self._deadline(
                    "MEMBER_BIOGRAPHY_DUE",
                    ceremony.date,
                    params.member_biography_days,
                    biography.date if biography else None,
                )
            end = self.dates["probation_end"] = probation_end(ceremony.date, params)
            if recognition_decision is not None:
                self.dates["official_date"] = end
            first_vote = f.first("recognition_vote", valid=f.valid)
            self._deadline(
                "RECOGNITION_REVIEW_DUE",
                end,
                params.recognition_review_days,
                first_vote.date if first_vote else None,
            )
        recognition_votes = [v for v in f.all("recognition_vote") if f.valid(v)]
        last_vote = f.latest("recognition_vote")
        any_decision = f.latest("recognition_decision")
        checked_on = last_vote.date if last_vote else (any_decision.date if any_decision else None)
        if (
            ceremony is not None  # recognition is judged against an admission: without one, STEP_ORDER
            and checked_on is not None
            and f.latest("new_member_class", checked_on, valid=f.valid) is None
        ):
            self._add("NEW_MEMBER_CLASS", checked_on)
        if last_vote is not None and not f.passes(last_vote):
            self._add("CELL_VOTE", last_vote.date, "recognition", **f.vote_facts(last_vote))
        first = recognition_votes[: params.recognition_max_votes]
        if len(first) == params.recognition_max_votes and not any(map(f.passes, first)):
            self._add("THREE_VOTES", first[-1].date, count=len(first))
        if recognition_pass is not None:
            self._deadline(
                "RECOGNITION_DECISION_DUE",
                recognition_pass.date,
                params.recognition_decision_days + extensions[1],
                recognition_decision.date if recognition_decision else None,
            )

        self.findings.sort(key=lambda finding: finding.date)  # stable: same-day findings keep rule order
        self.result = Result(f.stage, self.findings, self.deadlines, self.dates)

    def _add(
        self,
        rule_id: str,
        on: dt.date,
        variant: str | None = None,
        *,
        message: str = "",
        severity: str | None = None,
        **facts: Any,
    ):
        rule = RULES[rule_id]
        text = message or rule.text(variant, **{**self.ctx, "date": on, **facts})
        source = rule.source_on(facts.get("start", on), variant=variant)
        self.findings.append(Finding(rule_id, severity or rule.severity, on, text, source))

    def _extensions(
        self,
        cell_pass: Event | None,
        decision: Event | None,
        rec_pass: Event | None,
        rec_decision: Event | None,
    ) -> tuple[int, int]:
        """Days added to the admission and to the recognition decision deadlines."""
        added = [0, 0]
        for ev in self.f.all("decision_extension"):
            for i, (start, done) in enumerate(((cell_pass, decision), (rec_pass, rec_decision))):
                if start is not None and start.date <= ev.date and (done is None or ev.date <= done.date):
                    added[i] += max(0, _count(ev.data, "days"))
                    break
        return min(added[0], self.params.extension_max_days), min(added[1], self.params.extension_max_days)

    def _deadline(self, rule_id: str, start: dt.date, days: int, done: dt.date | None, consent: bool = False):
        due = self.calendar.add_working_days(start, days)
        if done is not None:
            met: bool | None = done <= due or consent
        else:
            exited = self.f.exit_date
            if (exited or self.as_of) > due and not consent:
                met = False
            elif exited is not None:
                return  # after a withdrawal or removal no deadline stays open
            else:
                met = None
        self.deadlines.append(Deadline(rule_id, due, done, met, start))
        if met is False:
            self._add(rule_id, due, start=start, due=due, days=days)


def check(dossier: Dossier, as_of: dt.date, calendar: Calendar, params: Params = DEFAULT_PARAMS) -> Result:
    """Stage, findings, deadlines and derived dates of ``dossier`` on the date ``as_of``."""
    return _Checker(dossier, as_of, calendar, params).result


fold = check


# ---------------------------------------------------------------------------------------------------------------


def checklist(
    dossier: Dossier, as_of: dt.date, calendar: Calendar, params: Params = DEFAULT_PARAMS
) -> list[Item]:
    """What is done and what is missing for the current step (empty once official, removed or withdrawn).

    Before the cell has approved, the eligibility rules are evaluated at ``as_of`` taken as the prospective
    date of the cell's vote.
    """
    return review(dossier, as_of, calendar, params).checklist


@dataclass(frozen=True)
class Review:
    """One evaluation of a dossier for a page: the result (findings, deadlines, dates), the checklist of the
    current step and the steps that may be recorded next — all from the same run, so they never disagree."""

    result: Result
    checklist: list[Item]
    next_steps: frozenset[str]


def review(dossier: Dossier, as_of: dt.date, calendar: Calendar, params: Params = DEFAULT_PARAMS) -> Review:
    run = _Checker(dossier, as_of, calendar, params)
    return Review(run.result, _checklist(run, dossier, as_of, calendar), _next_steps(run, dossier, as_of))


_PATH_KINDS = (
    "cell_vote",
    "committee_vote",
    "decision",
    "ceremony",
    "recognition_vote",
    "recognition_decision",
)
_BEFORE_VOTE = EVENT_KINDS[: EVENT_KINDS.index("cell_vote")]  # the dossier's papers, up to the cell vote


def _next_steps(run: _Checker, dossier: Dossier, as_of: dt.date) -> frozenset[str]:
    """The event kinds a page may offer on ``as_of``: those whose predecessor is in place (STEP_ORDER), that
    are not recorded already (STEP_REPEATED) and whose time has come (PROBATION_COMPLETE). Recording one can
    still be refused for another rule; the server always asks the rule book."""
    f, stage, params = run.f, run.result.stage, run.params
    if stage in ("REMOVED", "WITHDRAWN", "OFFICIAL"):
        return frozenset()
    grassroots = dossier.unit.cell_is_grassroots
    out: set[str] = set()
    before_vote = stage in ("SOURCE", "SYMPATHISER", "APPLICANT")
    if before_vote:
        out.update(_BEFORE_VOTE)
        out.add("cell_vote")
        out.add("withdrawal")
        # Only the introducing organisation that INTRODUCERS accepts for this person (on as_of).
        age = full_years(dossier.person.birth_date, as_of)
        youth = params.youth_age_min <= age <= params.youth_age_max
        if not (youth and dossier.unit.has_youth_union):
            out.discard("youth_union_introduction")
        trade_union_ok = not dossier.unit.has_youth_union or (
            params.trade_union_route == "outside_youth_age" and not youth
        )
        if not trade_union_ok:
            out.discard("trade_union_introduction")
    ok = {k: f.latest(k, valid=f.ok) for k in _PATH_KINDS}
    latest = {k: f.latest(k) for k in _PATH_KINDS}
    if stage == "CELL_APPROVED" and not grassroots:
        out.update(("committee_vote", "withdrawal"))
    if stage in ("CELL_APPROVED", "COMMITTEE_APPROVED"):
        out.add("decision_extension")
    if stage == "COMMITTEE_APPROVED":
        if grassroots or (latest["committee_vote"] is not None and f.ok(latest["committee_vote"])):
            out.add("decision")
        elif not grassroots:
            out.add("committee_vote")  # the latest committee vote failed: it may vote again
        out.add("withdrawal")
    if stage in ("CELL_APPROVED", "COMMITTEE_APPROVED") or before_vote:  # the consent precedes the decision
        age = full_years(dossier.person.birth_date, as_of)
        if age > params.max_age:
            out.add("age_consent")
    if stage == "ADMITTED" and ok["ceremony"] is None:
        out.update(("ceremony", "ceremony_consent", "withdrawal"))
    if stage == "PROBATIONARY":
        out.update(("member_biography", "new_member_class", "self_review", "helper_comments"))
        out.update(("recognition_comments", "removal"))
        end = run.dates["probation_end"]
        vote = latest["recognition_vote"]
        if as_of >= end and not (vote is not None and f.ok(vote)):  # no vote yet, or the last one failed
            out.add("recognition_vote")
        if vote is not None and f.ok(vote) and ok["recognition_decision"] is None:
            out.update(("recognition_decision", "decision_extension"))
    return frozenset(out)


def _checklist(run: _Checker, dossier: Dossier, as_of: dt.date, calendar: Calendar) -> list[Item]:
    f, stage = run.f, run.result.stage
    deadlines = {d.rule: d for d in run.result.deadlines}
    items: list[Item] = []

    def item(
        rule_id: str, status: str, message: str, on: dt.date = as_of, variant: str | None = None
    ) -> None:
        rule = RULES[rule_id]
        items.append(Item(rule_id, status, rule.title, message, rule.source_on(on, variant=variant)))

    def out_of_place(ev: Event) -> bool:
        """The step has a structural error: the checklist says so with the finding's own words."""
        found = next(((r, v, facts) for r, e, v, facts in f.structural if e is ev), None)
        if found is None:
            return False
        rule_id, variant, facts = found
        text = RULES[rule_id].text(variant, **{**run.ctx, "date": ev.date, **facts})
        items.append(
            Item(
                rule_id,
                "error",
                RULES[rule_id].title,
                text,
                RULES[rule_id].source_on(ev.date, variant=variant),
            )
        )
        return True

    def vote(rule_id: str, kind: str, variant: str | None, ok: str) -> None:
        ev = f.latest(kind)
        if ev is None:
            missing = f"{variant}_missing" if variant else "missing"
            item(rule_id, "missing", RULES[rule_id].text(missing), variant=missing)
        elif out_of_place(ev):
            return
        elif f.passes(ev):
            item(rule_id, "ok", ok.format(date=fmt_date(ev.date)), ev.date, variant)
        else:
            text = RULES[rule_id].text(variant, **{**run.ctx, **f.vote_facts(ev)})
            item(rule_id, "error", text, ev.date, variant)

    def deadline(rule_id: str) -> None:
        d = deadlines.get(rule_id)
        if d is None:
            return
        if d.met is True:
            item(rule_id, "ok", f"Đã thực hiện ngày {fmt_date(d.done)} (hạn {fmt_date(d.due)}).", d.start)
        elif d.met is False:
            missed = next(x.message for x in run.result.findings if x.rule == rule_id and x.date == d.due)
            if d.done is not None:
                missed = f"Thực hiện ngày {fmt_date(d.done)}, sau hạn {fmt_date(d.due)}."
            item(rule_id, "warning", missed, d.start)
        else:
            left = calendar.working_days_between(as_of, d.due)
            text = (
                f"Hạn {fmt_date(d.due)}, còn {left} ngày làm việc."
                if left >= 0
                else f"Đã qua hạn {fmt_date(d.due)}; đã có sự đồng ý của cấp ủy cấp trên."
            )
            item(rule_id, "missing", text, d.start)

    if stage in ("SOURCE", "SYMPATHISER", "APPLICANT"):
        for rule_id, status, message in _eligibility(f, dossier, as_of, describe_ok=True):
            item(rule_id, status, message)
        vote("CELL_VOTE", "cell_vote", None, "Chi bộ đã đề nghị kết nạp ngày {date}.")
    elif stage == "CELL_APPROVED":
        vote("COMMITTEE_VOTE", "committee_vote", None, "Đảng ủy cơ sở đã đề nghị kết nạp ngày {date}.")
        deadline("DECISION_DUE")
    elif stage == "COMMITTEE_APPROVED":
        last = f.latest("decision")
        if last is None:
            item("DECIDER", "missing", RULES["DECIDER"].text("missing"))
        elif not out_of_place(last):  # in its place yet not valid: an authorised committee's vote fell short
            item("DECIDER", "error", RULES["DECIDER"].text(None, **f.vote_facts(last)), last.date)
        deadline("DECISION_DUE")
    elif stage == "ADMITTED":
        deadline("CEREMONY_DUE")
    elif stage == "PROBATIONARY":
        end = run.dates["probation_end"]
        deadline("MEMBER_BIOGRAPHY_DUE")
        if as_of < end:
            text = f"Thời gian dự bị hết ngày {fmt_date(end)}; chi bộ xét công nhận từ ngày đó."
            item("PROBATION_COMPLETE", "missing", text, end)
        else:
            item("PROBATION_COMPLETE", "ok", f"Đã hết thời gian dự bị ngày {fmt_date(end)}.", end)
        new_class = f.latest("new_member_class", valid=f.valid)
        if new_class is None:
            item("NEW_MEMBER_CLASS", "missing", RULES["NEW_MEMBER_CLASS"].text(date=as_of))
        else:
            item("NEW_MEMBER_CLASS", "ok", f"Học ngày {fmt_date(new_class.date)}.", new_class.date)
        missing = [STEP_LABELS[k] for k in _RECOGNITION_FILE if f.latest(k, valid=f.valid) is None]
        if missing:
            item(
                "RECOGNITION_FILE",
                "missing",
                RULES["RECOGNITION_FILE"].text(date=as_of, missing="; ".join(missing)),
            )
        else:
            item(
                "RECOGNITION_FILE",
                "ok",
                "Đủ bản tự kiểm điểm, nhận xét của đảng viên giúp đỡ và bản tổng hợp nhận xét.",
            )
        deadline("RECOGNITION_REVIEW_DUE")
        vote("CELL_VOTE", "recognition_vote", "recognition", "Chi bộ đã đề nghị công nhận ngày {date}.")
        for finding in run.result.findings:
            if finding.rule == "THREE_VOTES":
                item("THREE_VOTES", "warning", finding.message, finding.date)
        deadline("RECOGNITION_DECISION_DUE")
    return items
