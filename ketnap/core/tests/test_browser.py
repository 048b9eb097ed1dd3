"""The main journey of a cell secretary, in Chromium against a live server."""

import datetime

import pytest
from playwright.sync_api import expect

from ketnap.people.templatetags.ketnap_tags import rule_title
from ketnap.testing import browser_login, build_tree, make_person, prepare_applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cell_secretary_finds_a_candidate_and_records_the_cell_vote(live_server, page):
    tree = build_tree()
    person = make_person(tree.cell_student, family_name="Nguyễn", middle_name="Văn", given_name="An")
    make_person(tree.cell_student, family_name="Trần", middle_name="Thị", given_name="Bình")
    make_person(tree.cell_b, family_name="Nguyễn", middle_name="Văn", given_name="Ân")  # another ward
    prepare_applicant(person, tree.users["cell_secretary"])
    today = datetime.date.today().strftime("%d/%m/%Y")

    browser_login(page, live_server, "cell_secretary")
    page.goto(f"{live_server.url}/nguoi/")
    page.fill("#id_q", "nguyen van an")
    rows = page.locator("#person-table a.person-link")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_text("Nguyễn Văn An")
    rows.first.click()
    expect(page.locator("#person-name")).to_contain_text("Nguyễn Văn An")

    form = page.locator("#form-cell_vote")
    form.locator("[name=occurred_on]").fill(today)
    page.fill("#id_cell_vote_official_members", "13")
    page.fill("#id_cell_vote_in_favour", "8")
    page.click("#submit-cell_vote")
    refusal = page.locator("#action-cell_vote .alert.alert-danger")
    expect(refusal).to_contain_text(rule_title("CELL_VOTE"))
    expect(refusal).to_contain_text("Căn cứ")
    expect(page.locator("#id_cell_vote_in_favour")).to_have_value("8")  # nothing entered is lost

    page.fill("#id_cell_vote_in_favour", "9")
    page.click("#submit-cell_vote")
    expect(page.locator("#person-stage")).to_contain_text("Chi bộ đã xét")

    page.goto(f"{live_server.url}/nguoi/bang/")
    column = page.locator('section[data-stage="CELL_APPROVED"]')
    expect(column.locator("a.board-card")).to_contain_text(["Nguyễn Văn An"])
    expect(page.locator('section[data-stage="APPLICANT"] a.board-card')).to_have_count(0)


def test_ward_user_sees_nothing_of_another_ward_in_the_browser(live_server, page):
    tree = build_tree()
    make_person(tree.cell_a, family_name="Lê", middle_name="Thị", given_name="Hoa")
    other = make_person(tree.cell_b, family_name="Phạm", middle_name="Văn", given_name="Khoa")
    browser_login(page, live_server, "ward_a")
    page.goto(f"{live_server.url}/nguoi/")
    expect(page.locator("#person-table")).to_contain_text("Lê Thị Hoa")
    expect(page.locator("#person-table")).not_to_contain_text("Phạm Văn Khoa")
    response = page.goto(f"{live_server.url}/nguoi/{other.pk}/")
    assert response.status == 404
