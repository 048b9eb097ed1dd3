"""Importing persons: every rejection reason, duplicates, encodings, all-or-nothing commits, re-imports."""

import datetime

import pytest

from ketnap.core.models import AuditLog
from ketnap.exchange import actions, persons
from ketnap.exchange.models import ImportJob
from ketnap.exchange.reading import Unreadable, read_table
from ketnap.exchange.tests.helpers import HEAD, cp1258, csv_text, person_row, xlsx
from ketnap.people.models import Person, PersonEvent
from ketnap.testing import make_person

D = datetime.date
pytestmark = pytest.mark.django_db


def run(tree, rows, *, user="cell_secretary", unit=None, filename="danh-sach.xlsx", data=None, decisions=None,
        commit=False):  # fmt: skip
    unit = unit or tree.cell_student
    user = tree.users[user]
    job = actions.start(acting_user=user, unit=unit, kind="persons", filename=filename,
                        data=data if data is not None else xlsx(rows))  # fmt: skip
    if decisions:
        job.decisions = decisions
        job.save()
    job = actions.check(job.pk)
    if commit:
        actions.begin_commit(job, acting_user=user)
        job = actions.commit(job.pk)
    return job


def rows_of(job):
    return {r["row"]: r for r in job.result["rows"]}


def only_reject(job):
    (row,) = job.result["rows"]
    assert row["status"] == "rejected", row
    return [(x["column"], x["message"]) for x in row["rejects"]]


# ---------------------------------------------------------------------------------------------- rejections

STEPS = ["Ngày học lớp nhận thức về Đảng", "Ngày làm đơn xin vào Đảng", "Ngày chi bộ xét kết nạp",
         "Số đảng viên chính thức của chi bộ", "Số đảng viên tán thành"]  # fmt: skip


@pytest.mark.parametrize(
    "head, row, column, words",
    [
        (HEAD, person_row(given=""), "Tên", "không được để trống"),
        (HEAD, person_row(birth="15/3"), "Ngày sinh", "dd/mm/yyyy"),
        (HEAD, person_row(birth="31/02/2004"), "Ngày sinh", "không có thật"),
        (HEAD, person_row(birth="01/01/2099"), "Ngày sinh", "trước ngày hôm nay"),
        (HEAD, person_row(gender="Khác"), "Giới tính", "không có trong các giá trị"),
        (HEAD, person_row(education="Tiến sĩ khoa học"), "Trình độ học vấn", "không có trong các giá trị"),
        (HEAD, person_row(cid="12345"), "Số CCCD", "12 chữ số"),
        (HEAD, person_row(union="Có lẽ"), "Đoàn viên", "Có hoặc Không"),
        (HEAD + ["Trường"], person_row() + ["Trường Không Có"], "Trường", "Không có trường"),
        (HEAD + ["Chi bộ"], person_row() + ["Chi bộ Khoa Toán - Tin học"], "Chi bộ", "không phải"),
        (HEAD + ["Tuổi đảng tính từ"], person_row() + ["01/01/2024"], "Ngày lễ kết nạp", "dự bị: cần ngày lễ"),
        (HEAD + ["Tuổi đảng tính từ", "Ngày lễ kết nạp"], person_row() + ["01/01/2024", "01/12/2023"],
         "Ngày lễ kết nạp", "không được trước ngày quyết định"),
        (HEAD + ["Tuổi đảng tính từ", "Ngày lễ kết nạp", "Ngày chính thức"],
         person_row() + ["01/01/2020", "10/01/2020", "01/01/2019"], "Ngày chính thức", "không được trước"),
        (HEAD + ["Ngày chính thức"], person_row() + ["01/01/2024"], "Tuổi đảng tính từ", "cần ngày quyết định"),
        (HEAD + ["Tuổi đảng tính từ", "Ngày lễ kết nạp", "Ngày học lớp nhận thức về Đảng"],
         person_row() + ["01/01/2024", "10/01/2024", "01/10/2023"], "Tuổi đảng tính từ", "không ghi kèm các bước"),
        (HEAD + ["Ngày giấy giới thiệu của đảng viên"], person_row() + ["01/01/2026"],
         "Ngày giấy giới thiệu của đảng viên", "cần họ tên"),
        (HEAD + STEPS[:3], person_row() + ["01/10/2025", "01/01/2026", "01/03/2026"], "Ngày chi bộ xét kết nạp",
         "cần số thành viên"),
        (HEAD + ["Ngày vào nguồn", "Ngày học lớp nhận thức về Đảng"], person_row() + ["01/11/2025", "01/10/2025"],
         "Ngày vào nguồn", "không được sau ngày của bước đầu tiên"),
        (HEAD + ["Ngày học lớp nhận thức về Đảng"], person_row() + ["01/01/2099"],
         "Ngày học lớp nhận thức về Đảng", "không được sau ngày hôm nay"),
        (HEAD + ["Số đảng viên tán thành", "Số đảng viên chính thức của chi bộ", "Ngày chi bộ xét kết nạp"],
         person_row() + ["mười", "12", "01/03/2026"], "Số đảng viên tán thành", "số nguyên"),
    ],
)  # fmt: skip
def test_every_rejection_reason_names_its_column(tree, head, row, column, words):
    job = run(tree, [head, row])
    found = only_reject(job)
    assert any(c == column and words in m for c, m in found), found
    assert not Person.objects.exists()


