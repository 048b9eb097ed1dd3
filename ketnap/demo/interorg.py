"""Requests between organisations for the demo city: every kind in every state, some overdue.

Called by `ketnap seed` inside its transaction, before the persons and their walked events are written (the
seed writes the persons with the state recomputed here; the foreign keys are checked at commit). Pure function
of the seed, `today` and the city (a private random generator): the same seed gives the same requests.

* transfers of graduated student members to their residence ward, sent in one numbered batch per school and
  graduation day: most confirmed (the ward now holds the member), some in transit (some overdue, some past
  TRANSFER_UNRECEIVED), returned then sent elsewhere, cancelled, drafts; some graduates held by their school
  (GRADUATE_HOLD) and some not yet transferred (TRANSFER_START_DUE shows in the inbox);
* background verifications: the applicants' concluded verifications answered by their residence ward (or an
  organisation outside the system), and open ones in every state;
* introductions of high-school sympathisers to a university committee;
* the wards' yearly evaluations and residence notices of the students living there.

Each request writes the ledger events the actions would write; the cached state of every person touched is
recomputed exactly as the actions do, so `ketnap rebuild-state --check` finds no drift. No audit rows: the
seed's one "demo.seed" row covers the load.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max

from ketnap import rules
from ketnap.interorg import deadlines
from ketnap.interorg.actions import NUMBER_PREFIX, answer_note
from ketnap.interorg.models import Kind, Request, RequestBatch, Status, person_letter, quarterly_fields
from ketnap.people import ledger
from ketnap.people.models import Person, PersonEvent

DAY = dt.timedelta(days=1)
E = PersonEvent.Kind
SHOWCASE_WARD = "P-BENTHANH"
SHOWCASE_SCHOOL = "KHTN"

# The life of each kind, in the order the first candidates go through it (so every state appears).
PLANS = {
    Kind.TRANSFER: [
        "confirmed",
        "sent",
        "received",
        "returned",
        "cancelled",
        "draft",
        "sent_overdue",
        "unreceived",
    ],  # fmt: skip
    Kind.VERIFICATION: [
        "answered",
        "sent",
        "received",
        "returned",
        "cancelled",
        "draft",
        "sent_overdue",
        "external",
        "not_concluded",
    ],  # fmt: skip
    Kind.INTRODUCTION: ["confirmed", "sent", "received", "returned", "cancelled", "draft", "sent_overdue"],
    Kind.WARD_EVALUATION: ["answered", "sent", "received", "returned", "cancelled", "draft", "sent_overdue"],
    Kind.RESIDENCE_NOTICE: ["answered", "sent", "received", "returned", "cancelled", "draft", "sent_overdue"],
}
RETURN_REASONS = {
    Kind.TRANSFER: [
        "Đảng viên không cư trú tại phường",
        "Giấy giới thiệu thiếu phiếu đảng viên",
        "Đảng viên đã nhận việc tại cơ quan khác",
    ],  # fmt: skip
    Kind.VERIFICATION: ["Người này không cư trú tại phường", "Thiếu bản sao lý lịch để đối chiếu"],
    Kind.INTRODUCTION: ["Chưa có giấy báo trúng tuyển", "Hồ sơ chưa đủ nhận xét của chi bộ"],
    Kind.WARD_EVALUATION: ["Sinh viên đã chuyển trường", "Sai tên chi bộ nhận"],
    Kind.RESIDENCE_NOTICE: ["Sinh viên đã tốt nghiệp", "Trùng với thông báo trước"],
}
CANCEL_REASONS = ["Gửi nhầm nơi nhận", "Đảng viên đề nghị giữ sinh hoạt thêm", "Lập trùng văn bản"]
EXTERNAL_WARDS = ["Đảng ủy xã Tân Phú, tỉnh Đồng Nai", "Đảng ủy phường Dĩ An, tỉnh Bình Dương cũ",
                  "Đảng ủy xã Phước Hải, TP Hồ Chí Minh (huyện Đất Đỏ cũ)", "Đảng ủy phường 5, tỉnh Tiền Giang cũ",
                  "Đảng ủy xã Hòa Thành, tỉnh Tây Ninh"]  # fmt: skip
EVALUATIONS = ["Tích cực tham gia hoạt động tình nguyện tại khu phố", "Chấp hành tốt quy định nơi cư trú",
               "Tham gia sinh hoạt chi đoàn khu phố đầy đủ", "Gương mẫu, có uy tín với bà con khu phố"]  # fmt: skip


class _Gen:
    def __init__(self, city, builder, today: dt.date, calendar, seed: int):
        self.city, self.builder, self.today, self.cal = city, builder, today, calendar
        self.rng = random.Random(seed * 7919 + 31)
        self.requests: list[Request] = []
        self.batches: list[RequestBatch] = []
        self.events: list[PersonEvent] = []
        self.touched: set[int] = set()
        self.seq: dict = defaultdict(int)
        self.next_request = (Request.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.next_batch = (RequestBatch.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
        self.units = {u.pk: u for u in city.units}
        self.cells = {c.unit.pk: c for c in city.cells}
        self.persons = {p.pk: p for p in builder.persons}
        self.wards = [w for w in city.wards if w.dissolved_on is None]
        self.busy: set[int] = set()  # persons with a request already generated (one storyline each)
        self.counts: dict = defaultdict(int)

    # ------------------------------------------------------------------ writing helpers
    def work(self, day: dt.date) -> dt.date:
        while not self.cal.is_working_day(day):
            day += DAY
        return day

    def ago(self, lo: int, hi: int) -> dt.date:
        day = self.today - dt.timedelta(days=self.rng.randint(lo, hi))
        while not self.cal.is_working_day(day) and day > self.today - dt.timedelta(days=hi + 7):
            day -= DAY
        return day

    def last_event(self, person) -> dt.date:
        return max((e.occurred_on for e in self.builder.events[person.pk]), default=self.today)

    def event(self, person, kind, on: dt.date, org, data: dict, note: str = "") -> None:
        ev = PersonEvent(id=self.builder.ids.next("personevent"), person_id=person.pk, kind=kind, occurred_on=on,
                         org_id=org.pk, data=data, note=note[:500])  # fmt: skip
        ev.corrects_id = None
        self.events.append(ev)
        self.builder.events[person.pk].append(ev)
        self.touched.add(person.pk)

    def number(self, sender, kind, day: dt.date) -> tuple[int, str]:
        self.seq[(sender.pk, kind, day.year)] += 1
        n = self.seq[(sender.pk, kind, day.year)]
        return n, f"{n}-{NUMBER_PREFIX[kind]}/{sender.code}"

    def data(self, req: Request, **more) -> dict:
        out = {"request_id": req.pk, "request_kind": req.kind, "sender_id": req.sender_id,
               "sender_name": self.units[req.sender_id].name, "receiver_id": req.receiver_id,
               "receiver_name": req.receiver_name}  # fmt: skip
        if req.number:
            out["number"] = req.number
        out.update({k: v for k, v in more.items() if v not in (None, "")})
        return out

    def reply(self, req: Request, answering, day: dt.date) -> str:
        """The number of the receiver's reply letter (recorded with the answer; an organisation outside the
        system numbers its letters its own way)."""
        key = ("reply", req.receiver_id or req.receiver_name, day.year)
        self.seq[key] += 1
        number = f"{self.seq[key]}-CV/" + (answering.code if req.receiver_id else "ĐU")
        req.documents = [{"number": number, "title": "Văn bản trả lời", "date": day.isoformat()}]
        return number

    def request(self, kind, person, sender, receiver, state: str, *, sent_on=None, closed_after=None,
                batch=None, receiver_name="", **fields) -> Request | None:  # fmt: skip
        """One request in `state` (draft, sent, sent_overdue, unreceived, received, answered, confirmed,
        returned, cancelled, external, not_concluded) with the ledger events of its life."""
        rng = self.rng
        into = fields.pop("into", None)
        if state == "external":
            receiver, receiver_name, state = None, rng.choice(EXTERNAL_WARDS), "answered"
        name = receiver.name if receiver is not None else receiver_name
        floor = self.last_event(person) + DAY
        if sent_on is None:
            lo, hi = {"sent": (1, 20), "sent_overdue": (50, 85), "unreceived": (100, 160), "received": (5, 25),
                      "draft": (0, 6)}.get(state, (30, 260))  # fmt: skip
            sent_on = max(self.ago(lo, hi), min(floor, self.today - DAY * lo))
        sent_on = min(self.work(sent_on), self.today) if sent_on < self.today else self.today
        req = Request(id=self.next_request, kind=kind, person_id=person.pk, sender_id=sender.pk,
                      origin_id=person.unit_id, receiver_id=receiver.pk if receiver else None,
                      receiver_name=name[:200], created_on=sent_on, batch=batch, **fields)  # fmt: skip
        self.next_request += 1
        self.requests.append(req)
        self.busy.add(person.pk)
        if state == "draft":
            req.status = Status.DRAFT
            self.counts[(kind, "draft")] += 1
            return req
        req.seq, req.number = self.number(sender, kind, sent_on)
        req.sent_on = sent_on
        req.due_on, req.due_rule = deadlines.due_for(kind, sent_on, self.cal)
        req.status = Status.SENT
        req.person_letter = person_letter(person)
        req.quarter, req.person_sort_key = quarterly_fields(req, person)
        sent_kind = {Kind.VERIFICATION: E.VERIFICATION_REQUESTED, Kind.TRANSFER: E.TRANSFER_SENT,
                     Kind.INTRODUCTION: E.INTRODUCTION_SENT, Kind.WARD_EVALUATION: E.WARD_EVALUATION_SENT,
                     Kind.RESIDENCE_NOTICE: E.RESIDENCE_NOTICE_SENT}[kind]  # fmt: skip
        self.event(person, sent_kind, sent_on, sender, self.data(req, due_on=req.due_on.isoformat()),
                   f"Gửi {name}" + (f": {req.content}" if req.content else ""))  # fmt: skip
        answering = receiver or sender
        if state in ("sent", "sent_overdue", "unreceived"):
            self.counts[(kind, "sent")] += 1
            return req
        gap = closed_after or rng.randint(3, 25)
        closed = min(self.work(sent_on + gap * DAY), self.today)
        if state == "received" or (
            state in ("answered", "confirmed", "returned", "not_concluded") and rng.random() < 0.6
        ):
            received = min(self.work(sent_on + rng.randint(1, max(1, gap - 1)) * DAY), closed if state != "received" else self.today)  # fmt: skip
            req.received_on, req.status = received, Status.RECEIVED
            self.event(person, E.REQUEST_RECEIVED, received, answering, self.data(req),
                       f"{answering.name} đã nhận")  # fmt: skip
        if state == "received":
            self.counts[(kind, "received")] += 1
            return req
        req.closed_on = closed
        if state == "cancelled":
            req.status, req.reason = Status.CANCELLED, rng.choice(CANCEL_REASONS)
            self.event(
                person,
                E.REQUEST_CANCELLED,
                closed,
                sender,
                self.data(req),
                f"{sender.name} hủy: {req.reason}",
            )
        elif state == "returned":
            req.status, req.reason = Status.RETURNED, rng.choice(RETURN_REASONS[kind])
            kind_event = {Kind.TRANSFER: E.TRANSFER_RETURNED, Kind.INTRODUCTION: E.INTRODUCTION_RETURNED}
            self.event(person, kind_event.get(kind, E.REQUEST_RETURNED), closed, answering, self.data(req),
                       f"{answering.name} trả lại: {req.reason}")  # fmt: skip
        elif state == "confirmed":
            into = into or receiver
            req.status, req.into_id, req.answer = Status.CONFIRMED, into.pk, "Đã tiếp nhận sinh hoạt"
            req.received_on = req.received_on or closed
            confirmed = E.TRANSFER_CONFIRMED if kind == Kind.TRANSFER else E.INTRODUCTION_CONFIRMED
            old = self.units[person.unit_id]
            self.event(person, confirmed, closed, receiver, self.data(req, into_id=into.pk, into_name=into.name),
                       f"{receiver.name} tiếp nhận")  # fmt: skip
            self.event(person, E.UNIT_CHANGED, closed, into,
                       {"from_id": old.pk, "from_name": old.name, "to_id": into.pk, "to_name": into.name,
                        "request_id": req.pk, "request_kind": kind}, f"Từ {old.name} về {into.name}")  # fmt: skip
            person.unit_id = into.pk
            person.unit = into
            person.mentor = None  # the new organisation assigns its own
        else:  # answered, not_concluded
            req.status = Status.ANSWERED
            req.received_on = req.received_on or closed
            reply = self.reply(req, answering, closed)
            if kind == Kind.VERIFICATION:
                concluded = state != "not_concluded"
                req.concluded = concluded
                req.answer = (
                    "Gia đình chấp hành tốt chủ trương, chính sách"
                    if concluded
                    else "Chưa xác minh được nơi ở cũ"
                )
                self.event(person, E.VERIFICATION, closed, self.units[person.unit_id],
                           {"concluded": concluded, "number": reply}, answer_note(req, reply, closed, req.answer))  # fmt: skip
            else:
                req.answer = "Chi bộ đã nhận, đưa vào hồ sơ"
                data = self.data(req)
                data["request_number"], data["number"] = data.pop("number", req.number), reply
                self.event(person, E.REQUEST_ANSWERED, closed, answering, data,
                           answer_note(req, reply, closed, req.answer))  # fmt: skip
        self.counts[(kind, req.status)] += 1
        return req

    def state(self, kind, i: int, weights: list[tuple[str, float]]) -> str:
        plan = PLANS[kind]
        if i < len(plan):
            return plan[i]
        states, w = zip(*weights)
        return self.rng.choices(states, w)[0]

    # ------------------------------------------------------------------ the stories
    def transfers(self) -> None:
        rng, today = self.rng, self.today
        mentors = {p.mentor_id for p in self.builder.persons if p.mentor_id}
        graduates = [p for p in self.builder.persons
                     if p.stage in ("PROBATIONARY", "OFFICIAL") and p.school_role == "student"
                     and p.expected_graduation and p.expected_graduation < today and p.pk not in mentors
                     and p.unit_id in self.cells and self.cells[p.unit_id].he]  # fmt: skip
        graduates.sort(key=lambda p: (self.units[p.unit_id].code != f"{SHOWCASE_SCHOOL}-SV-CNTT", p.pk))
        groups: dict = defaultdict(list)
        for p in graduates:
            groups[(self.cells[p.unit_id].grassroots.pk, p.expected_graduation)].append(p)
        i = 0
        weights = [("confirmed", 62), ("sent", 6), ("sent_overdue", 6), ("unreceived", 4), ("received", 6),
                   ("returned", 5), ("cancelled", 3), ("draft", 2), ("none", 4), ("held", 4)]  # fmt: skip
        for (sender_pk, graduation), people in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            sender = self.units[sender_pk]
            sent_on = self.work(graduation + dt.timedelta(days=rng.randint(15, 80)))
            batch = None
            for p in people:
                state = self.state(Kind.TRANSFER, i, weights)
                i += 1
                if state in ("none", "held") and graduation < today - dt.timedelta(days=365):
                    state = "confirmed"  # older cohorts have long been transferred
                if state == "none":
                    continue
                if state == "held":
                    until = rules.graduate_hold_until(graduation, ledger.rule_params())
                    held = self.work(graduation + dt.timedelta(days=rng.randint(5, 30)))
                    if held <= today:
                        self.event(p, E.GRADUATE_HELD, held, self.units[p.unit_id],
                                   {"until": until.isoformat(), "graduation": graduation.isoformat()},
                                   f"Đảng ủy trường giữ sinh hoạt đến {until:%d/%m/%Y}")  # fmt: skip
                        self.busy.add(p.pk)
                    continue
                receiver = self.units.get(p.residence_ward_id) or rng.choice(self.wards)
                if p.pk == graduates[0].pk:
                    receiver = self.city.by_code.get(SHOWCASE_WARD, receiver)
                when = sent_on
                if (
                    state in ("sent", "received", "draft")
                    or state.startswith("sent_")
                    or state == "unreceived"
                ):
                    when = None  # open letters are recent (or overdue by design)
                elif sent_on > today - dt.timedelta(days=30):
                    state = "sent"
                if when is not None and batch is None:
                    batch = RequestBatch(id=self.next_batch, kind=Kind.TRANSFER, sender_id=sender.pk, sent_on=when,
                                         title=f"Chuyển sinh hoạt đảng viên tốt nghiệp — {sender.name}, {when:%d/%m/%Y}")  # fmt: skip
                    self.next_batch += 1
                    self.batches.append(batch)
                req = self.request(Kind.TRANSFER, p, sender, receiver, state, sent_on=when,
                                   batch=batch if when is not None else None, trigger="graduation",
                                   trigger_on=graduation, temporary=rng.random() < 0.05)  # fmt: skip
                old_cohort = graduation < today - dt.timedelta(days=365)
                if state in ("returned", "cancelled") and (old_cohort or rng.random() < 0.7):
                    other = rng.choice([w for w in self.wards if w.pk != receiver.pk] or self.wards)
                    again = self.work(req.closed_on + dt.timedelta(days=rng.randint(5, 20)))
                    if again <= today:
                        recent = again >= today - dt.timedelta(days=60)
                        self.request(Kind.TRANSFER, p, sender, other,
                                     "sent" if recent and rng.random() < 0.5 else "confirmed",
                                     sent_on=again, trigger="graduation", trigger_on=graduation)  # fmt: skip

    def verifications(self) -> None:
        rng = self.rng
        showcase = self.city.by_code.get(SHOWCASE_WARD)
        # open ones: sympathisers and applicants without a verification yet
        open_pool = [p for p in self.builder.persons if p.stage in ("SYMPATHISER", "APPLICANT")
                     and p.pk not in self.busy and p.unit_id in self.cells
                     and not any(e.kind == "verification" for e in self.builder.events[p.pk])]  # fmt: skip
        rng.shuffle(open_pool)
        open_pool.sort(
            key=lambda p: self.units[p.unit_id].code != "KHTN-SV-CNTT"
        )  # the showcase first (stable)
        n_open = max(len(PLANS[Kind.VERIFICATION]), len(open_pool) // 12)
        weights = [("sent", 30), ("sent_overdue", 20), ("received", 15), ("returned", 8), ("cancelled", 5),
                   ("draft", 7), ("external", 5), ("not_concluded", 5), ("answered", 5)]  # fmt: skip
        for i, p in enumerate(open_pool[:n_open]):
            cell = self.cells[p.unit_id]
            receiver = self.units.get(p.residence_ward_id) or rng.choice(self.wards)
            if showcase is not None and i % 3 == 0:
                receiver = showcase
            state = self.state(Kind.VERIFICATION, i, weights)
            self.request(Kind.VERIFICATION, p, cell.grassroots, receiver, state,
                         content="Đề nghị thẩm tra, xác minh lý lịch của người xin vào Đảng.")  # fmt: skip
        # history: a share of the concluded verifications came back as answers to a request
        done = [p for p in self.builder.persons if p.pk not in self.busy and p.unit_id in self.cells
                and any(e.kind == "verification" for e in self.builder.events[p.pk])]  # fmt: skip
        for p in done[::3]:
            answer = next(e for e in reversed(self.builder.events[p.pk]) if e.kind == "verification")
            if not answer.data.get("concluded"):
                continue
            sent_on = self.work(answer.occurred_on - dt.timedelta(days=rng.randint(15, 35)))
            receiver = self.units.get(p.residence_ward_id)
            cell = self.cells[p.unit_id]
            state_receiver = receiver if receiver is not None and rng.random() < 0.85 else None
            req = Request(id=self.next_request, kind=Kind.VERIFICATION, person_id=p.pk, sender_id=cell.grassroots.pk,
                          origin_id=p.unit_id, receiver_id=state_receiver.pk if state_receiver else None,
                          receiver_name=(state_receiver.name if state_receiver else rng.choice(EXTERNAL_WARDS))[:200],
                          created_on=sent_on, sent_on=sent_on, status=Status.ANSWERED, concluded=True,
                          closed_on=answer.occurred_on, received_on=self.work(sent_on + dt.timedelta(days=3)),
                          answer="Gia đình chấp hành tốt chủ trương, chính sách",
                          content="Đề nghị thẩm tra, xác minh lý lịch của người xin vào Đảng.")  # fmt: skip
            req.person_letter = person_letter(p)
            self.next_request += 1
            self.reply(req, state_receiver, answer.occurred_on)
            req.received_on = min(req.received_on, req.closed_on)
            req.seq, req.number = self.number(cell.grassroots, Kind.VERIFICATION, sent_on)
            req.due_on, req.due_rule = deadlines.due_for(Kind.VERIFICATION, sent_on, self.cal)
            self.requests.append(req)
            self.event(p, E.VERIFICATION_REQUESTED, sent_on, cell.grassroots,
                       self.data(req, due_on=req.due_on.isoformat()), f"Gửi {req.receiver_name}")  # fmt: skip
            self.counts[(Kind.VERIFICATION, "answered")] += 1

    def introductions(self) -> None:
        rng = self.rng
        he_committees = sorted(
            {c.grassroots.pk for c in self.city.cells if c.he and not c.is_grassroots_cell}
        )
        if not he_committees:
            return
        student_cells = defaultdict(list)
        for c in self.city.cells:
            if c.he and c.unit.cell_kind == "student" and not c.is_grassroots_cell:
                student_cells[c.grassroots.pk].append(c.unit)
        stages = ("SOURCE", "SYMPATHISER", "APPLICANT")
        pool = [p for p in self.builder.persons if p.stage in stages and p.pk not in self.busy
                and p.unit_id in self.cells]  # fmt: skip
        pupils = sorted(
            (p for p in pool if p.school_role == "pupil" and p.stage != "SOURCE"), key=lambda p: p.pk
        )
        # a few staff change school and are introduced there
        movers = sorted(
            (p for p in pool if p.school_role in ("teacher", "lecturer", "staff")), key=lambda p: p.pk
        )
        weights = [("confirmed", 40), ("sent", 15), ("sent_overdue", 15), ("received", 10), ("returned", 8),
                   ("cancelled", 6), ("draft", 6)]  # fmt: skip
        chosen = pupils[: max(len(PLANS[Kind.INTRODUCTION]), len(pupils) // 6)]
        needed = max(0, len(PLANS[Kind.INTRODUCTION]) - len(chosen)) + len(movers) // 60
        chosen += movers[:: max(1, len(movers) // max(1, needed))][:needed]
        cells = sorted(self.city.cells, key=lambda c: c.unit.pk)
        for i, p in enumerate(chosen):
            if p.school_role == "pupil":
                receiver = self.units[rng.choice(he_committees)]
                into = rng.choice(student_cells[receiver.pk]) if student_cells[receiver.pk] else receiver
                content = "Học sinh tốt nghiệp THPT, trúng tuyển; giới thiệu về tiếp tục bồi dưỡng."
            else:
                here = self.cells[p.unit_id].grassroots.pk
                target = rng.choice([c for c in cells if c.grassroots.pk != here] or cells)
                receiver, into = target.grassroots, target.unit
                content = "Chuyển công tác về trường mới; giới thiệu về tiếp tục bồi dưỡng."
            state = self.state(Kind.INTRODUCTION, i, weights)
            self.request(
                Kind.INTRODUCTION, p, self.units[p.unit_id], receiver, state, into=into, content=content
            )

    def ward_letters(self) -> None:
        rng = self.rng
        by_ward = defaultdict(list)
        for p in self.builder.persons:
            if (p.residence_ward_id and p.school_role in ("student", "pupil") and p.pk not in self.busy
                    and p.stage not in ("REMOVED", "WITHDRAWN") and p.unit_id != p.residence_ward_id):  # fmt: skip
                by_ward[p.residence_ward_id].append(p)
        wards = sorted(by_ward, key=lambda pk: (self.units[pk].code != SHOWCASE_WARD, pk))
        weights = [("answered", 40), ("sent", 20), ("sent_overdue", 12), ("received", 12), ("returned", 6),
                   ("cancelled", 4), ("draft", 6)]  # fmt: skip
        i = {Kind.WARD_EVALUATION: 0, Kind.RESIDENCE_NOTICE: 0}
        for ward_pk in wards[: max(6, len(wards) // 3)]:
            ward = self.units[ward_pk]
            residents = by_ward[ward_pk][:8]
            for j, p in enumerate(residents):
                kind = Kind.RESIDENCE_NOTICE if j % 3 == 2 else Kind.WARD_EVALUATION
                if i[Kind.RESIDENCE_NOTICE] < len(PLANS[Kind.RESIDENCE_NOTICE]):  # every state of both first
                    kind = min(i, key=lambda k: (i[k], k))
                state = self.state(kind, i[kind], weights)
                i[kind] += 1
                rating = (
                    rng.choice(["good", "good", "fair", "average"]) if kind == Kind.WARD_EVALUATION else ""
                )
                content = (
                    rng.choice(EVALUATIONS)
                    if kind == Kind.WARD_EVALUATION
                    else "Sinh viên cư trú tại địa bàn."
                )
                self.request(kind, p, ward, self.units[p.unit_id], state, rating=rating, content=content)

    # ------------------------------------------------------------------ writing
    def write(self, persons_written: bool) -> dict:
        touched = [self.persons[pk] for pk in sorted(self.touched)]
        for person in touched:
            events = self.builder.events[person.pk]
            person.unit = self.units[person.unit_id]
            # The rule book judges a person by the cell that voted (`ledger.voting_unit`): a graduate moved to a
            # ward after a grassroots cell's vote still needs no committee vote. Found here without a query.
            vote = next((e for e in reversed(ledger.effective_events(events)) if e.kind == "cell_vote"), None)
            unit = self.units[vote.org_id] if vote is not None else person.unit
            result = ledger.evaluate(person, events, ledger.ledger_date(events), self.cal, unit)
            for name, value in ledger.project(person, result, events).items():
                setattr(person, name, value)
        if persons_written:
            fields = [*ledger.STATE_FIELDS, "unit", "mentor"]
            Person.objects.bulk_update(touched, fields, batch_size=1000)
        RequestBatch.objects.bulk_create(self.batches, batch_size=1000)
        Request.objects.bulk_create(self.requests, batch_size=1000)
        PersonEvent.objects.bulk_create(self.events, batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [Request, RequestBatch]):
                    cursor.execute(sql)
        return {"requests": len(self.requests), "events": len(self.events), "persons": len(touched)}


def demo_emails() -> None:
    """Demo users get an address on a reserved domain, so that `ketnap sweep-deadlines` has someone to write to
    (the console backend prints the mails)."""
    from ketnap.demo.seed import DEMO_USERS

    User = get_user_model()
    for user in User.objects.filter(username__in=[u for u, _, _ in DEMO_USERS], email=""):
        user.email = f"{user.username}@ketnap.example"
        user.save(update_fields=["email"])


def populate_requests(
    city, builder, today: dt.date, calendar, seed: int, persons_written: bool = True
) -> dict:
    """Generate and write the demo's requests (inside the seed's transaction). The persons moved or touched get
    their unit, mentor and cached state updated in memory, and in the database when `persons_written` (else the
    caller writes them afterwards: much faster than a bulk update)."""
    gen = _Gen(city, builder, today, calendar, seed)
    gen.transfers()
    gen.introductions()
    gen.verifications()
    gen.ward_letters()
    report = gen.write(persons_written)
    demo_emails()
    report["states"] = {f"{kind}:{state}": n for (kind, state), n in sorted(gen.counts.items())}
    return report
