import datetime

import pytest

from ketnap.core.models import AuditLog, CalendarOverride

D = datetime.date
pytestmark = pytest.mark.django_db


def test_everyone_sees_the_calendar_with_vietnamese_holiday_names(client, tree):
    client.force_login(tree.users["cell_viewer"])
    response = client.get("/lich-lam-viec/?nam=2026")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Tết Nguyên Đán" in body and "17/02/2026" in body
    assert "22/08/2026" in body  # the 2026 Saturday worked
    assert 'id="calendar-form"' not in body  # not an administrator


def test_city_admin_adds_and_removes_a_day_off_with_audit(client, tree):
    client.force_login(tree.users["city_admin"])
    response = client.post(
        "/lich-lam-viec/", {"date": "15/06/2026", "is_working_day": "0", "note": "TB 1/TB"}
    )
    assert response.status_code == 302
    assert CalendarOverride.objects.get(date=D(2026, 6, 15)).is_working_day is False
    assert AuditLog.objects.filter(action="calendar.set").exists()
    response = client.post("/lich-lam-viec/bo/", {"date": "2026-06-15"})
    assert response.status_code == 302
    assert not CalendarOverride.objects.exists()
    assert AuditLog.objects.filter(action="calendar.remove").exists()


def test_a_weekday_cannot_be_a_saturday_worked_and_the_reason_is_required(client, tree):
    client.force_login(tree.users["city_admin"])
    response = client.post("/lich-lam-viec/", {"date": "15/06/2026", "is_working_day": "1", "note": "x"})
    assert response.status_code == 200
    assert "thứ Bảy hoặc Chủ nhật" in response.content.decode()
    response = client.post("/lich-lam-viec/", {"date": "31/02/2026", "is_working_day": "0", "note": "x"})
    assert response.status_code == 200 and not CalendarOverride.objects.exists()


@pytest.mark.parametrize("username", ["ward_a", "uni_committee", "cell_secretary", "city_viewer"])
def test_only_a_city_administrator_edits_the_calendar(client, tree, username):
    client.force_login(tree.users[username])
    response = client.post("/lich-lam-viec/", {"date": "15/06/2026", "is_working_day": "0", "note": "TB"})
    assert response.status_code == 403
    assert not CalendarOverride.objects.exists()


def test_the_page_says_what_a_day_off_recomputed(client, tree):
    from ketnap.people import actions
    from ketnap.people.models import Person
    from ketnap.testing import make_person, prepare_applicant

    person = prepare_applicant(make_person(tree.cell_student), tree.users["cell_secretary"])
    actions.record_cell_vote(person, acting_user=tree.users["cell_secretary"], occurred_on=D(2026, 4, 2),
                             official_members=12, in_favour=9)  # fmt: skip
    due = Person.objects.get(pk=person.pk).next_due
    client.force_login(tree.users["city_admin"])
    response = client.post(
        "/lich-lam-viec/", {"date": "15/04/2026", "is_working_day": "0", "note": "TB 1/TB"}, follow=True
    )
    body = response.content.decode()
    assert "Đã lưu điều chỉnh ngày 15/04/2026; đã tính lại hạn của 1 người" in body
    assert Person.objects.get(pk=person.pk).next_due > due
    response = client.post("/lich-lam-viec/bo/", {"date": "2026-04-15"}, follow=True)
    assert "Đã bỏ điều chỉnh ngày 15/04/2026; đã tính lại hạn của 1 người" in response.content.decode()
    assert Person.objects.get(pk=person.pk).next_due == due
