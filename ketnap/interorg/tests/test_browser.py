"""Hand-offs in Chromium against a live server: school A sends a transfer, ward B confirms it, both see the
final state; a verification answered by a ward completes that item of the applicant's checklist."""

import pytest
from playwright.sync_api import expect

from ketnap.core.testing import browser_login, build_tree
from ketnap.interorg.models import Request
from ketnap.people.models import Person

from .conftest import applicant_to_verify, member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_school_a_sends_a_transfer_ward_b_confirms_and_both_see_it(live_server, page):
    tree = build_tree()
    person = member(tree, tree.cell_a, family_name="Phan", middle_name="Thị", given_name="Yến",
                    school_role="teacher")  # fmt: skip

    browser_login(page, live_server, "secretary_a")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    page.click("#new-chuyen-sinh-hoat")
    page.select_option("#id_new_receiver", str(tree.ward_b.pk))
    page.select_option("#id_new_trigger", "new_job")
    page.click("#submit-send")
    expect(page.locator("#request-status")).to_contain_text("Đã gửi")
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
    page.click("#submit-tra-loi")
    expect(page.locator("#request-status")).to_contain_text("Đã trả lời")
    expect(page.locator("#request-answer")).to_contain_text("Đã có kết luận thẩm tra")

    browser_login(page, live_server, "secretary_a")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    item = page.locator('#checklist [data-rule="VERIFICATION"]')
    expect(item).to_have_class("list-group-item checklist-item status-ok")
    expect(page.locator("#person-requests")).to_contain_text("Đã trả lời")