def test_the_rule_book_refusing_a_step_is_a_reason_not_a_silent_drop(tree):
    """A cell vote below two thirds is refused by the rule book: the row says so, with the rule's reason."""
    head = (
        HEAD
        + STEPS
        + ["Ngày lý lịch", "Ngày nghị quyết giới thiệu của Đoàn", "Ngày kết luận thẩm tra lý lịch"]
    )
    row = person_row() + ["01/10/2025", "01/01/2026", "01/04/2026", "10", "5", "05/01/2026", "10/01/2026",
                          "01/03/2026"]  # fmt: skip
    (column, message), *_ = only_reject(run(tree, [head, row]))
    assert column == "Ngày chi bộ xét kết nạp" and "Không ghi được bước «Chi bộ xét kết nạp»" in message


def test_a_step_the_path_does_not_open_is_refused(tree):
    """The rule book's order: a committee vote without the cell's vote is not open at its date."""
    head = HEAD + ["Chi bộ", "Ngày đảng ủy cơ sở xét kết nạp", "Số cấp ủy viên", "Số cấp ủy viên tán thành"]
    row = person_row() + ["KHTN-SV-CNTT", "01/03/2026", "9", "9"]
    found = only_reject(run(tree, [head, row], user="uni_committee", unit=tree.uni))
    assert found[0][0] == "Ngày đảng ủy cơ sở xét kết nạp" and "đúng trình tự" in found[0][1]


def test_a_clerk_cannot_import_a_cell_vote(tree):
    head = HEAD + STEPS
    row = person_row() + ["01/10/2025", "01/01/2026", "01/04/2026", "10", "9"]
    found = only_reject(run(tree, [head, row], user="cell_clerk"))
    assert found[0][0] == "Ngày chi bộ xét kết nạp" and "Vai trò của bạn" in found[0][1]


def test_a_citizen_id_held_outside_the_unit_is_rejected_with_where(tree):
    make_person(tree.cell_a, given_name="Khác", citizen_id="079304001234")
    found = only_reject(run(tree, [HEAD, person_row(cid="079304001234")]))
    assert found[0][0] == "Số CCCD" and tree.cell_a.name in found[0][1]


def test_the_same_person_twice_in_the_file(tree):
    job = run(tree, [HEAD, person_row(cid="079304001234"), person_row(given="Bình", cid="079304001234"),
                     person_row(given="Cúc"), person_row(given="Cúc")])  # fmt: skip
    rows = rows_of(job)
    assert rows[3]["status"] == "rejected" and "trùng với dòng 2" in rows[3]["rejects"][0]["message"]
    assert rows[5]["status"] == "rejected" and "dòng 4" in rows[5]["rejects"][0]["message"]


