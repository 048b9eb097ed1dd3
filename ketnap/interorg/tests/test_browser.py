"""Hand-offs in Chromium against a live server: school A sends a transfer, ward B confirms it, both see the
final state; a verification answered by a ward completes that item of the applicant's checklist."""

import pytest
from playwright.sync_api import expect

from ketnap.interorg import actions
from ketnap.interorg.models import Kind, Request
from ketnap.people.models import Person
from ketnap.testing import browser_login, build_tree

from .conftest import applicant_to_verify, member, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accept_dialogs(page) -> list[str]:
    """Accept every confirmation dialog (irreversible sends ask first) and keep their questions."""
    asked: list[str] = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    return asked


def test_school_a_sends_a_transfer_ward_b_confirms_and_both_see_it(live_server, page):
    tree = build_tree()
    person = member(tree, tree.cell_a, family_name="Phan", middle_name="Thị", given_name="Yến",
                    school_role="teacher")  # fmt: skip

    asked = accept_dialogs(page)
    browser_login(page, live_server, "secretary_a")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    page.click("#new-chuyen-sinh-hoat")
    page.select_option("#id_new_receiver", str(tree.ward_b.pk))
    page.select_option("#id_new_trigger", "new_job")
    page.click("#submit-send")
    expect(page.locator("#request-status")).to_contain_text("Đã gửi")
    assert len(asked) == 1 and asked[0].startswith("Gửi ngay chuyển sinh hoạt đảng về Phan Thị Yến?")
    expect(page.locator("#request-holder")).to_contain_text(
        tree.cell_a.name
    )  # the sender holds her in transit
    request = Request.objects.get(person=person)
    assert request.number == f"1-GGT/{tree.cell_a.code}"

    browser_login(page, live_server, "ward_b")
    page.click("#nav-inbox")
    item = page.locator(".inbox-item", has_text="Phan Thị Yến")
    expect(item).to_contain_text("Xác nhận tiếp nhận")
    item.locator("a.inbox-link").click()
    page.select_option("#id_confirm_into", str(tree.cell_b.pk))
    page.click("#submit-xac-nhan")
    expect(page.locator("#request-status")).to_contain_text("Đã xác nhận tiếp nhận")
    assert asked[-1].startswith("Xác nhận tiếp nhận Phan Thị Yến?")
    expect(page.locator("#request-into")).to_contain_text(tree.cell_b.name)
    expect(page.locator("#request-holder")).to_contain_text(tree.cell_b.name)
    page.click("#request-person a")
    expect(page.locator("#person-name")).to_contain_text("Phan Thị Yến")
    expect(page.locator("#timeline")).to_contain_text("Nơi đến xác nhận tiếp nhận sinh hoạt đảng")

    browser_login(page, live_server, "secretary_a")
    page.click("#nav-interorg")
    row = page.locator("#request-table tr", has_text="Phan Thị Yến")
    expect(row).to_contain_text("Đã xác nhận tiếp nhận")
    row.locator("a.request-link").click()
    expect(page.locator("#request-status")).to_contain_text("Đã xác nhận tiếp nhận")
    expect(page.locator("#no-actions")).to_contain_text("kết thúc")
    assert Person.objects.get(pk=person.pk).unit_id == tree.cell_b.pk
    response = page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    assert response.status == 404  # she belongs to ward B now


def test_a_verification_answered_by_the_ward_completes_the_checklist(live_server, page):
    tree = build_tree()
    person = applicant_to_verify(tree, tree.cell_a, family_name="Đỗ", middle_name="Minh", given_name="Khoa",
                                 residence_ward=tree.ward_b)  # fmt: skip

    accept_dialogs(page)
    browser_login(page, live_server, "secretary_a")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    expect(page.locator('#checklist [data-rule="VERIFICATION"]')).to_have_class(
        "list-group-item checklist-item status-missing"
    )
    page.click("#new-tham-tra")
    expect(page.locator("#id_new_receiver")).to_have_value(str(tree.ward_b.pk))  # the residence ward
    page.click("#submit-send")
    expect(page.locator("#request-status")).to_contain_text("Đã gửi")

    browser_login(page, live_server, "ward_b")
    page.goto(f"{live_server.url}/lien-to-chuc/viec-can-lam/")
    page.locator(".inbox-item", has_text="Đỗ Minh Khoa").locator("a.inbox-link").click()
    page.select_option("#id_answer_concluded", "1")
    page.fill("#id_answer_answer", "Bản thân và gia đình chấp hành tốt chủ trương, chính sách")
    page.fill("#id_answer_doc_number", "57-CV/ĐU")
    page.click("#submit-tra-loi")
    expect(page.locator("#request-status")).to_contain_text("Đã trả lời")
    expect(page.locator("#request-answer")).to_contain_text("Đã có kết luận thẩm tra")

    browser_login(page, live_server, "secretary_a")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    item = page.locator('#checklist [data-rule="VERIFICATION"]')
    expect(item).to_have_class("list-group-item checklist-item status-ok")
    expect(page.locator("#person-requests")).to_contain_text("Đã trả lời")
    # the ledger cites the ward's reply by its number
    expect(page.locator('#timeline [data-kind="verification"]')).to_contain_text(
        "văn bản trả lời số 57-CV/ĐU"
    )


def test_returning_a_letter_asks_first_and_a_refusal_sends_nothing(live_server, page):
    tree = build_tree()
    person = applicant_to_verify(tree, tree.cell_a, given_name="Trả")
    request = actions.send_new(acting_user=tree.users["secretary_a"], kind=Kind.VERIFICATION, person=person,
                               sender=tree.cell_a, receiver=tree.ward_b, sent_on=today())  # fmt: skip
    browser_login(page, live_server, "ward_b")
    asked: list[str] = []

    def refuse(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    page.goto(f"{live_server.url}/lien-to-chuc/{request.pk}/")
    page.fill("#id_return_reason", "Thiếu lý lịch của người xin vào Đảng")
    page.click("#submit-tra-lai")
    page.wait_for_timeout(300)
    assert asked and asked[0].startswith(f"Trả lại thẩm tra lý lịch số {request.number} về Nguyễn Văn Trả")
    request.refresh_from_db()
    assert request.status == "sent"  # refused: nothing sent
    page.remove_listener("dialog", refuse)
    accept_dialogs(page)
    page.click("#submit-tra-lai")
    expect(page.locator("#request-status")).to_contain_text("Bị trả lại")
