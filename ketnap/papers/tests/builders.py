"""A person with the whole path recorded through the actions (admission and recognition), for the papers' tests,
and readers of the generated files (python-docx for Word, pypdf for PDF)."""

from __future__ import annotations

import datetime
import io
import re

from ketnap.people import actions as a
from ketnap.testing import make_person

D = datetime.date
DAY = datetime.timedelta(days=1)
START = D(2024, 6, 3)


def full_path(tree, *, start: datetime.date = START, until: str = "recognition_decision", **fields):
    """Trương Thị Ngọc Ánh, a student of the student cell: every step from the awareness class to the recognition
    decision (stopping after ``until``), with the numbers a cell would type."""
    clerk, sec, committee = (
        tree.users["cell_clerk"],
        tree.users["cell_secretary"],
        tree.users["uni_committee"],
    )
    person = make_person(tree.cell_student, **{
        "family_name": "Trương", "middle_name": "Thị Ngọc", "given_name": "Ánh", "gender": "F",
        "birth_date": D(2003, 2, 7), "citizen_id": "079303001234", "school": tree.school_uni,
        "faculty_class": "Khoa Công nghệ thông tin, lớp 22CTT1", "residence_ward": tree.ward_b, **fields,
    })  # fmt: skip
    steps = [
        ("awareness_class", lambda d: a.record_awareness_class(person, acting_user=clerk, occurred_on=d,
                                                               certificate_number="125/CN-NTVĐ"), 0),
        ("application", lambda d: a.record_document(person, "application", acting_user=clerk, occurred_on=d), 20),
        ("biography", lambda d: a.record_document(person, "biography", acting_user=clerk, occurred_on=d), 25),
        ("youth_union_introduction", lambda d: a.record_union_introduction(
            person, acting_user=clerk, occurred_on=d, number="07-NQ/ĐTN"), 40),
        ("member_introduction", lambda d: a.record_member_introduction(
            person, acting_user=clerk, occurred_on=d, introducer_name="Phạm Văn Đức",
            official_since=D(2015, 5, 19), cowork_since=D(2022, 9, 5)), 40),
        ("member_introduction", lambda d: a.record_member_introduction(
            person, acting_user=clerk, occurred_on=d, introducer_name="Lê Thị Hồng Nhung",
            official_since=D(2012, 3, 3), cowork_since=D(2022, 9, 5)), 41),
        ("comments", lambda d: a.record_document(person, "comments", acting_user=clerk, occurred_on=d), 55),
        ("verification", lambda d: a.record_verification(person, acting_user=clerk, occurred_on=d, concluded=True),
         70),
        ("cell_vote", lambda d: a.record_cell_vote(person, acting_user=sec, occurred_on=d, official_members=13,
                                                   in_favour=9), 80),
        ("committee_vote", lambda d: a.record_committee_vote(person, acting_user=committee, occurred_on=d,
                                                             members=9, in_favour=7), 85),
        ("decision", lambda d: a.record_decision(person, acting_user=committee, occurred_on=d, decider=tree.uni,
                                                 members=9, in_favour=8, number="31-QĐ/ĐU"), 92),
        ("ceremony", lambda d: a.record_simple(person, "ceremony", acting_user=sec, occurred_on=d), 100),
        ("member_biography", lambda d: a.record_document(person, "member_biography", acting_user=clerk,
                                                         occurred_on=d), 110),
        ("new_member_class", lambda d: a.record_simple(person, "new_member_class", acting_user=clerk,
                                                       occurred_on=d), 150),
        ("self_review", lambda d: a.record_document(person, "self_review", acting_user=clerk, occurred_on=d), 460),
        ("helper_comments", lambda d: a.record_document(person, "helper_comments", acting_user=clerk,
                                                        occurred_on=d), 460),
        ("recognition_comments", lambda d: a.record_document(person, "recognition_comments", acting_user=clerk,
                                                             occurred_on=d), 462),
        ("recognition_vote", lambda d: a.record_recognition_vote(person, acting_user=sec, occurred_on=d,
                                                                 official_members=14, in_favour=13), 470),
        ("recognition_decision", lambda d: a.record_simple(person, "recognition_decision", acting_user=committee,
                                                           occurred_on=d), 480),
    ]  # fmt: skip
    for kind, record, offset in steps:
        record(start + offset * DAY)
        if kind == until:
            break
    person.refresh_from_db()
    return person


def docx_text(data: bytes) -> str:
    """Every paragraph of a Word file, tables included (python-docx)."""
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts: list[str] = []

    def walk(container):
        for paragraph in container.paragraphs:
            parts.append(paragraph.text)
        for table in container.tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(doc)
    return flat("\n".join(parts))


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return flat("\n".join(page.extract_text() or "" for page in reader.pages))


def pdf_pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()