def test_a_committee_import_names_the_cell_of_each_row(tree):
    head = HEAD + ["Chi bộ"]
    job = run(tree, [head, person_row() + ["KHTN-SV-CNTT"], person_row(given="Bình") + [""],
                     person_row(given="Cúc") + ["Chi bộ Không Có"]], user="uni_committee", unit=tree.uni)  # fmt: skip
    rows = rows_of(job)
    assert rows[2]["status"] == "create" and rows[2]["unit_name"] == tree.cell_student.name
    assert rows[3]["status"] == "rejected" and "cần ghi chi bộ" in rows[3]["rejects"][0]["message"]
    assert rows[4]["status"] == "rejected"


def test_a_file_without_the_required_columns_cannot_be_read(tree):
    job = run(tree, [["Họ", "Tên", "Ghi chú"], ["Nguyễn", "An", ""]])
    assert job.status == ImportJob.Status.UNREADABLE and "Ngày sinh" in job.error


def test_a_file_that_is_not_a_table_cannot_be_read(tree):
    job = run(tree, None, data=b"\x00\x01garbage", filename="x.xlsx")
    assert job.status == ImportJob.Status.UNREADABLE


# ---------------------------------------------------------------------------------------------- writing


def test_sources_candidates_and_members_are_written_through_the_ledger(tree):
    head = HEAD + ["Ngày học lớp nhận thức về Đảng", "Ngày làm đơn xin vào Đảng", "Tuổi đảng tính từ",
                   "Ngày lễ kết nạp", "Ngày chính thức", "Nơi kết nạp"]  # fmt: skip
    job = run(tree, [head,
                     person_row(given="Nguồn") + ["", "", "", "", "", ""],
                     person_row(given="Đơn") + ["01/10/2025", "01/01/2026", "", "", "", ""],
                     person_row(given="Chính") + ["", "", "01/01/2015", "15/01/2015", "15/01/2016", "Chi bộ X"],
                     person_row(given="Dự") + ["", "", "01/03/2026", "15/03/2026", "", ""]], commit=True)  # fmt: skip
    assert job.status == ImportJob.Status.COMMITTED, job.error
    stages = dict(Person.objects.values_list("given_name", "stage"))
    assert stages == {"Nguồn": "SOURCE", "Đơn": "APPLICANT", "Chính": "OFFICIAL", "Dự": "PROBATIONARY"}
    applicant = Person.objects.get(given_name="Đơn")
    assert list(applicant.events.values_list("kind", flat=True)) == [
        "source_identified",
        "awareness_class",
        "application",
    ]
    assert all("Nhập từ tệp danh-sach.xlsx" in n for n in PersonEvent.objects.values_list("note", flat=True))
    row = AuditLog.objects.get(action="import.persons")
    assert row.after["sha256"] == job.sha256 and row.after["created"] == 4
    member = Person.objects.get(given_name="Chính")
    assert member.events.get().data["admitted_at"] == "Chi bộ X"


def test_reimporting_the_same_file_changes_nothing(tree):
    head = HEAD + [
        "Ngày học lớp nhận thức về Đảng",
        "Tuổi đảng tính từ",
        "Ngày lễ kết nạp",
        "Ngày chính thức",
    ]
    rows = [head, person_row(given="An") + ["01/10/2025", "", "", ""],
            person_row(given="Bình", cid="079304001235") + ["", "01/01/2015", "15/01/2015", "15/01/2016"]]  # fmt: skip
    run(tree, rows, commit=True)
    before = (Person.objects.count(), PersonEvent.objects.count(), AuditLog.objects.count())
    again = run(tree, rows)
    assert again.counts["unchanged"] == 2 and again.counts["create"] == again.counts["update"] == 0
    assert not actions.can_commit(again)
    assert (Person.objects.count(), PersonEvent.objects.count(), AuditLog.objects.count()) == before


def test_an_update_adds_the_new_steps_and_the_new_particulars(tree):
    run(tree, [HEAD, person_row(cid="079304001234")], commit=True)
    head = HEAD + ["Ngày học lớp nhận thức về Đảng", "Khoa, lớp"]
    job = run(tree, [head, person_row(cid="079304001234") + ["01/10/2025", "Lớp 22CTT1"]], commit=True)
    assert job.written["update"] == 1
    person = Person.objects.get()
    assert person.faculty_class == "Lớp 22CTT1" and person.stage == "SYMPATHISER"


