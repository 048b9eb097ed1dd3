"""Test fixtures shared by every app: a small fixed organisation tree, users for each role, and
helpers to build people with valid dossiers. Loaded as a pytest plugin from the root conftest."""

import datetime
from types import SimpleNamespace

import pytest

D = datetime.date
TEST_PASSWORD = "matkhau-thu-nghiem"


def build_tree():
    from django.contrib.auth import get_user_model

    from ketnap.accounts.models import RoleAssignment
    from ketnap.orgs.models import Authorization, OrgLink, OrgUnit, School, path_segment

    def unit(name, code, kind, parent=None, **kw):
        u = OrgUnit.objects.create(name=name, code=code, kind=kind, parent=parent, **kw)
        u.path = (parent.path if parent else "") + path_segment(u.pk)
        u.depth = parent.depth + 1 if parent else 0
        u.save(update_fields=["path", "depth"])
        if parent:
            OrgLink.objects.create(child=u, parent=parent, valid_from=D(2025, 7, 1))
        return u

    K = OrgUnit.Kind
    t = SimpleNamespace()
    t.city = unit("Thành ủy Thành phố Hồ Chí Minh", "TU", K.CITY)
    t.upper = unit("Đảng ủy Đại học Quốc gia TP.HCM", "DHQG", K.UPPER, t.city)
    t.uni = unit("Đảng ủy Trường Đại học Khoa học Tự nhiên", "KHTN", K.GRASSROOTS, t.upper)
    t.cell_student = unit(
        "Chi bộ Sinh viên Khoa Công nghệ thông tin",
        "KHTN-SV-CNTT",
        K.CELL,
        t.uni,
        cell_kind="student",
        founded_on=D(2015, 9, 1),
    )
    t.cell_staff = unit(
        "Chi bộ Khoa Toán - Tin học", "KHTN-TOAN", K.CELL, t.uni, cell_kind="staff", founded_on=D(2010, 1, 1)
    )
    t.ward_a = unit("Đảng ủy phường Bến Thành", "P-BENTHANH", K.WARD, t.city)
    t.cell_a = unit(
        "Chi bộ Trường THPT Trưng Vương", "THPT-TV", K.GRASSROOTS_CELL, t.ward_a, cell_kind="staff"
    )
    t.ward_b = unit("Đảng ủy phường Sài Gòn", "P-SAIGON", K.WARD, t.city)
    t.cell_b = unit("Chi bộ Trường THCS Minh Đức", "THCS-MD", K.GRASSROOTS_CELL, t.ward_b, cell_kind="staff")
    t.school_uni = School.objects.create(
        name="Trường Đại học Khoa học Tự nhiên",
        code="S-KHTN",
        level="university",
        ward=t.ward_b,
        party_org=t.uni,
    )
    t.school_a = School.objects.create(
        name="Trường THPT Trưng Vương",
        code="S-TV",
        level="upper_secondary",
        ward=t.ward_a,
        party_org=t.cell_a,
    )
    t.school_b = School.objects.create(
        name="Trường THCS Minh Đức", code="S-MD", level="lower_secondary", ward=t.ward_b, party_org=t.cell_b
    )
    Authorization.objects.create(
        grantor=t.upper, grantee=t.uni, valid_from=D(2024, 1, 1), document_number="15-QĐ/ĐU"
    )

    User = get_user_model()
    t.users = {}
    for username, role, where in [
        ("city_admin", "admin", t.city),
        ("city_viewer", "viewer", t.city),
        ("upper_committee", "committee", t.upper),
        ("uni_committee", "committee", t.uni),
        ("cell_secretary", "secretary", t.cell_student),
        ("cell_clerk", "clerk", t.cell_student),
        ("cell_viewer", "viewer", t.cell_student),
        ("ward_a", "committee", t.ward_a),
        ("ward_b", "committee", t.ward_b),
        ("ward_a_viewer", "viewer", t.ward_a),
        ("secretary_a", "secretary", t.cell_a),
    ]:
        user = User.objects.create_user(username=username, password=TEST_PASSWORD)
        RoleAssignment.objects.create(user=user, unit=where, role=role)
        t.users[username] = user
    return t


def make_person(unit, **fields):
    from ketnap.people.models import Person

    defaults = dict(
        family_name="Nguyễn",
        middle_name="Văn",
        given_name="An",
        birth_date=D(2004, 3, 15),
        gender="M",
        education="upper_secondary",
        school_role="student",
        youth_union_member=True,
        excellent_youth_union_member=True,
    )
    defaults.update(fields)
    return Person.objects.create(unit=unit, **defaults)


