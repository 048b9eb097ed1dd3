"""Every change to a request between organisations goes through one of these functions.

Each runs in one transaction, locks the request (and the person when the person's ledger or holder
changes), re-checks scope (404) and role (403, `accounts.permissions.require`), writes the ledger event(s)
of the transition in the person's ledger, refreshes the person's cached state, and writes an audit row.

Who may do what:
* the sender's side (Perm.PREPARE over the sender) drafts, sends and cancels;
* only the receiver's side (Perm.PREPARE over the receiver) receives, answers, confirms or returns; for an
  organisation outside the system the sender's side records its answer by hand.

Exactly one holder: `Person.unit` changes only when the receiver confirms a transfer or an introduction (the
sender holds the person while in transit); a `unit_changed` event records the move, and the events' `org`
keep who held the person when.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.http import Http404

from ketnap import rules
from ketnap.accounts.permissions import require
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import path_in_scope
from ketnap.core.audit import audit
from ketnap.interorg import deadlines
from ketnap.interorg.models import (
    MOVING_KINDS,
    OPEN_STATUSES,
    STUDENT_ROLES,
    WARD_KINDS,
    Kind,
    Request,
    RequestBatch,
    Status,
    person_letter,
    quarterly_fields,
)
from ketnap.orgs.models import OrgUnit
from ketnap.people import actions as people_actions
from ketnap.people import ledger, write
from ketnap.people.models import CLOSED_STAGES, Person, PersonEvent, Stage

E = PersonEvent.Kind

SENT_EVENTS = {
    Kind.VERIFICATION: E.VERIFICATION_REQUESTED,
    Kind.TRANSFER: E.TRANSFER_SENT,
    Kind.INTRODUCTION: E.INTRODUCTION_SENT,
    Kind.WARD_EVALUATION: E.WARD_EVALUATION_SENT,
    Kind.RESIDENCE_NOTICE: E.RESIDENCE_NOTICE_SENT,
}
CONFIRMED_EVENTS = {Kind.TRANSFER: E.TRANSFER_CONFIRMED, Kind.INTRODUCTION: E.INTRODUCTION_CONFIRMED}
RETURNED_EVENTS = {Kind.TRANSFER: E.TRANSFER_RETURNED, Kind.INTRODUCTION: E.INTRODUCTION_RETURNED}

# The stages a person must be at for each kind of request.
ALLOWED_STAGES: dict[str, tuple[str, ...]] = {
    Kind.VERIFICATION: (Stage.SYMPATHISER, Stage.APPLICANT, Stage.CELL_APPROVED, Stage.COMMITTEE_APPROVED),
    Kind.TRANSFER: (Stage.PROBATIONARY, Stage.OFFICIAL),
    Kind.INTRODUCTION: (Stage.SOURCE, Stage.SYMPATHISER, Stage.APPLICANT),
    Kind.WARD_EVALUATION: tuple(s for s in Stage.values if s not in CLOSED_STAGES),
    Kind.RESIDENCE_NOTICE: tuple(s for s in Stage.values if s not in CLOSED_STAGES),
}

# Prefix of the automatic letter numbers, per kind: "12-GGT/KHTN" (Hướng dẫn 36-HD/VPTW style).
NUMBER_PREFIX = {
    Kind.VERIFICATION: "CV/TTLL",
    Kind.TRANSFER: "GGT",
    Kind.INTRODUCTION: "GT",
    Kind.WARD_EVALUATION: "NX",
    Kind.RESIDENCE_NOTICE: "TB",
}

NOT_FOUND = "Không tìm thấy hoặc bạn không có quyền xem."


def today() -> datetime.date:
    return people_actions.today()


# ------------------------------------------------------------------------------------------ helpers


def _visible(user, request: Request) -> bool:
    paths = [request.sender.path, request.origin.path, request.person.unit.path]
    if request.receiver_id:
        paths.append(request.receiver.path)
    return any(path_in_scope(p, user) for p in paths)


def _lock(request: Request) -> Request:
    return (
        Request.objects.select_for_update(of=("self",))
        .select_related("person", "person__unit", "sender", "receiver", "origin")
        .get(pk=request.pk)
    )


def check_version(request: Request, version: str, message: str) -> None:
    """Refuse (code "stale") when the request changed since the page showing ``version`` was opened; call it
    inside the transaction of the step, which it locks."""
    current = Request.objects.select_for_update().only("updated_at").get(pk=request.pk)
    if version and current.updated_at.isoformat() != version:
        raise ValidationError(message, code="stale")


def _as_sender(user, request: Request) -> None:
    if not path_in_scope(request.sender.path, user):
        if _visible(user, request):
            raise PermissionDenied("Chỉ nơi gửi mới được thực hiện thao tác này.")
        raise Http404(NOT_FOUND)
    require(user, Perm.PREPARE, request.sender)


def _answering_unit(user, request: Request) -> OrgUnit:
    """The unit that answers: the receiver, or the sender's clerk for an organisation outside the system."""
    unit = request.receiver if request.receiver_id else request.sender
    if not path_in_scope(unit.path, user):
        if _visible(user, request):
            raise PermissionDenied("Chỉ nơi nhận mới được trả lời hoặc xác nhận văn bản này.")
        raise Http404(NOT_FOUND)
    require(user, Perm.PREPARE, unit)
    return unit


