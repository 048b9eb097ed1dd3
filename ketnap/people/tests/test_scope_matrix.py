"""Scope and role as a matrix over the action layer: every role × every permission × in/out of scope."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ketnap.accounts.permissions import user_can
from ketnap.accounts.roles import ROLE_PERMS, Perm, Role
from ketnap.orgs.models import OrgUnit, School
from ketnap.people import actions
from ketnap.people.models import Person, PersonEvent
from ketnap.testing import make_person

D = datetime.date
pytestmark = pytest.mark.django_db

EXPECTED = {
    Role.VIEWER: {Perm.VIEW},
    Role.CLERK: {Perm.VIEW, Perm.PREPARE},
    Role.SECRETARY: {Perm.VIEW, Perm.PREPARE, Perm.CELL_VOTE},
    Role.COMMITTEE: {Perm.VIEW, Perm.PREPARE, Perm.CELL_VOTE, Perm.DECIDE},
    Role.ADMIN: {Perm.VIEW, Perm.PREPARE, Perm.CELL_VOTE, Perm.DECIDE, Perm.ADMIN},
}


def test_role_permission_table_is_as_documented():
    assert {role: set(perms) for role, perms in ROLE_PERMS.items()} == EXPECTED


@pytest.mark.parametrize(
    ("username", "perm", "unit_attr", "allowed"),
    [
        ("cell_viewer", Perm.VIEW, "cell_student", True),
        ("cell_viewer", Perm.PREPARE, "cell_student", False),
        ("cell_clerk", Perm.PREPARE, "cell_student", True),
        ("cell_clerk", Perm.CELL_VOTE, "cell_student", False),
        ("cell_secretary", Perm.CELL_VOTE, "cell_student", True),
        ("cell_secretary", Perm.DECIDE, "cell_student", False),
        ("cell_secretary", Perm.VIEW, "cell_staff", False),  # sibling cell
        ("uni_committee", Perm.DECIDE, "cell_student", True),
        ("uni_committee", Perm.DECIDE, "uni", True),
        ("uni_committee", Perm.DECIDE, "upper", False),  # above its unit
        ("ward_a", Perm.DECIDE, "cell_a", True),
        ("ward_a", Perm.VIEW, "cell_b", False),  # another ward
        ("ward_a", Perm.VIEW, "cell_student", False),
        ("city_viewer", Perm.VIEW, "cell_b", True),
        ("city_viewer", Perm.PREPARE, "cell_b", False),
        ("city_admin", Perm.ADMIN, "cell_b", True),
    ],
)
def test_user_can_matrix(tree, username, perm, unit_attr, allowed):
    assert user_can(tree.users[username], perm, getattr(tree, unit_attr)) is allowed


@pytest.mark.parametrize("username", ["ward_a", "ward_a_viewer", "secretary_a"])
def test_ward_user_sees_nothing_of_another_ward(tree, username):
    user = tree.users[username]
    person_b = make_person(tree.cell_b, given_name="Bình")
    person_a = make_person(tree.cell_a, given_name="Ánh")
    actions.record_awareness_class(person_b, acting_user=tree.users["ward_b"], occurred_on=D(2025, 10, 1))
    assert list(Person.objects.visible_to(user)) == [person_a]
    assert not PersonEvent.objects.visible_to(user).filter(person=person_b).exists()
    visible_units = set(OrgUnit.objects.visible_to(user))
    assert tree.cell_b not in visible_units and tree.ward_b not in visible_units
    assert tree.school_b not in set(School.objects.visible_to(user))
    with pytest.raises(Http404):
        actions.record_document(person_b, "comments", acting_user=user, occurred_on=D(2025, 11, 1))


@pytest.mark.parametrize(
    ("username", "kind", "expect"),
    [
        ("cell_viewer", "application", PermissionDenied),
        ("cell_clerk", "application", None),
        ("cell_clerk", "withdrawal", PermissionDenied),
        ("cell_secretary", "withdrawal", None),
        ("cell_secretary", "removal", PermissionDenied),
        ("uni_committee", "application", None),
        ("ward_b", "application", Http404),
        ("city_viewer", "application", PermissionDenied),
    ],
)
def test_action_role_matrix(tree, username, kind, expect):
    person = make_person(tree.cell_student)
    actions.record_awareness_class(person, acting_user=tree.users["cell_clerk"], occurred_on=D(2025, 10, 1))
    call = lambda: actions.record_simple(  # noqa: E731
        person, kind, acting_user=tree.users[username], occurred_on=D(2025, 12, 1), note="Lý do kiểm thử"
    )
    if expect is None:
        call()
        assert person.events.filter(kind=kind).exists()
    else:
        with pytest.raises(expect):
            call()
        assert not person.events.filter(kind=kind).exists()
