"""Users and their role assignments."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from ketnap.accounts.models import RoleAssignment
from ketnap.accounts.permissions import require
from ketnap.accounts.roles import Perm, Role
from ketnap.core.audit import audit


def grant_role(*, acting_user, user, unit, role: str) -> RoleAssignment:
    """Give `user` a role at `unit`. The acting user must administer that unit (a system process passes
    acting_user=None only from the command line, where the operator is the server's administrator)."""
    if role not in Role.values:
        raise ValidationError(f"Vai trò không hợp lệ: {role}. Chọn một trong: {', '.join(Role.values)}.")
    with transaction.atomic():
        if acting_user is not None:
            require(acting_user, Perm.ADMIN, unit)
        assignment, created = RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        if created:
            audit(
                actor=acting_user,
                action="account.grant",
                obj=assignment,
                unit=unit,
                summary=f"Giao vai trò {Role(role).label} tại {unit.name} cho {user.username}",
                after={"user": user.username, "unit": unit.code, "role": role},
            )
    return assignment


def revoke_role(*, acting_user, assignment: RoleAssignment) -> None:
    with transaction.atomic():
        if acting_user is not None:
            require(acting_user, Perm.ADMIN, assignment.unit)
        before = {"user": assignment.user.username, "unit": assignment.unit.code, "role": assignment.role}
        unit = assignment.unit
        assignment.delete()
        audit(
            actor=acting_user,
            action="account.revoke",
            object_type="accounts.roleassignment",
            object_id=str(before),
            unit=unit,
            summary=f"Thu hồi vai trò của {before['user']}",
            before=before,
        )


def create_user(*, acting_user, username: str, password: str, full_name: str = "", email: str = ""):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError(f"Tên đăng nhập {username} đã có.")
    user = User(username=username, email=email)
    if full_name:
        parts = full_name.split()
        user.last_name, user.first_name = " ".join(parts[:-1]), parts[-1]
    validate_password(password, user)
    user.set_password(password)
    with transaction.atomic():
        user.full_clean()
        user.save()
        audit(
            actor=acting_user,
            action="account.create",
            obj=user,
            summary=f"Tạo người dùng {username}",
            after={"username": username, "email": email},
        )
    return user
