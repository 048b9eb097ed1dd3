"""In Chromium: the board's switch shows only the dossiers blocked by an error, and back."""

import pytest
from playwright.sync_api import expect

from ketnap.core.tests.conftest import browser_context_args, browser_type_launch_args  # noqa: F401 (Debian's chromium)
from ketnap.people.models import Person
from ketnap.testing import browser_login, build_tree, make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_switch_shows_only_blocked_dossiers(live_server, page):
    tree = build_tree()
    stuck = make_person(tree.cell_student, given_name="Chặn")
    Person.objects.filter(pk=stuck.pk).update(error_count=1)
    fine = make_person(tree.cell_student, given_name="Ổn")
    browser_login(page, live_server, "cell_viewer")
    page.goto(f"{live_server.url}/nguoi/bang/")
    blocked_card = page.locator(f'.board-card[data-person="{stuck.pk}"]')
    fine_card = page.locator(f'.board-card[data-person="{fine.pk}"]')
    expect(blocked_card).to_contain_text("Bị chặn: 1 lỗi")
    expect(fine_card).to_be_visible()
    page.check("#board-blocked-only")
    expect(fine_card).to_be_hidden()
    expect(blocked_card).to_be_visible()
    page.uncheck("#board-blocked-only")
    expect(fine_card).to_be_visible()
