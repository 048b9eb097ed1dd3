"""Sends that cannot be undone ask first (a confirmation on every "Gửi", "Trả lại", "Hủy", answer and
confirmation, the graduation batch and the ward's letters); the graduation and ward pages say who sends and,
to a user who cannot, why; the ledger cites the receiver's reply by its own number."""

import html
import re

import pytest
from django.urls import reverse

from ketnap.interorg import actions
from ketnap.interorg.models import Kind, Request, Status
from ketnap.people.models import PersonEvent

from .conftest import DAY, applicant_to_verify, member, sympathiser, today

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def confirm_of(page: str, element_id: str) -> str:
    """The data-confirm question of the element (a form or a button) with that id."""
    tag = re.search(rf'<(form|button)\b[^>]*id="{element_id}"[^>]*>', page, re.S)
    assert tag, element_id
    found = re.search(r'data-confirm="([^"]*)"', tag.group(0))
    return html.unescape(found.group(1)) if found else ""


def verification(tree, person=None, **kw):
    person = person or applicant_to_verify(tree, tree.cell_student, given_name="Hỏi")
    return actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.VERIFICATION, person=person,
                            sender=tree.uni, receiver=tree.ward_a, sent_on=today(), **kw)  # fmt: skip


# ------------------------------------------------------------------------------------------ confirmations


def test_the_receivers_answer_and_return_ask_before_they_are_sent(client, tree):
    request = verification(tree)
    client.force_login(tree.users["ward_a"])
    page = text(client.get(reverse("request-detail", args=[request.pk])))
    returned = confirm_of(page, "form-tra-lai")
    assert returned.startswith(
        f"Trả lại thẩm tra lý lịch số {request.number} về Nguyễn Văn Hỏi cho {tree.uni.name}?"
    )
    assert "không hoàn tác được" in returned
    assert confirm_of(page, "form-tra-loi").startswith(f"Ghi trả lời thẩm tra lý lịch số {request.number}")
    assert confirm_of(page, "form-nhan") == ""  # noting the arrival changes nothing for the sender


def test_the_senders_send_and_cancel_ask_before_they_are_sent(client, tree):
    person = applicant_to_verify(tree, tree.cell_student, given_name="Nháp")
    draft = actions.create_request(acting_user=tree.users["uni_committee"], kind=Kind.VERIFICATION, person=person,
                                   sender=tree.uni, receiver=tree.ward_a)  # fmt: skip
    client.force_login(tree.users["uni_committee"])
    page = text(client.get(reverse("request-detail", args=[draft.pk])))
    assert confirm_of(page, "form-gui").startswith(
        f"Gửi thẩm tra lý lịch về Nguyễn Văn Nháp cho {tree.ward_a.name}?"
    )
    assert confirm_of(page, "form-huy").startswith("Hủy thẩm tra lý lịch về Nguyễn Văn Nháp?")
    new = text(client.get(reverse("request-new", args=["tham-tra"]) + f"?person={person.pk}"))
    assert confirm_of(new, "submit-send").startswith("Gửi ngay thẩm tra lý lịch về Nguyễn Văn Nháp?")
    transfer = member(tree, tree.cell_student, school_role="student", given_name="Đi")
    moving = actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.TRANSFER, person=transfer,
                              sender=tree.uni, receiver=tree.ward_b, sent_on=today())  # fmt: skip
    client.force_login(tree.users["ward_b"])
    page = text(client.get(reverse("request-detail", args=[moving.pk])))
    assert confirm_of(page, "form-xac-nhan").startswith("Xác nhận tiếp nhận Nguyễn Văn Đi?")


def test_the_script_asks_the_question_of_each_confirmed_form():
    from pathlib import Path

    script = (Path(__file__).parents[2] / "static" / "js" / "ketnap.js").read_text()
    assert 'getAttribute("data-confirm")' in script and "window.confirm(" in script
    assert "evt.preventDefault()" in script


def test_the_ward_is_asked_before_sending_its_letters_to_the_schools(client, tree):
    sympathiser(tree, tree.cell_student, residence_ward=tree.ward_b, given_name="Cư")
    client.force_login(tree.users["ward_b"])
    page = text(client.get(reverse("ward-letters") + f"?phuong={tree.ward_b.pk}"))
    question = confirm_of(page, "ward-send-button")
    assert question.startswith(
        f"Gửi {{n}} văn bản «Nhận xét của đảng ủy phường» nhân danh {tree.ward_b.name}"
    )
    assert 'data-confirm-count="input[name=person]:checked"' in page
    assert "Văn bản do" in page and 'id="ward-cannot-send"' not in page


def test_a_ward_viewer_is_told_why_the_ward_letters_are_not_theirs_to_send(client, tree):
    sympathiser(tree, tree.cell_student, residence_ward=tree.ward_a, given_name="Cư")
    client.force_login(tree.users["ward_a_viewer"])
    page = text(client.get(reverse("ward-letters") + f"?phuong={tree.ward_a.pk}"))
    assert "Nguyễn Văn Cư" in page and 'id="ward-cannot-send"' in page
    assert f"vai trò của bạn: Xem — {tree.ward_a.name}" in page
    assert 'name="person"' not in page and "ward-send-button" not in page