def _not_future(day: datetime.date, label: str = "Ngày") -> None:
    if day > today():
        raise ValidationError(f"{label} không được sau ngày hôm nay.", code="future")


def _event_data(request: Request, **more) -> dict:
    data = {
        "request_id": request.pk,
        "request_kind": request.kind,
        "sender_id": request.sender_id,
        "sender_name": request.sender.name,
        "receiver_id": request.receiver_id,
        "receiver_name": request.receiver_name,
    }
    if request.number:
        data["number"] = request.number
    data.update({k: v for k, v in more.items() if v not in (None, "")})
    return data


def _snapshot(request: Request) -> dict:
    return {
        "status": request.status,
        "due_on": request.due_on,
        "number": request.number,
        "person_unit": request.person.unit_id,
    }


def _audit(request: Request, user, verb: str, summary: str, before: dict | None) -> None:
    audit(
        actor=user,
        action=f"interorg.{verb}",
        obj=request,
        unit=request.receiver
        if verb in ("receive", "answer", "confirm", "return") and request.receiver_id
        else request.sender,
        summary=summary,
        before=before,
        after=_snapshot(request),
    )


def _check_person(kind: str, person: Person) -> None:
    if person.stage not in ALLOWED_STAGES[kind]:
        raise ValidationError(
            f"Không lập được văn bản «{Kind(kind).label}» cho người ở giai đoạn «{person.get_stage_display()}».",
            code="stage",
        )
    if kind in WARD_KINDS and person.school_role not in STUDENT_ROLES:
        raise ValidationError(
            "Nhận xét và thông báo nơi cư trú chỉ dành cho học sinh, sinh viên.", code="role"
        )


def _next_number(sender: OrgUnit, kind: str, year: int) -> tuple[int, str]:
    last = (
        Request.objects.filter(sender=sender, kind=kind, sent_on__year=year, seq__isnull=False)
        .aggregate(m=Max("seq"))
        .get("m")
    )
    seq = (last or 0) + 1
    return seq, f"{seq}-{NUMBER_PREFIX[kind]}/{sender.code}"


# ------------------------------------------------------------------------------------------ drafting


