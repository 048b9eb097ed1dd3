"""Each kind of request through its whole life: sent, received, answered or confirmed, returned, cancelled,
overdue; the ledger on both sides, the audit rows, scope (404) and role (403)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketnap import rules
from ketnap.core.models import AuditLog
from ketnap.interorg import actions, queries
from ketnap.interorg.models import Kind, Request, Status
from ketnap.people import ledger
from ketnap.people import queries as people_queries
from ketnap.people.models import Person
from ketnap.testing import make_person

from .conftest import DAY, applicant_to_verify, member, sympathiser, today

pytestmark = pytest.mark.django_db


def kinds(person) -> list[str]:
    return list(person.events.order_by("id").values_list("kind", flat=True))


def checklist_status(person, rule_id: str) -> str:
    person.refresh_from_db()
    page = people_queries.evaluate_page(
        person, people_queries.events_of(person), today(), ledger.load_calendar()
    )
    return next(item.status for item in page.checklist if item.rule == rule_id)


def verification(tree, person=None, **kw):
    person = person or applicant_to_verify(tree, tree.cell_student)
    fields = dict(
        kind=Kind.VERIFICATION, person=person, sender=tree.uni, receiver=tree.ward_b, sent_on=today()
    )
    fields.update(kw)
    return actions.send_new(acting_user=tree.users["uni_committee"], **fields)


# ------------------------------------------------------------------------------------------ verification


def test_verification_answered_by_the_ward_completes_the_checklist_item(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    assert checklist_status(person, "VERIFICATION") == "missing"
    request = verification(tree, person, content="Thẩm tra lý lịch gia đình")
    assert request.status == Status.SENT
    assert request.number == f"1-CV/TTLL/{tree.uni.code}"
    assert request.due_on == ledger.load_calendar().add_working_days(today(), 30)
    assert request.due_rule == ""

    ward = tree.users["ward_b"]
    actions.receive_request(request, acting_user=ward, received_on=today())
    actions.answer_request(request, acting_user=ward, answered_on=today(), concluded=True,
                           answer="Gia đình chấp hành tốt chủ trương, chính sách",
                           documents=[{"number": "45/ĐU", "date": today().isoformat(), "title": "Kết luận"}])  # fmt: skip
    request.refresh_from_db()
    assert request.status == Status.ANSWERED and request.concluded is True
    assert request.closed_by == ward
    person.refresh_from_db()
    assert kinds(person)[-3:] == ["verification_requested", "request_received", "verification"]
    answer = person.events.get(kind="verification")
    assert (
        answer.data == {"concluded": True, "number": "45/ĐU", "request_id": request.pk}
        and answer.actor == ward
    )
    # the ledger cites the ward's reply by its number, and the request by its own
    assert answer.note.startswith(f"Trả lời của {tree.ward_b.name}, văn bản số 45/ĐU ngày {today():%d/%m/%Y}")
    assert f"(trả lời văn bản số {request.number})" in answer.note
    assert checklist_status(person, "VERIFICATION") == "ok"
    # the sender side and the ward both wrote in the ledger, each as itself
    orgs = dict(
        person.events.filter(kind__in=["verification_requested", "request_received"]).values_list(
            "kind", "org"
        )
    )
    assert orgs == {"verification_requested": tree.uni.pk, "request_received": tree.ward_b.pk}
    actions_logged = list(
        AuditLog.objects.filter(object_type="interorg.request")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions_logged == ["interorg.create", "interorg.send", "interorg.receive", "interorg.answer"]


def test_a_verification_not_concluded_keeps_the_item_open(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    request = verification(tree, person)
    actions.answer_request(request, acting_user=tree.users["ward_b"], answered_on=today(), concluded=False,
                           answer="Chưa xác minh được nơi ở cũ")  # fmt: skip
    assert checklist_status(person, "VERIFICATION") == "missing"


def test_only_the_receiver_answers_the_sender_gets_403_and_others_404(tree):
    request = verification(tree)
    with pytest.raises(PermissionDenied):
        actions.answer_request(
            request, acting_user=tree.users["cell_clerk"], answered_on=today(), concluded=True
        )
    with pytest.raises(Http404):
        actions.answer_request(request, acting_user=tree.users["ward_a"], answered_on=today(), concluded=True)
    with pytest.raises(PermissionDenied):  # only the sender cancels
        actions.cancel_request(request, acting_user=tree.users["ward_b"], cancelled_on=today(), reason="Nhầm")
    with pytest.raises(PermissionDenied):  # a viewer of the sender's cell sees it but may not cancel
        actions.cancel_request(
            request, acting_user=tree.users["cell_viewer"], cancelled_on=today(), reason="Nhầm"
        )
    request.refresh_from_db()
    assert request.status == Status.SENT


def test_a_verification_returned_with_a_reason(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    request = verification(tree, person)
    with pytest.raises(ValidationError):
        actions.return_request(request, acting_user=tree.users["ward_b"], returned_on=today(), reason=" ")
    actions.return_request(request, acting_user=tree.users["ward_b"], returned_on=today(),
                           reason="Người này không cư trú tại phường")  # fmt: skip
    request.refresh_from_db()
    assert request.status == Status.RETURNED and "không cư trú" in request.reason
    assert kinds(person)[-1] == "request_returned"
    assert checklist_status(person, "VERIFICATION") == "missing"
    with pytest.raises(ValidationError):  # closed: no answer any more
        actions.answer_request(request, acting_user=tree.users["ward_b"], answered_on=today(), concluded=True)


def test_a_verification_cancelled_by_the_sender(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    request = verification(tree, person)
    with pytest.raises(PermissionDenied):
        actions.cancel_request(request, acting_user=tree.users["ward_b"], cancelled_on=today(), reason="Nhầm")
    actions.cancel_request(request, acting_user=tree.users["uni_committee"], cancelled_on=today(),
                           reason="Gửi nhầm phường")  # fmt: skip
    request.refresh_from_db()
    assert request.status == Status.CANCELLED
    assert kinds(person)[-1] == "request_cancelled"


def test_a_verification_overdue_after_thirty_working_days(tree):
    sent = today() - 70 * DAY
    request = verification(tree, sent_on=sent)
    assert request.due_on == ledger.load_calendar().add_working_days(sent, 30) < today()
    assert request.is_overdue(today())
    assert Request.objects.get(pk=request.pk) in queries.overdue_requests(tree.users["city_admin"], today())
    actions.answer_request(request, acting_user=tree.users["ward_b"], answered_on=today(), concluded=True)
    request.refresh_from_db()
    assert not request.is_overdue(today())


def test_the_default_due_days_are_settings(tree, settings):
    settings.KETNAP_REQUEST_DUE_DAYS = {"verification": 10}
    request = verification(tree)
    assert request.due_on == ledger.load_calendar().add_working_days(today(), 10)


def test_a_verification_to_an_organisation_outside_the_system_is_answered_by_hand(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    request = verification(tree, person, receiver=None, receiver_name="Đảng ủy xã Tân Phú, tỉnh Đồng Nai")
    assert request.receiver is None and request.is_external
    with pytest.raises(PermissionDenied):  # the sending committee records it, not a cell below it
        actions.answer_request(
            request, acting_user=tree.users["cell_clerk"], answered_on=today(), concluded=True
        )
    actions.answer_request(request, acting_user=tree.users["uni_committee"], answered_on=today(), concluded=True,
                           answer="Nhận công văn trả lời qua đường bưu điện")  # fmt: skip
    assert checklist_status(person, "VERIFICATION") == "ok"


def test_a_verification_needs_a_receiver_and_a_person_the_sender_holds(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    with pytest.raises(ValidationError):
        verification(tree, person, receiver=None, receiver_name="")
    other = applicant_to_verify(tree, tree.cell_a)
    with pytest.raises(Http404):  # not in the user's scope
        verification(tree, other)
    source = make_person(tree.cell_student)
    with pytest.raises(ValidationError):  # a source is not yet verified
        verification(tree, source)


# ------------------------------------------------------------------------------------------ transfer


def transfer(tree, person, **kw):
    fields = dict(kind=Kind.TRANSFER, person=person, sender=tree.uni, receiver=tree.ward_b, sent_on=today(),
                  trigger="graduation", trigger_on=today() - 20 * DAY)  # fmt: skip
    fields.update(kw)
    return actions.send_new(acting_user=tree.users["uni_committee"], **fields)


def test_a_transfer_in_transit_keeps_one_holder_until_the_receiver_confirms(tree):
    person = member(tree, tree.cell_student, family_name="Lê", given_name="Hùng")
    request = transfer(tree, person)
    assert request.due_rule == "TRANSFER_PRESENT_DUE"
    assert request.due_on == rules.transfer_present_due(today(), ledger.load_calendar())
    person.refresh_from_db()
    assert person.unit == tree.cell_student  # the sender holds the person while in transit
    ward, clerk, city = tree.users["ward_b"], tree.users["cell_clerk"], tree.users["city_viewer"]
    # in transit: both sides see it, and their lowest common upper committee sees the person
    assert request in queries.requests_for(ward) and request in queries.requests_for(clerk)
    assert person in people_queries.persons_for(city)
    assert person not in people_queries.persons_for(ward)
    assert request in queries.in_transit(ward)

    actions.confirm_request(request, acting_user=ward, confirmed_on=today(), into=tree.cell_b,
                            answer="Đã tiếp nhận sinh hoạt")  # fmt: skip
    person.refresh_from_db()
    request.refresh_from_db()
    assert person.unit == tree.cell_b
    assert request.status == Status.CONFIRMED and request.into == tree.cell_b
    assert kinds(person)[-3:] == ["transfer_sent", "transfer_confirmed", "unit_changed"]
    moved = person.events.get(kind="unit_changed")
    assert moved.data["from_id"] == tree.cell_student.pk and moved.data["to_id"] == tree.cell_b.pk
    assert moved.org == tree.cell_b
    sent = person.events.get(kind="transfer_sent")
    assert sent.org == tree.uni  # history keeps who held the person when
    # both sides see the final state; the person now belongs to the ward only
    assert Request.objects.get(pk=request.pk) in queries.requests_for(clerk)
    assert person in people_queries.persons_for(ward)
    assert person not in people_queries.persons_for(clerk)
    assert person.stage == "OFFICIAL"


def test_one_transfer_in_transit_at_a_time(tree):
    person = member(tree, tree.cell_student)
    transfer(tree, person)
    with pytest.raises(ValidationError):
        transfer(tree, person, receiver=tree.ward_a)
    with pytest.raises(ValidationError):
        actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.INTRODUCTION, person=person,
                         sender=tree.uni, receiver=tree.ward_a, sent_on=today())  # fmt: skip


def test_a_refused_transfer_returns_the_person_to_the_sender_with_the_reason(tree):
    person = member(tree, tree.cell_student)
    request = transfer(tree, person)
    actions.receive_request(request, acting_user=tree.users["ward_b"], received_on=today())
    actions.return_request(request, acting_user=tree.users["ward_b"], returned_on=today(),
                           reason="Đảng viên không cư trú tại phường")  # fmt: skip
    person.refresh_from_db()
    assert person.unit == tree.cell_student
    assert kinds(person)[-3:] == ["transfer_sent", "request_received", "transfer_returned"]
    # the sender may send again, elsewhere
    again = transfer(tree, person, receiver=tree.ward_a)
    assert again.number == f"2-GGT/{tree.uni.code}"


def test_a_cancelled_transfer_frees_the_person(tree):
    person = member(tree, tree.cell_student)
    request = transfer(tree, person)
    actions.cancel_request(request, acting_user=tree.users["uni_committee"], cancelled_on=today(),
                           reason="Đảng viên đề nghị giữ sinh hoạt")  # fmt: skip
    person.refresh_from_db()
    assert person.unit == tree.cell_student
    transfer(tree, person, receiver=tree.ward_a)  # no longer in transit


def test_a_transfer_is_overdue_after_the_present_due(tree):
    person = member(tree, tree.cell_student)
    sent = today() - 80 * DAY
    request = transfer(tree, person, sent_on=sent)
    assert request.is_overdue(today())
    assert request in queries.unreceived_transfers(tree.users["ward_b"], today()) or (
        not rules.transfer_unreceived(sent, today())
    )


def test_a_transfer_is_only_for_members_and_not_back_to_the_holder(tree):
    with pytest.raises(ValidationError):
        transfer(tree, sympathiser(tree, tree.cell_student))
    person = member(tree, tree.cell_student)
    with pytest.raises(ValidationError):
        transfer(tree, person, receiver=tree.cell_student)


def test_confirming_into_a_unit_outside_the_receiver_is_refused(tree):
    person = member(tree, tree.cell_student)
    request = transfer(tree, person)
    with pytest.raises(ValidationError):
        actions.confirm_request(request, acting_user=tree.users["city_admin"], confirmed_on=today(),
                                into=tree.cell_a)  # fmt: skip
    with pytest.raises(PermissionDenied):
        actions.confirm_request(request, acting_user=tree.users["uni_committee"], confirmed_on=today())


# ------------------------------------------------------------------------------------------ introduction


def test_an_introduction_moves_the_whole_ledger_and_its_clocks(tree):
    person = sympathiser(tree, tree.cell_a, user=tree.users["secretary_a"])
    mentor = member(tree, tree.cell_a, family_name="Võ", given_name="Mai")
    from ketnap.people import actions as people_actions

    people_actions.assign_mentor(person, mentor, acting_user=tree.users["secretary_a"], occurred_on=today())
    person.refresh_from_db()
    before = (person.stage, person.stage_since, person.next_due)
    request = actions.send_new(acting_user=tree.users["secretary_a"], kind=Kind.INTRODUCTION, person=person,
                               sender=tree.cell_a, receiver=tree.cell_student, sent_on=today(),
                               content="Học sinh tốt nghiệp THPT, trúng tuyển Trường ĐH KHTN")  # fmt: skip
    assert request.due_rule == "" and request.number == f"1-GT/{tree.cell_a.code}"
    actions.confirm_request(request, acting_user=tree.users["cell_clerk"], confirmed_on=today())
    person.refresh_from_db()
    assert person.unit == tree.cell_student and person.mentor is None
    assert (person.stage, person.stage_since, person.next_due) == before
    assert kinds(person)[0] == "awareness_class"  # the ledger came along
    assert kinds(person)[-3:] == ["introduction_sent", "introduction_confirmed", "unit_changed"]
    assert set(person.events.values_list("org", flat=True)) == {tree.cell_a.pk, tree.cell_student.pk}


def test_an_introduction_refused_and_one_cancelled(tree):
    person = sympathiser(tree, tree.cell_a, user=tree.users["secretary_a"])
    sec = tree.users["secretary_a"]
    first = actions.send_new(acting_user=sec, kind=Kind.INTRODUCTION, person=person, sender=tree.cell_a,
                             receiver=tree.cell_student, sent_on=today())  # fmt: skip
    actions.return_request(first, acting_user=tree.users["cell_clerk"], returned_on=today(),
                           reason="Chưa có giấy báo trúng tuyển")  # fmt: skip
    second = actions.send_new(acting_user=sec, kind=Kind.INTRODUCTION, person=person, sender=tree.cell_a,
                              receiver=tree.cell_student, sent_on=today())  # fmt: skip
    actions.cancel_request(second, acting_user=sec, cancelled_on=today(), reason="Học sinh đi du học")
    person.refresh_from_db()
    assert person.unit == tree.cell_a
    assert kinds(person)[-3:] == ["introduction_returned", "introduction_sent", "request_cancelled"]


def test_an_introduction_overdue(tree):
    person = sympathiser(tree, tree.cell_a, user=tree.users["secretary_a"])
    request = actions.send_new(acting_user=tree.users["secretary_a"], kind=Kind.INTRODUCTION, person=person,
                               sender=tree.cell_a, receiver=tree.cell_student, sent_on=today() - 60 * DAY)  # fmt: skip
    assert request.is_overdue(today())


# ------------------------------------------------------------------------------------------ the ward's letters


def resident_student(tree, ward, **fields):
    return make_person(tree.cell_student, residence_ward=ward, **fields)


@pytest.mark.parametrize("kind", [Kind.WARD_EVALUATION, Kind.RESIDENCE_NOTICE])
def test_a_ward_letter_about_a_resident_student_goes_to_the_school_that_holds_them(tree, kind):
    person = resident_student(tree, tree.ward_b)
    ward = tree.users["ward_b"]
    request = actions.send_new(acting_user=ward, kind=kind, person=person, sender=tree.ward_b, sent_on=today(),
                               content="Tích cực tham gia hoạt động tình nguyện tại khu phố", rating="good")  # fmt: skip
    assert request.receiver == tree.cell_student
    assert request.due_on == ledger.load_calendar().add_working_days(today(), 20)
    assert request in queries.requests_for(tree.users["cell_clerk"])
    with pytest.raises(PermissionDenied):
        actions.answer_request(request, acting_user=ward, answered_on=today())
    actions.receive_request(request, acting_user=tree.users["cell_clerk"], received_on=today())
    actions.answer_request(request, acting_user=tree.users["cell_clerk"], answered_on=today(),
                           answer="Chi bộ đã nhận, đưa vào hồ sơ")  # fmt: skip
    request.refresh_from_db()
    assert request.status == Status.ANSWERED
    assert kinds(person)[-3:] == [f"{kind}_sent", "request_received", "request_answered"]


@pytest.mark.parametrize("kind", [Kind.WARD_EVALUATION, Kind.RESIDENCE_NOTICE])
def test_a_ward_letter_returned_cancelled_and_overdue(tree, kind):
    ward = tree.users["ward_b"]
    p1, p2, p3 = (resident_student(tree, tree.ward_b, given_name=n) for n in ("An", "Bình", "Chi"))
    r1 = actions.send_new(acting_user=ward, kind=kind, person=p1, sender=tree.ward_b, sent_on=today())
    actions.return_request(r1, acting_user=tree.users["cell_clerk"], returned_on=today(),
                           reason="Sinh viên đã chuyển trường")  # fmt: skip
    r2 = actions.send_new(acting_user=ward, kind=kind, person=p2, sender=tree.ward_b, sent_on=today())
    actions.cancel_request(r2, acting_user=ward, cancelled_on=today(), reason="Trùng danh sách")
    r3 = actions.send_new(
        acting_user=ward, kind=kind, person=p3, sender=tree.ward_b, sent_on=today() - 50 * DAY
    )
    assert [Request.objects.get(pk=r.pk).status for r in (r1, r2, r3)] == ["returned", "cancelled", "sent"]
    assert Request.objects.get(pk=r3.pk).is_overdue(today())


def test_a_ward_letter_needs_a_ward_a_resident_and_a_student(tree):
    with pytest.raises(Http404):  # lives elsewhere and out of the ward's scope
        actions.send_new(acting_user=tree.users["ward_b"], kind=Kind.WARD_EVALUATION,
                         person=resident_student(tree, tree.ward_a), sender=tree.ward_b, sent_on=today())  # fmt: skip
    with pytest.raises(ValidationError):
        actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.WARD_EVALUATION,
                         person=resident_student(tree, tree.ward_b), sender=tree.uni, sent_on=today())  # fmt: skip
    teacher = make_person(tree.cell_b, school_role="teacher")
    with pytest.raises(ValidationError):
        actions.send_new(acting_user=tree.users["ward_b"], kind=Kind.RESIDENCE_NOTICE, person=teacher,
                         sender=tree.ward_b, sent_on=today())  # fmt: skip


# ------------------------------------------------------------------------------------------ drafts, batches, holds


def test_a_draft_is_sent_later_and_a_draft_cancelled_leaves_no_ledger_event(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    clerk = tree.users["cell_clerk"]
    draft = actions.create_request(acting_user=clerk, kind=Kind.VERIFICATION, person=person,
                                   sender=tree.cell_student, receiver=tree.ward_a)  # fmt: skip
    n = person.events.count()
    assert draft.status == Status.DRAFT and draft.due_on is None
    actions.cancel_request(draft, acting_user=clerk, cancelled_on=today(), reason="Đổi nơi thẩm tra")
    assert person.events.count() == n
    draft = actions.create_request(acting_user=clerk, kind=Kind.VERIFICATION, person=person,
                                   sender=tree.cell_student, receiver=tree.ward_b)  # fmt: skip
    actions.send_request(draft, acting_user=clerk, sent_on=today(), number="15-CV/CB")
    draft.refresh_from_db()
    assert draft.status == Status.SENT and draft.number == "15-CV/CB" and draft.seq is None
    with pytest.raises(ValidationError):
        actions.send_request(draft, acting_user=clerk, sent_on=today())


def test_a_batch_numbers_its_letters_consecutively(tree):
    people = [member(tree, tree.cell_student, given_name=n) for n in ("An", "Bình", "Cường")]
    batch = actions.send_batch(acting_user=tree.users["uni_committee"], kind=Kind.TRANSFER, sender=tree.uni,
                               sent_on=today(), title="Chuyển sinh hoạt sinh viên tốt nghiệp 2026",
                               rows=[{"person": p, "receiver": tree.ward_b, "trigger": "graduation"}
                                     for p in people])  # fmt: skip
    numbers = list(batch.requests.order_by("seq").values_list("number", flat=True))
    assert numbers == [f"{i}-GGT/{tree.uni.code}" for i in (1, 2, 3)]


def test_a_batch_is_all_or_nothing(tree):
    ok = member(tree, tree.cell_student)
    not_member = sympathiser(tree, tree.cell_student)
    with pytest.raises(ValidationError):
        actions.send_batch(acting_user=tree.users["uni_committee"], kind=Kind.TRANSFER, sender=tree.uni,
                           sent_on=today(), title="Đợt lỗi",
                           rows=[{"person": ok, "receiver": tree.ward_b}, {"person": not_member, "receiver": tree.ward_b}])  # fmt: skip
    assert not Request.objects.exists()


def test_a_graduate_may_be_held_twelve_months_at_most(tree):
    graduated = today() - 30 * DAY
    person = member(tree, tree.cell_student, school_role="student", expected_graduation=graduated)
    with pytest.raises(ValidationError):
        actions.hold_graduate(person, acting_user=tree.users["uni_committee"], occurred_on=today(),
                              until=rules.graduate_hold_until(graduated) + DAY)  # fmt: skip
    event = actions.hold_graduate(person, acting_user=tree.users["uni_committee"], occurred_on=today())
    assert event.kind == "graduate_held"
    assert event.data["until"] == rules.graduate_hold_until(graduated).isoformat()
    with pytest.raises(ValidationError):  # not a graduate
        actions.hold_graduate(member(tree, tree.cell_student, school_role="lecturer"),
                              acting_user=tree.users["uni_committee"], occurred_on=today())  # fmt: skip


def test_every_transition_keeps_the_cached_state_equal_to_the_replayed_ledger(tree):
    from ketnap.people.actions import rebuild_state
    from ketnap.people.ledger import STATE_FIELDS

    person = applicant_to_verify(tree, tree.cell_student)
    request = verification(tree, person, sent_on=today() - 10 * DAY)
    actions.receive_request(request, acting_user=tree.users["ward_b"], received_on=today() - 5 * DAY)
    actions.answer_request(request, acting_user=tree.users["ward_b"], answered_on=today(), concluded=True)
    person = Person.objects.get(pk=person.pk)
    expected = rebuild_state(person, ledger.load_calendar())
    assert {f: getattr(person, f) for f in STATE_FIELDS} == expected


def test_moves_keep_the_indicator_rollup_equal_to_a_rebuild(tree):
    from ketnap.targets import queries as target_queries
    from ketnap.targets import rollups

    windows = [target_queries.window(k) for k in ("SY2025", "SY2026", "CY2026")]
    rollups.build(windows)
    members = [member(tree, tree.cell_student, given_name=n) for n in ("An", "Bình")]
    moved = transfer(tree, members[0])
    actions.confirm_request(moved, acting_user=tree.users["ward_b"], confirmed_on=today(), into=tree.cell_b)
    person = sympathiser(tree, tree.cell_a, user=tree.users["secretary_a"])
    intro = actions.send_new(acting_user=tree.users["secretary_a"], kind=Kind.INTRODUCTION, person=person,
                             sender=tree.cell_a, receiver=tree.uni, sent_on=today())  # fmt: skip
    actions.confirm_request(intro, acting_user=tree.users["uni_committee"], confirmed_on=today(),
                            into=tree.cell_student)  # fmt: skip
    returned = transfer(tree, members[1])
    actions.return_request(
        returned, acting_user=tree.users["ward_b"], returned_on=today(), reason="Không cư trú"
    )
    assert rollups.check(windows) == []
