"""Every paper the ledger supports opens as Word (python-docx) and as PDF (text extracted by pypdf) and says what
the ledger knows: the person's full name with diacritics, the unit's name, the paper's number, the date in
words, and the party's heading."""

import io

import pytest

from ketnap.papers import build, documents, words
from ketnap.papers.catalog import FORMS
from ketnap.papers.models import PaperNumber
from ketnap.papers.tests.builders import docx_text, full_path, pdf_text

pytestmark = pytest.mark.django_db

UNION_HEADINGS = {"4-KNĐ": "ĐOÀN TNCS HỒ CHÍ MINH", "4A-KNĐ": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"}


@pytest.fixture
def path(tree):
    """A person who went the whole path; ``papers(*codes)`` renders their papers (numbers issued by the
    system), as (ref, rendered, docx bytes, pdf bytes)."""
    person = full_path(tree)
    events = list(person.events.all())

    def papers(*codes):
        out = []
        for ref, rendered in documents.all_papers(person, events, system=True):
            if not codes or ref.form.code in codes:
                out.append((ref, rendered, rendered.docx(), rendered.pdf()))
        return out

    return tree, person, papers


def one(papers, code):
    return next(p for p in papers(code) if p[0].form.code == code)


def expected(ref, person, tree):
    """What a reader must find on the paper."""
    out = [
        person.full_name,
        tree.cell_student.name,
        UNION_HEADINGS.get(ref.form.code, "ĐẢNG CỘNG SẢN VIỆT NAM"),
    ]
    if ref.day is not None:
        out.append(words.day_words(ref.day))
    elif ref.form.code == "15-KNĐ":  # the committee's date is written by hand; the cell's resolution is cited
        out.append(words.day_words(ref.event.occurred_on))
    return out


def test_the_whole_path_gives_every_form_of_the_guide(path):
    _, person, _ = path
    codes = [ref.form.code for ref in build.refs_for(person, person.events.all())]
    assert codes.count("3-KNĐ") == 2  # one letter per introducing member, and their joint letter (3A-KNĐ)
    # 1-KNĐ … 15-KNĐ and the recognition decision, in the guide's order (no trade union introduced her).
    assert list(dict.fromkeys(codes)) == [f.code for f in FORMS if f.code != "4A-KNĐ"]


def test_each_paper_as_word_and_pdf_names_the_person_unit_number_and_date(path):
    tree, person, papers = path
    rendered = papers()
    numbers = documents.actions.numbers_of(person)
    facts = build.Facts.of(person, person.events.all(), numbers)
    assert len(rendered) == len(build.refs_for(person, person.events.all()))
    for ref, _, docx, pdf in rendered:
        code = ref.form.code
        assert docx[:2] == b"PK" and pdf[:5] == b"%PDF-"
        number = build.number_for(ref, facts)
        for text, what in ((docx_text(docx), "Word"), (pdf_text(pdf), "PDF")):
            for needle in expected(ref, person, tree):
                assert needle in text, f"{code} ({what}): {needle!r} missing"
            if ref.form.numbered or ref.form.typed_number:
                assert number and f"Số {number}" in text, f"{code} ({what}): number {number!r} missing"
            assert "None" not in text and "{{" not in text and "KNĐ:" not in text, f"{code} ({what})"


def test_the_numbers_are_those_of_the_register_and_the_ledger(path):
    tree, person, papers = path
    refs = [ref for ref, *_ in papers()]
    numbers = documents.actions.numbers_of(person)
    by_code = {ref.form.code: numbers.get(ref.key) for ref in refs}
    # The cell numbers its 2024 papers 01, 02 … (report, then resolution); the grassroots committee its own.
    assert by_code["5-KNĐ"] == "01-BC/CB" and by_code["6-KNĐ"] == "02-NQ/CB"
    assert by_code["8-KNĐ"] == "01-NQ/ĐU"
    assert (
        by_code["9-KNĐ"] == "31-QĐ/ĐU"
    )  # typed by the committee that decided: recorded, never handed out again
    assert by_code["4-KNĐ"] is None  # the Youth Union's own number is printed, not registered by the party
    assert by_code["13-KNĐ"] == "02-NQ/CB" and by_code["12-KNĐ"] == "01-BC/CB"  # 2025 starts again at 01
    rows = PaperNumber.objects.filter(person=person)
    assert len({(r.unit_id, r.year, r.number) for r in rows}) == rows.count() == len(numbers) == 8


def test_a_resolution_cites_the_number_and_date_of_the_one_before_it(path):
    _, person, papers = path
    rendered = papers("6-KNĐ", "8-KNĐ", "9-KNĐ")
    numbers = documents.actions.numbers_of(person)
    cell_vote = person.events.get(kind="cell_vote")
    text = next(pdf_text(pdf) for ref, _, _, pdf in rendered if ref.form.code == "8-KNĐ")
    assert (
        f"Nghị quyết số {numbers[f'6-KNĐ:{cell_vote.pk}']} {words.day_words(cell_vote.occurred_on)}" in text
    )
    decision = next(pdf_text(pdf) for ref, _, _, pdf in rendered if ref.form.code == "9-KNĐ")
    assert "Kết nạp quần chúng Trương Thị Ngọc Ánh, sinh ngày 07/02/2003" in decision


def test_vote_counts_and_percentages_are_the_ledgers(path):
    _, _, papers = path
    six = pdf_text(one(papers, "6-KNĐ")[3])
    assert "9 đồng chí, đạt 69,23% so với tổng số đảng viên chính thức" in six
    assert ": 13 đồng chí" in six
    thirteen = docx_text(one(papers, "13-KNĐ")[2])
    assert "13 đồng chí, đạt 92,86%" in thirteen


def test_what_the_ledger_does_not_know_is_left_to_fill_by_hand(path):
    _, _, papers = path
    six = docx_text(one(papers, "6-KNĐ")[2])
    assert f"Quê quán: {words.DOTS_LONG}" in six  # the birthplace is not in the ledger: never invented
    assert f"có mặt: {words.DOTS} đồng chí" in six


def test_the_pdf_embeds_liberation_serif_2_and_nothing_else(path):
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    _, _, papers = path
    pdf = one(papers, "9-KNĐ")[3]
    fonts = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f"{font['/BaseFont']} is not embedded"
            ttf = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
            fonts[str(font["/BaseFont"]).split("+")[-1]] = (
                ttf["name"].getDebugName(1),
                ttf["name"].getDebugName(5),
            )
    assert fonts, "no font in the PDF"
    for family, version in fonts.values():
        assert family == "Liberation Serif" and version.startswith("Version 2."), fonts
    assert {"Liberation-Serif", "Liberation-Serif-Bold", "Liberation-Serif-Italic"} <= set(fonts)


def test_the_word_file_is_a4_with_the_guides_margins_in_times_new_roman(path):
    from docx import Document

    _, _, papers = path
    doc = Document(io.BytesIO(one(papers, "6-KNĐ")[2]))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                  section.right_margin)] == [20, 20, 30, 15]  # fmt: skip
    assert doc.styles["Normal"].font.name == "Times New Roman" and doc.styles["Normal"].font.size.pt == 14


