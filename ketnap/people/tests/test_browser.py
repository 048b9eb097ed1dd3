"""Mistakes can be corrected, in Chromium against a live server: a wrong introducer letter is corrected and the
cell vote it blocked is recorded; a withdrawal with a reason is reinstated."""

import datetime

import pytest
from playwright.sync_api import expect

from ketnap.people.templatetags.ketnap_tags import rule_title
from ketnap.testing import browser_login, build_tree, make_person, prepare_applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_wrong_introducer_letter_is_corrected_then_the_blocked_cell_vote_is_recorded(live_server, page):
    tree = build_tree()
    start = datetime.date.today() - datetime.timedelta(days=200)
    person = make_person(tree.cell_student, family_name="Võ", middle_name="Thị", given_name="Sáu")
    # The letter was typed with the introducer's official date after the letter itself (a typing mistake).
    prepare_applicant(person, tree.users["cell_clerk"], start=start,
                      introducer_official_since=start + datetime.timedelta(days=150))  # fmt: skip
    letter = person.events.get(kind="member_introduction")
    today = datetime.date.today().strftime("%d/%m/%Y")

    browser_login(page, live_server, "cell_secretary")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    page.locator("#form-cell_vote [name=occurred_on]").fill(today)
    page.fill("#id_cell_vote_official_members", "13")
    page.fill("#id_cell_vote_in_favour", "9")
    page.click("#submit-cell_vote")
    refusal = page.locator("#action-cell_vote .alert.alert-danger")
    expect(refusal).to_contain_text(rule_title("INTRODUCER_OFFICIAL"))
    expect(refusal).not_to_contain_text("INTRODUCER_OFFICIAL")  # a Vietnamese title, not the rule id

    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    page.click(f"#correct-{letter.pk}")
    expect(page.locator("h2, .page-title").first).to_be_visible()
    page.fill("#id_fix_official_since", "19/05/2019")
    page.fill("#id_fix_note", "Ngày chính thức ghi nhầm; đúng theo thẻ đảng viên là 19/05/2019")
    page.click("#submit-correct")
    expect(page.locator(".alert-success, .alert.alert-success").first).to_contain_text("Đã đính chính")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Đính chính bản ghi")
    expect(timeline).to_contain_text("Ngày chính thức ghi nhầm")

    page.locator("#form-cell_vote [name=occurred_on]").fill(today)
    page.fill("#id_cell_vote_official_members", "13")
    page.fill("#id_cell_vote_in_favour", "9")
    page.click("#submit-cell_vote")
    expect(page.locator("#person-stage")).to_contain_text("Chi bộ đã xét")


def test_a_withdrawal_with_a_reason_is_reinstated(live_server, page):
    tree = build_tree()
    person = make_person(tree.cell_student, family_name="Đặng", middle_name="Minh", given_name="Tâm")
    prepare_applicant(
        person, tree.users["cell_clerk"], start=datetime.date.today() - datetime.timedelta(days=200)
    )
    today = datetime.date.today().strftime("%d/%m/%Y")

    browser_login(page, live_server, "cell_secretary")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    page.click("#danger-actions summary")
    form = page.locator("#form-withdrawal")
    form.locator("[name=occurred_on]").fill(today)
    form.locator("[name=note]").fill("Xin rút vì đi du học hai năm")
    page.click("#submit-withdrawal")
    expect(page.locator("#action-withdrawal")).to_contain_text("Hãy đánh dấu xác nhận")  # asked to confirm
    expect(page.locator("#person-stage")).to_contain_text("Đối tượng kết nạp")
    page.locator("#form-withdrawal [name=confirm]").check()
    page.click("#submit-withdrawal")
    expect(page.locator("#person-stage")).to_contain_text("Rút khỏi danh sách")

    page.click("#danger-actions summary")
    form = page.locator("#form-reinstate")
    form.locator("[name=occurred_on]").fill(today)
    form.locator("[name=note]").fill("Đã về nước, xin tiếp tục phấn đấu")
    form.locator("[name=confirm]").check()
    page.click("#submit-reinstate")
    expect(page.locator("#person-stage")).to_contain_text("Đối tượng kết nạp")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Khôi phục hồ sơ")
    expect(timeline).to_contain_text("Xin rút vì đi du học hai năm")