def test_a_step_recorded_with_another_date_is_refused(tree):
    head = HEAD + ["Ngày học lớp nhận thức về Đảng"]
    run(tree, [head, person_row(cid="079304001234") + ["01/10/2025"]], commit=True)
    found = only_reject(run(tree, [head, person_row(cid="079304001234") + ["02/10/2025"]]))
    assert "đã ghi bước này ngày 01/10/2025" in found[0][1]


def test_an_interrupted_import_leaves_nothing_written(tree, monkeypatch):
    head = HEAD + ["Ngày học lớp nhận thức về Đảng"]
    rows = [head] + [person_row(given=f"Người{i}") + ["01/10/2025"] for i in range(5)]
    user = tree.users["cell_secretary"]
    job = run(tree, rows)
    assert job.counts["create"] == 5
    calls = {"n": 0}
    real = persons.record_step

    def dies_on_the_third(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("mất điện")
        return real(*args, **kwargs)

    monkeypatch.setattr(persons, "record_step", dies_on_the_third)
    actions.begin_commit(job, acting_user=user)
    job = actions.commit(job.pk)
    assert job.status == ImportJob.Status.FAILED and "không có dòng nào được ghi" in job.error
    assert not Person.objects.exists() and not PersonEvent.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="person.").exists()
    assert not AuditLog.objects.filter(action="import.persons").exists()
    # checked again, it commits whole
    monkeypatch.setattr(persons, "record_step", real)
    job = actions.recheck(job, acting_user=user)
    job = actions.check(job.pk)
    actions.begin_commit(job, acting_user=user)
    assert actions.commit(job.pk).status == ImportJob.Status.COMMITTED
    assert Person.objects.count() == 5


def test_a_conflict_found_at_commit_rolls_everything_back(tree):
    rows = [HEAD, person_row(given="An", cid="079304001234"), person_row(given="Bình", cid="079304001235")]
    job = run(tree, rows)
    make_person(tree.cell_a, given_name="Chen", citizen_id="079304001235")  # someone took the ID meanwhile
    actions.begin_commit(job, acting_user=tree.users["cell_secretary"])
    job = actions.commit(job.pk)
    assert job.status == ImportJob.Status.FAILED and "Dòng 3" in job.error
    assert not Person.objects.filter(given_name="An").exists()


# ---------------------------------------------------------------------------------------------- duplicates


def test_a_possible_duplicate_waits_for_a_decision(tree):
    make_person(tree.cell_student, given_name="An", birth_date=D(2004, 3, 15), faculty_class="Lớp A")
    head = HEAD + ["Khoa, lớp"]
    job = run(tree, [head, person_row(given="An") + ["Lớp B"]])
    (row,) = job.result["rows"]
    assert row["status"] == "duplicate" and "Lớp A" not in row["candidates"][0][1]
    assert not actions.can_commit(job)
    # decided: it is the same person
    job = run(tree, [head, person_row(given="An") + ["Lớp B"]], decisions={"2": "update"}, commit=True)
    assert Person.objects.count() == 1 and Person.objects.get().faculty_class == "Lớp B"
    # decided: another person of the same name and birth date
    job = run(tree, [head, person_row(given="An") + ["Lớp C"]], decisions={"2": "create"}, commit=True)
    assert Person.objects.count() == 2


def test_the_same_values_without_a_citizen_id_are_the_same_person(tree):
    make_person(tree.cell_student, given_name="An", birth_date=D(2004, 3, 15))
    job = run(tree, [HEAD, person_row(given="An")])
    assert job.result["rows"][0]["status"] == "unchanged"


def test_accents_and_case_do_not_make_a_new_person(tree):
    make_person(tree.cell_student, given_name="An", birth_date=D(2004, 3, 15), citizen_id="079304001234")
    job = run(tree, [HEAD, person_row(given="AN", family="nguyễn", cid="079304001234")])
    assert job.result["rows"][0]["status"] == "update"  # the name's case is corrected, no new person


# ---------------------------------------------------------------------------------------------- reading


