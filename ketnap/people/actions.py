"""Every change to a person's path goes through one of these functions.

Each action: runs in one transaction, locks the person, re-checks scope and role, validates the
event exactly as `ketnap check-dossier` would, runs the rule book on the ledger with the new event,
refuses when the new event brings an `error` finding (with the Vietnamese reason and citation),
and otherwise writes the event, the cached state and an audit row together.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from ketnap import rules
from ketnap.accounts.permissions import require, user_can
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import path_in_scope
from ketnap.core.audit import audit
from ketnap.core.text import normalize_citizen_id
from ketnap.orgs.models import Authorization, OrgUnit
from ketnap.people import ledger, queries, write
from ketnap.people.models import CLOSED_STAGES, Person, PersonEvent, Stage

K = PersonEvent.Kind

# Which permission each kind of event needs, over which unit ("person": the person's cell,
# "grassroots": the grassroots organisation above it, "decider": the deciding unit).
KIND_PERMS: dict[str, tuple[str, str]] = {
    K.SOURCE_IDENTIFIED: (Perm.PREPARE, "person"),
    K.AWARENESS_CLASS: (Perm.PREPARE, "person"),
    K.MENTOR_ASSIGNED: (Perm.PREPARE, "person"),
    K.APPLICATION: (Perm.PREPARE, "person"),
    K.BIOGRAPHY: (Perm.PREPARE, "person"),
    K.YOUTH_UNION_INTRODUCTION: (Perm.PREPARE, "person"),
    K.TRADE_UNION_INTRODUCTION: (Perm.PREPARE, "person"),
    K.MEMBER_INTRODUCTION: (Perm.PREPARE, "person"),
    K.COMMENTS: (Perm.PREPARE, "person"),
    K.VERIFICATION: (Perm.PREPARE, "person"),
    K.CELL_VOTE: (Perm.CELL_VOTE, "person"),
    K.COMMITTEE_VOTE: (Perm.DECIDE, "grassroots"),
    K.DECISION: (Perm.DECIDE, "decider"),
    K.DECISION_EXTENSION: (Perm.DECIDE, "grassroots"),
    K.CEREMONY: (Perm.PREPARE, "person"),
    K.CEREMONY_CONSENT: (Perm.DECIDE, "grassroots"),
    K.NEW_MEMBER_CLASS: (Perm.PREPARE, "person"),
    K.MEMBER_BIOGRAPHY: (Perm.PREPARE, "person"),
    K.SELF_REVIEW: (Perm.PREPARE, "person"),
    K.HELPER_COMMENTS: (Perm.PREPARE, "person"),
    K.RECOGNITION_COMMENTS: (Perm.PREPARE, "person"),
    K.AGE_CONSENT: (Perm.PREPARE, "person"),
    K.RECOGNITION_VOTE: (Perm.CELL_VOTE, "person"),
    K.RECOGNITION_DECISION: (Perm.DECIDE, "grassroots"),
    K.REMOVAL: (Perm.DECIDE, "grassroots"),
    K.WITHDRAWAL: (Perm.CELL_VOTE, "person"),
    K.MEMBER_IMPORTED: (Perm.PREPARE, "person"),
}


# Steps that end a dossier: recorded only with a reason (the page also asks for a confirmation).
REASON_REQUIRED = (K.REMOVAL, K.WITHDRAWAL)


@dataclass
class Refusal:
    rule: str
    message: str
    source: str


class ActionRefused(ValidationError):
    """The rule book refuses the step. `refusals` carry rule id, Vietnamese message and citation."""

    def __init__(self, refusals: list[Refusal]):
        self.refusals = refusals
        super().__init__([f"{r.message} (Căn cứ: {r.source})" for r in refusals], code="rule")


def today() -> datetime.date:
    return timezone.localdate()


def _check_scope(user, unit: OrgUnit) -> None:
    if not path_in_scope(unit.path, user):
        raise Http404("Không tìm thấy hoặc bạn không có quyền xem.")


def _perm_unit(person: Person, where: str, decider: OrgUnit | None) -> OrgUnit:
    if where == "person":
        return person.unit
    if where == "decider" and decider is not None:
        return decider
    return person.unit.grassroots() or person.unit


def _finding_key(f) -> tuple:
    return (f.rule, f.severity, f.date, f.message)


def record_event(
    person: Person,
    kind: str,
    *,
    acting_user,
    occurred_on: datetime.date,
    data: dict | None = None,
    note: str = "",
    decider: OrgUnit | None = None,
    corrects: PersonEvent | None = None,
    calendar: rules.Calendar | None = None,
    as_of: datetime.date | None = None,
    authority: OrgUnit | None = None,
) -> PersonEvent:
    """Append one step to the person's ledger, checked by the rule book (the one entry for every step).

    `authority`: the organisation on whose behalf the event is recorded when it does not hold the person
    — a ward answering a background-verification request about a school's applicant. Scope and role are
    then checked over that organisation instead of the person's unit; the caller (ketnap.interorg.actions)
    has checked that it is the receiver of an open request about this person.
    """
    data = dict(data or {})
    as_of = as_of or today()
    if kind not in KIND_PERMS:
        raise ValidationError(f"Loại sự kiện không hợp lệ: {kind}")
    check_date(occurred_on, as_of)
    with transaction.atomic():
        w = write.lock(person, calendar)
        person = w.person
        _check_scope(acting_user, authority or person.unit)
        perm, where = KIND_PERMS[kind]
        require(acting_user, perm, authority or _perm_unit(person, where, decider))
        if kind in REASON_REQUIRED and corrects is None and not note.strip():
            raise ValidationError({"note": "Cần ghi lý do."}, code="reason")
        if person.stage in CLOSED_STAGES and corrects is None:
            raise ValidationError(
                "Hồ sơ đã đóng (đã rút khỏi danh sách hoặc xóa tên); không ghi thêm bước mới. Nếu việc rút, "
                "xóa tên là nhầm, hãy khôi phục hồ sơ trước.",
                code="closed",
            )
        events = w.events_before
        new = PersonEvent(
            person=person,
            kind=kind,
            occurred_on=occurred_on,
            actor=acting_user if getattr(acting_user, "pk", None) else None,
            org=person.unit,
            data=data,
            corrects=corrects,
            note=note[:500],
        )
        try:
            # The cached state depends on the ledger only, never on the clock: evaluate as of the
            # latest event. Pages evaluate as of today to show what is overdue.
            before = w.evaluate(events)
            after = w.evaluate([*events, new])
        except rules.DossierError as exc:
            raise ValidationError(str(exc.message_vi), code="invalid") from exc
        refuse_new_errors(before, after)
        if corrects is None and authority is None:
            refuse_if_not_offered(person, kind, events, occurred_on, w.calendar)
        w.add(new)
        change = w.finish(result=after)
        verb, summary = _audit_wording(new, corrects, data, note)
        audit(
            actor=acting_user,
            action=f"person.{verb}",
            obj=person,
            unit=person.unit,
            summary=f"{person.full_name}: {summary}"[:500],
            before=change["before"],
            after={**change["after"], "event_id": new.pk, "data": data},
        )
    return new


# Kinds the ledger takes outside the path's offers: a person's creation, an import, a helper assigned early on.
_ALWAYS = (K.SOURCE_IDENTIFIED, K.MEMBER_IMPORTED)
_EARLY = (Stage.SOURCE, Stage.SYMPATHISER, Stage.APPLICANT)


def refuse_if_not_offered(person: Person, kind: str, events: list, on: datetime.date, calendar) -> None:
    """A new step must be one the rule book opens at its date (`rules.review(...).next_steps`, what the person
    page offers): a POST cannot withdraw a member, remove an applicant or record a step of another stage."""
    if kind in _ALWAYS or (kind == K.MENTOR_ASSIGNED and person.stage in _EARLY):
        return
    try:
        review = ledger.review(person, events, max(on, ledger.ledger_date(events)), calendar)
    except rules.DossierError as exc:
        raise ValidationError(str(exc.message_vi), code="invalid") from exc
    if kind in review.next_steps:
        return
    stage = Stage(review.result.stage).label
    raise ValidationError(
        f"Không ghi được «{K(kind).label}» khi hồ sơ đang ở giai đoạn «{stage}»: bước này không thuộc giai "
        "đoạn hiện tại của hồ sơ.",
        code="not_offered",
    )


def _audit_wording(new: PersonEvent, corrects, data: dict, note: str) -> tuple[str, str]:
    """The audit row's action and summary: a step, a correction, a void or a reinstatement (with the reason)."""
    what = f"{new.get_kind_display()} ngày {new.occurred_on:%d/%m/%Y}"
    if corrects is None:
        reason = f" — lý do: {note}" if new.kind in REASON_REQUIRED and note else ""
        return new.kind, what + reason
    if data.get("reinstated_on"):
        return "reinstate", f"khôi phục hồ sơ (hủy {what.lower()}) — lý do: {note}"
    if data.get("void"):
        return f"void.{new.kind}", f"hủy bản ghi {what.lower()} — lý do: {note}"
    return f"correct.{new.kind}", f"đính chính {what.lower()} — lý do: {note}"


