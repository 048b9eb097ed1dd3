"""The papers' pages: a step's paper is served to those who may open the person page (404 otherwise), never
cached; the first print by someone who may record the step numbers it (audited), a reprint keeps the number, a
viewer's copy leaves an unissued number blank; the person page offers each step's paper and the dossier; the
letters between organisations and the annual review as Word and PDF; the tree as it stood on the paper's date;
`ketnap forms`."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.http import Http404
from django.urls import reverse

from ketnap.core.models import AuditLog
from ketnap.orgs.actions import move_unit
from ketnap.orgs.models import OrgUnit
from ketnap.papers import build, words
from ketnap.papers.models import PaperNumber
from ketnap.papers.tests.builders import docx_text, full_path, pdf_pages, pdf_text
from ketnap.testing import build_tree

pytestmark = pytest.mark.django_db


def paper_url(person, code, kind, fmt="pdf"):
    event = person.events.filter(kind=kind, corrects__isnull=True).order_by("id").first()
    slug = next(f.slug for f in build.FORMS if f.code == code)
    return reverse("paper-person", args=[person.pk, slug, event.pk, fmt])


def as_user(client, tree, username):
    client.force_login(tree.users[username])
    return client


@pytest.fixture
def voted(tree):
    """An applicant whose cell vote is recorded (the secretary's next paper: 6-KNĐ)."""
    return full_path(tree, until="cell_vote")


def test_the_secretary_downloads_the_cell_resolution_numbered_once(client, tree, voted):
    as_user(client, tree, "cell_secretary")
    response = client.get(paper_url(voted, "6-KNĐ", "cell_vote"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    assert "M%E1%BA%ABu%206-KN%C4%90" in response["Content-Disposition"]  # "Mẫu 6-KNĐ …" (RFC 5987)
    row = PaperNumber.objects.get(person=voted, form="6-KNĐ")
    assert (row.unit, row.year, row.number, row.issued_by) == (
        tree.cell_student, 2024, "01-NQ/CB", tree.users["cell_secretary"])  # fmt: skip
    assert f"Số {row.number}" in pdf_text(response.content)
    audit = AuditLog.objects.filter(action="paper.number", object_id=str(row.pk)).get()
    assert audit.actor == tree.users["cell_secretary"] and "01-NQ/CB" in audit.summary

    again = client.get(paper_url(voted, "6-KNĐ", "cell_vote", "docx"))  # a reprint, as Word: the same number
    assert again.status_code == 200 and "no-store" in again["Cache-Control"]
    assert "Số 01-NQ/CB" in docx_text(again.content)
    assert PaperNumber.objects.filter(person=voted).count() == 1
    assert AuditLog.objects.filter(action="paper.number").count() == 1


def test_a_viewer_prints_the_paper_without_issuing_its_number(client, tree, voted):
    as_user(client, tree, "cell_viewer")
    response = client.get(paper_url(voted, "6-KNĐ", "cell_vote"))
    assert response.status_code == 200
    assert "Số ……-NQ/CB" in pdf_text(response.content)  # to be numbered by those who may issue it
    assert not PaperNumber.objects.exists()
    as_user(client, tree, "cell_secretary").get(paper_url(voted, "6-KNĐ", "cell_vote"))
    as_user(client, tree, "cell_viewer")
    assert "Số 01-NQ/CB" in pdf_text(client.get(paper_url(voted, "6-KNĐ", "cell_vote")).content)


def test_the_committees_resolution_is_numbered_by_the_committee_not_by_the_cell(client, tree):
    person = full_path(tree, until="committee_vote")
    url = paper_url(person, "8-KNĐ", "committee_vote")
    as_user(client, tree, "cell_secretary")
    assert "Số ……-NQ/ĐU" in pdf_text(client.get(url).content)
    assert not PaperNumber.objects.filter(form="8-KNĐ").exists()
    as_user(client, tree, "uni_committee")
    assert "Số 01-NQ/ĐU" in pdf_text(client.get(url).content)
    row = PaperNumber.objects.get(form="8-KNĐ")
    assert (row.unit, row.issued_by) == (tree.uni, tree.users["uni_committee"])


def test_numbering_refuses_a_user_who_may_not_issue_it(tree):
    from django.core.exceptions import PermissionDenied

    from ketnap.papers import actions

    person = full_path(tree, until="committee_vote")
    events = list(person.events.all())
    facts = build.Facts.of(person, events)
    refs = [r for r in build.refs_for(person, events) if r.form.code == "8-KNĐ"]
    with pytest.raises(PermissionDenied):
        actions.issue_numbers(person, refs, facts, acting_user=tree.users["cell_secretary"])
    with pytest.raises(Http404):
        actions.issue_numbers(person, refs, facts, acting_user=tree.users["secretary_a"])
    assert not PaperNumber.objects.exists()


@pytest.mark.parametrize("username", ["secretary_a", "ward_a", "ward_a_viewer"])
def test_papers_of_a_person_out_of_scope_are_not_found(client, tree, voted, username):
    as_user(client, tree, username)
    for url in [
        paper_url(voted, "6-KNĐ", "cell_vote"),
        paper_url(voted, "3-KNĐ", "member_introduction", "docx"),
        reverse("paper-dossier", args=[voted.pk]),
        reverse("paper-blank", args=[voted.pk, "1-knd", "pdf"]),
    ]:
        assert client.get(url).status_code == 404, url
    assert not PaperNumber.objects.exists()


def test_anonymous_users_are_sent_to_the_login_page(client, voted):
    response = client.get(paper_url(voted, "6-KNĐ", "cell_vote"))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_a_paper_the_ledger_does_not_support_is_not_found(client, tree, voted):
    as_user(client, tree, "cell_secretary")
    vote = voted.events.get(kind="cell_vote")
    application = voted.events.get(kind="application")
    other = full_path(tree, until="application", citizen_id="079303009999", given_name="Bình")
    for url in [
        reverse("paper-person", args=[voted.pk, "9-knd", vote.pk, "pdf"]),  # no decision yet
        reverse("paper-person", args=[voted.pk, "6-knd", application.pk, "pdf"]),  # not a vote
        reverse("paper-person", args=[other.pk, "6-knd", vote.pk, "pdf"]),  # someone else's vote
        reverse("paper-person", args=[voted.pk, "99-knd", vote.pk, "pdf"]),
        reverse("paper-blank", args=[voted.pk, "6-knd", "pdf"]),  # not a form written by hand
    ]:
        assert client.get(url).status_code == 404, url
    assert client.get(f"/giay-to/nguoi/{voted.pk}/6-knd/{vote.pk}.odt").status_code == 404


def test_the_person_page_offers_each_steps_paper_and_the_dossier(client, tree, voted):
    as_user(client, tree, "cell_clerk")
    html = client.get(reverse("person-detail", args=[voted.pk])).content.decode()
    for code, kind in [("1-KNĐ", "application"), ("3-KNĐ", "member_introduction"), ("4-KNĐ",
                       "youth_union_introduction"), ("5-KNĐ", "comments"), ("6-KNĐ", "cell_vote")]:  # fmt: skip
        assert paper_url(voted, code, kind) in html and paper_url(voted, code, kind, "docx") in html
    assert reverse("paper-dossier", args=[voted.pk]) in html
    vote = voted.events.get(kind="cell_vote")
    assert f"6-KNĐ:{vote.pk}" not in html  # no register key shown


def test_a_voided_step_offers_no_paper(client, tree, voted):
    from ketnap.people import actions

    letter = voted.events.filter(kind="member_introduction").order_by("id").last()
    actions.correct_event(letter, acting_user=tree.users["cell_clerk"], void=True, note="Ghi trùng")
    as_user(client, tree, "cell_clerk")
    html = client.get(reverse("person-detail", args=[voted.pk])).content.decode()
    url = reverse("paper-person", args=[voted.pk, "3-knd", letter.pk, "pdf"])
    assert url not in html
    assert client.get(url).status_code == 404


def test_a_corrected_vote_prints_the_corrected_counts_under_the_same_number(client, tree, voted):
    from ketnap.people import actions

    as_user(client, tree, "cell_secretary")
    url = paper_url(voted, "6-KNĐ", "cell_vote")
    assert "đạt 69,23%" in pdf_text(client.get(url).content)
    vote = voted.events.get(kind="cell_vote")
    actions.correct_event(vote, acting_user=tree.users["cell_secretary"], note="Đếm lại phiếu",
                          data={**vote.data, "in_favour": 10})  # fmt: skip
    text = pdf_text(client.get(url).content)
    assert "đạt 76,92%" in text and "Số 01-NQ/CB" in text
    assert PaperNumber.objects.count() == 1


def test_two_applicants_papers_of_one_cell_get_consecutive_numbers(client, tree, voted):
    other = full_path(tree, until="cell_vote", citizen_id="079303009999", given_name="Bình")
    as_user(client, tree, "cell_secretary")
    client.get(paper_url(voted, "6-KNĐ", "cell_vote"))
    client.get(paper_url(other, "6-KNĐ", "cell_vote"))
    client.get(paper_url(other, "5-KNĐ", "comments"))
    assert list(PaperNumber.objects.filter(unit=tree.cell_student, year=2024).order_by("seq").values_list(
        "seq", "number")) == [(1, "01-NQ/CB"), (2, "02-NQ/CB"), (3, "03-BC/CB")]  # fmt: skip


def test_the_whole_dossier_is_one_pdf_with_its_list_of_contents(client, tree):
    person = full_path(tree)
    as_user(client, tree, "uni_committee")
    response = client.get(reverse("paper-dossier", args=[person.pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Danh mục hồ sơ" in text and person.full_name in text
    position = text.index("Danh mục hồ sơ")
    for title in ["ĐƠN XIN VÀO ĐẢNG", "LÝ LỊCH CỦA NGƯỜI XIN VÀO ĐẢNG", "GIẤY GIỚI THIỆU NGƯỜI VÀO ĐẢNG",
                  "giới thiệu đoàn viên ưu tú vào Đảng", "TỔNG HỢP Ý KIẾN NHẬN XÉT", "QUYẾT ĐỊNH kết nạp đảng viên",
                  "BẢN TỰ KIỂM ĐIỂM", "BẢN NHẬN XÉT", "QUYẾT ĐỊNH công nhận đảng viên chính thức"]:  # fmt: skip
        position = text.index(title, position + 1)  # each after the one before: the guide's order
    assert "thẩm định nghị quyết đề nghị kết nạp" not in text  # 7-KNĐ: only where a partial committee exists
    assert pdf_pages(response.content) >= 15


def test_a_paper_names_the_organisations_as_the_tree_stood_on_its_date(client, tree, voted):
    """The student cell moves to another grassroots committee later: its resolution still names the old one."""
    new_home = OrgUnit.objects.create(name="Đảng ủy Trường Đại học Bách khoa", code="BK", kind="grassroots",
                                      parent=tree.upper)  # fmt: skip
    new_home.path = tree.upper.path + f"{new_home.pk:07d}."
    new_home.depth = tree.upper.depth + 1
    new_home.save()
    from ketnap.orgs.models import OrgLink

    OrgLink.objects.filter(child=tree.cell_student).update(valid_from=datetime.date(2015, 9, 1))
    move_unit(tree.cell_student, new_home, acting_user=tree.users["city_admin"], on=datetime.date(2025, 9, 1))
    as_user(client, tree, "cell_secretary")
    text = pdf_text(client.get(paper_url(voted, "6-KNĐ", "cell_vote")).content)
    assert "ĐẢNG BỘ TRƯỜNG ĐẠI HỌC KHOA HỌC TỰ NHIÊN" in text
    assert "Đảng ủy Trường Đại học Khoa học Tự nhiên xem xét" in text
    assert "BÁCH KHOA" not in text.upper()


def test_blank_application_and_biography_forms_for_a_sympathiser(client, tree):
    person = full_path(tree, until="awareness_class")
    as_user(client, tree, "cell_clerk")
    for slug, title in [("1-knd", "ĐƠN XIN VÀO ĐẢNG"), ("2-knd", "LÝ LỊCH CỦA NGƯỜI XIN VÀO ĐẢNG")]:
        for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
            response = client.get(reverse("paper-blank", args=[person.pk, slug, fmt]))
            assert response.status_code == 200 and "no-store" in response["Cache-Control"]
            text = read(response.content)
            assert title in text and person.full_name in text and "ngày … tháng … năm ……" in text


def test_letters_between_organisations_as_word_and_pdf(client, tree):
    from ketnap.interorg import actions
    from ketnap.interorg.models import Kind

    person = full_path(tree, until="biography")
    req = actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.VERIFICATION, person=person,
                           sender=tree.uni, receiver=tree.ward_b, sent_on=datetime.date.today())  # fmt: skip
    as_user(client, tree, "cell_clerk")
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        response = client.get(reverse("paper-letter", args=[req.pk, fmt]))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        text = read(response.content)
        for needle in [
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            person.full_name,
            tree.ward_b.name,
            f"Số {req.number}",
            words.day_words(req.sent_on),
            "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC KHOA HỌC TỰ NHIÊN",
        ]:
            assert needle in text, (fmt, needle)
    as_user(client, tree, "secretary_a")
    assert client.get(reverse("paper-letter", args=[req.pk, "pdf"])).status_code == 404


def test_the_annual_review_as_word_and_pdf(client, tree):
    as_user(client, tree, "uni_committee")
    for fmt, read in (("pdf", pdf_text), ("docx", docx_text)):
        response = client.get(reverse("paper-review", args=[tree.uni.pk, fmt]))
        assert response.status_code == 200 and "no-store" in response["Cache-Control"]
        text = read(response.content)
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "BÁO CÁO" in text
        assert "ĐẢNG ỦY TRƯỜNG ĐẠI HỌC KHOA HỌC TỰ NHIÊN" in text and "Kết quả thực hiện các chỉ tiêu" in text
    assert client.get(reverse("paper-review", args=[tree.uni.pk, "pdf"]) + "?ky=XX").status_code == 404
    as_user(client, tree, "secretary_a")
    assert client.get(reverse("paper-review", args=[tree.uni.pk, "pdf"])).status_code == 404


def test_the_forms_command_writes_every_paper_and_lists_them(tree, tmp_path):
    person = full_path(tree, until="decision")
    out = io.StringIO()
    call_command("forms", str(person.pk), out=str(tmp_path / "giay-to"), stdout=out)
    files = sorted(p.name for p in (tmp_path / "giay-to").iterdir())
    listed = out.getvalue()
    assert person.full_name in listed
    for code in ["1-KNĐ", "2-KNĐ", "3-KNĐ", "3A-KNĐ", "4-KNĐ", "5-KNĐ", "6-KNĐ", "7-KNĐ", "8-KNĐ", "9-KNĐ"]:
        assert any(f.startswith(f"Mẫu {code} ") and f.endswith(".pdf") for f in files), code
        assert any(f.startswith(f"Mẫu {code} ") and f.endswith(".docx") for f in files), code
        assert f"mẫu {code}" in listed
    assert not any("10-KNĐ" in f for f in files)  # the recognition file is not in this ledger yet
    # The command numbers what was not numbered yet, as the system (audited, without a user).
    row = PaperNumber.objects.get(person=person, form="6-KNĐ")
    assert row.issued_by is None and AuditLog.objects.filter(action="paper.number", actor=None).exists()


@pytest.mark.parametrize("arg", ["999999", "abc"])
def test_the_forms_command_exits_2_for_an_unknown_person(db, tmp_path, arg):
    build_tree()
    err = io.StringIO()
    with pytest.raises(SystemExit) as exc:
        call_command("forms", arg, out=str(tmp_path), stderr=err)
    assert exc.value.code == 2
    assert "Không có người" in err.getvalue()
