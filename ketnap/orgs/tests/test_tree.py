import datetime

import pytest
from django.core.exceptions import ValidationError

from ketnap.core.models import AuditLog
from ketnap.orgs import actions
from ketnap.orgs.models import OrgLink, OrgUnit

D = datetime.date
pytestmark = pytest.mark.django_db


def test_create_unit_places_it_in_the_tree_with_a_link(tree):
    cell = actions.create_unit(
        acting_user=tree.users["city_admin"],
        name="Chi bộ Sinh viên Khoa Vật lý",
        code="KHTN-SV-VL",
        kind="cell",
        parent=tree.uni,
        valid_from=D(2026, 9, 1),
        cell_kind="student",
        founded_on=D(2026, 9, 1),
    )
    assert cell.path.startswith(tree.uni.path) and cell.depth == tree.uni.depth + 1
    assert OrgLink.objects.get(child=cell).parent == tree.uni
    assert AuditLog.objects.filter(action="org.create", object_id=str(cell.pk)).exists()


def test_move_unit_keeps_history_and_moves_the_subtree(tree):
    old_path = tree.cell_a.path
    actions.move_unit(tree.cell_a, tree.ward_b, acting_user=tree.users["city_admin"], on=D(2026, 1, 1))
    tree.cell_a.refresh_from_db()
    assert tree.cell_a.parent == tree.ward_b
    assert tree.cell_a.path.startswith(tree.ward_b.path) and tree.cell_a.path != old_path
    assert actions.parent_on(tree.cell_a, D(2025, 12, 31)) == tree.ward_a
    assert actions.parent_on(tree.cell_a, D(2026, 1, 1)) == tree.ward_b
    assert OrgLink.objects.filter(child=tree.cell_a).count() == 2
    # Scope follows the current tree: ward B now sees the cell, ward A does not.
    assert tree.cell_a in OrgUnit.objects.visible_to(tree.users["ward_b"])
    assert tree.cell_a not in OrgUnit.objects.visible_to(tree.users["ward_a"])


def test_move_into_own_subtree_is_refused(tree):
    with pytest.raises(ValidationError):
        actions.move_unit(tree.uni, tree.cell_student, acting_user=tree.users["city_admin"], on=D(2026, 1, 1))


def test_only_grassroots_committees_can_be_authorised(tree):
    with pytest.raises(ValidationError):
        actions.grant_authorization(
            acting_user=tree.users["city_admin"],
            grantor=tree.city,
            grantee=tree.cell_a,
            valid_from=D(2026, 1, 1),
        )
    auth = actions.grant_authorization(
        acting_user=tree.users["upper_committee"],
        grantor=tree.upper,
        grantee=tree.uni,
        valid_from=D(2026, 1, 1),
        valid_to=D(2026, 12, 31),
    )
    assert auth.covers(D(2026, 6, 1)) and not auth.covers(D(2027, 1, 1))