def check_date(day: datetime.date, as_of: datetime.date) -> None:
    """Every date of a step lies between the rule book's lower bound and today."""
    if day > as_of:
        raise ValidationError("Ngày của sự kiện không được sau ngày hôm nay.", code="future")
    if day < rules.DATE_MIN:
        raise ValidationError(
            f"Ngày của sự kiện không được trước ngày {rules.DATE_MIN:%d/%m/%Y}.", code="too_old"
        )


def refuse_new_errors(before: rules.Result, after: rules.Result) -> None:
    """ActionRefused when `after` (the ledger with the change) has an error finding that `before` had not."""
    old = {_finding_key(f) for f in before.findings}
    fresh = [f for f in after.findings if f.severity == "error" and _finding_key(f) not in old]
    if fresh:
        raise ActionRefused([Refusal(f.rule, f.message, f.source) for f in fresh])


# ---------------------------------------------------------------- the domain verbs


def identify_source(
    *, acting_user, unit: OrgUnit, occurred_on: datetime.date, note: str = "", **fields
) -> Person:
    """Put a person into the unit's source pool (nguồn)."""
    with transaction.atomic():
        _check_scope(acting_user, unit)
        require(acting_user, Perm.PREPARE, unit)
        if not unit.is_cell:
            raise ValidationError("Chỉ chi bộ mới quản lý nguồn phát triển đảng viên.", code="unit")
        if unit.dissolved_on is not None:
            raise ValidationError(f"{unit.name} đã giải thể; không thêm người vào được.", code="dissolved")
        person = Person(unit=unit, **fields)
        _clean_particulars(person, acting_user)
        person.stage_since = occurred_on
        _save_unique(person)
        record_event(person, K.SOURCE_IDENTIFIED, acting_user=acting_user, occurred_on=occurred_on, note=note)
        person.refresh_from_db()
    return person


