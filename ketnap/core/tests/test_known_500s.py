"""The eight causes of a server error found in the security review (issue 8, point 7), each now a clear
answer: a graduate row with a bad receiver, NaN/inf/1e309 as a target value, a 2,200-character search, a
negative page size, page numbers of 25 digits, and far dates in an introducer's and a decision's dates."""

import datetime

import pytest
from django.urls import reverse

from ketnap.testing import make_person, prepare_applicant

pytestmark = pytest.mark.django_db
LONG = "nguyễn văn " * 200  # about 2,200 characters
HUGE = "9" * 25


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("person-list", {"q": LONG}),
        ("person-list", {"q": LONG, "export": "xlsx"}),
        ("person-list", {"per_page": "-1"}),
        ("person-list", {"page": HUGE}),
        ("request-list", {"q": LONG}),
        ("request-list", {"q": LONG, "export": "xlsx"}),
        ("request-list", {"per_page": "-1"}),
        ("request-list", {"page": HUGE}),
        ("inbox", {"page": HUGE}),
        ("inbox", {"trang": HUGE}),
        ("mentors", {"page": HUGE}),
        ("mentors", {"trang": HUGE}),
        ("ward-letters", {"truong": HUGE}),
        ("ward-letters", {"truong": "abc"}),
        ("graduation", {"page": HUGE}),
        ("quarterly", {"page": HUGE, "q": LONG}),
        ("escalation", {"page": HUGE, "unit": HUGE}),
    ],
)
def test_list_parameters_never_give_a_server_error(client, tree, name, query):
    client.force_login(tree.users["city_admin"])
    assert client.get(reverse(name), query).status_code in (200, 302, 404)


@pytest.mark.parametrize("indicator", ["HE_ADMISSIONS", "K12_CELL_TWO"])  # a count and a share
@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-inf", "1e309", "1" * 400])
def test_a_target_value_that_is_not_a_number_is_refused_kindly(client, tree, indicator, value):
    from ketnap.targets.models import Target

    client.force_login(tree.users["city_admin"])
    url = reverse("targets-assign", args=[tree.city.pk])
    page = client.get(url + f"?chi-so={indicator}")
    assert (
        page.status_code == 200 and f'name="t-{tree.upper.pk}"' in page.content.decode()
    )  # the field posted
    response = client.post(url, {"indicator": indicator, f"t-{tree.upper.pk}": value, "note": "x"})
    assert response.status_code == 200
    assert 'class="invalid-feedback"' in response.content.decode()
    assert not Target.objects.exists()


@pytest.mark.parametrize("receiver", ["", "abc", HUGE, "-1", "31/12/9999", "1.5"])
def test_a_graduate_row_with_a_bad_receiver_is_refused_kindly(client, tree, receiver):
    person = make_person(tree.cell_student, stage="OFFICIAL", expected_graduation=datetime.date(2025, 6, 30))
    client.force_login(tree.users["uni_committee"])
    page = client.get(reverse("graduation"), {"unit": tree.uni.pk})
    assert f'name="receiver_{person.pk}"' in page.content.decode()  # the row is offered: the field is read
    response = client.post(reverse("graduation"), {"unit": tree.uni.pk, "action": "preview", "person": [person.pk],
                                                   f"receiver_{person.pk}": receiver, "sent_on": "01/11/2026"})  # fmt: skip
    assert response.status_code == 200
    assert "Chưa chọn nơi đến cho" in response.content.decode()


@pytest.mark.parametrize("field", ["official_since", "cowork_since"])
def test_an_introducers_date_in_year_9999_is_refused_where_it_is_typed(client, tree, field):
    person = make_person(tree.cell_student)
    client.force_login(tree.users["cell_clerk"])
    data = {"occurred_on": "01/11/2026", "introducer_name": "Trần Bình", "official_since": "01/01/2015",
            "cowork_since": "01/01/2020", "note": ""}  # fmt: skip
    data[field] = "31/12/9999"
    response = client.post(reverse("person-record", args=[person.pk, "member_introduction"]), data,
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and "Ngày không được sau" in response.content.decode()
    assert not person.events.filter(kind="member_introduction").exists()


def test_a_decisions_received_date_in_year_9999_is_refused(client, tree):
    person = make_person(tree.cell_student)
    prepare_applicant(
        person, tree.users["city_admin"], start=datetime.date.today() - datetime.timedelta(days=200)
    )
    from ketnap.people import actions

    today = datetime.date.today()
    actions.record_cell_vote(person, acting_user=tree.users["cell_secretary"], occurred_on=today, official_members=9,
                             in_favour=9)  # fmt: skip
    actions.record_committee_vote(person, acting_user=tree.users["uni_committee"], occurred_on=today, members=9,
                                  in_favour=9)  # fmt: skip
    client.force_login(tree.users["uni_committee"])
    response = client.post(reverse("person-record", args=[person.pk, "decision"]),
                           {"occurred_on": today.strftime("%d/%m/%Y"), "decider": tree.uni.pk, "number": "1",
                            "received": "31/12/9999", "members": "9", "in_favour": "9"}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and "Ngày không được sau" in response.content.decode()
    assert not person.events.filter(kind="decision").exists()
