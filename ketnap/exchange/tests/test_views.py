"""Import pages: scope (404), role (403), the template, the preview, the commit, the rejected rows."""

import io

import openpyxl
import pytest
from django.urls import reverse

from ketnap.exchange.models import ImportJob
from ketnap.exchange.tests.helpers import HEAD, person_row, xlsx
from ketnap.exchange.workbook import REASON_HEADER
from ketnap.people.models import Person

pytestmark = pytest.mark.django_db


def upload(client, unit, rows, kind="persons", name="ds.xlsx"):
    f = io.BytesIO(xlsx(rows))
    f.name = name
    return client.post(reverse("import-new", args=[unit.pk, kind]), {"file": f, "encoding": ""})


def test_the_template_has_headers_an_example_and_an_explanation(client, tree):
    client.force_login(tree.users["cell_viewer"])
    for kind, sheets in (
        ("persons", ["Danh sách", "Giải thích"]),
        ("tree", ["Tổ chức", "Trường học", "Giải thích"]),
    ):
        response = client.get(reverse("import-template", args=[kind]))
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.sheetnames == sheets
        first = book[sheets[0]]
        assert first.cell(1, 1).value and first.cell(2, 2).value  # a header and an example row
        explained = [row[1].value for row in book["Giải thích"].iter_rows(min_row=2)]
        assert first.cell(1, 2).value in explained
    assert client.get(reverse("import-template", args=["khac"])).status_code == 404


def test_upload_needs_the_role_and_the_scope(client, tree):
    client.force_login(tree.users["cell_viewer"])
    assert client.get(reverse("import-new", args=[tree.cell_student.pk, "persons"])).status_code == 403
    client.force_login(tree.users["secretary_a"])
    assert client.get(reverse("import-new", args=[tree.cell_student.pk, "persons"])).status_code == 404
    client.force_login(tree.users["cell_secretary"])
    assert (
        client.get(reverse("import-new", args=[tree.cell_student.pk, "tree"])).status_code == 403
    )  # admin only
    assert client.get(reverse("import-new", args=[tree.cell_student.pk, "persons"])).status_code == 200


def test_a_wrong_kind_of_file_is_a_message(client, tree):
    client.force_login(tree.users["cell_secretary"])
    f = io.BytesIO(b"hello")
    f.name = "ds.pdf"
    page = client.post(reverse("import-new", args=[tree.cell_student.pk, "persons"]), {"file": f})
    assert page.status_code == 200 and "Chỉ nhận tệp" in page.content.decode()


def test_preview_commit_and_rejected_rows(client, tree):
    client.force_login(tree.users["cell_secretary"])
    response = upload(
        client, tree.cell_student, [HEAD, person_row(given="An"), person_row(given="Bình", gender="?")]
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("import-job", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="create"' in page and 'data-status="rejected"' in page and "Giới tính" in page
    assert not Person.objects.exists()
    rejects = client.get(reverse("import-rejects", args=[job.pk]))
    sheet = openpyxl.load_workbook(io.BytesIO(rejects.content)).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Họ", "Tên đệm", "Tên"] and REASON_HEADER in header
    assert (
        sheet.cell(2, 3).value == "Bình"
        and "Giới tính" in sheet.cell(2, header.index(REASON_HEADER) + 1).value
    )
    # another user in scope sees the job but cannot commit it
    client.force_login(tree.users["uni_committee"])
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 200
    client.post(reverse("import-commit", args=[job.pk]))
    assert not Person.objects.exists()
    client.force_login(tree.users["secretary_a"])
    assert client.get(reverse("import-job", args=[job.pk])).status_code == 404
    client.force_login(tree.users["cell_secretary"])
    client.post(reverse("import-commit", args=[job.pk]))
    assert list(Person.objects.values_list("given_name", flat=True)) == ["An"]
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert 'id="import-done"' in page and 'id="to-list"' in page
    client.post(reverse("import-commit", args=[job.pk]))  # twice: nothing more
    assert Person.objects.count() == 1


def test_rejected_rows_keep_an_impossible_date_as_text(client, tree):
    client.force_login(tree.users["cell_secretary"])
    upload(client, tree.cell_student, [HEAD, person_row(birth="31/02/2004")])
    job = ImportJob.objects.get()
    sheet = openpyxl.load_workbook(
        io.BytesIO(client.get(reverse("import-rejects", args=[job.pk])).content)
    ).active
    assert sheet.cell(2, 4).value == "31/02/2004"
