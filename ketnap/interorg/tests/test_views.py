"""Interorg pages: inbox, escalation, list + export, request page and its steps, new requests from the person
page, graduation batch and letters, the ward's letters, the quarterly list (+ Excel), mentors. Scope answers
404, roles 403."""

import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from ketnap.interorg import actions
from ketnap.interorg.models import Kind, Request, RequestBatch, Status
from ketnap.people.models import Person
from ketnap.testing import make_person

from .conftest import DAY, applicant_to_verify, member, sympathiser, today

pytestmark = pytest.mark.django_db


def login(client, tree, username):
    client.force_login(tree.users[username])
    return client


def text(response) -> str:
    return response.content.decode()


def dmy(day) -> str:
    return day.strftime("%d/%m/%Y")


def sent_transfer(tree, person=None, **kw):
    person = person or member(tree, tree.cell_student, family_name="Lê", middle_name="Văn", given_name="Hùng")
    fields = dict(kind=Kind.TRANSFER, person=person, sender=tree.uni, receiver=tree.ward_b, sent_on=today(),
                  trigger="graduation")  # fmt: skip
    fields.update(kw)
    return actions.send_new(acting_user=tree.users["uni_committee"], **fields)


# ------------------------------------------------------------------------------------------ anonymous, scope


@pytest.mark.parametrize("name", ["inbox", "escalation", "request-list", "graduation", "quarterly", "mentors",
                                  "ward-letters"])  # fmt: skip
