"""Administration pages: scope (404), role (403), each form runs its action; users and roles; the tree page."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse

from ketnap.accounts.models import AccountState, RoleAssignment
from ketnap.core.models import AuditLog
from ketnap.orgs import queries
from ketnap.orgs.models import OrgName, OrgUnit, School
from ketnap.testing import TEST_PASSWORD, make_person

D = datetime.date
pytestmark = pytest.mark.django_db


def unit_pages(t):
    return [
        reverse("admin-unit-create", args=[t.uni.pk]),
        reverse("admin-unit-rename", args=[t.cell_student.pk]),
        reverse("admin-unit-move", args=[t.cell_student.pk]),
        reverse("admin-unit-merge", args=[t.cell_student.pk]),
        reverse("admin-unit-dissolve", args=[t.cell_student.pk]),
    ]


def test_admin_pages_answer_404_out_of_scope_and_403_without_the_admin_role(client, tree):
    client.force_login(tree.users["ward_a"])  # committee of ward A: the university is out of scope
    for url in unit_pages(tree):
        assert client.get(url).status_code == 404, url
    client.force_login(tree.users["uni_committee"])  # in scope, no admin role
    for url in unit_pages(tree):
        assert client.get(url).status_code == 403, url
    for url in (reverse("admin-users"), reverse("admin-schools"), reverse("admin-user-create")):
        assert client.get(url).status_code == 403, url
    client.force_login(tree.users["city_admin"])
    for url in unit_pages(tree):
        assert client.get(url).status_code == 200, url


def test_create_rename_move_through_the_pages(client, tree):
    client.force_login(tree.users["city_admin"])
    response = client.post(reverse("admin-unit-create", args=[tree.uni.pk]), {
        "name": "Chi bộ Sinh viên Khoa Vật lý", "code": "KHTN-SV-VL", "kind": "cell", "cell_kind": "student",
        "on": "01/09/2026", "has_youth_union": "on", "reason": "QĐ 1",
    })  # fmt: skip
    cell = OrgUnit.objects.get(code="KHTN-SV-VL")
    assert response.status_code == 302 and response["Location"] == reverse("org-detail", args=[cell.pk])
    assert cell.parent == tree.uni and cell.founded_on == D(2026, 9, 1)
    # a bad date is a message on the form, not a 500
    page = client.post(
        reverse("admin-unit-rename", args=[cell.pk]), {"name": "X", "on": "31/02/2026", "reason": "a"}
    )
    assert page.status_code == 200 and "dd/mm/yyyy" in page.content.decode()
    client.post(reverse("admin-unit-rename", args=[cell.pk]),
                {"name": "Chi bộ Sinh viên Vật lý", "on": "01/10/2026", "reason": "QĐ 2"})  # fmt: skip
    assert OrgName.objects.get(unit=cell).name == "Chi bộ Sinh viên Khoa Vật lý"
    page = client.get(reverse("org-detail", args=[cell.pk])).content.decode()
    assert "Chi bộ Sinh viên Khoa Vật lý" in page and 'id="former-names"' in page
    client.post(reverse("admin-unit-move", args=[tree.cell_a.pk]), {"parent": tree.ward_b.pk, "on": "01/01/2026",
                                                                      "reason": "NQ"})  # fmt: skip
    tree.cell_a.refresh_from_db()
    assert tree.cell_a.parent == tree.ward_b


def test_merge_page_offers_only_units_of_the_same_family(client, tree):
    client.force_login(tree.users["city_admin"])
    page = client.get(reverse("admin-unit-merge", args=[tree.cell_a.pk])).content.decode()
    form = page.split('id="merge-form"')[1]
    assert (
        tree.cell_b.name in form and tree.ward_b.name not in form and f'value="{tree.cell_a.pk}"' not in form
    )


def test_dissolve_page_says_what_is_left(client, tree):
    make_person(tree.cell_staff, given_name="Lan")
    client.force_login(tree.users["city_admin"])
    page = client.get(reverse("admin-unit-dissolve", args=[tree.cell_staff.pk])).content.decode()
    assert 'id="admin-blockers"' in page and "1 người" in page and "Sáp nhập vào tổ chức khác" in page
    page = client.post(reverse("admin-unit-dissolve", args=[tree.cell_staff.pk]),
                       {"on": "01/06/2026", "reason": "QĐ"}).content.decode()  # fmt: skip
    assert "Chưa giải thể được" in page
    tree.cell_staff.refresh_from_db()
    assert tree.cell_staff.dissolved_on is None


def test_dissolved_units_are_never_offered_where_a_live_unit_is_expected(client, tree):
    OrgUnit.objects.filter(pk=tree.cell_staff.pk).update(dissolved_on=D(2026, 1, 1))
    admin = tree.users["city_admin"]
    assert tree.cell_staff.pk not in [pk for pk, *_ in queries.unit_options(admin)]
    assert tree.cell_staff.pk not in [pk for pk, *_ in queries.admin_unit_options(admin)]
    from ketnap.targets import queries as target_queries

    kids, _, _ = target_queries.child_targets(admin, tree.uni, "SY2026", [])
    assert tree.cell_staff not in kids
    client.force_login(admin)
    page = client.get(reverse("person-list")).content.decode()
    assert f'<option value="{tree.cell_staff.pk}"' not in page


def test_school_pages(client, tree):
    client.force_login(tree.users["ward_a"])
    assert (
        client.get(reverse("admin-school", args=[tree.school_a.pk])).status_code == 403
    )  # committee, no admin
    assert client.get(reverse("admin-school", args=[tree.school_b.pk])).status_code == 404
    client.force_login(tree.users["city_admin"])
    response = client.post(reverse("admin-school-create"), {
        "name": "Trường Tiểu học Lê Lợi", "code": "S-LL", "level": "primary", "is_public": "1",
        "ward": tree.ward_a.pk, "party_org": "",
    })  # fmt: skip
    school = School.objects.get(code="S-LL")
    assert response.status_code == 302 and school.party_org is None and school.ward == tree.ward_a
    client.post(reverse("admin-school", args=[school.pk]), {
        "name": "Trường Tiểu học Lê Lợi", "code": "S-LL", "level": "primary", "is_public": "0",
        "ward": tree.ward_a.pk, "party_org": tree.cell_a.pk,
    })  # fmt: skip
    school.refresh_from_db()
    assert school.party_org == tree.cell_a and not school.is_public
    assert "Trường Tiểu học Lê Lợi" in client.get(reverse("admin-schools"), {"q": "le loi"}).content.decode()


def test_authorisation_pages(client, tree):
    client.force_login(tree.users["uni_committee"])
    assert client.get(reverse("admin-authorize", args=[tree.uni.pk])).status_code == 403  # decided above it
    client.force_login(tree.users["upper_committee"])
    client.post(reverse("admin-authorize", args=[tree.uni.pk]),
                {"valid_from": "01/01/2027", "valid_to": "", "document_number": "20-QĐ/ĐU"})  # fmt: skip
    auth = tree.uni.authorizations.get(document_number="20-QĐ/ĐU")
    client.post(
        reverse("admin-authorization-revoke", args=[auth.pk]), {"on": "01/03/2027", "reason": "QĐ thu hồi"}
    )
    auth.refresh_from_db()
    assert auth.valid_to == D(2027, 2, 28)
    page = client.get(reverse("org-authorized-decisions", args=[tree.uni.pk]))
    assert page.status_code == 200 and "Chưa có quyết định nào" in page.content.decode()


def test_the_unit_page_lists_who_has_which_role_there(client, tree):
    user = tree.users["cell_secretary"]
    user.last_name, user.first_name = "Trần Văn", "Bí"
    user.save()
    client.force_login(tree.users["city_viewer"])
    page = client.get(reverse("org-detail", args=[tree.cell_student.pk])).content.decode()
    roles = page.split('id="unit-roles"')[1].split("</ul>")[0]
    assert "Trần Văn Bí" in roles and "Bí thư chi bộ" in roles and "cell_secretary" not in roles
    assert 'id="admin-menu"' not in page
    client.force_login(tree.users["city_admin"])
    assert (
        'id="admin-menu"' in client.get(reverse("org-detail", args=[tree.cell_student.pk])).content.decode()
    )


# ---------------------------------------------------------------------------------------------- users


def test_an_admin_creates_a_user_who_must_change_the_password(client, tree):
    client.force_login(tree.users["city_admin"])
    page = client.post(reverse("admin-user-create"), {
        "username": "khtn.bithu", "full_name": "Lê Thị Thu", "email": "", "unit": tree.cell_staff.pk,
        "role": "secretary",
    }).content.decode()  # fmt: skip
    password = page.split('id="new-password">')[1].split("<")[0]
    user = get_user_model().objects.get(username="khtn.bithu")
    assert RoleAssignment.objects.filter(user=user, unit=tree.cell_staff, role="secretary").exists()
    assert AccountState.objects.get(user=user).must_change_password
    client.logout()
    assert client.login(
        request=RequestFactory().post("/dang-nhap/"), username="khtn.bithu", password=password
    )
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"] == "/doi-mat-khau/"
    response = client.post("/doi-mat-khau/", {"old_password": password, "new_password1": "mot-mat-khau-moi-7",
                                              "new_password2": "mot-mat-khau-moi-7"})  # fmt: skip
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    assert not AccountState.objects.get(user=user).must_change_password


def test_disable_enable_and_reset_password(client, tree):
    target = tree.users["cell_viewer"]
    client.force_login(tree.users["city_admin"])
    page = client.get(reverse("admin-user", args=[target.pk])).content.decode()
    assert 'id="last-login"' in page and "Xem" in page
    client.post(reverse("admin-user-active", args=[target.pk]), {"active": "0", "reason": ""})
    target.refresh_from_db()
    assert target.is_active  # a reason is required
    client.post(reverse("admin-user-active", args=[target.pk]), {"active": "0", "reason": "Chuyển công tác"})
    target.refresh_from_db()
    assert not target.is_active and AuditLog.objects.filter(action="account.disable").exists()
    assert not client.login(  # a disabled account cannot log in
        request=RequestFactory().post("/dang-nhap/"), username="cell_viewer", password=TEST_PASSWORD
    )
    client.force_login(tree.users["city_admin"])
    client.post(reverse("admin-user-active", args=[target.pk]), {"active": "1"})
    page = client.post(reverse("admin-user-password", args=[target.pk])).content.decode()
    password = page.split('id="new-password">')[1].split("<")[0]
    target.refresh_from_db()
    assert target.is_active and target.check_password(password)


def test_user_pages_are_scoped(client, tree):
    client.force_login(tree.users["city_admin"])
    assert "ward_b" in client.get(reverse("admin-users")).content.decode()
    # an admin of the university only: sees its users, not ward B's; changes only users wholly under it
    uni_admin = get_user_model().objects.create_user("uni_admin", password=TEST_PASSWORD)
    RoleAssignment.objects.create(user=uni_admin, unit=tree.uni, role="admin")
    client.force_login(uni_admin)
    listing = client.get(reverse("admin-users")).content.decode()
    assert "cell_secretary" in listing and "ward_b" not in listing
    assert client.get(reverse("admin-user", args=[tree.users["ward_b"].pk])).status_code == 404
    assert (
        client.post(reverse("admin-user-password", args=[tree.users["upper_committee"].pk])).status_code
        == 404
    )
    secretary = tree.users["cell_secretary"]
    client.post(
        reverse("admin-user-grant", args=[secretary.pk]), {"unit": tree.cell_staff.pk, "role": "viewer"}
    )
    assert RoleAssignment.objects.filter(user=secretary, unit=tree.cell_staff, role="viewer").exists()
    ra = RoleAssignment.objects.get(user=secretary, unit=tree.cell_staff)
    client.post(reverse("admin-role-revoke", args=[ra.pk]))
    assert not RoleAssignment.objects.filter(pk=ra.pk).exists()
    # a role granted outside the admin's subtree is refused (the unit is not offered: 404)
    response = client.post(
        reverse("admin-user-grant", args=[secretary.pk]), {"unit": tree.ward_b.pk, "role": "viewer"}
    )
    assert response.status_code in (302, 404)
    assert not RoleAssignment.objects.filter(user=secretary, unit=tree.ward_b).exists()


# ---------------------------------------------------------------------------------------------- the tree page


def test_the_tree_opens_folded_and_a_search_unfolds_down_to_the_matches(client, tree):
    client.force_login(tree.users["city_viewer"])
    page = client.get(reverse("org-tree")).content.decode()
    row = page.split(f'data-unit="{tree.cell_student.pk}"')[1].split(">")[0]
    assert "hidden" in row  # two levels below the top: folded
    row = page.split(f'data-unit="{tree.upper.pk}"')[1].split(">")[0]
    assert "hidden" not in row
    page = client.get(reverse("org-tree"), {"q": "cong nghe thong tin"}).content.decode()
    row = page.split(f'data-unit="{tree.cell_student.pk}"')[1].split(">")[0]
    assert "hidden" not in row and "org-match" in row
    assert tree.ward_a.name not in page


def test_the_decisions_of_an_authorised_committee_are_listed(client, tree):
    from ketnap.people.models import PersonEvent

    person = make_person(tree.cell_student, given_name="Quyết")
    PersonEvent.objects.create(person=person, kind="decision", occurred_on=D(2026, 5, 6), org=tree.cell_student,
                               data={"decider_id": tree.uni.pk, "authorized": True, "number": "5-QĐ/ĐU",
                                     "members": 9, "in_favour": 8})  # fmt: skip
    other = make_person(tree.cell_student, given_name="Khác")
    PersonEvent.objects.create(person=other, kind="decision", occurred_on=D(2026, 5, 6), org=tree.cell_student,
                               data={"decider_id": tree.upper.pk, "authorized": False})  # fmt: skip
    client.force_login(tree.users["uni_committee"])
    table = client.get(reverse("org-authorized-decisions", args=[tree.uni.pk])).content.decode()
    table = table.split('id="authorized-decisions"')[1]
    assert (
        "Nguyễn Văn Quyết" in table
        and "5-QĐ/ĐU" in table
        and "8/9" in table
        and "Nguyễn Văn Khác" not in table
    )
