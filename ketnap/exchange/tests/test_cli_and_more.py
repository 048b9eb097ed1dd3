"""`ketnap import`, the indicators of imported members, the export re-imported, the tree, the background worker."""

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from ketnap.core.models import AuditLog
from ketnap.exchange import actions
from ketnap.exchange.models import ImportJob
from ketnap.exchange.tests.helpers import HEAD, person_row, xlsx
from ketnap.orgs.models import OrgLink, OrgUnit, School
from ketnap.people.models import Person, PersonEvent
from ketnap.targets import queries as target_queries
from ketnap.targets import rollups

D = datetime.date
pytestmark = pytest.mark.django_db


def cli(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", *args, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


def test_cli_checks_without_writing_and_commits_with_commit(tree, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx([HEAD, person_row(given="An"), person_row(given="Bình", birth="31/02/2004")]))
    code, out, _ = cli("persons", str(path), "--unit", "KHTN-SV-CNTT")
    report = json.loads(out)
    assert code == 1 and not Person.objects.exists()
    assert report == {"rows": 2, "create": 1, "update": 0, "unchanged": 0, "rejected": 1,
                      "rejects": [{"row": 3, "column": "Ngày sinh", "message": "Ngày 31/02/2004 không có thật."}]}  # fmt: skip
    code, out, _ = cli("persons", str(path), "--unit", "KHTN-SV-CNTT", "--commit")
    assert code == 1 and Person.objects.get().given_name == "An"
    assert AuditLog.objects.get(action="import.persons").after["filename"] == "ds.xlsx"
    path.write_bytes(xlsx([HEAD, person_row(given="An")]))
    code, out, _ = cli("persons", str(path), "--unit", "KHTN-SV-CNTT", "--commit")
    assert code == 0 and json.loads(out)["unchanged"] == 1


def test_cli_exit_2_when_the_file_cannot_be_read(tree, tmp_path):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(b"PK\x03\x04 broken")
    code, out, err = cli("persons", str(path), "--unit", "KHTN-SV-CNTT")
    assert code == 2 and out == "" and "Không đọc được" in err
    code, _, _ = cli("persons", str(tmp_path / "khong-co.csv"), "--unit", "KHTN-SV-CNTT")
    assert code == 2


def test_cli_imports_the_tree_with_schools(tree, tmp_path):
    units = [["Mã tổ chức", "Tên tổ chức", "Loại", "Loại chi bộ", "Mã cấp trên", "Ngày thành lập"],
             ["KHTN-SV-VL", "Chi bộ Sinh viên Khoa Vật lý", "Chi bộ trực thuộc", "Chi bộ sinh viên, học sinh",
              "KHTN", "01/09/2026"],
             ["P-MOI", "Đảng ủy phường Mới", "Đảng ủy phường, xã, đặc khu", "", "TU", "01/07/2025"],
             ["THPT-MOI", "Chi bộ Trường THPT Mới", "Chi bộ cơ sở", "", "P-MOI", "01/09/2026"],
             ["X-1", "Chi bộ lạ", "Chi bộ trực thuộc", "", "KHONG-CO", "01/09/2026"]]  # fmt: skip
    schools = [["Mã trường", "Tên trường", "Cấp học", "Công lập", "Mã phường, xã", "Mã tổ chức đảng"],
               ["S-MOI", "Trường THPT Mới", "Trung học phổ thông", "Có", "P-MOI", "THPT-MOI"]]  # fmt: skip
    path = tmp_path / "cay.xlsx"
    path.write_bytes(xlsx(None, sheets=[("Tổ chức", units), ("Trường học", schools)]))
    code, out, _ = cli("tree", str(path), "--commit")
    report = json.loads(out)
    assert code == 1 and report["create"] == 4 and report["rejected"] == 1
    assert report["rejects"][0]["column"] == "Mã cấp trên"
    cell = OrgUnit.objects.get(code="THPT-MOI")
    assert cell.parent.code == "P-MOI" and cell.path.startswith(OrgUnit.objects.get(code="P-MOI").path)
    assert OrgLink.objects.get(child=cell).valid_from == D(2026, 9, 1)
    assert School.objects.get(code="S-MOI").party_org == cell
    code, out, _ = cli("tree", str(path))
    assert json.loads(out)["unchanged"] == 4


def test_an_imported_member_is_not_an_admission_of_the_importing_unit(tree):
    """A member decided on 01/03/2026 (in school year 2025–2026) and entered by import counts as a member, never
    as an admission, at the cell and above."""
    windows = [target_queries.window("SY2025")]
    rollups.build(windows)
    head = HEAD + ["Tuổi đảng tính từ", "Ngày lễ kết nạp", "Nơi kết nạp"]
    job = actions.start(acting_user=tree.users["cell_secretary"], unit=tree.cell_student, kind="persons",
                        filename="dv.xlsx", data=xlsx([head, person_row() + ["01/03/2026", "15/03/2026", "Nơi khác"]]))  # fmt: skip
    job = actions.check(job.pk)
    actions.begin_commit(job, acting_user=tree.users["cell_secretary"])
    assert actions.commit(job.pk).status == "committed"
    assert Person.objects.get().stage == "PROBATIONARY"
    for unit in (tree.cell_student, tree.uni, tree.city):
        totals = target_queries.totals_at(unit.pk, "SY2025")
        assert totals["admitted"] == 0 and totals["members_end"] == 1
    assert rollups.check(windows) == []  # a rebuild from the ledger agrees


def test_an_exported_list_imports_back_unchanged(tree, client):
    head = HEAD + ["Khoa, lớp", "Ngày học lớp nhận thức về Đảng", "Tuổi đảng tính từ", "Ngày lễ kết nạp",
                   "Ngày chính thức", "Dự kiến tốt nghiệp", "Trường", "Nơi cư trú"]  # fmt: skip
    rows = [head,
            person_row(given="An", cid="079304001234") + ["Lớp 1", "01/10/2025", "", "", "", "30/06/2027",
                                                          "Trường Đại học Khoa học Tự nhiên", "Đảng ủy phường Sài Gòn"],
            person_row(given="Bình") + ["", "", "01/01/2015", "10/01/2015", "10/01/2016", "", "", ""]]  # fmt: skip
    user = tree.users["cell_secretary"]
    job = actions.start(
        acting_user=user, unit=tree.cell_student, kind="persons", filename="a.xlsx", data=xlsx(rows)
    )
    job = actions.check(job.pk)
    actions.begin_commit(job, acting_user=user)
    assert actions.commit(job.pk).written["create"] == 2
    client.force_login(user)
    exported = client.get(reverse("person-list"), {"export": "xlsx"}).content
    again = actions.start(
        acting_user=user, unit=tree.cell_student, kind="persons", filename="xuat.xlsx", data=exported
    )
    again = actions.check(again.pk)
    assert again.status == "checked", again.error
    assert again.counts["unchanged"] == 2 and again.counts["rows"] == 2, again.result["rows"]


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_committed_by_the_worker(tree, client, settings):
    """Above the threshold the page queues django-tasks jobs in the database; `ketnap db_worker` runs them."""
    settings.KETNAP_IMPORT_BACKGROUND_ROWS = 3
    user = tree.users["cell_secretary"]
    client.force_login(user)
    data = xlsx([HEAD] + [person_row(given=f"Người{i}") for i in range(6)])
    upload = io.BytesIO(data)
    upload.name = "lon.xlsx"
    response = client.post(reverse("import-new", args=[tree.cell_student.pk, "persons"]), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and job.status == "checking" and job.background
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert 'id="import-progress"' in page and "hx-trigger" in page
    call_command(
        "db_worker", "--batch", "--queue-name", "default", stdout=io.StringIO(), stderr=io.StringIO()
    )
    job.refresh_from_db()
    assert job.status == "checked" and job.counts["create"] == 6
    client.post(reverse("import-commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "committing" and not Person.objects.exists()
    call_command(
        "db_worker", "--batch", "--queue-name", "default", stdout=io.StringIO(), stderr=io.StringIO()
    )
    job.refresh_from_db()
    assert job.status == "committed" and Person.objects.count() == 6
    assert PersonEvent.objects.filter(kind="source_identified").count() == 6