def test_anonymous_users_are_sent_to_the_login_page(client, tree, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_a_request_is_404_outside_both_sides(client, tree):
    request = sent_transfer(tree)
    login(client, tree, "ward_a")
    assert client.get(reverse("request-detail", args=[request.pk])).status_code == 404
    assert client.get(reverse("request-letter", args=[request.pk])).status_code == 404
    assert client.post(reverse("request-act", args=[request.pk, "xac-nhan"])).status_code == 404


def test_the_sender_may_not_confirm_403(client, tree):
    request = sent_transfer(tree)
    login(client, tree, "uni_committee")
    response = client.post(reverse("request-act", args=[request.pk, "xac-nhan"]),
                           {"confirmed_on": dmy(today()), "into": tree.ward_b.pk})  # fmt: skip
    assert response.status_code == 403
    assert Request.objects.get(pk=request.pk).status == Status.SENT


# ------------------------------------------------------------------------------------------ a transfer through the pages


def test_the_receiver_confirms_a_transfer_and_both_sides_see_it(client, tree):
    request = sent_transfer(tree)
    login(client, tree, "ward_b")
    page = text(client.get(reverse("request-detail", args=[request.pk])))
    assert "Lê Văn Hùng" in page and 'id="form-xac-nhan"' in page and 'id="form-tra-lai"' in page
    assert tree.cell_b.name in page  # the cells the ward may place the member in
    inbox = text(client.get(reverse("inbox")))
    assert "Xác nhận tiếp nhận" in inbox and "Lê Văn Hùng" in inbox
    response = client.post(reverse("request-act", args=[request.pk, "xac-nhan"]),
                           {"confirmed_on": dmy(today()), "into": tree.cell_b.pk, "answer": "Đã nhận"})  # fmt: skip
    assert response.status_code == 302
    assert Person.objects.get(pk=request.person_id).unit == tree.cell_b
    page = text(client.get(reverse("request-detail", args=[request.pk])))
    assert "Đã xác nhận tiếp nhận" in page and 'id="form-xac-nhan"' not in page

    client.force_login(tree.users["uni_committee"])
    page = text(client.get(reverse("request-detail", args=[request.pk])))
    assert "Đã xác nhận tiếp nhận" in page and tree.cell_b.name in page


def test_a_future_date_re_renders_the_form_with_its_error(client, tree):
    request = sent_transfer(tree)
    login(client, tree, "ward_b")
    response = client.post(reverse("request-act", args=[request.pk, "tra-lai"]),
                           {"returned_on": dmy(today() + DAY), "reason": "Không cư trú"})  # fmt: skip
    assert response.status_code == 200
    assert "không được sau ngày hôm nay" in text(response)
    assert Request.objects.get(pk=request.pk).status == Status.SENT


def test_a_refusal_through_the_page_shows_the_reason_to_the_sender(client, tree):
    request = sent_transfer(tree)
    login(client, tree, "ward_b")
    client.post(reverse("request-act", args=[request.pk, "tra-lai"]),
                {"returned_on": dmy(today()), "reason": "Đảng viên không cư trú tại phường"})  # fmt: skip
    client.force_login(tree.users["uni_committee"])
    page = text(client.get(reverse("request-detail", args=[request.pk])))
    assert "Bị trả lại" in page and "không cư trú tại phường" in page
    inbox = text(client.get(reverse("inbox") + "?loai=returned"))
    assert "Văn bản bị trả lại" in inbox and "Lê Văn Hùng" in inbox


# ------------------------------------------------------------------------------------------ from the person page


def test_the_person_page_offers_a_verification_and_the_form_sends_it(client, tree):
    person = applicant_to_verify(tree, tree.cell_student, residence_ward=tree.ward_b)
    login(client, tree, "cell_clerk")
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    assert 'id="person-requests"' in page and 'id="new-tham-tra"' in page
    assert 'id="new-chuyen-sinh-hoat"' not in page  # not a member
    url = reverse("request-new", args=["tham-tra"]) + f"?person={person.pk}"
    form = text(client.get(url))
    assert tree.ward_b.name in form
    response = client.post(url, {"person": person.pk, "sender": tree.cell_student.pk, "receiver": tree.ward_b.pk,
                                 "sent_on": dmy(today()), "content": "Thẩm tra lý lịch", "action": "send"})  # fmt: skip
    assert response.status_code == 302, text(response)
    request = Request.objects.get(person=person)
    assert request.status == Status.SENT and request.sender == tree.cell_student
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    assert request.number in page


def test_a_new_request_form_keeps_the_input_on_an_error(client, tree):
    person = applicant_to_verify(tree, tree.cell_student)
    login(client, tree, "cell_clerk")
    url = reverse("request-new", args=["tham-tra"]) + f"?person={person.pk}"
    response = client.post(url, {"person": person.pk, "sender": tree.cell_student.pk, "sent_on": dmy(today()),
                                 "content": "Nội dung giữ lại", "action": "send"})  # fmt: skip
    assert response.status_code == 200
    assert "Chọn nơi nhận" in text(response) and "Nội dung giữ lại" in text(response)
    assert not Request.objects.exists()


def test_a_viewer_cannot_start_a_request(client, tree):
    person = applicant_to_verify(tree, tree.cell_student)
    login(client, tree, "cell_viewer")
    assert 'id="new-tham-tra"' not in text(client.get(reverse("person-detail", args=[person.pk])))
    url = reverse("request-new", args=["tham-tra"]) + f"?person={person.pk}"
    assert client.get(url).status_code == 403


def test_a_draft_saved_then_sent_from_its_page(client, tree):
    person = member(tree, tree.cell_student)
    login(client, tree, "uni_committee")
    url = reverse("request-new", args=["chuyen-sinh-hoat"]) + f"?person={person.pk}"
    client.post(url, {"person": person.pk, "sender": tree.uni.pk, "receiver": tree.ward_a.pk, "sent_on": dmy(today()),
                      "trigger": "new_job", "action": "draft"})  # fmt: skip
    draft = Request.objects.get(person=person)
    assert draft.status == Status.DRAFT
    assert "Gửi dự thảo" in text(client.get(reverse("inbox")))
    client.post(reverse("request-act", args=[draft.pk, "gui"]), {"sent_on": dmy(today()), "number": ""})
    draft.refresh_from_db()
    assert draft.status == Status.SENT and draft.number == f"1-GGT/{tree.uni.code}"


# ------------------------------------------------------------------------------------------ lists, inbox, escalation


def test_the_request_list_filters_and_exports(client, tree):
    sent_transfer(tree)
    verification = actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.VERIFICATION,
                                    person=applicant_to_verify(tree, tree.cell_student, given_name="Thảo"),
                                    sender=tree.uni, receiver=tree.ward_a, sent_on=today() - 80 * DAY)  # fmt: skip
    login(client, tree, "uni_committee")
    page = text(client.get(reverse("request-list")))
    assert "Lê Văn Hùng" in page and "Thảo" in page
    page = text(client.get(reverse("request-list") + "?due=overdue"))
    assert "Thảo" in page and "Lê Văn Hùng" not in page
    page = text(client.get(reverse("request-list") + "?q=hung"))
    assert "Lê Văn Hùng" in page and "Thảo" not in page
    response = client.get(reverse("request-list") + "?kind=verification&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(2, 2).value == verification.number and sheet.cell(2, 3).value == "Thẩm tra lý lịch"


def test_the_request_list_search_finds_names_as_the_people_list_and_numbers_by_their_digits(client, tree):
    hung = sent_transfer(tree)
    other = sent_transfer(tree, person=member(tree, tree.cell_student, family_name="Trần", middle_name="Thị",
                                              given_name="Hoa"))  # fmt: skip
    login(client, tree, "uni_committee")

    def found(q):
        page = text(client.get(reverse("request-list"), {"q": q}))
        return {name for name in ("Lê Văn Hùng", "Trần Thị Hoa") if name in page}

    assert found("le hu") == {"Lê Văn Hùng"}  # each word typed begins a word of the name, without accents
    assert found("thi hoa") == {"Trần Thị Hoa"}
    assert found("ung") == set()  # inside a word: not a match (as in the people list)
    assert hung.number != other.number
    assert found(hung.number) == {"Lê Văn Hùng"}  # a letter's number (it has digits)
    assert found(hung.number.lower()) == {"Lê Văn Hùng"} and found("zzzz") == set()
    if connection.vendor == "postgresql":  # the numbers' trigrams serve that search (interorg migration 0005)
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_indexes WHERE indexname = 'interorg_request_number_trgm'")
            assert cur.fetchone()


def test_the_inbox_lists_pipeline_deadlines_and_overdue_items_first(client, tree):
    sent_transfer(tree, sent_on=today() - 90 * DAY)  # overdue confirmation for ward_b
    prob = member(tree, tree.cell_b, official=False, ceremony_ago=350, given_name="Mai")
    login(client, tree, "ward_b")
    response = client.get(reverse("inbox"))
    page = text(response)
    assert "Quá hạn" in page
    assert page.index("Lê Văn Hùng") < page.index("Mai")  # the overdue request comes first
    items = response.context["data"].items
    assert items[0].category == "answer" and items[0].due < today()
    assert any(i.category in ("pipeline", "probation") and i.person_id == prob.pk for i in items)
    only = client.get(reverse("inbox") + "?qua-han=1").context["data"].items
    assert all(i.due < today() for i in only)
    response = client.get(reverse("inbox") + "?export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(1, 5).value == "Việc" and sheet.cell(2, 6).value == "Lê Văn Hùng"


def test_the_inbox_shows_graduates_and_students_who_will_graduate_too_soon(client, tree):
    graduated = member(tree, tree.cell_student, school_role="student", expected_graduation=today() - 100 * DAY,
                       given_name="Tốt")  # fmt: skip
    soon = sympathiser(tree, tree.cell_student, school_role="student", expected_graduation=today() + 40 * DAY,
                       given_name="Sớm")  # fmt: skip
    login(client, tree, "uni_committee")
    items = client.get(reverse("inbox")).context["data"].items
    by_person = {i.person_id: i for i in items}
    assert (
        by_person[graduated.pk].category == "graduated"
        and by_person[graduated.pk].rule == "TRANSFER_START_DUE"
    )
    assert by_person[soon.pk].category == "graduating"
    actions.hold_graduate(graduated, acting_user=tree.users["uni_committee"], occurred_on=today())
    items = client.get(reverse("inbox")).context["data"].items
    held = next(i for i in items if i.person_id == graduated.pk)
    assert held.rule == "GRADUATE_HOLD"
    sent_transfer(tree, graduated)
    items = client.get(reverse("inbox") + "?loai=graduated").context["data"].items
    assert graduated.pk not in [i.person_id for i in items]


def test_the_escalation_view_counts_overdue_items_by_subordinate_unit(client, tree):
    sent_transfer(tree, sent_on=today() - 120 * DAY)
    login(client, tree, "city_viewer")
    response = client.get(reverse("escalation"))
    assert response.status_code == 200
    rows = {r.unit.pk: r for r in response.context["rows"]}
    assert rows[tree.ward_b.pk].counts["answer"] == 1
    assert "tháng chưa được tiếp nhận" in text(response) and "Lê Văn Hùng" in text(response)


# ------------------------------------------------------------------------------------------ graduation batch, letters


def test_the_graduation_batch_previews_then_sends_numbered_letters(client, tree):
    a = member(tree, tree.cell_student, school_role="student", expected_graduation=today() - 10 * DAY,
               given_name="An", residence_ward=tree.ward_b)  # fmt: skip
    b = member(tree, tree.cell_student, school_role="student", expected_graduation=today() + 20 * DAY,
               given_name="Bình")  # fmt: skip
    login(client, tree, "uni_committee")
    page = text(client.get(reverse("graduation") + f"?unit={tree.uni.pk}"))
    assert "An" in page and "Bình" in page
    data = {"unit": tree.uni.pk, "trong": 60, "person": [a.pk, b.pk], f"receiver_{a.pk}": tree.ward_b.pk,
            f"receiver_{b.pk}": tree.ward_a.pk, "sent_on": dmy(today()), "action": "preview"}  # fmt: skip
    page = text(client.post(reverse("graduation"), data))
    assert f"1-GGT/{tree.uni.code}" in page and f"2-GGT/{tree.uni.code}" in page
    assert not Request.objects.exists()  # a preview sends nothing
    response = client.post(reverse("graduation"), {**data, "action": "send"})
    batch = RequestBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("batch-detail", args=[batch.pk])
    assert sorted(batch.requests.values_list("number", flat=True)) == [f"1-GGT/{tree.uni.code}",
                                                                        f"2-GGT/{tree.uni.code}"]  # fmt: skip
    letters = text(client.get(reverse("batch-print", args=[batch.pk])))
    assert letters.count('class="letter"') == 2 and "GIẤY GIỚI THIỆU SINH HOẠT ĐẢNG" in letters.upper()
    assert "Nguyễn Văn An" in letters and tree.ward_b.name in letters
    one = batch.requests.order_by("seq").first()
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text(client.get(reverse("request-letter", args=[one.pk])))


def test_the_graduation_batch_needs_a_receiver_for_each(client, tree):
    a = member(tree, tree.cell_student, school_role="student", expected_graduation=today() - 10 * DAY)
    login(client, tree, "uni_committee")
    page = text(client.post(reverse("graduation"), {"unit": tree.uni.pk, "person": [a.pk], "sent_on": dmy(today()),
                                                      "action": "send"}))  # fmt: skip
    assert "Chưa chọn nơi đến" in page and not Request.objects.exists()


def test_a_viewer_cannot_send_a_batch(client, tree):
    member(tree, tree.cell_student, school_role="student", expected_graduation=today() - 10 * DAY)
    login(client, tree, "cell_viewer")
    assert (
        client.post(reverse("graduation"), {"unit": tree.cell_student.pk, "action": "send"}).status_code
        == 403
    )


# ------------------------------------------------------------------------------------------ the ward's letters


def test_the_ward_sends_its_evaluations_to_the_schools(client, tree):
    student = make_person(tree.cell_student, residence_ward=tree.ward_b, given_name="Cư")
    make_person(tree.cell_student, residence_ward=tree.ward_a, given_name="Khác")
    login(client, tree, "ward_b")
    page = text(client.get(reverse("ward-letters")))
    assert "Nguyễn Văn Cư" in page and "Khác" not in page
    response = client.post(reverse("ward-letters"), {"phuong": tree.ward_b.pk, "loai": "ward_evaluation",
                                                     "person": [student.pk], f"rating_{student.pk}": "good",
                                                     f"content_{student.pk}": "Tích cực tình nguyện",
                                                     "sent_on": dmy(today())})  # fmt: skip
    assert response.status_code == 302
    request = Request.objects.get()
    assert request.receiver == tree.cell_student and request.rating == "good"
    client.force_login(tree.users["cell_clerk"])
    assert "Nguyễn Văn Cư" in text(client.get(reverse("inbox")))


# ------------------------------------------------------------------------------------------ quarterly list


def test_the_quarterly_list_groups_by_receiver_and_its_excel_keeps_vietnamese(client, tree):
    day = today()
    a = member(tree, tree.cell_student, school_role="student", expected_graduation=day - 20 * DAY,
               family_name="Đặng", middle_name="Thị Ngọc", given_name="Ánh")  # fmt: skip
    b = member(tree, tree.cell_student, school_role="student", expected_graduation=day - 20 * DAY,
               family_name="Trương", middle_name="Văn", given_name="Đức")  # fmt: skip
    done = sent_transfer(tree, a)
    actions.confirm_request(done, acting_user=tree.users["ward_b"], confirmed_on=day, into=tree.cell_b)
    sent_transfer(tree, b, receiver=tree.ward_a)
    sent_transfer(
        tree, member(tree, tree.cell_student, school_role="lecturer", given_name="Thầy")
    )  # not a graduate
    login(client, tree, "upper_committee")
    response = client.get(reverse("quarterly"))
    page = text(response)
    assert "Đặng Thị Ngọc Ánh" in page and "Trương Văn Đức" in page and "Thầy" not in page
    assert len(response.context["groups"]) == 2 and response.context["confirmed"] == 1
    response = client.get(reverse("quarterly") + "?export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet.title.startswith("Quý")
    headers = [c.value for c in sheet[1]]
    assert headers[:3] == ["STT", "Họ và tên", "Ngày sinh"] and "Nơi chuyển đến" in headers
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"Đặng Thị Ngọc Ánh", "Trương Văn Đức"}
    assert rows["Đặng Thị Ngọc Ánh"][headers.index("Nơi chuyển đến")] == "Đảng ủy phường Sài Gòn"
    assert rows["Đặng Thị Ngọc Ánh"][headers.index("Tình trạng")] == "Đã xác nhận tiếp nhận"
    assert rows["Trương Văn Đức"][headers.index("Tình trạng")] == "Đã gửi"
    assert "Danh%20s%C3%A1ch" in response["Content-Disposition"]


def test_the_quarterly_list_follows_the_quarter_the_status_and_corrections_of_the_person(client, tree):
    from ketnap.people import actions as people_actions

    day = today()
    year, quarter = day.year, (day.month - 1) // 3 + 1
    first = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    previous = first - DAY  # the last day of the previous quarter

    def student(given, graduation):
        return member(tree, tree.cell_student, school_role="student", expected_graduation=graduation,
                      family_name="Phan", middle_name="Văn", given_name=given)  # fmt: skip

    # sent on the quarter's first day (in it) and on the previous quarter's last day (not in it)
    in_quarter = sent_transfer(tree, student("Bình", first - 30 * DAY), sent_on=first)
    before = sent_transfer(
        tree, student("Cường", previous - 30 * DAY), sent_on=previous, receiver=tree.ward_a
    )
    # a transfer for a new job, the graduation expected next year: not a graduate's letter — until the
    # graduation date is corrected to a day before the letter
    later = student("Dũng", day + 300 * DAY)
    job = sent_transfer(tree, later, trigger="new_job", sent_on=first)
    cancelled = sent_transfer(tree, student("Giang", first - 30 * DAY), sent_on=first)
    actions.cancel_request(
        cancelled, acting_user=tree.users["uni_committee"], cancelled_on=first, reason="Gửi nhầm nơi nhận"
    )

    def listed(y=year, q=quarter):
        response = client.get(reverse("quarterly") + f"?nam={y}&quy={q}")
        assert response.status_code == 200
        return [r.pk for rows in response.context["groups"].values() for r in rows], response.context["total"]

    login(client, tree, "upper_committee")
    assert listed() == ([in_quarter.pk], 1)
    py, pq = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    assert listed(py, pq) == ([before.pk], 1)
    people_actions.update_person(later, acting_user=tree.users["city_admin"], reason="Sửa ngày tốt nghiệp",
                                 expected_graduation=first - DAY)  # fmt: skip
    assert Request.objects.get(pk=job.pk).quarter == year * 10 + quarter
    ids, total = listed()
    # same receiver: ordered by name (Bình before Dũng)
    assert ids == [in_quarter.pk, job.pk] and total == 2
    # a corrected name moves the letter in the order
    people_actions.update_person(
        later, acting_user=tree.users["city_admin"], reason="Sửa tên", given_name="An"
    )
    assert listed() == ([job.pk, in_quarter.pk], 2)
    # a corrected role (not a student) takes it out
    people_actions.update_person(later, acting_user=tree.users["city_admin"], reason="Sửa vai trò",
                                 school_role="lecturer")  # fmt: skip
    assert listed() == ([in_quarter.pk], 1)


# ------------------------------------------------------------------------------------------ mentors


def test_the_unit_sees_sympathisers_without_mentor_and_assigns_one(client, tree):
    person = sympathiser(tree, tree.cell_a, given_name="Lan")
    mentor = member(tree, tree.cell_a, family_name="Võ", middle_name="Thị", given_name="Mai")
    login(client, tree, "secretary_a")
    page = text(client.get(reverse("mentors")))
    assert "Nguyễn Văn Lan" in page and "Võ Thị Mai" in page
    response = client.post(reverse("mentor-assign", args=[person.pk]),
                           {"mentor": mentor.pk, "next": reverse("mentors")})  # fmt: skip
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).mentor_id == mentor.pk
    page = text(client.get(reverse("mentors")))
    assert 'id="without-count">0<' in page
    page = text(client.get(reverse("mentor-detail", args=[mentor.pk])))
    assert "Nguyễn Văn Lan" in page


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_the_mentor_form_never_redirects_off_the_site(client, tree, target):
    person = sympathiser(tree, tree.cell_a, given_name="Lan")
    mentor = member(tree, tree.cell_a, family_name="Võ", middle_name="Thị", given_name="Mai")
    login(client, tree, "secretary_a")
    response = client.post(reverse("mentor-assign", args=[person.pk]), {"mentor": mentor.pk, "next": target})
    assert response.status_code == 302 and response["Location"] == reverse("mentors")


def test_a_mentor_out_of_scope_is_404(client, tree):
    person = sympathiser(tree, tree.cell_a)
    other = member(tree, tree.cell_b)
    login(client, tree, "secretary_a")
    assert client.post(reverse("mentor-assign", args=[person.pk]), {"mentor": other.pk}).status_code == 404
    assert client.get(reverse("mentor-detail", args=[other.pk])).status_code == 404


def test_the_nav_has_the_inbox_and_the_interorg_pages(client, tree):
    login(client, tree, "cell_clerk")
    page = text(client.get(reverse("home")))
    assert "Việc cần làm" in page and "Liên tổ chức" in page
    for name in ("request-list", "inbox", "escalation", "quarterly", "mentors", "graduation", "ward-letters"):
        assert client.get(reverse(name)).status_code == 200, name