def create_request(
    *,
    acting_user,
    kind: str,
    person: Person,
    sender: OrgUnit,
    receiver: OrgUnit | None = None,
    receiver_name: str = "",
    created_on: datetime.date | None = None,
    temporary: bool = False,
    trigger: str = "",
    trigger_on: datetime.date | None = None,
    content: str = "",
    rating: str = "",
    number: str = "",
    batch: RequestBatch | None = None,
) -> Request:
    """A draft request (nothing is sent; nobody but the sender's side sees it as a task)."""
    if kind not in Kind.values:
        raise ValidationError("Loại văn bản không hợp lệ.")
    with transaction.atomic():
        w = write.lock(person)
        person = w.person
        if not path_in_scope(sender.path, acting_user):
            raise Http404(NOT_FOUND)
        require(acting_user, Perm.PREPARE, sender)
        if kind in WARD_KINDS:
            if sender.kind != OrgUnit.Kind.WARD:
                raise ValidationError("Chỉ đảng ủy phường, xã mới gửi văn bản loại này.", code="sender")
            if person.residence_ward_id != sender.pk and not path_in_scope(person.unit.path, acting_user):
                raise Http404(NOT_FOUND)
            receiver, receiver_name = person.unit, ""
        else:
            if not path_in_scope(person.unit.path, acting_user):
                raise Http404(NOT_FOUND)
            if not person.unit.path.startswith(sender.path):
                raise ValidationError(f"{sender.name} không quản lý {person.full_name}.", code="sender")
        _check_person(kind, person)
        receiver_name = (receiver_name or "").strip()
        if receiver is None:
            if kind != Kind.VERIFICATION:
                raise ValidationError(
                    {
                        "receiver": "Chọn tổ chức nhận trong hệ thống (chỉ thẩm tra lý lịch mới gửi được ra ngoài)."
                    }
                )
            if not receiver_name:
                raise ValidationError({"receiver": "Chọn nơi nhận hoặc ghi tên tổ chức ngoài hệ thống."})
        else:
            if kind in MOVING_KINDS and person.unit.path.startswith(receiver.path):
                raise ValidationError(
                    {"receiver": f"{receiver.name} đang quản lý {person.full_name}; hãy chọn nơi đến khác."}
                )
            if receiver.pk == sender.pk:
                raise ValidationError({"receiver": "Nơi nhận phải khác nơi gửi."})
            if receiver.dissolved_on is not None:
                raise ValidationError({"receiver": f"{receiver.name} đã giải thể."})
            receiver_name = receiver.name
        created_on = created_on or today()
        _not_future(created_on, "Ngày lập")
        request = Request.objects.create(
            kind=kind, person=person, sender=sender, origin=person.unit, receiver=receiver, receiver_name=receiver_name[:200],
            temporary=bool(temporary) and kind == Kind.TRANSFER, trigger=trigger or "", trigger_on=trigger_on,
            content=content, rating=rating or "", number=number.strip(), created_on=created_on, batch=batch,
            created_by=acting_user if getattr(acting_user, "pk", None) else None,
        )  # fmt: skip
        _audit(request, acting_user, "create", f"Lập dự thảo {request.get_kind_display()} cho {person.full_name}"
               f" gửi {request.receiver_name}", None)  # fmt: skip
    return request


def send_request(
    request: Request, *, acting_user, sent_on: datetime.date, number: str = "", calendar=None
) -> Request:
    """draft → sent: the letter leaves; the due date starts; the person's ledger records it."""
    with transaction.atomic():
        request = _lock(request)
        _as_sender(acting_user, request)
        if request.status != Status.DRAFT:
            raise ValidationError("Văn bản này đã được gửi hoặc đã kết thúc.", code="status")
        _not_future(sent_on, "Ngày gửi")
        if sent_on < request.created_on:
            raise ValidationError("Ngày gửi không được trước ngày lập.", code="date")
        w = write.lock(request.person, calendar)
        person = w.person
        _check_person(request.kind, person)
        if request.kind in MOVING_KINDS:
            busy = Request.objects.filter(person=person, kind__in=MOVING_KINDS, status__in=OPEN_STATUSES)
            if busy.exclude(pk=request.pk).exists():
                raise ValidationError(
                    f"{person.full_name} đang có một giấy chuyển sinh hoạt hoặc giới thiệu chưa được nơi đến "
                    "xác nhận; hãy chờ xác nhận hoặc hủy giấy đó trước.",
                    code="in_transit",
                )
        calendar = w.calendar
        before = _snapshot(request)
        number = (number or request.number).strip()
        if not number:
            OrgUnit.objects.select_for_update().filter(pk=request.sender_id).first()  # serialise numbering
            request.seq, number = _next_number(request.sender, request.kind, sent_on.year)
        request.number = number
        request.sent_on = sent_on
        request.due_on, request.due_rule = deadlines.due_for(request.kind, sent_on, calendar)
        request.status = Status.SENT
        request.person_letter = person_letter(person)
        request.quarter, request.person_sort_key = quarterly_fields(request, person)
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError as exc:
            raise ValidationError(
                f"{person.full_name} đang có một giấy chuyển sinh hoạt hoặc giới thiệu chưa được xác nhận.",
                code="in_transit",
            ) from exc
        w.append(SENT_EVENTS[request.kind], on=sent_on, org=request.sender, actor=acting_user,
                data=_event_data(request, due_on=request.due_on.isoformat(), temporary=request.temporary or None),
                note=f"Gửi {request.receiver_name}" + (f": {request.content}" if request.content else ""))  # fmt: skip
        w.finish()
        _audit(request, acting_user, "send", f"Gửi {request.get_kind_display()} số {request.number} về "
               f"{person.full_name} cho {request.receiver_name}, hạn {request.due_on:%d/%m/%Y}", before)  # fmt: skip
    return request