def import_member(
    *, acting_user, unit: OrgUnit, occurred_on: datetime.date, data: dict, note: str = "", **fields
) -> Person:
    """Enter an existing member (probationary or official) kept until now outside Ketnap: the person and one
    `member_imported` event (``data``: stage, party_age_from, ceremony_date, official_date, admitted_at), checked
    by the rule book like any step. The admission happened elsewhere: it is not counted as one of this unit's."""
    with transaction.atomic():
        _check_scope(acting_user, unit)
        require(acting_user, Perm.PREPARE, unit)
        if not unit.is_cell:
            raise ValidationError("Chỉ chi bộ mới quản lý đảng viên.", code="unit")
        if unit.dissolved_on is not None:
            raise ValidationError(f"{unit.name} đã giải thể; không thêm người vào được.", code="dissolved")
        person = Person(unit=unit, **fields)
        _clean_particulars(person, acting_user)
        person.stage = data.get("stage", Stage.OFFICIAL)
        person.stage_since = occurred_on
        _save_unique(person)
        record_event(
            person, K.MEMBER_IMPORTED, acting_user=acting_user, occurred_on=occurred_on, data=data, note=note
        )
        person.refresh_from_db()
    return person


_DUPLICATE_NOW = "Số CCCD này vừa được ghi cho một hồ sơ khác; hãy kiểm tra lại danh sách."


def _save_unique(person: Person) -> None:
    """Save a new person; two clerks entering the same citizen ID at the same moment get a clear message."""
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:
        raise ValidationError({"citizen_id": _DUPLICATE_NOW}) from exc