def test_a_trade_union_introduction_gives_form_4a(tree):
    """A teacher of a cell where there is no Youth Union: the trade union's resolution introduces her."""
    import datetime

    from ketnap.people import actions as a
    from ketnap.testing import make_person

    tree.cell_staff.has_youth_union = False
    tree.cell_staff.save()
    clerk = tree.users["city_admin"]
    person = make_person(tree.cell_staff, family_name="Huỳnh", middle_name="Thị Thu", given_name="Hương",
                         gender="F", birth_date=datetime.date(1990, 4, 1), school_role="lecturer",
                         youth_union_member=False, excellent_youth_union_member=False)  # fmt: skip
    day = datetime.date(2025, 9, 8)
    a.record_awareness_class(person, acting_user=clerk, occurred_on=day)
    a.record_document(person, "application", acting_user=clerk, occurred_on=day + datetime.timedelta(days=10))
    a.record_union_introduction(person, acting_user=clerk, occurred_on=day + datetime.timedelta(days=20),
                                trade_union=True, number="03-NQ/CĐCS")  # fmt: skip
    events = list(person.events.all())
    ref = next(r for r in build.refs_for(person, events) if r.form.code == "4A-KNĐ")
    rendered = documents.one_paper(person, events, ref, system=True)
    for text in (docx_text(rendered.docx()), pdf_text(rendered.pdf())):
        for needle in [
            "Huỳnh Thị Thu Hương",
            tree.cell_staff.name,
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
            "ngày 28 tháng 9 năm 2025",
            "Số 03-NQ/CĐCS",
            "giới thiệu đoàn viên công đoàn vào Đảng",
        ]:
            assert needle in text


def test_an_introducer_in_the_system_is_described_from_their_own_record(tree):
    """3-KNĐ: the introducing member's date of admission and cell come from their record, not typed again."""
    import datetime

    from ketnap.interorg.tests.conftest import member
    from ketnap.people import actions as a

    introducer = member(tree, tree.cell_staff, family_name="Võ", middle_name="Minh", given_name="Khôi",
                        citizen_id="079080000111")  # fmt: skip
    person = full_path(tree, until="biography")
    a.record_member_introduction(person, acting_user=tree.users["city_admin"], occurred_on=datetime.date(2024, 7, 15),
                                 introducer=introducer, cowork_since=datetime.date(2022, 9, 5))  # fmt: skip
    events = list(person.events.all())
    ref = next(r for r in build.refs_for(person, events) if r.form.code == "3-KNĐ")
    text = pdf_text(documents.one_paper(person, events, ref, system=True).pdf())
    assert "Tôi là: Võ Minh Khôi" in text
    assert "Vào Đảng ngày 19/05/2019; chính thức ngày 01/06/2020" in text
    assert f"Đang sinh hoạt tại: {tree.cell_staff.name}" in text
