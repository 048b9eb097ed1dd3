"""A cell secretary imports a list in the browser: downloads the template, uploads a file with good and bad
rows, sees the preview, commits, downloads the rejected rows; the persons appear in the list."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from ketnap.exchange.tests.helpers import HEAD, person_row, xlsx
from ketnap.exchange.workbook import REASON_HEADER
from ketnap.people.models import Person
from ketnap.testing import browser_login, build_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretary_imports_a_list_with_preview(live_server, page, tmp_path):
    tree = build_tree()
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, live_server, "cell_secretary")
    page.goto(f"{live_server.url}/to-chuc/{tree.cell_student.pk}/")
    page.click("#import-link")

    with page.expect_download() as download:
        page.click("#template-link")
    template = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    assert template.sheetnames == ["Danh sách", "Giải thích"]
    headers = [c.value for c in template["Danh sách"][1]]
    assert headers[:4] == ["STT", "Họ", "Tên đệm", "Tên"]  # the columns of the list's export

    head = HEAD + ["Ngày học lớp nhận thức về Đảng"]
    rows = [head,
            person_row(family="Võ", middle="Thị", given="Sáu", gender="Nữ", cid="079304005555") + ["20/10/2025"],
            person_row(family="Lý", middle="Tự", given="Trọng", birth="31/02/2004") + [""],
            person_row(family="Đinh", middle="Bộ", given="Lĩnh", gender="Không rõ") + [""],
            person_row(family="Trần", middle="Quốc", given="Toản") + [""]]  # fmt: skip
    path = tmp_path / "danh-sach-chi-bo.xlsx"
    path.write_bytes(xlsx(rows))
    page.set_input_files("#id_file", str(path))
    page.click("#import-upload")

    preview = page.locator("#import-preview")
    expect(preview.locator('tr[data-status="create"]')).to_have_count(2)
    expect(preview.locator('tr[data-status="rejected"]')).to_have_count(2)
    expect(preview.locator('tr[data-row="3"]')).to_contain_text("Ngày 31/02/2004 không có thật")
    expect(preview.locator('tr[data-row="4"]')).to_contain_text("Giới tính")
    expect(preview.locator('tr[data-row="2"]')).to_contain_text("Học lớp bồi dưỡng nhận thức về Đảng")
    assert not Person.objects.exists()  # a preview writes nothing

    page.click("#import-commit")
    expect(page.locator("#import-done")).to_contain_text("2 tạo mới")
    assert Person.objects.count() == 2

    with page.expect_download() as download:
        page.click("#rejects-download")
    sheet = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    header = [c.value for c in sheet[1]]
    reason = header.index(REASON_HEADER)
    got = {sheet.cell(r, 3).value: sheet.cell(r, reason + 1).value for r in range(2, sheet.max_row + 1)}
    assert set(got) == {"Trọng", "Lĩnh"} and "Ngày sinh" in got["Trọng"]

    page.click("#to-list")
    table = page.locator("#person-table")
    expect(table).to_contain_text("Võ Thị Sáu")
    expect(table).to_contain_text("Trần Quốc Toản")
    expect(table).not_to_contain_text("Lý Tự Trọng")