def _clean_particulars(person: Person, user) -> None:
    """Validate a person's particulars: dates in range, the citizen ID as 12 ASCII digits and not already
    someone else's (the message says where that person is, as far as the user may know)."""
    person.citizen_id = normalize_citizen_id(person.citizen_id) or None
    errors = {}
    if person.birth_date and person.birth_date < rules.DATE_MIN:
        errors["birth_date"] = f"Ngày sinh không được trước {rules.DATE_MIN:%d/%m/%Y}."
    if person.birth_date and person.birth_date >= today():
        errors["birth_date"] = "Ngày sinh phải trước ngày hôm nay."
    if person.expected_graduation and not rules.DATE_MIN <= person.expected_graduation <= rules.DATE_MAX:
        errors["expected_graduation"] = "Ngày dự kiến tốt nghiệp không hợp lệ."
    if person.citizen_id:
        other = (
            Person.objects.filter(citizen_id=person.citizen_id)
            .exclude(pk=person.pk)
            .select_related("unit")
            .first()
        )
        if other is not None:
            if path_in_scope(other.unit.path, user):
                errors["citizen_id"] = (
                    f"Số CCCD {person.citizen_id} đã có trong hồ sơ của {other.full_name} ({other.unit.name}); "
                    "hãy mở hồ sơ đó thay vì tạo hồ sơ mới."
                )
            else:
                errors["citizen_id"] = (
                    f"Số CCCD {person.citizen_id} đã có trong hệ thống, trong hồ sơ do {other.unit.name} quản "
                    "lý; hãy liên hệ tổ chức đó để giới thiệu hoặc chuyển hồ sơ về đơn vị."
                )
    if errors:
        raise ValidationError(errors)
    person.full_clean()


EDITABLE_FIELDS = (
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "gender",
    "citizen_id",
    "education",
    "school_role",
    "school",
    "faculty_class",
    "expected_graduation",
    "youth_union_member",
    "excellent_youth_union_member",
    "residence_ward",
)


def person_version(person: Person) -> str:
    """What a form remembers of the person it was opened on: the time of the person's last change."""
    return person.updated_at.isoformat() if person.updated_at else ""


