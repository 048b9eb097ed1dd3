"""A city user opens the dashboard, drills down to a lagging cell, and opens the list of its candidates."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ketnap.targets import conf
from ketnap.targets.tests.builders import admitted, person
from ketnap.testing import browser_login, build_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_user_drills_down_to_a_lagging_cell_and_its_candidates(live_server, page):
    tree = build_tree()
    today = timezone.localdate()
    w = conf.current_school_year(today)
    day = max(w.start, min(today, w.start + datetime.timedelta(days=20)))
    # THCS Minh Đức's cell (ward B) admitted two, one a teacher: it meets both K-12 targets.
    admitted(tree.cell_b, day)
    admitted(tree.cell_b, day, role="staff")
    # THPT Trưng Vương's cell (ward A) admitted nobody, but has candidates in its pool.
    person(tree.cell_a, [("source_identified", day)], role="teacher", family_name="Lê", middle_name="Thị",
           given_name="Hoa")  # fmt: skip
    person(tree.cell_a, [("source_identified", day)], role="pupil", family_name="Phạm", middle_name="Minh",
           given_name="Khôi")  # fmt: skip

    browser_login(page, live_server, "city_viewer")
    page.click("#nav-targets")
    expect(page.locator("h1.page-title")).to_contain_text(tree.city.name)
    expect(page.locator("#indicator-cards .indicator-card")).to_have_count(8)
    expect(page.locator('[data-indicator="K12_CELL_TWO"] .indicator-value')).to_have_text("50,0%")
    expect(page.locator('canvas[data-chart="K12_CELL_TWO"][data-drawn="1"]')).to_be_attached()  # Chart.js ran
    expect(page.locator('canvas[data-chart="children"][data-drawn="1"]')).to_be_attached()

    page.locator("#children-table a.child-link", has_text=tree.ward_a.name).click()
    expect(page.locator("h1.page-title")).to_contain_text(tree.ward_a.name)
    lagging = page.locator("#lagging-table a.lagging-link")
    expect(lagging).to_have_count(1)
    expect(lagging.first).to_have_text(tree.cell_a.name)
    lagging.first.click()

    expect(page.locator("h1.page-title")).to_contain_text(tree.cell_a.name)
    page.click("#cell-candidates")  # the pool: the same definition as the number on the button
    table = page.locator("#persons-table")
    expect(table).to_contain_text("Lê Thị Hoa")
    expect(table).to_contain_text("Phạm Minh Khôi")
    expect(table).not_to_contain_text("Nguyễn Văn An")  # the admitted ones are in ward B


def test_the_target_pages_fit_a_phone(live_server, page):
    """On a 390 px phone the title of every target page takes the width (not one word a line beside the
    year picker), the tabs stay on one line each and scroll, and no page scrolls sideways."""
    tree = build_tree()
    page.set_viewport_size({"width": 390, "height": 844})
    browser_login(page, live_server, "city_viewer")
    for path in ("", "chua-dat/", "quy-trinh/", "yeu-kem/", "giao-chi-tieu/", "khong-con-nguon/", "bao-cao/"):
        page.goto(f"{live_server.url}/chi-tieu/{tree.city.pk}/{path}")
        title = page.locator("h1.page-title").bounding_box()
        assert title["width"] > 300, (path, title)
        assert title["height"] < 120, (path, title)  # two or three lines, not ten
        for box in (tab.bounding_box() for tab in page.locator(".targets-tabs .nav-link").all()):
            assert box["height"] < 50, (path, box)  # one line a tab
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
