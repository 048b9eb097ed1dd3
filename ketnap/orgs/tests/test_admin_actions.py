"""Administration of the tree: rename, merge, dissolve, schools, authorisations — dated, audited, scoped."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ketnap.accounts.models import RoleAssignment
from ketnap.core.models import AuditLog
from ketnap.orgs import actions
from ketnap.orgs.models import Authorization, OrgLink, OrgName, OrgUnit, School
from ketnap.people.models import Person, PersonEvent
from ketnap.testing import make_person

D = datetime.date
pytestmark = pytest.mark.django_db


def test_rename_keeps_the_old_name_in_history(tree):
    old = tree.cell_staff.name
    actions.rename_unit(tree.cell_staff, acting_user=tree.users["city_admin"], name="Chi bộ Khoa Toán",
                        on=D(2026, 9, 1), reason="QĐ 12-QĐ/ĐU")  # fmt: skip
    tree.cell_staff.refresh_from_db()
    assert tree.cell_staff.name == "Chi bộ Khoa Toán"
    assert [(n.name, n.valid_to) for n in OrgName.objects.filter(unit=tree.cell_staff)] == [
        (old, D(2026, 9, 1))
    ]
    row = AuditLog.objects.get(action="org.rename")
    assert old in row.summary and "QĐ 12-QĐ/ĐU" in row.summary


def test_rename_needs_a_reason_and_the_admin_role(tree):
    with pytest.raises(ValidationError):
        actions.rename_unit(tree.cell_staff, acting_user=tree.users["city_admin"], name="X", on=D(2026, 9, 1),
                            reason=" ")  # fmt: skip
    with pytest.raises(PermissionDenied):
        actions.rename_unit(tree.cell_staff, acting_user=tree.users["uni_committee"], name="X",
                            on=D(2026, 9, 1), reason="QĐ")  # fmt: skip


def test_merge_moves_persons_children_schools_roles_and_dissolves_the_source(tree):
    admin = tree.users["city_admin"]
    person = make_person(tree.cell_a, given_name="Hà")
    PersonEvent.objects.create(
        person=person, kind="source_identified", occurred_on=D(2026, 1, 5), org=tree.cell_a
    )
    report = actions.merge_units(tree.cell_a, tree.cell_b, acting_user=admin, on=D(2026, 6, 1), reason="QĐ 5")
    person.refresh_from_db()
    tree.cell_a.refresh_from_db()
    assert person.unit == tree.cell_b
    moved = PersonEvent.objects.get(person=person, kind="unit_changed")
    assert moved.occurred_on == D(2026, 6, 1) and moved.data["from_id"] == tree.cell_a.pk
    assert moved.data["to_id"] == tree.cell_b.pk
    assert tree.cell_a.dissolved_on == D(2026, 6, 1)
    assert OrgLink.objects.get(child=tree.cell_a).valid_to == D(2026, 6, 1)
    assert School.objects.get(pk=tree.school_a.pk).party_org == tree.cell_b
    assert RoleAssignment.objects.filter(user=tree.users["secretary_a"], unit=tree.cell_b).exists()
    assert not RoleAssignment.objects.filter(unit=tree.cell_a).exists()
    assert report["persons"] == 1 and AuditLog.objects.filter(action="org.merge").count() == 1


def test_merge_refuses_units_of_different_kinds_and_dissolved_targets(tree):
    admin = tree.users["city_admin"]
    with pytest.raises(ValidationError):
        actions.merge_units(tree.cell_a, tree.ward_b, acting_user=admin, on=D(2026, 6, 1), reason="QĐ")
    actions.merge_units(tree.cell_a, tree.cell_b, acting_user=admin, on=D(2026, 6, 1), reason="QĐ")
    with pytest.raises(ValidationError):
        actions.merge_units(tree.cell_staff, tree.cell_a, acting_user=admin, on=D(2026, 7, 1), reason="QĐ")


def test_merge_of_committees_moves_their_child_units(tree):
    admin = tree.users["city_admin"]
    actions.merge_units(tree.ward_a, tree.ward_b, acting_user=admin, on=D(2026, 6, 1), reason="NQ sáp nhập")
    tree.cell_a.refresh_from_db()
    assert tree.cell_a.parent == tree.ward_b and tree.cell_a.path.startswith(tree.ward_b.path)
    assert School.objects.get(pk=tree.school_a.pk).ward == tree.ward_b
    assert actions.parent_on(tree.cell_a, D(2026, 5, 31)) == tree.ward_a


def test_dissolve_says_what_is_left_and_dissolves_an_empty_unit(tree):
    admin = tree.users["city_admin"]
    make_person(tree.cell_staff, given_name="Lan")
    with pytest.raises(ValidationError) as exc:
        actions.dissolve_unit(tree.cell_staff, acting_user=admin, on=D(2026, 6, 1), reason="QĐ")
    assert "1 người" in exc.value.messages[0] and "Nguyễn Văn Lan" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        actions.dissolve_unit(tree.uni, acting_user=admin, on=D(2026, 6, 1), reason="QĐ")
    assert "tổ chức trực thuộc" in exc.value.messages[0]
    Person.objects.filter(unit=tree.cell_staff).delete()
    actions.dissolve_unit(tree.cell_staff, acting_user=admin, on=D(2026, 6, 1), reason="QĐ giải thể")
    tree.cell_staff.refresh_from_db()
    assert tree.cell_staff.dissolved_on == D(2026, 6, 1)
    assert tree.cell_staff.is_active_on(D(2026, 5, 31)) and not tree.cell_staff.is_active_on(D(2026, 6, 1))


def test_dates_in_the_future_are_refused_for_merges(tree):
    with pytest.raises(ValidationError):
        actions.merge_units(tree.cell_a, tree.cell_b, acting_user=tree.users["city_admin"], on=D(2099, 1, 1),
                            reason="QĐ")  # fmt: skip


def test_create_under_a_cell_or_a_dissolved_unit_is_refused(tree):
    admin = tree.users["city_admin"]
    with pytest.raises(ValidationError):
        actions.create_unit(acting_user=admin, name="X", code="X1", kind="cell", parent=tree.cell_a,
                            valid_from=D(2026, 1, 1))  # fmt: skip
    OrgUnit.objects.filter(pk=tree.ward_b.pk).update(dissolved_on=D(2026, 1, 1))
    tree.ward_b.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.create_unit(acting_user=admin, name="X", code="X2", kind="cell", parent=tree.ward_b,
                            valid_from=D(2026, 2, 1))  # fmt: skip


def test_school_saved_by_the_admin_of_its_organisation(tree):
    admin = tree.users["city_admin"]
    school = actions.save_school(None, acting_user=admin, name="Trường Tiểu học Lê Lợi", code="S-LL",
                                 level="primary", is_public=True, ward=tree.ward_a, party_org=None)  # fmt: skip
    assert AuditLog.objects.filter(action="school.create", object_id=str(school.pk)).exists()
    school = actions.save_school(school, acting_user=admin, party_org=tree.cell_a)
    assert school.party_org == tree.cell_a
    with pytest.raises(PermissionDenied):
        actions.save_school(school, acting_user=tree.users["ward_b"], name="Khác")


def test_authorization_revoked_from_a_date(tree):
    auth = Authorization.objects.get(grantee=tree.uni)
    actions.revoke_authorization(auth, acting_user=tree.users["upper_committee"], on=D(2026, 3, 1),
                                 reason="QĐ thu hồi")  # fmt: skip
    auth.refresh_from_db()
    assert auth.covers(D(2026, 2, 28)) and not auth.covers(D(2026, 3, 1))
    with pytest.raises(PermissionDenied):
        actions.revoke_authorization(
            auth, acting_user=tree.users["uni_committee"], on=D(2026, 3, 1), reason="x"
        )