DOSSIER_START = D(2025, 10, 10)
INTRODUCER_OFFICIAL_SINCE = D(2019, 5, 19)


def prepare_applicant(person, user, start=DOSSIER_START, introducer_official_since=INTRODUCER_OFFICIAL_SINCE):
    """Record a complete, valid dossier up to (not including) the cell vote, through the actions."""
    from ketnap.people import actions as a

    a.record_awareness_class(person, acting_user=user, occurred_on=start)
    a.record_document(
        person, "application", acting_user=user, occurred_on=start + datetime.timedelta(days=80)
    )
    a.record_document(person, "biography", acting_user=user, occurred_on=start + datetime.timedelta(days=85))
    a.record_union_introduction(person, acting_user=user, occurred_on=start + datetime.timedelta(days=100))
    a.record_member_introduction(
        person,
        acting_user=user,
        occurred_on=start + datetime.timedelta(days=100),
        introducer_name="Trần Thị Bình",
        official_since=introducer_official_since,
        cowork_since=D(2023, 9, 5),
    )
    a.record_document(person, "comments", acting_user=user, occurred_on=start + datetime.timedelta(days=120))
    a.record_verification(
        person, acting_user=user, occurred_on=start + datetime.timedelta(days=150), concluded=True
    )
    person.refresh_from_db()
    return person


@pytest.fixture
def tree(db):
    return build_tree()


@pytest.fixture
def calendar():
    from ketnap.rules import Calendar

    return Calendar()


def browser_login(page, live_server, username, password=TEST_PASSWORD):
    """Log in through the login page in a Playwright page (a fresh session: cookies cleared first)."""
    from playwright.sync_api import expect

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-button")
    expect(page.locator("#logout-button")).to_be_attached()


def walk_to_stage(t, stage: str, start, **person_fields):
    """A person of the student cell brought to ``stage`` (a Stage name) through the actions: valid steps dated
    from ``start`` (take it 800 days back for a probation to have ended); WITHDRAWN after the application,
    REMOVED during the probation."""
    from ketnap import rules
    from ketnap.people import actions

    day = datetime.timedelta(days=1)
    admin, sec, committee = t.users["city_admin"], t.users["cell_secretary"], t.users["uni_committee"]
    person = make_person(t.cell_student, given_name=stage.title(), **person_fields)
    if stage == "SOURCE":
        return person
    if stage == "SYMPATHISER":
        actions.record_awareness_class(person, acting_user=admin, occurred_on=start)
        return person
    prepare_applicant(person, admin, start=start)
    if stage == "APPLICANT":
        return person
    if stage == "WITHDRAWN":
        actions.record_simple(
            person, "withdrawal", acting_user=sec, occurred_on=start + 160 * day, note="Rút"
        )
        return person
    actions.record_cell_vote(person, acting_user=sec, occurred_on=start + 170 * day, official_members=12,
                             in_favour=9)  # fmt: skip
    if stage == "CELL_APPROVED":
        return person
    actions.record_committee_vote(person, acting_user=committee, occurred_on=start + 175 * day, members=9,
                                  in_favour=7)  # fmt: skip
    if stage == "COMMITTEE_APPROVED":
        return person
    actions.record_decision(person, acting_user=committee, occurred_on=start + 180 * day, decider=t.uni, members=9,
                            in_favour=8)  # fmt: skip
    if stage == "ADMITTED":
        return person
    ceremony = start + 190 * day
    actions.record_simple(person, "ceremony", acting_user=sec, occurred_on=ceremony)
    actions.record_document(person, "member_biography", acting_user=sec, occurred_on=ceremony + 10 * day)
    actions.record_simple(person, "new_member_class", acting_user=sec, occurred_on=ceremony + 60 * day)
    if stage == "PROBATIONARY":
        return person
    if stage == "REMOVED":
        actions.record_simple(person, "removal", acting_user=committee, occurred_on=ceremony + 70 * day,
                              note="Vi phạm tư cách")  # fmt: skip
        return person
    end = rules.probation_end(ceremony)
    for kind in ("self_review", "helper_comments", "recognition_comments"):
        actions.record_document(person, kind, acting_user=sec, occurred_on=end - 5 * day)
    actions.record_recognition_vote(person, acting_user=sec, occurred_on=end + day, official_members=12,
                                    in_favour=11)  # fmt: skip
    actions.record_simple(person, "recognition_decision", acting_user=committee, occurred_on=end + 10 * day)
    assert stage == "OFFICIAL", stage
    return person