def send_new(*, acting_user, sent_on: datetime.date, number: str = "", calendar=None, **fields) -> Request:
    """Draft and send in one step (the usual case)."""
    with transaction.atomic():
        draft = create_request(acting_user=acting_user, created_on=sent_on, **fields)
        return send_request(draft, acting_user=acting_user, sent_on=sent_on, number=number, calendar=calendar)


# ------------------------------------------------------------------------------------------ the receiver


def receive_request(request: Request, *, acting_user, received_on: datetime.date) -> Request:
    """sent → received: the receiver has the letter (the person presented it, or it arrived)."""
    with transaction.atomic():
        request = _lock(request)
        unit = _answering_unit(acting_user, request)
        if request.status != Status.SENT:
            raise ValidationError("Chỉ văn bản đã gửi mà chưa nhận mới ghi nhận được.", code="status")
        _not_future(received_on, "Ngày nhận")
        if received_on < request.sent_on:
            raise ValidationError("Ngày nhận không được trước ngày gửi.", code="date")
        before = _snapshot(request)
        request.status, request.received_on = Status.RECEIVED, received_on
        request.save(update_fields=["status", "received_on", "updated_at"])
        w = write.lock(request.person)
        person = w.person
        w.append(E.REQUEST_RECEIVED, on=received_on, org=unit, actor=acting_user,
                data=_event_data(request), note=f"{unit.name} đã nhận {request.get_kind_display().lower()}")  # fmt: skip
        w.finish()
        _audit(request, acting_user, "receive", f"{unit.name} nhận {request} về {person.full_name}", before)
    return request


def _close_checks(request: Request, on: datetime.date, label: str) -> None:
    if request.status not in OPEN_STATUSES:
        raise ValidationError("Văn bản này không còn chờ trả lời.", code="status")
    _not_future(on, label)
    if on < request.sent_on:
        raise ValidationError(f"{label} không được trước ngày gửi.", code="date")


def answer_request(
    request: Request,
    *,
    acting_user,
    answered_on: datetime.date,
    answer: str = "",
    concluded: bool | None = None,
    documents: list[dict] | None = None,
) -> Request:
    """open → answered (verification, evaluation, notice). A verification's answer records the rule book's
    `verification` event (concluded or not), so the applicant's checklist item VERIFICATION follows it."""
    if request.kind in MOVING_KINDS:
        raise ValidationError("Giấy chuyển sinh hoạt, giới thiệu được xác nhận tiếp nhận, không trả lời.")
    with transaction.atomic():
        request = _lock(request)
        unit = _answering_unit(acting_user, request)
        _close_checks(request, answered_on, "Ngày trả lời")
        if request.kind == Kind.VERIFICATION and concluded is None:
            raise ValidationError({"concluded": "Ghi rõ đã có kết luận thẩm tra hay chưa."})
        before = _snapshot(request)
        request.status, request.closed_on, request.closed_by = Status.ANSWERED, answered_on, acting_user
        request.received_on = request.received_on or answered_on
        request.answer = answer
        request.documents = list(documents or [])
        if request.kind == Kind.VERIFICATION:
            request.concluded = bool(concluded)
        request.save()
        # The ledger cites the receiver's reply (its number, from the answer's documents), and the request
        # it answers by the request's own number.
        reply = reply_number(request)
        note = answer_note(request, reply, answered_on, answer)
        if request.kind == Kind.VERIFICATION:
            data = {"concluded": bool(concluded)}
            if reply:
                data["number"] = reply
            people_actions.record_event(
                request.person, E.VERIFICATION, acting_user=acting_user, occurred_on=answered_on,
                data={**data, "request_id": request.pk}, note=note, authority=unit,
            )  # fmt: skip
            person = request.person
        else:
            w = write.lock(request.person)
            person = w.person
            data = _event_data(request)
            data.pop("number", None)
            data.update({"request_number": request.number} if request.number else {})
            data.update({"number": reply} if reply else {})
            w.append(E.REQUEST_ANSWERED, on=answered_on, org=unit, actor=acting_user, data=data, note=note)
            w.finish()
        _audit(request, acting_user, "answer", f"{unit.name} trả lời {request} về {person.full_name}", before)
    return request


def reply_number(request: Request) -> str:
    """The number of the receiver's reply: the first numbered document recorded with the answer."""
    return next(
        (str(d["number"]).strip() for d in request.documents or [] if str(d.get("number") or "").strip()), ""
    )


def answer_note(request: Request, reply: str, answered_on: datetime.date, answer: str = "") -> str:
    """The ledger's line for an answer: the reply's number and date, then the request it answers."""
    note = f"Trả lời của {request.receiver_name}"
    if reply:
        note += f", văn bản số {reply} ngày {answered_on:%d/%m/%Y}"
    if request.number:
        note += f" (trả lời văn bản số {request.number})"
    if answer:
        note += f": {answer}"
    return note


