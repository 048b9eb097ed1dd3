"""The pipeline board marks the dossiers blocked by an error of the rule book (Person.error_count > 0): a
Vietnamese badge on their cards (shown first in their column), a legend, the number per column, and links to
the person list filtered to them, whose count agrees with the board's."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ketnap.people import queries
from ketnap.people.models import Person
from ketnap.testing import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _static(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def blocked(person, errors=2):
    Person.objects.filter(pk=person.pk).update(error_count=errors)
    return person


def card(page: str, person) -> str:
    found = re.search(rf'<a href="/nguoi/{person.pk}/" class="board-card[^"]*"[^>]*>.*?</a>', page, re.S)
    assert found, person
    return found.group(0)


def test_blocked_cards_carry_a_vietnamese_badge_and_come_first(client, tree):
    today = timezone.localdate()
    urgent = make_person(tree.cell_student, given_name="Gấp")
    Person.objects.filter(pk=urgent.pk).update(next_due=today, next_due_rule="DECISION_DUE")
    stuck = blocked(make_person(tree.cell_student, given_name="Chặn"))
    fine = make_person(tree.cell_student, given_name="Ổn")
    client.force_login(tree.users["cell_viewer"])
    response = client.get(reverse("pipeline"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bị chặn: 2 lỗi" in card(page, stuck) and "is-blocked" in card(page, stuck)
    assert "Bị chặn" not in card(page, fine) and "is-blocked" not in card(page, urgent)
    source = page.split('data-stage="SOURCE"')[1].split("</section>")[0]
    assert source.index(f"/nguoi/{stuck.pk}/") < source.index(f"/nguoi/{urgent.pk}/")  # blocked first
    assert "1 hồ sơ bị chặn" in source and 'id="board-legend"' in page
    assert "hồ sơ có lỗi theo quy định: chưa làm được bước tiếp theo cho đến khi sửa lỗi" in page
    assert "Chỉ hiện hồ sơ bị chặn (1)" in page and "Danh sách 1 hồ sơ bị chặn" in page
    # the due date's rule is named, never shown as its id
    assert "Hạn quyết định kết nạp" in card(page, urgent) and ">DECISION_DUE" not in page


def test_the_blocked_list_the_board_links_to_has_the_boards_number(client, tree):
    for i in range(3):
        blocked(make_person(tree.cell_student, given_name=f"Chặn{i}"), errors=1 + i)
    make_person(tree.cell_student, given_name="Ổn")
    blocked(make_person(tree.cell_b, given_name="Ngoài"))  # another ward: out of the viewer's scope
    client.force_login(tree.users["cell_viewer"])
    page = client.get(reverse("pipeline")).content.decode()
    link = re.search(
        r'href="([^"]*blocked=1[^"]*)" id="board-blocked-list">Danh sách (\d+) hồ sơ bị chặn', page
    )
    assert link and link.group(2) == "3"
    listing = client.get(link.group(1).replace("&amp;", "&")).content.decode()
    assert re.search(r'id="result-count">3<', listing)
    assert "Nguyễn Văn Ổn" not in listing and "Nguyễn Văn Ngoài" not in listing
    column = re.search(r'href="([^"]*stage=SOURCE&amp;blocked=1[^"]*)">3 hồ sơ bị chặn', page)
    listing = client.get(column.group(1).replace("&amp;", "&")).content.decode()
    assert re.search(r'id="result-count">3<', listing)


def test_a_board_without_blocked_dossiers_says_so(client, tree):
    make_person(tree.cell_student)
    client.force_login(tree.users["cell_viewer"])
    page = client.get(reverse("pipeline")).content.decode()
    assert "Không có hồ sơ nào bị chặn." in page and "is-blocked" not in page


def test_board_counts_blocked_per_column_within_the_users_scope(tree):
    blocked(make_person(tree.cell_student))
    blocked(make_person(tree.cell_a))
    columns = queries.board(tree.users["cell_viewer"])
    assert columns.blocked == 1 and {c.stage: c.blocked for c in columns}["SOURCE"] == 1
    assert queries.board(tree.users["city_viewer"]).blocked == 2
    assert queries.board(tree.users["city_viewer"], tree.ward_a).blocked == 1


def test_blocked_cards_beyond_a_full_column_still_show(tree):
    today = timezone.localdate()
    for i in range(5):
        p = make_person(tree.cell_student, given_name=f"Gấp{i}")
        Person.objects.filter(pk=p.pk).update(next_due=today + datetime.timedelta(days=i))
    late = blocked(make_person(tree.cell_student, given_name="Chặn"))
    columns = queries.board(tree.users["cell_viewer"], per_column=3)
    source = next(c for c in columns if c.stage == "SOURCE")
    assert [p.pk for p in source.cards][0] == late.pk and len(source.cards) == 3 and source.more == 3