def update_person(person: Person, *, acting_user, reason: str, version: str = "", **fields) -> Person:
    """Correct a person's particulars. The old values stay in the audit row; the cached state is recomputed,
    since birth date, education and the Youth Union flags feed the rule book."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"Không sửa được các trường: {', '.join(sorted(unknown))}")
    if not (reason or "").strip():
        raise ValidationError({"reason": "Cần ghi lý do sửa thông tin."})
    with transaction.atomic():
        w = write.lock(person)
        person = w.person
        _check_scope(acting_user, person.unit)
        require(acting_user, Perm.PREPARE, person.unit)
        if version and version != person_version(person):
            raise ValidationError(
                f"Người khác đã thay đổi hồ sơ này (lúc {timezone.localtime(person.updated_at):%H:%M %d/%m/%Y}) "
                "sau khi bạn mở trang. Biểu mẫu đã hiện giá trị hiện tại; hãy xem lại và nhập lại thay đổi của bạn.",
                code="stale",
            )
        before = {f: _plain(getattr(person, f)) for f in fields}
        for field, value in fields.items():
            setattr(person, field, value)
        _clean_particulars(person, acting_user)
        changed = {f: _plain(getattr(person, f)) for f in fields if _plain(getattr(person, f)) != before[f]}
        if not changed:
            return person
        try:
            result = w.evaluate()
        except rules.DossierError as exc:
            raise ValidationError(str(exc.message_vi), code="invalid") from exc
        try:
            with transaction.atomic():
                w.finish(result=result, fields=None)
        except IntegrityError as exc:
            raise ValidationError({"citizen_id": _DUPLICATE_NOW}) from exc
        audit(
            actor=acting_user,
            action="person.update",
            obj=person,
            unit=person.unit,
            summary=f"Sửa thông tin {person.full_name}: {reason.strip()}"[:500],
            before={f: before[f] for f in changed},
            after=changed,
        )
    return person


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


def record_awareness_class(
    person, *, acting_user, occurred_on, certificate_number="", note="", corrects=None
) -> PersonEvent:
    data = {"certificate_number": certificate_number} if certificate_number else {}
    return record_event(person, K.AWARENESS_CLASS, acting_user=acting_user, occurred_on=occurred_on, data=data,
                        note=note, corrects=corrects)  # fmt: skip


def assign_mentor(person, mentor: Person, *, acting_user, occurred_on, note=""):
    """Assign an official member of the same scope to help (giúp đỡ) a sympathiser or applicant."""
    if mentor.stage != Stage.OFFICIAL:
        raise ValidationError("Đảng viên giúp đỡ phải là đảng viên chính thức.", code="mentor")
    if not path_in_scope(mentor.unit.path, acting_user):
        raise Http404("Không tìm thấy đảng viên giúp đỡ.")
    with transaction.atomic():
        event = record_event(
            person,
            K.MENTOR_ASSIGNED,
            acting_user=acting_user,
            occurred_on=occurred_on,
            data={"mentor_id": mentor.pk, "mentor_name": mentor.full_name},
            note=note,
        )
        Person.objects.filter(pk=person.pk).update(mentor=mentor)
    return event


DOCUMENT_KINDS = (
    K.APPLICATION,
    K.BIOGRAPHY,
    K.COMMENTS,
    K.MEMBER_BIOGRAPHY,
    K.SELF_REVIEW,
    K.HELPER_COMMENTS,
    K.RECOGNITION_COMMENTS,
    K.AGE_CONSENT,
)


def record_document(person, kind: str, *, acting_user, occurred_on, number="", note="", corrects=None):
    """A dated paper of the dossier: application, biography, comments, the recognition file, the consent."""
    if kind not in DOCUMENT_KINDS:
        raise ValidationError("Loại văn bản không hợp lệ.")
    data = {"number": number} if number else {}
    return record_event(person, kind, acting_user=acting_user, occurred_on=occurred_on, data=data, note=note,
                        corrects=corrects)  # fmt: skip


def record_union_introduction(
    person, *, acting_user, occurred_on, trade_union=False, number="", note="", corrects=None
):
    kind = K.TRADE_UNION_INTRODUCTION if trade_union else K.YOUTH_UNION_INTRODUCTION
    data = {"number": number} if number else {}
    return record_event(person, kind, acting_user=acting_user, occurred_on=occurred_on, data=data, note=note,
                        corrects=corrects)  # fmt: skip


def record_member_introduction(
    person,
    *,
    acting_user,
    occurred_on,
    introducer_name: str = "",
    official_since: datetime.date | None = None,
    cowork_since: datetime.date | None,
    replacement: bool = False,
    introducer: Person | None = None,
    note="",
    corrects=None,
):
    """An official member's introduction (3-KNĐ). `introducer`: a member in the system, whose official date
    comes from their own ledger; otherwise the name and official date typed for a member outside it."""
    if introducer is not None:
        if not path_in_scope(introducer.unit.path, acting_user):
            raise Http404("Không tìm thấy đảng viên giới thiệu.")
        if introducer.pk == person.pk:
            raise ValidationError({"introducer": "Người vào Đảng không tự giới thiệu mình."})
        if introducer.stage != Stage.OFFICIAL or introducer.official_date is None:
            raise ValidationError(
                {"introducer": f"{introducer.full_name} chưa là đảng viên chính thức trong hệ thống."}
            )
        introducer_name, official_since = introducer.full_name, introducer.official_date
    if not introducer_name or official_since is None:
        raise ValidationError("Cần họ tên và ngày là đảng viên chính thức của người giới thiệu.")
    entry = {
        "name": introducer_name,
        "official_since": official_since.isoformat(),
        "replacement": replacement,
    }
    if introducer is not None:
        entry["person_id"] = introducer.pk
    if cowork_since is not None:
        entry["cowork_since"] = cowork_since.isoformat()
    return record_event(person, K.MEMBER_INTRODUCTION, acting_user=acting_user, occurred_on=occurred_on,
                        data={"introducer": entry}, note=note, corrects=corrects)  # fmt: skip


def record_verification(person, *, acting_user, occurred_on, concluded: bool, note="", corrects=None):
    return record_event(person, K.VERIFICATION, acting_user=acting_user, occurred_on=occurred_on,
                        data={"concluded": bool(concluded)}, note=note, corrects=corrects)  # fmt: skip


def _vote_data(person: Person, occurred_on, official_members: int, in_favour: int, corrects=None) -> dict:
    """A cell vote's counts, with the roster of official members of the cell that voted (the original vote's,
    for a correction) on that day as the system knows it (kept for the record; the page warns when they
    differ)."""
    roster = queries.cell_roster(corrects.org if corrects is not None else person.unit, occurred_on)
    return {"official_members": official_members, "in_favour": in_favour, "roster": roster}


def record_cell_vote(
    person, *, acting_user, occurred_on, official_members: int, in_favour: int, note="", corrects=None
):
    return record_event(person, K.CELL_VOTE, acting_user=acting_user, occurred_on=occurred_on,
                        data=_vote_data(person, occurred_on, official_members, in_favour, corrects), note=note,
                        corrects=corrects)  # fmt: skip


def record_committee_vote(
    person, *, acting_user, occurred_on, members: int, in_favour: int, note="", corrects=None
):
    return record_event(person, K.COMMITTEE_VOTE, acting_user=acting_user, occurred_on=occurred_on,
                        data={"members": members, "in_favour": in_favour}, note=note, corrects=corrects)  # fmt: skip


def deciders_for(person: Person) -> list[OrgUnit]:
    """Units that may decide the admission (DECIDER): the standing board of the directly higher committee, or
    the grassroots committee itself when it holds an authorisation. Since 1/7/2025 a ward (commune)
    committee is the directly higher committee of the organisations under it and decides for them — also
    for a cell placed directly under it — without an authorisation (docs/rules.md)."""
    grassroots = person.unit.grassroots()
    if grassroots is None:
        return []
    if grassroots.kind == OrgUnit.Kind.WARD:
        return [grassroots]
    out = [grassroots] if grassroots.kind == OrgUnit.Kind.GRASSROOTS else []
    if grassroots.parent_id:
        out.append(grassroots.parent)
    return out


def _decider_refusal(message: str, on: datetime.date) -> Refusal:
    return Refusal("DECIDER", message, rules.RULES["DECIDER"].source_on(on))


def record_decision(
    person,
    *,
    acting_user,
    occurred_on,
    decider: OrgUnit,
    received=None,
    number="",
    members: int | None = None,
    in_favour: int | None = None,
    note="",
    corrects=None,
):
    """The admission decision (9-KNĐ). A grassroots committee must hold an authorisation on that date."""
    allowed = deciders_for(person)
    if decider not in allowed:
        names = " hoặc ".join(u.name for u in allowed) or "cấp ủy cấp trên trực tiếp"
        raise ActionRefused([_decider_refusal(
            f"{decider.name} không có thẩm quyền quyết định kết nạp cho chi bộ này; thẩm quyền thuộc {names}.",
            occurred_on,
        )])  # fmt: skip
    data: dict = {"number": number, "decider_id": decider.pk, "decider_name": decider.name}
    if received:
        data["received"] = received.isoformat()
    if decider.kind == OrgUnit.Kind.GRASSROOTS:
        valid = Authorization.objects.filter(grantee=decider, valid_from__lte=occurred_on).exclude(
            valid_to__lt=occurred_on
        )
        if not valid.exists():
            raise ActionRefused([_decider_refusal(
                f"{decider.name} chưa được ủy quyền quyết định kết nạp vào ngày {occurred_on:%d/%m/%Y}; "
                "quyết định phải do ban thường vụ cấp ủy cấp trên trực tiếp ban hành.",
                occurred_on,
            )])  # fmt: skip
        data.update(authorized=True, members=members, in_favour=in_favour)
    else:
        data["authorized"] = False
    return record_event(person, K.DECISION, acting_user=acting_user, occurred_on=occurred_on, data=data,
                        decider=decider, note=note, corrects=corrects)  # fmt: skip


def record_decision_extension(person, *, acting_user, occurred_on, days: int, note="", corrects=None):
    return record_event(person, K.DECISION_EXTENSION, acting_user=acting_user, occurred_on=occurred_on,
                        data={"days": days}, note=note, corrects=corrects)  # fmt: skip


SIMPLE_KINDS = (
    K.CEREMONY,
    K.CEREMONY_CONSENT,
    K.NEW_MEMBER_CLASS,
    K.RECOGNITION_DECISION,
    K.REMOVAL,
    K.WITHDRAWAL,
    *DOCUMENT_KINDS,
    K.AWARENESS_CLASS,
)


def record_simple(person, kind: str, *, acting_user, occurred_on, number="", note="", corrects=None):
    """Ceremony, ceremony consent, new-member class, recognition decision, removal, withdrawal (these two with
    a reason), and the dated papers."""
    if kind not in SIMPLE_KINDS:
        raise ValidationError("Loại sự kiện không hợp lệ.")
    data = {"number": number} if number else {}
    return record_event(person, kind, acting_user=acting_user, occurred_on=occurred_on, data=data, note=note,
                        corrects=corrects)  # fmt: skip


def record_recognition_vote(
    person, *, acting_user, occurred_on, official_members: int, in_favour: int, note="", corrects=None
):
    return record_event(person, K.RECOGNITION_VOTE, acting_user=acting_user, occurred_on=occurred_on,
                        data=_vote_data(person, occurred_on, official_members, in_favour, corrects), note=note,
                        corrects=corrects)  # fmt: skip


# ---------------------------------------------------------------- corrections


def correctable(event: PersonEvent) -> str:
    """Why the person page cannot correct this entry ("" when it can)."""
    if event.corrects_id:
        return "Đây là bản đính chính; hãy đính chính bản ghi gốc."
    if event.kind not in KIND_PERMS or event.kind in (
        K.SOURCE_IDENTIFIED,
        K.MENTOR_ASSIGNED,
        K.MEMBER_IMPORTED,
    ):
        return "Bản ghi này không đính chính trên trang hồ sơ."
    if event.data.get("request_id"):
        return "Bản ghi này do nơi nhận văn bản ghi khi trả lời; việc đính chính làm qua văn bản đó."
    return ""


def correct_event(event: PersonEvent, *, acting_user, occurred_on=None, data=None, void=False, note=""):
    """Record a correction: a new event of the same kind pointing at the original, with a required reason.
    `void`: the original stops counting. Checked by the rule book like any step (what it would break is
    refused), by the role that may record that kind of step."""
    original = event.corrects or event
    reason = (note or "").strip()
    if not reason:
        raise ValidationError({"note": "Cần ghi lý do đính chính."}, code="note")
    why = correctable(original)
    if why:
        raise ValidationError(why, code="not_correctable")
    new_data = dict(data if data is not None else original.data)
    if void:
        new_data["void"] = True
    return record_event(
        event.person,
        original.kind,
        acting_user=acting_user,
        occurred_on=occurred_on or original.occurred_on,
        data=new_data,
        note=reason,
        corrects=original,
        decider=_decider_of(original),
    )


def _decider_of(event: PersonEvent) -> OrgUnit | None:
    decider_id = event.data.get("decider_id") if event.kind == K.DECISION else None
    return OrgUnit.objects.filter(pk=decider_id).first() if decider_id else None


def exit_event(person: Person) -> PersonEvent | None:
    """The withdrawal or removal that closed the dossier (the latest effective one)."""
    effective = ledger.effective_events(person.events.all())
    return next((e for e in reversed(effective) if e.kind in (K.WITHDRAWAL, K.REMOVAL)), None)


def reinstate(person: Person, *, acting_user, occurred_on: datetime.date, note: str) -> PersonEvent:
    """Reopen a withdrawn (or removed) person's dossier: a new event voids the exit, by the role that may
    record it, with a reason; the path resumes where it was."""
    check_date(occurred_on, today())
    with transaction.atomic():
        person = write.lock(person).person  # the exit is read under the lock: two reinstatements do not race
        exit = exit_event(person)
        if exit is None or person.stage not in CLOSED_STAGES:
            raise ValidationError("Hồ sơ đang mở; không có gì để khôi phục.", code="open")
        if occurred_on < exit.occurred_on:
            raise ValidationError(
                {"occurred_on": f"Ngày khôi phục không được trước ngày {exit.occurred_on:%d/%m/%Y}."}
            )
        original = exit.corrects or exit
        data = {**exit.data, "void": True, "reinstated_on": occurred_on.isoformat()}
        return correct_event(original, acting_user=acting_user, data=data, note=note)


def rebuild_state(person: Person, calendar: rules.Calendar, events=None) -> dict:
    """What the cached fields should be, from the ledger alone."""
    events = list(person.events.all()) if events is None else events
    result = ledger.evaluate(person, events, ledger.ledger_date(events), calendar)
    return ledger.project(person, result, events)


__all__ = [
    "ActionRefused",
    "PermissionDenied",
    "assign_mentor",
    "correct_event",
    "correctable",
    "exit_event",
    "reinstate",
    "deciders_for",
    "identify_source",
    "import_member",
    "record_awareness_class",
    "record_cell_vote",
    "record_committee_vote",
    "record_decision",
    "record_decision_extension",
    "record_document",
    "record_event",
    "record_member_introduction",
    "record_recognition_vote",
    "record_simple",
    "record_union_introduction",
    "record_verification",
    "rebuild_state",
    "user_can",
]