def test_headers_are_matched_without_accents_or_case_and_names_are_nfc(tree):
    head = [
        "ho",
        "TEN DEM",
        "Tên",
        "ngay sinh",
        "GIOI TINH",
        "so cccd",
        "vai tro trong truong",
        "trinh do hoc van",
    ]
    decomposed = "Nguye\u0302\u0303n"  # NFD
    job = run(tree, [head, [decomposed, "Văn", "An", "15/03/2004", "nam", "079304001234", "sinh vien", "dai hoc"]],
              commit=True)  # fmt: skip
    assert job.status == "committed", job.result
    assert Person.objects.get().family_name == "Nguyễn"


def test_a_citizen_id_typed_as_a_number_keeps_its_leading_zero(tree):
    job = run(tree, [HEAD, person_row(cid=79304001234)], commit=True)
    assert Person.objects.get().citizen_id == "079304001234"
    assert "số 0" in job.result["rows"][0]["findings"][0]


def test_an_excel_serial_date_and_text_dates(tree):
    job = run(tree, [HEAD, person_row(birth=38061), person_row(given="Bình", birth=D(2004, 3, 15)),
                     person_row(given="Cúc", birth="2004-03-15")], commit=True)  # fmt: skip
    assert job.written["create"] == 3
    assert set(Person.objects.values_list("birth_date", flat=True)) == {D(2004, 3, 15)}


def test_a_windows_1258_csv_is_detected(tree):
    text = csv_text([HEAD, person_row(family="Trần", middle="Thị Ngọc", given="Hằng", gender="Nữ")])
    job = run(tree, None, data=cp1258(text), filename="danh-sach.csv", commit=True)
    assert job.encoding_used == "cp1258" and job.encoding_guessed
    person = Person.objects.get()
    assert (person.family_name, person.middle_name, person.given_name) == ("Trần", "Thị Ngọc", "Hằng")


def test_a_utf8_csv_with_bom_and_semicolons(tree):
    text = "\n".join(";".join(r) for r in [HEAD, person_row(given="Hằng")])
    job = run(tree, None, data=("\ufeff" + text).encode("utf-8"), filename="a.csv", commit=True)
    assert job.encoding_used == "utf-8-sig" and Person.objects.get().given_name == "Hằng"


def test_the_encoding_can_be_chosen(tree):
    text = csv_text([HEAD, person_row(given="Hằng")])
    table = read_table(cp1258(text), "a.csv", "cp1258")
    assert table.encoding == "cp1258" and not table.encoding_guessed
    with pytest.raises(Unreadable):
        read_table("Hằng".encode("utf-16-le"), "a.csv", "utf-8")


def test_a_guessed_encoding_can_be_changed_and_the_file_read_again(tree):
    text = csv_text([HEAD, person_row(family="Trần", given="Hằng")])
    job = run(tree, None, data=cp1258(text), filename="a.csv")
    assert job.encoding_guessed
    user = tree.users["cell_secretary"]
    job = actions.check(actions.recheck(job, acting_user=user, encoding="cp1252").pk)
    assert job.status == "unreadable"  # read as Western European, even the headers are wrong letters
    job = actions.check(actions.recheck(job, acting_user=user, encoding="cp1258").pk)
    assert job.status == "checked" and job.encoding_used == "cp1258" and not job.encoding_guessed
    assert job.result["rows"][0]["name"] == "Trần Văn Hằng"


def test_a_run_that_stopped_moving_is_shown_as_stopped_and_can_be_checked_again(tree, client):
    """A worker killed during the commit: its transaction never ended, nothing is written; after a while
    without progress the page says so, and the file can be checked and committed again."""
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone

    from ketnap.exchange import progress

    user = tree.users["cell_secretary"]
    job = run(tree, [HEAD, person_row()])
    actions.begin_commit(job, acting_user=user)  # … and the process died here
    progress.clear(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(started_at=timezone.now() - dt.timedelta(minutes=10))
    job.refresh_from_db()
    assert job.status == "committing" and actions.stale(job) and not Person.objects.exists()
    client.force_login(user)
    page = client.get(reverse("import-job", args=[job.pk])).content.decode()
    assert 'id="import-stale"' in page and "Không có dòng nào được ghi" in page
    assert client.get(reverse("import-progress", args=[job.pk]))["HX-Refresh"] == "true"
    client.post(reverse("import-recheck", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "checked"
    client.post(reverse("import-commit", args=[job.pk]))
    assert Person.objects.count() == 1