def confirm_request(
    request: Request,
    *,
    acting_user,
    confirmed_on: datetime.date,
    into: OrgUnit | None = None,
    answer: str = "",
) -> Request:
    """open → confirmed (transfer, introduction): the receiver takes the person; `Person.unit` becomes
    `into` (the receiver or a cell under it) and a `unit_changed` event records the move."""
    if request.kind not in MOVING_KINDS:
        raise ValidationError("Chỉ giấy chuyển sinh hoạt, giới thiệu mới được xác nhận tiếp nhận.")
    with transaction.atomic():
        request = _lock(request)
        unit = _answering_unit(acting_user, request)
        _close_checks(request, confirmed_on, "Ngày tiếp nhận")
        into = into or request.receiver
        if not into.path.startswith(request.receiver.path):
            raise ValidationError({"into": f"Chi bộ tiếp nhận phải thuộc {request.receiver.name}."})
        if into.dissolved_on is not None:
            raise ValidationError({"into": f"{into.name} đã giải thể."})
        require(acting_user, Perm.PREPARE, into)
        w = write.lock(request.person)
        person = w.person
        if person.stage in CLOSED_STAGES:
            raise ValidationError("Hồ sơ đã đóng; không tiếp nhận được.", code="closed")
        before = _snapshot(request)
        old = person.unit
        request.status, request.closed_on, request.closed_by = Status.CONFIRMED, confirmed_on, acting_user
        request.received_on = request.received_on or confirmed_on
        request.answer, request.into = answer, into
        request.save()
        w.append(CONFIRMED_EVENTS[request.kind], on=confirmed_on, org=unit, actor=acting_user,
                data=_event_data(request, into_id=into.pk, into_name=into.name),
                note=f"{unit.name} tiếp nhận" + (f": {answer}" if answer else ""))  # fmt: skip
        w.append(E.UNIT_CHANGED, on=confirmed_on, org=into, actor=acting_user,
                data={"from_id": old.pk, "from_name": old.name, "to_id": into.pk, "to_name": into.name,
                      "request_id": request.pk, "request_kind": request.kind},
                note=f"Từ {old.name} về {into.name}")  # fmt: skip
        person.unit = into
        extra = ("unit",)
        if person.mentor_id:
            person.mentor = None  # the new organisation assigns its own helper (đảng viên giúp đỡ)
            extra = ("unit", "mentor")
        w.finish(fields=extra)
        _audit(
            request, acting_user, "confirm", f"{into.name} tiếp nhận {person.full_name} ({request})", before
        )
    return request


def return_request(request: Request, *, acting_user, returned_on: datetime.date, reason: str) -> Request:
    """open → returned: the receiver refuses with a reason; a transfer's person stays with the sender."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Ghi rõ lý do trả lại."})
    with transaction.atomic():
        request = _lock(request)
        unit = _answering_unit(acting_user, request)
        _close_checks(request, returned_on, "Ngày trả lại")
        before = _snapshot(request)
        request.status, request.closed_on, request.closed_by = Status.RETURNED, returned_on, acting_user
        request.reason = reason
        request.save()
        w = write.lock(request.person)
        person = w.person
        w.append(RETURNED_EVENTS.get(request.kind, E.REQUEST_RETURNED), on=returned_on, org=unit,
                actor=acting_user, data=_event_data(request), note=f"{unit.name} trả lại: {reason}")  # fmt: skip
        w.finish()
        _audit(request, acting_user, "return", f"{unit.name} trả lại {request} về {person.full_name}: {reason}",
               before)  # fmt: skip
    return request


def cancel_request(request: Request, *, acting_user, cancelled_on: datetime.date, reason: str) -> Request:
    """draft/open → cancelled by the sender. A sent request's cancellation is written in the ledger."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Ghi rõ lý do hủy."})
    with transaction.atomic():
        request = _lock(request)
        _as_sender(acting_user, request)
        if request.status not in (Status.DRAFT, *OPEN_STATUSES):
            raise ValidationError("Văn bản đã kết thúc, không hủy được.", code="status")
        _not_future(cancelled_on, "Ngày hủy")
        if request.sent_on and cancelled_on < request.sent_on:
            raise ValidationError("Ngày hủy không được trước ngày gửi.", code="date")
        before = _snapshot(request)
        was_sent = request.status != Status.DRAFT
        request.status, request.closed_on, request.closed_by = Status.CANCELLED, cancelled_on, acting_user
        request.reason = reason
        request.save()
        if was_sent:
            w = write.lock(request.person)
            w.append(E.REQUEST_CANCELLED, on=cancelled_on, org=request.sender, actor=acting_user,
                    data=_event_data(request), note=f"{request.sender.name} hủy: {reason}")  # fmt: skip
            w.finish()
        _audit(
            request, acting_user, "cancel", f"Hủy {request} về {request.person.full_name}: {reason}", before
        )
    return request


