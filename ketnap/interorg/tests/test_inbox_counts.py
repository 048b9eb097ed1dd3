"""The home page, the menu's badge and the inbox agree: the home page's overdue and to-do counts include the
letters waiting for the user's units, the badge counts those letters, and each number is the one the inbox
page shows when its link is followed (the same queries)."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketnap.interorg import actions, queries
from ketnap.interorg.models import Kind, Request

from .conftest import DAY, applicant_to_verify, today

pytestmark = pytest.mark.django_db


def number(page: str, element_id: str) -> int | None:
    found = re.search(rf'id="{element_id}"[^>]*>\s*([\d.]+)', page)
    return int(found.group(1).replace(".", "")) if found else None


def verification_to_ward_a(tree, *, sent_ago: int = 0):
    person = applicant_to_verify(tree, tree.cell_student, given_name="Thẩm")
    return actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.VERIFICATION, person=person,
                            sender=tree.uni, receiver=tree.ward_a, sent_on=today() - sent_ago * DAY)  # fmt: skip


def test_a_letter_waiting_for_the_ward_is_counted_on_its_home_page_and_in_the_menu(client, tree):
    client.force_login(tree.users["ward_a"])
    home = client.get(reverse("home")).content.decode()
    assert number(home, "count-todo") == 0 and number(home, "count-overdue") == 0
    assert 'id="nav-inbox-count"' not in home  # nothing waiting: no badge
    verification_to_ward_a(tree)
    home = client.get(reverse("home")).content.decode()
    assert number(home, "count-todo") == 1 and number(home, "count-overdue") == 0
    assert "1 văn bản chờ đơn vị của bạn trả lời, xác nhận" in home
    badge = re.search(r'<span class="badge bg-blue[^"]*" id="nav-inbox-count"[^>]*>(\d+)', home)
    assert badge and badge.group(1) == "1"
    due_list = home.split('id="due-soon"')[1]
    assert (
        "Trả lời văn bản" in due_list and "Nguyễn Văn Thẩm" in due_list and "Thẩm tra lý lịch số" in due_list
    )


def test_an_overdue_letter_is_counted_overdue_everywhere(client, tree):
    request = verification_to_ward_a(tree, sent_ago=90)  # 30 working days to answer: long past
    assert request.due_on < today()
    client.force_login(tree.users["ward_a"])
    home = client.get(reverse("home")).content.decode()
    assert number(home, "count-overdue") == 1 and number(home, "count-overdue-letters") == 1
    assert re.search(
        r'<span class="badge bg-red[^"]*" id="nav-inbox-count" data-count="1" data-overdue="1"', home
    )
    assert "(1 quá hạn)" in home
    overdue_page = client.get(reverse("inbox"), {"qua-han": "1"}).content.decode()
    assert number(overdue_page, "inbox-total") == 1
    # the sender's side waits for the ward: no badge there (the letter is not the sender's to answer)
    client.force_login(tree.users["uni_committee"])
    page = client.get(reverse("home")).content.decode()
    assert 'id="nav-inbox-count"' not in page and number(page, "count-overdue") == 1


def test_the_badge_costs_one_query_on_pages_that_do_not_show_the_inbox(client, tree):
    verification_to_ward_a(tree)
    user = tree.users["ward_a"]
    with CaptureQueriesContext(connection) as captured:
        waiting = queries.letters_waiting(user, today())
    assert (waiting.total, waiting.overdue) == (1, 0)
    assert len([q for q in captured.captured_queries if "interorg_request" in q["sql"]]) == 1
    client.force_login(user)
    page = client.get(reverse("org-tree")).content.decode()
    assert 'id="nav-inbox-count" data-count="1"' in page


def test_counts_without_items_are_the_inbox_pages_counts(tree):
    verification_to_ward_a(tree)
    verification_to_ward_a(tree, sent_ago=90)
    for name in ("ward_a", "uni_committee", "city_admin", "cell_secretary"):
        user = tree.users[name]
        for overdue_only in (False, True):
            page = queries.inbox(user, today(), overdue_only=overdue_only)
            counts = queries.inbox_counts(user, today(), overdue_only=overdue_only)
            assert (counts.total, counts.counts) == (page.total, page.counts), (name, overdue_only)
        first, late = queries.inbox_summary(user, today(), per_page=5)
        assert first.total == queries.inbox(user, today()).total
        assert late.total == queries.inbox(user, today(), overdue_only=True).total


@pytest.fixture
def demo(db):
    call_command("seed", "--size", "small", stdout=io.StringIO())


def test_on_the_demo_city_every_home_number_is_the_number_of_the_page_it_opens(demo, client):
    from django.contrib.auth import get_user_model

    assert Request.objects.filter(status__in=["sent", "received"]).exists()
    checked = 0
    for user in get_user_model().objects.filter(roles__isnull=False).distinct().order_by("username"):
        client.force_login(user)
        home = client.get(reverse("home")).content.decode()
        todo, overdue = number(home, "count-todo"), number(home, "count-overdue")
        inbox = client.get(reverse("inbox")).content.decode()
        assert number(inbox, "inbox-total") == todo, user.username
        late = client.get(reverse("inbox"), {"qua-han": "1"}).content.decode()
        assert number(late, "inbox-total") == overdue, user.username
        answer = client.get(reverse("inbox"), {"loai": "answer"}).content.decode()
        badge = re.search(r'id="nav-inbox-count" data-count="(\d+)"', home)
        assert number(answer, "inbox-total") == (int(badge.group(1)) if badge else 0), user.username
        checked += bool(badge)
    assert checked  # some demo users have letters waiting
