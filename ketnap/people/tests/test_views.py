"""People pages: list, export, board, person page, recording steps. Scope answers 404, roles 403."""

import datetime
import io
import re
import warnings

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from ketnap.people import actions
from ketnap.people.models import Person
from ketnap.people.templatetags.ketnap_tags import rule_title
from ketnap.testing import make_person, prepare_applicant

pytestmark = pytest.mark.django_db
D = datetime.date


def login(client, tree, username):
    client.force_login(tree.users[username])
    return client


def today():
    return timezone.localdate()


def applicant_ready(tree, unit=None, **fields):
    """A person with a complete dossier, dated so that a cell vote today is valid."""
    person = make_person(unit or tree.cell_student, **fields)
    return prepare_applicant(person, tree.users["city_admin"], start=today() - datetime.timedelta(days=200))


def cell_approved(tree, **fields):
    person = applicant_ready(tree, **fields)
    actions.record_cell_vote(person, acting_user=tree.users["city_admin"], occurred_on=today(),
                             official_members=13, in_favour=9)  # fmt: skip
    person.refresh_from_db()
    return person


def text(response) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------ anonymous


@pytest.mark.parametrize("name,args", [("person-list", []), ("pipeline", []), ("person-detail", [1]),
                                       ("person-record", [1, "cell_vote"])])  # fmt: skip
