"""The server errors the bad-input corpus (test_bad_input.py) found, each now a clear answer, one test each."""

import datetime

import pytest
from django.urls import reverse

from ketnap.core.models import CalendarOverride
from ketnap.testing import make_person

pytestmark = pytest.mark.django_db
LONG = "nguyễn văn " * 500  # 5,500 characters, 1,000 words
HUGE = "9" * 20  # more than a 64-bit column holds


@pytest.mark.parametrize("day", ["31/12/9999", "9999-12-31", "01/01/0001", "31/12/1999"])
def test_a_calendar_day_outside_the_calendar_years_is_refused_on_the_form(client, tree, day):
    client.force_login(tree.users["city_admin"])
    response = client.post(
        reverse("calendar"), {"date": day, "is_working_day": "0", "note": "Thông báo 1/TB"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Chỉ điều chỉnh được ngày từ năm 2000 đến năm 2100." in body
    assert not CalendarOverride.objects.exists()


@pytest.mark.parametrize("day", ["abc", "31/12/2026", "", "9999-12-31"])
def test_removing_a_calendar_day_that_is_not_a_date_says_so_in_vietnamese(client, tree, day):
    client.force_login(tree.users["city_admin"])
    response = client.post(reverse("calendar-remove"), {"date": day}, follow=True)
    assert response.status_code == 200
    text = [str(m) for m in response.context["messages"]]
    assert text and text[0].startswith("Không bỏ được điều chỉnh: ")
    assert "isoformat" not in text[0] and "[" not in text[0]  # neither Python's message nor a list's brackets


@pytest.mark.parametrize("name", ["admin-users", "admin-schools", "org-tree"])
def test_a_search_of_a_thousand_words_is_cut_not_an_error(client, tree, name):
    client.force_login(tree.users["city_admin"])
    response = client.get(reverse(name), {"q": LONG})
    assert response.status_code == 200


def test_the_users_search_still_finds_by_a_word(client, tree):
    client.force_login(tree.users["city_admin"])
    body = client.get(reverse("admin-users"), {"q": "  ward_a  "}).content.decode()
    assert "ward_a_viewer" in body and "cell_clerk" not in body


@pytest.mark.parametrize("school", [HUGE, "-" + HUGE, "abc", "1.5"])
def test_the_wards_letters_with_a_school_id_no_column_holds(client, tree, school):
    make_person(
        tree.cell_a, school=tree.school_a, school_role="pupil", residence_ward=tree.ward_a, given_name="Học"
    )
    client.force_login(tree.users["ward_a"])
    response = client.get(reverse("ward-letters"), {"phuong": tree.ward_a.pk, "truong": school})
    assert response.status_code == 200
    assert "Nguyễn Văn Học" in response.content.decode()  # an unusable filter is no filter


def test_a_page_past_the_end_of_the_lagging_cells_shows_the_last_page(client, tree):
    client.force_login(tree.users["city_viewer"])
    url = reverse("targets-lagging", args=[tree.city.pk])
    first = client.get(url).content.decode()
    assert tree.cell_b.name in first
    for page in (HUGE, "100000", "-3", "abc"):
        response = client.get(url, {"trang": page})
        assert response.status_code == 200 and tree.cell_b.name in response.content.decode(), page


def test_the_target_action_refuses_a_value_that_is_not_finite(tree):
    from django.core.exceptions import ValidationError

    from ketnap.targets import actions, conf

    window = conf.current_school_year(datetime.date.today()).key
    for value in (float("nan"), float("inf"), "1e309", "-inf"):
        with pytest.raises(ValidationError):
            actions.set_target(acting_user=tree.users["city_admin"], unit=tree.upper, indicator="HE_ADMISSIONS",
                               window=window, value=value)  # fmt: skip


@pytest.mark.parametrize(
    ("method", "where", "data"),
    [
        ("get", "person-list", {"q": "a\x00b"}),
        ("get", "admin-users", {"q\x00": "a"}),
        ("post", "calendar", {"date": "01/05/2027", "is_working_day": "0", "note": "Thông báo\x00 1/TB"}),
        (
            "post",
            "calendar",
            {"date": "01/05/2027", "is_working_day": "0", "note": "x", "form_token": "a\x00b"},
        ),
    ],
)
def test_a_nul_character_anywhere_is_a_bad_request_page_in_vietnamese(client, tree, method, where, data):
    """PostgreSQL cannot store NUL in text: views that read raw fields (a target's note, a form's token…) gave
    a 500 there. The request is refused before any view reads it."""
    client.force_login(tree.users["city_admin"])
    response = getattr(client, method)(reverse(where), data)
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ" in response.content.decode()
    assert not CalendarOverride.objects.exists()


def test_a_nul_character_in_the_address_is_a_bad_request(client, tree):
    client.force_login(tree.users["city_admin"])
    assert client.get("/chi-tieu/1/chi-so/HE%00/").status_code == 400


def test_an_import_decision_on_a_row_that_is_not_a_number_is_ignored(client, tree):
    from ketnap.exchange import actions
    from ketnap.exchange.tests.helpers import HEAD, person_row, xlsx

    clerk = tree.users["cell_clerk"]
    job = actions.start(acting_user=clerk, unit=tree.cell_student, kind="persons", filename="ds.xlsx",
                        data=xlsx([HEAD, person_row(given="Nhập")]))  # fmt: skip
    actions.check_now_or_later(job)
    client.force_login(clerk)
    response = client.post(reverse("import-decide", args=[job.pk]),
                           {"dong-abc": "create", "dong-" + "9" * 30: "skip", "dong-²": "skip", "dong-2": "skip"})  # fmt: skip
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.decisions == {"2": "skip"}