# ------------------------------------------------------------------------------------------ graduation: who sends


def test_a_cell_secretary_is_told_that_the_schools_committee_sends_and_why_not_them(client, tree):
    member(
        tree,
        tree.cell_student,
        school_role="student",
        expected_graduation=today() - 10 * DAY,
        given_name="Tốt",
    )
    client.force_login(tree.users["cell_secretary"])
    response = client.get(reverse("graduation") + f"?unit={tree.cell_student.pk}")
    assert response.status_code == 200
    page = text(response)
    assert "Nguyễn Văn Tốt" in page
    assert f"do <strong>{tree.uni.name}</strong> (cấp ủy cơ sở của trường) ký và gửi" in page
    note = page.split('id="graduation-cannot-send"')[1].split("</div>")[0]
    assert "không gửi được giấy" in note and f"cán bộ nghiệp vụ của {tree.uni.name}" in note
    assert f"Bí thư chi bộ — {tree.cell_student.name}" in note
    assert 'name="person"' not in page and "batch-preview-button" not in page


def test_the_schools_committee_previews_and_is_asked_before_the_batch_leaves(client, tree):
    a = member(tree, tree.cell_student, school_role="student", expected_graduation=today() - 10 * DAY)
    client.force_login(tree.users["uni_committee"])
    page = text(client.get(reverse("graduation") + f"?unit={tree.uni.pk}"))
    assert 'id="graduation-cannot-send"' not in page and 'name="person"' in page
    data = {"unit": tree.uni.pk, "person": [a.pk], f"receiver_{a.pk}": tree.ward_b.pk,
            "sent_on": today().strftime("%d/%m/%Y"), "action": "preview"}  # fmt: skip
    page = text(client.post(reverse("graduation"), data))
    question = confirm_of(page, "batch-send-button")
    assert question.startswith(f"Gửi 1 giấy giới thiệu chuyển sinh hoạt đảng, ngày {today():%d/%m/%Y}, nhân danh "
                               f"{tree.uni.name}?")  # fmt: skip
    assert not Request.objects.exists()


# ------------------------------------------------------------------------------------------ the reply's number


def test_a_verification_answer_needs_the_replys_number_and_the_ledger_cites_it(client, tree):
    request = verification(tree)
    client.force_login(tree.users["ward_a"])
    url = reverse("request-act", args=[request.pk, "tra-loi"])
    base = {"answered_on": today().strftime("%d/%m/%Y"), "concluded": "1", "answer": "Chấp hành tốt"}
    page = text(client.post(url, base))
    assert "Ghi số văn bản trả lời (kết luận thẩm tra)" in page
    request.refresh_from_db()
    assert request.status == Status.SENT
    assert f"Số văn bản trả lời của {tree.ward_a.name}" in page
    response = client.post(url, {**base, "doc_number": "88-CV/ĐU", "doc_title": "Kết luận thẩm tra"})
    assert response.status_code == 302
    event = PersonEvent.objects.get(person=request.person, kind="verification")
    assert event.data["number"] == "88-CV/ĐU"
    assert event.note.startswith(
        f"Trả lời của {tree.ward_a.name}, văn bản số 88-CV/ĐU ngày {today():%d/%m/%Y}"
    )
    assert f"(trả lời văn bản số {request.number})" in event.note
    from ketnap.people.templatetags.ketnap_tags import event_summary

    summary = event_summary(event)
    assert "văn bản trả lời số 88-CV/ĐU" in summary and request.number not in summary


def test_a_ward_letters_answer_cites_the_reply_and_keeps_the_request_number_apart(tree):
    student = sympathiser(tree, tree.cell_student, residence_ward=tree.ward_b)
    request = actions.send_new(acting_user=tree.users["ward_b"], kind=Kind.WARD_EVALUATION, person=student,
                               sender=tree.ward_b, sent_on=today())  # fmt: skip
    actions.answer_request(request, acting_user=tree.users["cell_clerk"], answered_on=today(), answer="Đã nhận",
                           documents=[{"number": "12-CV/CB", "title": "", "date": today().isoformat()}])  # fmt: skip
    event = PersonEvent.objects.get(person=student, kind="request_answered")
    assert event.data["number"] == "12-CV/CB" and event.data["request_number"] == request.number
    from ketnap.people.templatetags.ketnap_tags import event_summary

    assert event_summary(event) == f"Văn bản trả lời số 12-CV/CB; trả lời văn bản số {request.number}"
    # no reply number given: the request's number is not passed off as the reply's
    other = actions.send_new(acting_user=tree.users["ward_b"], kind=Kind.WARD_EVALUATION, person=student,
                             sender=tree.ward_b, sent_on=today())  # fmt: skip
    actions.answer_request(other, acting_user=tree.users["cell_clerk"], answered_on=today())
    event = PersonEvent.objects.filter(person=student, kind="request_answered").latest("id")
    assert "number" not in event.data and event_summary(event) == f"trả lời văn bản số {other.number}"
