"""In Chromium against a live server: the secretary records the cell's vote on the person page, then downloads
the cell's resolution (6-KNĐ) as PDF from that step in the ledger, numbered and filled from it."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ketnap.papers import words
from ketnap.papers.tests.builders import pdf_text
from ketnap.testing import browser_login, build_tree, make_person, prepare_applicant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_after_the_cell_vote_the_secretary_downloads_the_cell_resolution(live_server, page):
    tree = build_tree()
    person = make_person(tree.cell_student, family_name="Đoàn", middle_name="Thị Kiều", given_name="Oanh")
    prepare_applicant(
        person, tree.users["cell_clerk"], start=datetime.date.today() - datetime.timedelta(days=200)
    )
    today = datetime.date.today()

    browser_login(page, live_server, "cell_secretary")
    page.goto(f"{live_server.url}/nguoi/{person.pk}/")
    page.locator("#form-cell_vote [name=occurred_on]").fill(today.strftime("%d/%m/%Y"))
    page.fill("#id_cell_vote_official_members", "12")
    page.fill("#id_cell_vote_in_favour", "10")
    page.click("#submit-cell_vote")
    expect(page.locator("#person-stage")).to_contain_text("Chi bộ đã xét")

    vote = page.locator(".ledger-event[data-kind=cell_vote]")
    expect(vote.locator(".paper-links[data-form='6-KNĐ']")).to_contain_text("6-KNĐ")
    with page.expect_download() as download:
        vote.locator(".paper-links[data-form='6-KNĐ'] a.paper-pdf").click()
    assert download.value.suggested_filename == "Mẫu 6-KNĐ - Đoàn Thị Kiều Oanh.pdf"
    text = pdf_text(Path(download.value.path()).read_bytes())
    for needle in ["ĐẢNG CỘNG SẢN VIỆT NAM", "NGHỊ QUYẾT", "Đoàn Thị Kiều Oanh", "CHI BỘ SINH VIÊN KHOA CÔNG NGHỆ",
                   "Số 01-NQ/CB", words.day_words(today), "10 đồng chí, đạt 83,33%"]:  # fmt: skip
        assert needle in text, needle
