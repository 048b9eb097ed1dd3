"""The read log (person pages opened, files downloaded), private pages, and the audit page for admins:
scoped to their subtrees, filtered, every parameter bounded."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from ketnap.accounts.models import RoleAssignment
from ketnap.core.models import ReadLog
from ketnap.people import actions
from ketnap.testing import make_person

pytestmark = pytest.mark.django_db


def test_opening_a_person_and_exporting_a_list_are_in_the_read_log(client, tree):
    person = make_person(tree.cell_student)
    client.force_login(tree.users["cell_secretary"])
    response = client.get(reverse("person-detail", args=[person.pk]))
    assert response["Cache-Control"] == "no-store, private"
    row = ReadLog.objects.get(action="person.view")
    assert (row.actor, row.object_id, row.unit) == (tree.users["cell_secretary"], str(person.pk), person.unit)
    export = client.get(reverse("person-list") + "?export=xlsx&q=nguyen")
    assert export.status_code == 200
    row = ReadLog.objects.get(action="export")
    assert "Danh sách người" in row.summary and "q=nguyen" in row.path


def test_the_audit_page_is_for_admins_only(client, tree):
    client.force_login(tree.users["cell_secretary"])
    assert client.get(reverse("audit-log")).status_code == 403
    client.force_login(tree.users["city_admin"])
    page = client.get(reverse("audit-log")).content.decode()
    assert "Nhật ký thay đổi và truy cập" in page


def test_a_subtree_admin_sees_only_their_subtree(client, tree):
    a = make_person(tree.cell_a, given_name="Hoa")
    b = make_person(tree.cell_b, given_name="Khoa")
    for person, user in ((a, tree.users["secretary_a"]), (b, tree.users["ward_b"])):
        actions.record_awareness_class(person, acting_user=user, occurred_on=datetime.date(2026, 1, 5))
    ward_admin = get_user_model().objects.create_user(
        username="admin_a", password="x", last_name="Lê", first_name="An"
    )
    RoleAssignment.objects.create(user=ward_admin, unit=tree.ward_a, role="admin")
    client.force_login(ward_admin)
    page = client.get(reverse("audit-log")).content.decode()
    assert f"{a.full_name}: Học lớp" in page and f"{b.full_name}: Học lớp" not in page
    # the read log likewise
    client.force_login(tree.users["ward_b"])
    client.get(reverse("person-detail", args=[b.pk]))
    client.force_login(ward_admin)
    reads = client.get(reverse("audit-log") + "?loai=truy-cap").content.decode()
    assert b.full_name not in reads
    # another subtree's unit or person as a filter: 404
    assert client.get(reverse("audit-log") + f"?don-vi={tree.ward_b.pk}").status_code == 404
    assert client.get(reverse("audit-log") + f"?ho-so={b.pk}").status_code == 404


def test_filters_and_bad_parameters(client, tree):
    person = make_person(tree.cell_student)
    actions.record_awareness_class(
        person, acting_user=tree.users["cell_clerk"], occurred_on=datetime.date(2026, 1, 5)
    )
    client.force_login(tree.users["city_admin"])
    url = reverse("audit-log")
    page = client.get(url + f"?ho-so={person.pk}&nguoi-dung={tree.users['cell_clerk'].pk}").content.decode()
    assert "Học lớp bồi dưỡng nhận thức về Đảng" in page and "Ghi bước của hồ sơ" in page
    assert "person.awareness_class" not in page.replace('title="person.awareness_class"', "")
    for query in ("?trang=" + "9" * 25, "?trang=-1", "?tu=99/99/9999&den=31/12/9999", "?nguoi-dung=abc",
                  "?don-vi=1e309", "?ho-so=" + "1" * 40, "?tu=" + "1" * 3000):  # fmt: skip
        assert client.get(url + query).status_code == 200, query
    assert (
        client.get(url + "?loai=x%00y").status_code == 400
    )  # a NUL anywhere: core.middleware.RejectNulMiddleware


def test_the_audit_log_exports_to_excel_as_filtered(client, tree):
    import io

    import openpyxl

    person = make_person(tree.cell_student, given_name="Hoa")
    actions.update_person(person, acting_user=tree.users["cell_secretary"], reason="Sửa lớp",
                          faculty_class="Lớp =1+1")  # fmt: skip
    client.force_login(tree.users["city_admin"])
    response = client.get(reverse("audit-log") + f"?ho-so={person.pk}&xuat=xlsx")
    assert response.status_code == 200 and "Nhat-ky-thay-doi" in response["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Thời điểm", "Người thực hiện", "Việc", "Nội dung", "Đơn vị")
    assert len(rows) == 2 and rows[1][2] == "Sửa thông tin người" and rows[1][4] == tree.cell_student.name
    # the export itself is in the read log
    assert ReadLog.objects.filter(action="export", summary__contains="Nhật ký thay đổi").exists()