# ------------------------------------------------------------------------------------------ graduates


def is_graduated_member(person: Person, on: datetime.date) -> bool:
    return (
        person.stage in (Stage.PROBATIONARY, Stage.OFFICIAL)
        and person.school_role in STUDENT_ROLES
        and person.expected_graduation is not None
        and person.expected_graduation <= on
    )


def hold_graduate(
    person: Person, *, acting_user, occurred_on: datetime.date, until: datetime.date | None = None, note=""
) -> PersonEvent:
    """The school committee keeps a graduated student member (no job yet, or a workplace without a party
    organisation) for at most GRADUATE_HOLD months after graduation; then the transfer must start."""
    with transaction.atomic():
        w = write.lock(person)
        person = w.person
        if not path_in_scope(person.unit.path, acting_user):
            raise Http404(NOT_FOUND)
        grassroots = person.unit.grassroots() or person.unit
        require(acting_user, Perm.PREPARE, grassroots)
        _not_future(occurred_on)
        if not is_graduated_member(person, max(occurred_on, today())):
            raise ValidationError("Chỉ giữ sinh hoạt cho đảng viên là học sinh, sinh viên đã tốt nghiệp.")
        params = ledger.rule_params()
        limit = rules.graduate_hold_until(person.expected_graduation, params)
        until = until or limit
        if until > limit:
            raise ValidationError(
                {"until": f"Chỉ được giữ sinh hoạt đến {limit:%d/%m/%Y} (tối đa {params.graduate_hold_months} tháng "
                 f"sau tốt nghiệp; căn cứ: {deadlines.citation('GRADUATE_HOLD', occurred_on)})."}
            )  # fmt: skip
        event = w.append(E.GRADUATE_HELD, on=occurred_on, org=person.unit, actor=acting_user,
                        data={"until": until.isoformat(), "graduation": person.expected_graduation.isoformat()},
                        note=note or f"Đảng ủy trường giữ sinh hoạt đến {until:%d/%m/%Y}")  # fmt: skip
        w.finish()
        audit(actor=acting_user, action="interorg.hold_graduate", obj=person, unit=person.unit,
              summary=f"Giữ sinh hoạt đảng của {person.full_name} đến {until:%d/%m/%Y}",
              after={"until": until, "event_id": event.pk})  # fmt: skip
    return event


def send_batch(
    *,
    acting_user,
    kind: str,
    sender: OrgUnit,
    sent_on: datetime.date,
    title: str,
    rows: list[dict],
    calendar=None,
) -> RequestBatch:
    """Send many requests at once with consecutive letter numbers (a school's graduates, a ward's yearly
    evaluations). Each row holds the fields of `create_request` (person, receiver, …). All or nothing."""
    if not rows:
        raise ValidationError("Chưa chọn người nào.")
    calendar = calendar or ledger.load_calendar()
    with transaction.atomic():
        if not path_in_scope(sender.path, acting_user):
            raise Http404(NOT_FOUND)
        require(acting_user, Perm.PREPARE, sender)
        batch = RequestBatch.objects.create(kind=kind, sender=sender, title=title[:200], sent_on=sent_on,
                                            created_by=acting_user if getattr(acting_user, "pk", None) else None)  # fmt: skip
        for row in rows:
            send_new(acting_user=acting_user, kind=kind, sender=sender, sent_on=sent_on, batch=batch,
                     calendar=calendar, **row)  # fmt: skip
        audit(actor=acting_user, action="interorg.batch", obj=batch, unit=sender,
              summary=f"{title}: gửi {len(rows)} văn bản ngày {sent_on:%d/%m/%Y}",
              after={"kind": kind, "count": len(rows)})  # fmt: skip
    return batch


__all__ = [
    "answer_request",
    "cancel_request",
    "confirm_request",
    "create_request",
    "hold_graduate",
    "receive_request",
    "return_request",
    "send_batch",
    "send_new",
    "send_request",
]