def test_anonymous_is_sent_to_login(client, db, name, args):
    response = client.get(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/")


# ------------------------------------------------------------------------------------------ scope


def test_ward_user_sees_nothing_of_another_ward(client, tree):
    mine = make_person(tree.cell_a, family_name="Lê", middle_name="Thị", given_name="Hoa")
    other = make_person(tree.cell_b, family_name="Phạm", middle_name="Văn", given_name="Bảo")
    login(client, tree, "ward_a")

    page = text(client.get(reverse("person-list")))
    assert "Lê Thị Hoa" in page and "Phạm Văn Bảo" not in page
    # Asking for the other ward's cell as a filter does not leak it either.
    page = text(client.get(reverse("person-list"), {"unit": tree.cell_b.pk}))
    assert "Phạm Văn Bảo" not in page

    board = text(client.get(reverse("pipeline")))
    assert "Lê Thị Hoa" in board and "Phạm Văn Bảo" not in board
    assert client.get(reverse("pipeline"), {"unit": tree.cell_b.pk}).status_code == 404

    assert client.get(reverse("person-detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("person-detail", args=[other.pk])).status_code == 404
    assert client.post(reverse("person-record", args=[other.pk, "awareness_class"]),
                       {"occurred_on": "01/11/2026"}).status_code == 404  # fmt: skip

    book = read_xlsx(client.get(reverse("person-list"), {"export": "xlsx"}))
    names = [" ".join(filter(None, row[1:4])) for row in book[1:]]
    assert names == ["Lê Thị Hoa"]


# ------------------------------------------------------------------------------------------ list


def test_search_ignores_accents(client, tree):
    make_person(tree.cell_student, family_name="Nguyễn", middle_name="Văn", given_name="An")
    make_person(tree.cell_student, family_name="Nguyễn", middle_name="Văn", given_name="Ân",
                citizen_id="079204001234")  # fmt: skip
    make_person(tree.cell_student, family_name="Trần", middle_name="Thị", given_name="Bình")
    login(client, tree, "cell_viewer")
    page = text(client.get(reverse("person-list"), {"q": "nguyen van an"}))
    assert "Nguyễn Văn An" in page and "Nguyễn Văn Ân" in page and "Trần Thị Bình" not in page
    page = text(client.get(reverse("person-list"), {"q": "NGUYỄN ân"}))
    assert "Nguyễn Văn Ân" in page and "Nguyễn Văn An" in page
    page = text(client.get(reverse("person-list"), {"q": "079204001234"}))
    assert "Nguyễn Văn Ân" in page and "Trần Thị Bình" not in page
    page = text(client.get(reverse("person-list"), {"q": "binh"}))
    assert "Trần Thị Bình" in page and "Nguyễn" not in page.split('id="person-table"')[1]


def test_htmx_search_returns_only_the_table(client, tree):
    make_person(tree.cell_student, family_name="Nguyễn", middle_name="Văn", given_name="An")
    login(client, tree, "cell_viewer")
    response = client.get(reverse("person-list"), {"q": "nguyen"}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="person-table")  # fmt: skip
    body = text(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div class="card" id="person-table"')
    assert "<html" not in body and "Nguyễn Văn An" in body
    assert "export=xlsx" in body and "q=nguyen" in body


def test_list_is_sorted_in_vietnamese_order_by_given_name(client, tree):
    for family, middle, given in [("Nguyễn", "Văn", "Bình"), ("Trần", "Thị", "Ân"), ("Lê", "Văn", "An"),
                                  ("Phạm", "Thị", "Đào"), ("Võ", "Minh", "Dũng")]:  # fmt: skip
        make_person(tree.cell_student, family_name=family, middle_name=middle, given_name=given)
    login(client, tree, "cell_viewer")
    page = text(client.get(reverse("person-list")))
    found = re.findall(r'class="person-link[^"]*">([^<]+)<', page)
    assert found == ["Lê Văn An", "Trần Thị Ân", "Nguyễn Văn Bình", "Võ Minh Dũng", "Phạm Thị Đào"]
    page = text(client.get(reverse("person-list"), {"sort": "-name"}))
    assert re.findall(r'class="person-link[^"]*">([^<]+)<', page) == list(reversed(found))
    # a sort that names no sortable column keeps the default order (no warning, no error)
    for bad in ("1.5", "name.x", "-", "khong-co", "-name,1.5"):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            page = text(client.get(reverse("person-list"), {"sort": bad}))
        expected = list(reversed(found)) if bad == "-name,1.5" else found
        assert re.findall(r'class="person-link[^"]*">([^<]+)<', page) == expected, bad


def test_filters_stage_school_role_and_unit_subtree(client, tree):
    a = make_person(tree.cell_student, given_name="Sinh", school_role="student")
    b = make_person(tree.cell_staff, given_name="Giảng", school_role="lecturer", school=tree.school_uni)
    make_person(tree.cell_b, given_name="Ngoài")
    actions.record_awareness_class(b, acting_user=tree.users["city_admin"], occurred_on=today())
    login(client, tree, "uni_committee")

    def names(**params):
        page = text(client.get(reverse("person-list"), params))
        return set(re.findall(r'class="person-link[^"]*">([^<]+)<', page))

    assert names() == {a.full_name, b.full_name}
    assert names(stage="SYMPATHISER") == {b.full_name}
    assert names(school_role="student") == {a.full_name}
    assert names(school=tree.school_uni.pk) == {b.full_name}
    assert names(unit=tree.cell_student.pk) == {a.full_name}
    assert names(unit=tree.uni.pk) == {a.full_name, b.full_name}


def test_due_filter_and_home_list_use_next_due(client, tree):
    person = cell_approved(tree, given_name="Hạn")
    make_person(tree.cell_student, given_name="Không")
    login(client, tree, "cell_viewer")
    page = text(client.get(reverse("person-list"), {"due": "due30"}))
    assert person.next_due is not None and person.next_due > today()
    # The decision is due in 60 working days: beyond 30 calendar days, so not listed as soon.
    assert "Nguyễn Văn Hạn" not in page
    Person.objects.filter(pk=person.pk).update(next_due=today() + datetime.timedelta(days=10))
    page = text(client.get(reverse("person-list"), {"due": "due30"}))
    assert "Nguyễn Văn Hạn" in page and "Nguyễn Văn Không" not in page
    home = text(client.get(reverse("home")))
    due = (today() + datetime.timedelta(days=10)).strftime("%d/%m/%Y")
    assert "Nguyễn Văn Hạn" in home and due in home and "Hạn quyết định kết nạp" in home


def test_export_has_exactly_the_filtered_rows_of_every_page(client, tree):
    for i in range(55):
        make_person(tree.cell_student, family_name="Nguyễn", middle_name="Văn", given_name=f"An{i:02d}")
    for i in range(7):
        make_person(tree.cell_student, family_name="Trần", middle_name="Thị", given_name=f"Bình{i}")
    login(client, tree, "cell_viewer")
    listing = text(client.get(reverse("person-list"), {"q": "nguyen"}))
    assert len(re.findall(r'class="person-link', listing)) == 50  # one page
    response = client.get(reverse("person-list"), {"q": "nguyen", "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and "filename*=UTF-8''Danh%20s%C3%A1ch" in disposition
    rows = read_xlsx(response)
    assert rows[0][:5] == ["STT", "Họ", "Tên đệm", "Tên", "Ngày sinh"]
    assert len(rows) == 1 + 55
    assert {r[3] for r in rows[1:]} == {f"An{i:02d}" for i in range(55)}
    assert rows[1][4] == datetime.datetime(2004, 3, 15)  # a real date…
    assert rows[1][7] == "Quần chúng ưu tú (nguồn)"


def test_export_dates_are_shown_dd_mm_yyyy(client, tree):
    make_person(tree.cell_student)
    login(client, tree, "cell_viewer")
    response = client.get(reverse("person-list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=5).number_format == "dd/mm/yyyy"


def test_list_renders_without_n_plus_one(client, tree, django_assert_max_num_queries):
    for i in range(40):
        make_person(
            tree.cell_student if i % 2 else tree.cell_staff, given_name=f"Tên{i}", school=tree.school_uni
        )
    login(client, tree, "city_viewer")
    client.get(reverse("person-list"))  # warm the session
    with django_assert_max_num_queries(14):
        response = client.get(reverse("person-list"))
    assert response.status_code == 200


def test_pages_show_dates_dd_mm_yyyy(client, tree):
    person = make_person(tree.cell_student, birth_date=D(2004, 3, 5))
    login(client, tree, "cell_viewer")
    assert "05/03/2004" in text(client.get(reverse("person-list")))
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    assert "05/03/2004" in page and "2004-03-05" not in page


# ------------------------------------------------------------------------------------------ board


def test_board_counts_and_columns(client, tree):
    approved = cell_approved(tree, given_name="Xét")
    make_person(tree.cell_student, given_name="Nguồn")
    login(client, tree, "cell_viewer")
    page = text(client.get(reverse("pipeline")))
    column = page.split('data-stage="CELL_APPROVED"')[1].split("</section>")[0]
    assert "Chi bộ đã xét" in column and approved.full_name in column
    source = page.split('data-stage="SOURCE"')[1].split("</section>")[0]
    assert "Nguyễn Văn Nguồn" in source and approved.full_name not in source


def test_board_queries_are_bounded(client, tree, django_assert_max_num_queries):
    for i in range(30):
        make_person(tree.cell_student, given_name=f"Tên{i}")
    login(client, tree, "city_viewer")
    client.get(reverse("pipeline"))
    # one capped count per stage (8), the blocked ones, the cards, + 2 for the cells' schools, + 2 for the
    # unit picker (is the list long? its rows) — whatever the number of persons or cards
    with django_assert_max_num_queries(21):
        page = client.get(reverse("pipeline"))
        assert page.status_code == 200
    assert (
        "Chi bộ Sinh viên Khoa Công nghệ thông tin — Trường Đại học Khoa học Tự nhiên"
        in page.content.decode()
    )


# ------------------------------------------------------------------------------------------ person page


def test_person_page_shows_ledger_deadlines_checklist_and_citations(client, tree):
    person = applicant_ready(tree)
    login(client, tree, "cell_secretary")
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    assert "Đối tượng kết nạp" in page
    assert "Học lớp bồi dưỡng nhận thức về Đảng" in page and "Thẩm tra, xác minh lý lịch" in page
    assert 'id="checklist"' in page and "Căn cứ:" in page
    assert 'id="form-cell_vote"' in page and 'name="official_members"' in page
    assert 'id="id_cell_vote_official_members"' in page


def test_cell_vote_refused_shows_citation_and_keeps_values_then_nine_of_thirteen_moves_stage(client, tree):
    person = applicant_ready(tree)
    login(client, tree, "cell_secretary")
    url = reverse("person-record", args=[person.pk, "cell_vote"])
    on = today().strftime("%d/%m/%Y")
    response = client.post(url, {"occurred_on": on, "official_members": "13", "in_favour": "8"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    body = text(response)
    assert response.status_code == 200
    assert "alert alert-danger" in body
    title = rule_title("CELL_VOTE")
    assert re.search(rf"<strong>{re.escape(title)}</strong> — [^<]+\(Căn cứ: [^)]+", body)
    assert 'value="13"' in body and 'value="8"' in body and f'value="{on}"' in body
    person.refresh_from_db()
    assert person.stage == "APPLICANT" and not person.events.filter(kind="cell_vote").exists()

    response = client.post(url, {"occurred_on": on, "official_members": "13", "in_favour": "9"},
                           HTTP_HX_REQUEST="true")  # fmt: skip
    assert response.status_code == 200 and response["HX-Redirect"] == reverse(
        "person-detail", args=[person.pk]
    )
    person.refresh_from_db()
    assert person.stage == "CELL_APPROVED"
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    assert "Chi bộ đã xét" in page and "Đã ghi: Chi bộ xét kết nạp" in page
    assert "còn " in page and "ngày làm việc" in page  # the decision deadline in working days
    board = text(client.get(reverse("pipeline")))
    assert person.full_name in board.split('data-stage="CELL_APPROVED"')[1].split("</section>")[0]


def test_refusal_without_htmx_renders_the_whole_page_with_the_form(client, tree):
    person = applicant_ready(tree)
    login(client, tree, "cell_secretary")
    response = client.post(reverse("person-record", args=[person.pk, "cell_vote"]),
                           {"occurred_on": today().strftime("%d/%m/%Y"), "official_members": "13",
                            "in_favour": "8"})  # fmt: skip
    body = text(response)
    assert response.status_code == 200 and "<html" in body
    plain = re.sub(r"</?strong[^>]*>", "", body)
    assert f"{rule_title('CELL_VOTE')} — " in plain and "Căn cứ:" in plain


def test_invalid_date_and_counts_are_reported_in_vietnamese(client, tree):
    person = applicant_ready(tree)
    login(client, tree, "cell_secretary")
    url = reverse("person-record", args=[person.pk, "cell_vote"])
    body = text(client.post(url, {"occurred_on": "31/02/2026", "official_members": "13", "in_favour": "14"},
                            HTTP_HX_REQUEST="true"))  # fmt: skip
    assert "dd/mm/yyyy" in body and "Số tán thành không được lớn hơn" in body
    future = (today() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    body = text(client.post(url, {"occurred_on": future, "official_members": "13", "in_favour": "9"},
                            HTTP_HX_REQUEST="true"))  # fmt: skip
    assert "không được sau ngày hôm nay" in body


# role × kind: the cell's viewer, clerk and secretary, and the university committee.
ROLE_USERS = {"viewer": "cell_viewer", "clerk": "cell_clerk", "secretary": "cell_secretary",
              "committee": "uni_committee"}  # fmt: skip
ALLOWED = {
    "viewer": set(),
    "clerk": {"prepare"},
    "secretary": {"prepare", "cell_vote"},
    "committee": {"prepare", "cell_vote", "decide"},
}


@pytest.mark.parametrize("role", list(ROLE_USERS))
@pytest.mark.parametrize("what", ["prepare", "cell_vote", "decide"])
def test_role_matrix_on_the_record_endpoint(client, tree, role, what):
    on = today().strftime("%d/%m/%Y")
    if what == "prepare":
        person = make_person(tree.cell_student)
        kind, data, stage_after = "awareness_class", {"occurred_on": on}, "SYMPATHISER"
    elif what == "cell_vote":
        person = applicant_ready(tree)
        kind, data = "cell_vote", {"occurred_on": on, "official_members": 13, "in_favour": 9}
        stage_after = "CELL_APPROVED"
    else:
        person = cell_approved(tree)
        kind, data = "committee_vote", {"occurred_on": on, "members": 9, "in_favour": 7}
        stage_after = "COMMITTEE_APPROVED"
    login(client, tree, ROLE_USERS[role])
    response = client.post(reverse("person-record", args=[person.pk, kind]), data)
    person.refresh_from_db()
    if what in ALLOWED[role]:
        assert response.status_code == 302, text(response)[:2000]
        assert person.stage == stage_after
    else:
        assert response.status_code == 403
        assert person.events.filter(kind=kind).count() == 0
    # The page only offers the forms the role permits.
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    if what not in ALLOWED[role]:
        assert f'id="form-{kind}"' not in page


def test_decision_form_offers_only_permitted_deciders_and_records(client, tree):
    person = cell_approved(tree)
    actions.record_committee_vote(person, acting_user=tree.users["city_admin"], occurred_on=today(), members=9,
                                  in_favour=7)  # fmt: skip
    login(client, tree, "uni_committee")
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    assert 'id="form-decision"' in page
    form = page.split('id="form-decision"')[1].split("</form>")[0]
    assert (
        tree.uni.name in form and tree.upper.name not in form
    )  # uni_committee cannot act for the upper level
    response = client.post(reverse("person-record", args=[person.pk, "decision"]), {
        "occurred_on": today().strftime("%d/%m/%Y"), "decider": tree.uni.pk, "number": "12-QĐ/ĐU",
        "members": 9, "in_favour": 8,
    })  # fmt: skip
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.stage == "ADMITTED"


def test_mentor_form_lists_official_members_in_scope(client, tree):
    person = make_person(tree.cell_student, given_name="Mới")
    mentor = make_person(tree.cell_staff, given_name="Cũ")
    Person.objects.filter(pk=mentor.pk).update(stage="OFFICIAL")
    outsider = make_person(tree.cell_b, given_name="Ngoài")
    Person.objects.filter(pk=outsider.pk).update(stage="OFFICIAL")
    login(client, tree, "uni_committee")
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    form = page.split('id="form-mentor_assigned"')[1].split("</form>")[0]
    assert "Nguyễn Văn Cũ" in form and "Nguyễn Văn Ngoài" not in form
    response = client.post(reverse("person-record", args=[person.pk, "mentor_assigned"]),
                           {"occurred_on": today().strftime("%d/%m/%Y"), "mentor": mentor.pk})  # fmt: skip
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.mentor_id == mentor.pk


def test_correction_is_shown_as_such_in_the_timeline(client, tree):
    person = make_person(tree.cell_student)
    event = actions.record_awareness_class(person, acting_user=tree.users["city_admin"],
                                           occurred_on=today() - datetime.timedelta(days=5))  # fmt: skip
    actions.correct_event(event, acting_user=tree.users["city_admin"],
                          occurred_on=today() - datetime.timedelta(days=4), note="Ghi nhầm ngày")  # fmt: skip
    login(client, tree, "cell_viewer")
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    assert "Đính chính" in page and "đã được đính chính" in page and "Ghi nhầm ngày" in page


def test_unknown_kind_is_404_and_get_shows_the_form(client, tree):
    person = make_person(tree.cell_student)
    login(client, tree, "cell_clerk")
    assert client.get(reverse("person-record", args=[person.pk, "nonsense"])).status_code == 404
    response = client.get(reverse("person-record", args=[person.pk, "awareness_class"]))
    assert response.status_code == 200 and 'id="form-awareness_class"' in text(response)


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_fast_scope_queries_return_exactly_the_visible_persons(tree):
    from ketnap.people import queries

    for unit in (tree.cell_student, tree.cell_staff, tree.cell_a, tree.cell_b):
        make_person(unit, given_name=unit.code)
    for username, user in tree.users.items():
        fast = set(queries.persons_for(user).values_list("pk", flat=True))
        assert fast == set(Person.objects.visible_to(user).values_list("pk", flat=True)), username
    whole = set(queries.persons_in_subtree(queries.persons_for(tree.users["city_admin"]), tree.uni).values_list(
        "pk", flat=True))  # fmt: skip
    assert whole == set(
        Person.objects.filter(unit__path__startswith=tree.uni.path).values_list("pk", flat=True)
    )


def test_page_says_who_records_the_next_step_when_the_role_cannot(client, tree):
    person = cell_approved(tree)
    login(client, tree, "cell_secretary")
    page = text(client.get(reverse("person-detail", args=[person.pk])))
    waiting = page.split('id="waiting"')[1].split("</div>")[0]
    assert "Đảng ủy cơ sở xét" in waiting and 'id="form-committee_vote"' not in page


def test_htmx_search_pushes_a_clean_address(client, tree):
    login(client, tree, "cell_viewer")
    response = client.get(reverse("person-list"), {"q": "an", "stage": "", "unit": ""}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="person-table")  # fmt: skip
    assert response["HX-Push-Url"] == reverse("person-list") + "?q=an"
