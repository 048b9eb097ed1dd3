"""A record that can be trusted: the path is enforced on every write, mistakes are corrected with a reason,
closed dossiers can be reopened, and what is typed is checked where it is typed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from ketnap.core.models import AuditLog
from ketnap.orgs.models import OrgLink, OrgUnit, path_segment
from ketnap.people import actions, ledger
from ketnap.people.actions import ActionRefused
from ketnap.people.models import Person
from ketnap.testing import make_person, prepare_applicant

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def ready(tree, start=None, **fields):
    person = make_person(tree.cell_student, **fields)
    return prepare_applicant(person, tree.users["city_admin"], start=start or today() - 200 * DAY)


def refusal_rules(exc) -> set[str]:
    return {r.rule for r in exc.value.refusals}


def admitted(tree, start=None):
    """Cell vote, committee vote and an authorised decision, through the actions."""
    start = start or today() - 200 * DAY
    person = ready(tree, start=start)
    sec, committee = tree.users["cell_secretary"], tree.users["uni_committee"]
    actions.record_cell_vote(person, acting_user=sec, occurred_on=start + 170 * DAY, official_members=12,
                             in_favour=9)  # fmt: skip
    actions.record_committee_vote(person, acting_user=committee, occurred_on=start + 175 * DAY, members=9,
                                  in_favour=7)  # fmt: skip
    actions.record_decision(person, acting_user=committee, occurred_on=start + 180 * DAY, decider=tree.uni,
                            members=9, in_favour=8, number="12-QĐ/ĐU")  # fmt: skip
    person.refresh_from_db()
    return person


# --------------------------------------------------------------------------------- the path on every write


def test_a_committee_cannot_admit_someone_who_never_had_a_cell_vote(tree):
    person = ready(tree)
    committee = tree.users["uni_committee"]
    with pytest.raises(ActionRefused) as exc:
        actions.record_committee_vote(
            person, acting_user=committee, occurred_on=today(), members=9, in_favour=9
        )
    assert refusal_rules(exc) == {"STEP_ORDER"}
    with pytest.raises(ActionRefused) as exc:
        actions.record_decision(person, acting_user=committee, occurred_on=today(), decider=tree.uni, members=9,
                                in_favour=9)  # fmt: skip
    assert "STEP_ORDER" in refusal_rules(exc)
    with pytest.raises(ActionRefused):
        actions.record_simple(person, "ceremony", acting_user=committee, occurred_on=today())
    person.refresh_from_db()
    assert person.stage == "APPLICANT"
    assert not person.events.filter(kind__in=["committee_vote", "decision", "ceremony"]).exists()


def test_a_decision_dated_before_the_cell_vote_is_refused(tree):
    person = ready(tree)
    sec, committee = tree.users["cell_secretary"], tree.users["uni_committee"]
    actions.record_cell_vote(person, acting_user=sec, occurred_on=today() - 10 * DAY, official_members=12,
                             in_favour=9)  # fmt: skip
    actions.record_committee_vote(person, acting_user=committee, occurred_on=today() - 5 * DAY, members=9,
                                  in_favour=7)  # fmt: skip
    with pytest.raises(ActionRefused) as exc:
        actions.record_decision(person, acting_user=committee, occurred_on=today() - 20 * DAY,
                                decider=tree.uni, members=9, in_favour=9)  # fmt: skip
    assert refusal_rules(exc) == {"STEP_ORDER"}


def test_the_same_decision_cannot_be_recorded_twice(tree):
    person = admitted(tree)
    with pytest.raises(ActionRefused) as exc:
        actions.record_decision(person, acting_user=tree.users["uni_committee"], occurred_on=today(),
                                decider=tree.uni, members=9, in_favour=9)  # fmt: skip
    assert refusal_rules(exc) == {"STEP_REPEATED"}
    assert person.events.filter(kind="decision").count() == 1


def test_a_recognition_vote_before_the_probation_ends_is_refused(tree):
    person = admitted(tree, start=today() - 400 * DAY)
    sec = tree.users["cell_secretary"]
    ceremony = person.party_age_from + 5 * DAY
    actions.record_simple(person, "ceremony", acting_user=sec, occurred_on=ceremony)
    for kind in ("self_review", "helper_comments", "recognition_comments"):
        actions.record_document(person, kind, acting_user=sec, occurred_on=today() - DAY)
    actions.record_simple(person, "new_member_class", acting_user=sec, occurred_on=today() - DAY)
    with pytest.raises(ActionRefused) as exc:
        actions.record_recognition_vote(person, acting_user=sec, occurred_on=today(), official_members=12,
                                        in_favour=12)  # fmt: skip
    assert refusal_rules(exc) == {"PROBATION_COMPLETE"}
    person.refresh_from_db()
    assert person.stage == "PROBATIONARY" and person.official_date is None


# --------------------------------------------------------------------------------- corrections


def wrong_introducer(tree):
    """An applicant whose introducer letter names a member who was still probationary (typed wrong)."""
    person = make_person(tree.cell_student)
    start = today() - 200 * DAY
    prepare_applicant(person, tree.users["city_admin"], start=start)
    letter = person.events.get(kind="member_introduction")
    actions.correct_event(letter, acting_user=tree.users["cell_clerk"], note="Nhập từ bản giấy",
                          data={"introducer": {**letter.data["introducer"],
                                               "official_since": (today() - 30 * DAY).isoformat()}})  # fmt: skip
    return person


def test_a_wrong_introducer_letter_blocks_the_vote_until_it_is_corrected(tree):
    person = wrong_introducer(tree)
    sec = tree.users["cell_secretary"]
    with pytest.raises(ActionRefused) as exc:
        actions.record_cell_vote(
            person, acting_user=sec, occurred_on=today(), official_members=12, in_favour=9
        )
    assert refusal_rules(exc) == {"INTRODUCER_OFFICIAL"}

    letter = person.events.filter(kind="member_introduction", corrects__isnull=True).get()
    fixed = actions.correct_event(
        letter,
        acting_user=tree.users["cell_clerk"],
        data={"introducer": {**letter.data["introducer"], "official_since": "2015-06-01"}},
        note="Ngày chính thức ghi nhầm; đúng là 01/06/2015 theo thẻ đảng viên",
    )
    assert fixed.corrects_id == letter.pk and fixed.kind == "member_introduction"
    assert AuditLog.objects.filter(action="person.correct.member_introduction").count() == 2
    actions.record_cell_vote(person, acting_user=sec, occurred_on=today(), official_members=12, in_favour=9)
    person.refresh_from_db()
    assert person.stage == "CELL_APPROVED"
    # The ledger kept everything: the letter, both corrections, the vote.
    assert person.events.filter(kind="member_introduction").count() == 3


def test_a_voided_document_stops_counting_and_the_state_is_recomputed(tree):
    person = ready(tree)
    comments = person.events.get(kind="comments")
    actions.correct_event(comments, acting_user=tree.users["cell_clerk"], void=True,
                          note="Bản tổng hợp của người khác, ghi nhầm hồ sơ")  # fmt: skip
    with pytest.raises(ActionRefused) as exc:
        actions.record_cell_vote(person, acting_user=tree.users["cell_secretary"], occurred_on=today(),
                                 official_members=12, in_favour=9)  # fmt: skip
    assert refusal_rules(exc) == {"COMMENTS"}
    row = AuditLog.objects.filter(action="person.void.comments").latest("id")
    assert "Bản tổng hợp của người khác" in row.summary and row.after["data"]["void"] is True


def test_a_correction_needs_a_reason_and_the_role_of_the_step(tree):
    person = admitted(tree)
    vote = person.events.get(kind="committee_vote")
    with pytest.raises(ValidationError):
        actions.correct_event(
            vote, acting_user=tree.users["uni_committee"], data={"members": 9, "in_favour": 8}
        )
    with pytest.raises(PermissionDenied):  # a clerk cannot correct a committee's vote
        actions.correct_event(vote, acting_user=tree.users["cell_clerk"], data={"members": 9, "in_favour": 8},
                              note="Sai số phiếu")  # fmt: skip


def test_a_correction_that_would_break_later_steps_is_refused(tree):
    person = admitted(tree)
    cell_vote = person.events.get(kind="cell_vote")
    with pytest.raises(ActionRefused) as exc:
        actions.correct_event(cell_vote, acting_user=tree.users["cell_secretary"], void=True,
                              note="Ghi nhầm")  # fmt: skip
    assert "STEP_ORDER" in refusal_rules(exc)
    assert not person.events.filter(corrects=cell_vote).exists()


def test_an_answer_to_a_request_is_not_corrected_on_the_person_page(tree):
    person = ready(tree)
    event = person.events.get(kind="verification")
    assert actions.correctable(event) == ""
    ledger_row = person.events.create(kind="verification", occurred_on=today(), org=tree.ward_b,
                                      data={"concluded": True, "request_id": 99})  # fmt: skip
    assert "trả lời" in actions.correctable(ledger_row)
    with pytest.raises(ValidationError):
        actions.correct_event(ledger_row, acting_user=tree.users["city_admin"], void=True, note="x")


# --------------------------------------------------------------------------------- withdrawal and reinstatement


def test_withdrawal_needs_a_reason_and_can_be_reinstated_by_the_same_role(tree):
    person = ready(tree)
    sec = tree.users["cell_secretary"]
    with pytest.raises(ValidationError):
        actions.record_simple(person, "withdrawal", acting_user=sec, occurred_on=today())
    actions.record_simple(person, "withdrawal", acting_user=sec, occurred_on=today() - DAY,
                          note="Xin rút vì đi du học")  # fmt: skip
    person.refresh_from_db()
    assert person.stage == "WITHDRAWN"
    with pytest.raises(PermissionDenied):
        actions.reinstate(person, acting_user=tree.users["cell_clerk"], occurred_on=today(), note="Trở lại")
    actions.reinstate(person, acting_user=sec, occurred_on=today(), note="Đã về nước, xin tiếp tục")
    person.refresh_from_db()
    assert person.stage == "APPLICANT"
    back = person.events.latest("id")
    assert back.data["void"] is True and back.data["reinstated_on"] == today().isoformat()
    row = AuditLog.objects.filter(action="person.reinstate").get()
    assert "Đã về nước, xin tiếp tục" in row.summary
    assert "Xin rút vì đi du học" in AuditLog.objects.get(action="person.withdrawal").summary
    # the path resumes where it was
    actions.record_cell_vote(person, acting_user=sec, occurred_on=today(), official_members=12, in_favour=9)
    person.refresh_from_db()
    assert person.stage == "CELL_APPROVED"


# --------------------------------------------------------------------------------- inputs checked where typed


def test_dates_before_1930_or_in_the_future_are_refused(tree):
    person = make_person(tree.cell_student)
    clerk = tree.users["cell_clerk"]
    for day in (datetime.date(1929, 12, 31), today() + DAY):
        with pytest.raises(ValidationError):
            actions.record_awareness_class(person, acting_user=clerk, occurred_on=day)
    assert not person.events.exists()


def test_citizen_id_digits_are_normalised_and_duplicates_say_where(tree):
    clerk = tree.users["cell_clerk"]
    fields = dict(family_name="Lê", middle_name="Thị", given_name="Hoa", birth_date=datetime.date(2004, 1, 2),
                  gender="F", education="upper_secondary", school_role="student")  # fmt: skip
    person = actions.identify_source(acting_user=clerk, unit=tree.cell_student, occurred_on=today(),
                                     citizen_id="０７９２０４００１２３４", **fields)  # fmt: skip
    assert person.citizen_id == "079204001234"
    with pytest.raises(ValidationError) as exc:
        actions.identify_source(acting_user=clerk, unit=tree.cell_student, occurred_on=today(),
                                citizen_id="079204001234", **fields)  # fmt: skip
    assert "Lê Thị Hoa" in str(exc.value) and tree.cell_student.name in str(exc.value)
    with pytest.raises(ValidationError) as exc:  # a ward user does not see the person: only the unit is named
        actions.identify_source(acting_user=tree.users["secretary_a"], unit=tree.cell_a, occurred_on=today(),
                                citizen_id="079204001234", **fields)  # fmt: skip
    assert "Lê Thị Hoa" not in str(exc.value) and tree.cell_student.name in str(exc.value)
    with pytest.raises(ValidationError):
        actions.identify_source(
            acting_user=clerk,
            unit=tree.cell_student,
            occurred_on=today(),
            citizen_id="07920400123٤",
            **fields,
        )  # fmt: skip  (Arabic-Indic 4 → 4: a duplicate)


def test_an_introducer_from_the_system_brings_the_official_date_of_their_ledger(tree):
    member = make_person(tree.cell_staff, given_name="Bình", stage="OFFICIAL",
                         official_date=datetime.date(2018, 6, 1))  # fmt: skip
    person = make_person(tree.cell_student)
    event = actions.record_member_introduction(person, acting_user=tree.users["city_admin"], occurred_on=today(),
                                               introducer=member, cowork_since=datetime.date(2020, 1, 1))  # fmt: skip
    assert event.data["introducer"] == {
        "name": member.full_name,
        "official_since": "2018-06-01",
        "replacement": False,
        "person_id": member.pk,
        "cowork_since": "2020-01-01",
    }
    probationer = make_person(tree.cell_staff, given_name="Chi", stage="PROBATIONARY")
    with pytest.raises(ValidationError):
        actions.record_member_introduction(person, acting_user=tree.users["city_admin"], occurred_on=today(),
                                           introducer=probationer, cowork_since=datetime.date(2020, 1, 1))  # fmt: skip


def test_a_vote_keeps_the_cell_roster_and_the_page_warns_when_it_differs(client, tree):
    for i in range(3):  # three official members entered by import (their ledger says since when)
        member = make_person(tree.cell_student, given_name=f"Đảng viên {i}")
        actions.record_event(member, "member_imported", acting_user=tree.users["city_admin"],
                             occurred_on=datetime.date(2024, 1, 1),
                             data={"stage": "OFFICIAL", "party_age_from": "2018-01-01",
                                   "official_date": "2019-01-01"})  # fmt: skip
    moved_out = make_person(tree.cell_student, given_name="Đã chuyển")
    actions.record_event(moved_out, "member_imported", acting_user=tree.users["city_admin"],
                         occurred_on=datetime.date(2024, 1, 1),
                         data={"stage": "OFFICIAL", "party_age_from": "2018-01-01", "official_date": "2019-01-01"})  # fmt: skip
    moved_out.events.create(kind="unit_changed", occurred_on=today() - 5 * DAY, org=tree.cell_staff,
                            data={"from_id": tree.cell_student.pk, "to_id": tree.cell_staff.pk})  # fmt: skip
    Person.objects.filter(pk=moved_out.pk).update(unit=tree.cell_staff)
    from ketnap.people.queries import cell_roster

    assert cell_roster(tree.cell_student, today() - 10 * DAY) == 4  # the one who left was still there
    assert cell_roster(tree.cell_student, today()) == 3
    assert cell_roster(tree.cell_staff, today()) == 1
    assert cell_roster(tree.cell_student, datetime.date(2018, 12, 31)) == 0  # not yet official
    person = ready(tree)
    client.force_login(tree.users["cell_secretary"])
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "có 3 đảng viên chính thức hôm nay" in page
    response = client.post(reverse("person-record", args=[person.pk, "cell_vote"]),
                           {"occurred_on": today().strftime("%d/%m/%Y"), "official_members": "12",
                            "in_favour": "9"}, follow=True)  # fmt: skip
    body = response.content.decode()
    assert "khác danh sách trong hệ thống" in body and "(3 người)" in body
    vote = person.events.get(kind="cell_vote")
    assert vote.data["roster"] == 3


def test_a_cell_directly_under_a_ward_is_decided_by_the_ward(tree):
    cell = OrgUnit.objects.create(name="Chi bộ Trường Mầm non Hoa Sen", code="MN-HS", kind=OrgUnit.Kind.CELL,
                                  parent=tree.ward_a, cell_kind="staff")  # fmt: skip
    cell.path = tree.ward_a.path + path_segment(cell.pk)
    cell.depth = tree.ward_a.depth + 1
    cell.save()
    OrgLink.objects.create(child=cell, parent=tree.ward_a, valid_from=datetime.date(2025, 7, 1))
    person = make_person(cell)
    assert actions.deciders_for(person) == [tree.ward_a]
    # the whole path: the cell's vote, then the ward's decision (no committee vote in between)
    prepare_applicant(person, tree.users["city_admin"], start=today() - 200 * DAY)
    ward = tree.users["ward_a"]
    actions.record_cell_vote(person, acting_user=ward, occurred_on=today() - 2 * DAY, official_members=9,
                             in_favour=8)  # fmt: skip
    person.refresh_from_db()
    assert person.stage == "COMMITTEE_APPROVED"  # awaiting the decision
    actions.record_decision(
        person, acting_user=ward, occurred_on=today(), decider=tree.ward_a, number="5-QĐ/ĐU"
    )
    person.refresh_from_db()
    assert person.stage == "ADMITTED" and person.events.get(kind="decision").data["authorized"] is False
    assert actions.deciders_for(make_person(tree.cell_a)) == [tree.ward_a]
    assert actions.deciders_for(make_person(tree.cell_student)) == [tree.uni, tree.upper]


# --------------------------------------------------------------------------------- pages


def test_the_person_page_offers_corrections_and_the_correction_page_records_one(client, tree):
    person = wrong_introducer(tree)
    client.force_login(tree.users["cell_secretary"])
    letter = person.events.filter(kind="member_introduction", corrects__isnull=True).get()
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert reverse("person-correct", args=[person.pk, letter.pk]) in page
    url = reverse("person-correct", args=[person.pk, letter.pk])
    form = client.get(url).content.decode()
    assert 'value="Trần Thị Bình"' in form and "Lý do đính chính" in form
    response = client.post(url, {"action": "correct", "occurred_on": letter.occurred_on.strftime("%d/%m/%Y"),
                                 "introducer_name": "Trần Thị Bình", "official_since": "01/06/2015",
                                 "cowork_since": "05/09/2023", "note": ""})  # fmt: skip
    assert response.status_code == 200 and "Lý do đính chính" in response.content.decode()
    assert not person.events.filter(corrects=letter, note="").exists()
    response = client.post(url, {"action": "correct", "occurred_on": letter.occurred_on.strftime("%d/%m/%Y"),
                                 "introducer_name": "Trần Thị Bình", "official_since": "01/06/2015",
                                 "cowork_since": "05/09/2023", "note": "Ngày chính thức ghi nhầm"})  # fmt: skip
    assert response.status_code == 302
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Ngày chính thức ghi nhầm" in page and "Đính chính bản ghi" in page


def test_the_correction_page_is_404_for_another_persons_event_and_out_of_scope(client, tree):
    person, other = ready(tree), ready(tree, given_name="Bảo")
    event = other.events.get(kind="comments")
    client.force_login(tree.users["cell_secretary"])
    assert client.get(reverse("person-correct", args=[person.pk, event.pk])).status_code == 404
    client.force_login(tree.users["ward_b"])
    assert client.get(reverse("person-correct", args=[other.pk, event.pk])).status_code == 404
    client.force_login(tree.users["cell_viewer"])
    assert client.get(reverse("person-correct", args=[other.pk, event.pk])).status_code == 403


def test_withdrawal_on_the_page_needs_reason_and_confirmation(client, tree):
    person = ready(tree)
    client.force_login(tree.users["cell_secretary"])
    url = reverse("person-record", args=[person.pk, "withdrawal"])
    on = today().strftime("%d/%m/%Y")
    body = client.post(url, {"occurred_on": on, "note": "Xin rút"}).content.decode()
    assert "Hãy đánh dấu xác nhận" in body
    body = client.post(url, {"occurred_on": on, "confirm": "on"}).content.decode()
    assert "Lý do" in body
    assert not person.events.filter(kind="withdrawal").exists()
    assert client.post(url, {"occurred_on": on, "note": "Xin rút", "confirm": "on"}).status_code == 302
    person.refresh_from_db()
    assert person.stage == "WITHDRAWN"
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert "Khôi phục hồ sơ" in page
    response = client.post(reverse("person-record", args=[person.pk, "reinstate"]),
                           {"occurred_on": on, "note": "Rút nhầm", "confirm": "on"})  # fmt: skip
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.stage == "APPLICANT"


def test_the_page_offers_only_what_the_rule_book_opens(client, tree):
    person = ready(tree)
    client.force_login(tree.users["city_admin"])
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert 'id="form-cell_vote"' in page
    for kind in ("committee_vote", "decision", "ceremony", "recognition_vote", "recognition_decision"):
        assert f'id="form-{kind}"' not in page
    person = admitted(tree)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    assert 'id="form-ceremony"' in page and 'id="form-decision"' not in page
    assert 'id="form-cell_vote"' not in page


def test_date_fields_refuse_dates_out_of_range_in_vietnamese(client, tree):
    person = ready(tree)
    client.force_login(tree.users["cell_secretary"])
    url = reverse("person-record", args=[person.pk, "cell_vote"])
    body = client.post(url, {"occurred_on": "01/01/1900", "official_members": "12", "in_favour": "9"},
                       HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "Ngày không được trước 03/02/1930" in body
    tomorrow = (today() + DAY).strftime("%d/%m/%Y")
    body = client.post(url, {"occurred_on": tomorrow, "official_members": "12", "in_favour": "9"},
                       HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert "Ngày không được sau ngày hôm nay" in body
    assert not Person.objects.get(pk=person.pk).events.filter(kind="cell_vote").exists()


def test_the_checklist_and_the_findings_come_from_one_evaluation(tree):
    person = wrong_introducer(tree)
    calendar = ledger.load_calendar()
    from ketnap.people import queries

    page = queries.evaluate_page(person, queries.events_of(person), today(), calendar)
    failing = {i.rule for i in page.checklist if i.status == "error"}
    assert "INTRODUCER_OFFICIAL" in failing
    assert page.next_steps and "cell_vote" in page.next_steps


def test_a_post_cannot_do_what_the_stage_does_not_allow(tree):
    """Not only the rule book's errors: a step of another stage is refused too (a secretary cannot
    'withdraw' a probationary member, a committee cannot 'remove' an applicant)."""
    member = admitted(tree)
    sec, committee = tree.users["cell_secretary"], tree.users["uni_committee"]
    actions.record_simple(member, "ceremony", acting_user=sec, occurred_on=today())
    with pytest.raises(ValidationError) as exc:
        actions.record_simple(member, "withdrawal", acting_user=sec, occurred_on=today(), note="Xin rút")
    assert "Đảng viên dự bị" in str(exc.value)
    applicant = ready(tree, given_name="Bảo")
    with pytest.raises(ValidationError):
        actions.record_simple(applicant, "removal", acting_user=committee, occurred_on=today(), note="Sai")
    with pytest.raises(ValidationError):
        actions.record_document(applicant, "self_review", acting_user=sec, occurred_on=today())
    assert not member.events.filter(kind="withdrawal").exists()
    assert not applicant.events.filter(kind__in=["removal", "self_review"]).exists()


def test_a_second_correction_starts_from_the_corrected_values(client, tree):
    person = ready(tree)
    cert = person.events.get(kind="awareness_class")
    actions.correct_event(cert, acting_user=tree.users["cell_clerk"], data={"certificate_number": "MỚI-1"},
                          note="Số giấy ghi thiếu")  # fmt: skip
    client.force_login(tree.users["cell_secretary"])
    page = client.get(reverse("person-correct", args=[person.pk, cert.pk])).content.decode()
    assert 'value="MỚI-1"' in page


def test_a_stale_edit_is_refused_with_the_current_values(client, tree):
    person = ready(tree)
    client.force_login(tree.users["cell_clerk"])
    url = reverse("person-edit", args=[person.pk])
    page = client.get(url).content.decode()
    import re

    version = re.search(r'name="version" value="([^"]+)"', page).group(1)
    data = {"full_name": "Nguyễn Văn An", "birth_date": "15/03/2004", "gender": "M", "citizen_id": "",
            "education": "upper_secondary", "school_role": "student", "youth_union_member": "on",
            "faculty_class": "K50", "reason": "Bổ sung lớp", "version": version}  # fmt: skip
    # meanwhile someone else records a step (the person changes)
    actions.record_document(person, "application", acting_user=tree.users["cell_secretary"],
                            occurred_on=today() - DAY)  # fmt: skip
    response = client.post(url, data)
    body = response.content.decode()
    assert (
        response.status_code == 200
        and "Người khác đã thay đổi hồ sơ này" in body
        and 'id="stale-form"' in body
    )
    person.refresh_from_db()
    assert person.faculty_class != "K50"
    fresh = re.search(r'name="version" value="([^"]+)"', body).group(1)
    assert fresh != version
    assert client.post(url, {**data, "version": fresh}).status_code == 302
    person.refresh_from_db()
    assert person.faculty_class == "K50"


def test_the_same_step_sent_twice_is_recorded_once(client, tree):
    person = ready(tree)
    client.force_login(tree.users["cell_clerk"])
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    import re

    tokens = re.findall(r'name="form_token" value="([0-9a-f]{32})"', page)
    assert tokens and len(set(tokens)) == len(tokens)  # every step form carries its own token
    url = reverse("person-record", args=[person.pk, "comments"])
    data = {"occurred_on": today().strftime("%d/%m/%Y"), "number": "", "note": "", "form_token": "tok-123"}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert person.events.filter(kind="comments").count() == 2  # the one prepared before, and one now
    messages = [m.message for m in second.wsgi_request._messages]
    assert any("đã được gửi" in m for m in messages)


def test_the_first_steps_are_cached_on_the_person_and_follow_corrections(tree):
    """What the indicators' counts look back to (people.ledger.FIRST_ON) is kept by every write, corrections
    included, and `rebuild-state` finds it tampered."""
    start = today() - 200 * DAY
    person = ready(tree, start=start)
    assert (person.applied_on, person.youth_union_on, person.cell_voted_on) == (
        start + 80 * DAY, start + 100 * DAY, None,
    )  # fmt: skip
    clerk = tree.users["cell_clerk"]
    application = person.events.get(kind="application")
    actions.correct_event(application, acting_user=clerk, occurred_on=start + 70 * DAY,
                          note="Ngày nhận đơn ghi nhầm")  # fmt: skip
    person.refresh_from_db()
    assert person.applied_on == start + 70 * DAY
    actions.record_cell_vote(person, acting_user=tree.users["cell_secretary"], occurred_on=today(),
                             official_members=12, in_favour=9)  # fmt: skip
    person.refresh_from_db()
    assert person.cell_voted_on == today()
    vote = person.events.get(kind="cell_vote")
    actions.correct_event(vote, acting_user=tree.users["cell_secretary"], void=True,
                          note="Biểu quyết ghi nhầm người")  # fmt: skip
    person.refresh_from_db()
    assert person.cell_voted_on is None and person.stage == "APPLICANT"
    events = list(person.events.all())
    result = ledger.evaluate(person, events, today(), ledger.load_calendar())
    assert {f: getattr(person, f) for f in ledger.FIRST_ON.values()} == {
        f: ledger.project(person, result, events)[f] for f in ledger.FIRST_ON.values()
    }
