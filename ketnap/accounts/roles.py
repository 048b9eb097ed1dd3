"""Roles and what each may do. One place; tests assert it as a matrix.

A permission holds within the subtree of the unit the role is assigned at.
"""

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Xem"
    CLERK = "clerk", "Cán bộ nghiệp vụ"
    SECRETARY = "secretary", "Bí thư chi bộ"
    COMMITTEE = "committee", "Cấp ủy"
    ADMIN = "admin", "Quản trị"


class Perm:
    VIEW = "view"  # see lists, pages, exports
    PREPARE = "prepare"  # record sources, classes, dossier documents, mentors, ceremonies
    CELL_VOTE = "cell_vote"  # record the cell's votes (admission and recognition), withdrawals
    DECIDE = "decide"  # committee votes, decisions, extensions, consents, removals
    ADMIN = "admin"  # manage units, schools, users, calendar


ROLE_PERMS: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset({Perm.VIEW}),
    Role.CLERK: frozenset({Perm.VIEW, Perm.PREPARE}),
    Role.SECRETARY: frozenset({Perm.VIEW, Perm.PREPARE, Perm.CELL_VOTE}),
    Role.COMMITTEE: frozenset({Perm.VIEW, Perm.PREPARE, Perm.CELL_VOTE, Perm.DECIDE}),
    Role.ADMIN: frozenset({Perm.VIEW, Perm.PREPARE, Perm.CELL_VOTE, Perm.DECIDE, Perm.ADMIN}),
}
