"""An administrator reorganises the tree in the browser: creates a cell, moves it under another committee from a
date, merges two cells and dissolves one; the dashboards' history still counts each admission where it
happened."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from ketnap.orgs.models import OrgUnit
from ketnap.people.models import Person
from ketnap.targets.tests.builders import admitted
from ketnap.testing import browser_login, build_tree

D = datetime.date
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def admin_menu(page, item: str) -> None:
    page.click("#admin-menu")
    page.click(item)


def test_admin_reorganises_the_tree_and_history_stays(live_server, page):
    tree = build_tree()
    admitted(tree.cell_student, D(2026, 5, 6), role="student")  # school year 2025–2026, in the student cell
    page.on("dialog", lambda dialog: dialog.accept())
    browser_login(page, live_server, "city_admin")

    # 1. a new cell under the university's committee, from 01/09/2026
    page.goto(f"{live_server.url}/to-chuc/{tree.uni.pk}/")
    admin_menu(page, "#admin-create")
    page.fill("#id_name", "Chi bộ Sinh viên Khoa Vật lý")
    page.fill("#id_code", "KHTN-SV-VL")
    page.select_option("#id_kind", "cell")
    page.select_option("#id_cell_kind", "student")
    page.fill("#id_on", "01/09/2026")
    page.click("#unit-create-form-submit")
    expect(page.locator("h1.page-title")).to_have_text("Chi bộ Sinh viên Khoa Vật lý")
    new_cell = OrgUnit.objects.get(code="KHTN-SV-VL")

    # 2. moved under ward B's committee from 01/10/2026
    admin_menu(page, "#admin-move")
    page.select_option("#id_parent", str(tree.ward_b.pk))
    page.fill("#id_on", "01/10/2026")
    page.fill("#id_reason", "Nghị quyết 12-NQ/TU")
    page.click("#move-form-submit")
    expect(page.locator("#messages")).to_contain_text(
        f"Đã chuyển Chi bộ Sinh viên Khoa Vật lý về {tree.ward_b.name}"
    )
    links = page.locator("#unit-links")
    expect(links).to_contain_text(tree.ward_b.name)
    expect(links).to_contain_text(tree.uni.name)

    # 3. the student cell merged into the staff cell from 01/11/2026: its person follows
    page.goto(f"{live_server.url}/to-chuc/{tree.cell_student.pk}/")
    admin_menu(page, "#admin-merge")
    page.select_option("#id_target", str(tree.cell_staff.pk))
    page.fill("#id_on", "01/11/2026")
    page.fill("#id_reason", "Quyết định 30-QĐ/ĐU")
    page.click("#merge-form-submit")
    expect(page.locator("h1.page-title")).to_have_text(tree.cell_staff.name)
    expect(page.locator("#messages")).to_contain_text("1 người")
    assert Person.objects.get().unit == tree.cell_staff
    page.goto(f"{live_server.url}/to-chuc/{tree.cell_student.pk}/")
    expect(page.locator("#dissolved-on")).to_have_text("01/11/2026")
    expect(page.locator("#admin-menu")).to_have_count(0)

    # 4. the new cell dissolved from 15/11/2026 (it is empty)
    page.goto(f"{live_server.url}/to-chuc/{new_cell.pk}/")
    admin_menu(page, "#admin-dissolve")
    expect(page.locator("#admin-intro")).to_contain_text("không còn người")
    page.fill("#id_on", "15/11/2026")
    page.fill("#id_reason", "Quyết định 31-QĐ/ĐU")
    page.click("#dissolve-form-submit")
    expect(page.locator("#dissolved-on")).to_have_text("15/11/2026")

    # dissolved units are offered nowhere a live one is expected
    page.goto(f"{live_server.url}/nguoi/")
    options = page.locator("#id_unit option")
    expect(options.filter(has_text=tree.cell_student.name)).to_have_count(0)
    expect(options.filter(has_text="Chi bộ Sinh viên Khoa Vật lý")).to_have_count(0)

    # the admission of May 2026 still counts where it happened: the student cell, in the university
    page.goto(f"{live_server.url}/chi-tieu/{tree.uni.pk}/?ky=SY2025")
    row = page.locator("#children-table tr", has_text=tree.cell_student.name)
    expect(row).to_have_count(1)
    expect(row.locator("td").last).to_have_text("1")
    staff = page.locator("#children-table tr", has_text=tree.cell_staff.name)
    expect(staff.locator("td").last).to_have_text(re.compile(r"^\s*(0|—)\s*$"))
    page.goto(f"{live_server.url}/chi-tieu/{tree.cell_student.pk}/?ky=SY2025")
    expect(page.locator("body")).to_contain_text("Chi bộ: 1 người được kết nạp")
    # and the tree page folds: the cells of the university are hidden until their committee is opened
    page.goto(f"{live_server.url}/to-chuc/")
    cell_row = page.locator(f'tr[data-unit="{tree.cell_staff.pk}"]')
    expect(cell_row).to_be_hidden()
    page.locator(f'tr[data-unit="{tree.upper.pk}"] .org-toggle').click()
    page.locator(f'tr[data-unit="{tree.uni.pk}"] .org-toggle').click()
    expect(cell_row).to_be_visible()
    page.locator(f'tr[data-unit="{tree.upper.pk}"] .org-toggle').click()
    expect(cell_row).to_be_hidden()
