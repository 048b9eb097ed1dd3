"""Users and their role assignments."""

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ketnap.accounts.models import AccountState, RoleAssignment
from ketnap.accounts.permissions import require, user_can
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
        if unit.dissolved_on is not None:
            raise ValidationError({"unit": f"{unit.name} đã giải thể; không giao vai trò ở đó được."})
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
        unit, pk = assignment.unit, assignment.pk
        assignment.delete()
        audit(
            actor=acting_user,
            action="account.revoke",
            object_type="accounts.roleassignment",
            object_id=pk,
            unit=unit,
            summary=f"Thu hồi vai trò {Role(before['role']).label} tại {unit.name} của {before['user']}",
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


# ---------------------------------------------------------------------------------------------- administration

TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A password an administrator hands over once; its owner must change it at the next login."""
    import secrets

    return "-".join("".join(secrets.choice(TEMP_ALPHABET) for _ in range(4)) for _ in range(3))


def manageable(acting_user, user) -> bool:
    """An administrator manages a user whose roles all lie in subtrees the administrator administers (a user
    with no role left only a superuser manages); a superuser only by a superuser."""
    if acting_user is None or not getattr(acting_user, "is_authenticated", False):
        return False
    if acting_user.is_superuser:
        return True
    if user.is_superuser or user.pk == acting_user.pk:
        return False
    units = [ra.unit for ra in user.roles.select_related("unit")]
    return bool(units) and all(user_can(acting_user, Perm.ADMIN, unit) for unit in units)


def require_manage(acting_user, user) -> None:
    if not manageable(acting_user, user):
        raise PermissionDenied(
            "Người dùng này có vai trò ngoài phạm vi quản trị của bạn; hãy nhờ quản trị cấp trên thực hiện."
        )


def _state(user) -> AccountState:
    state, _ = AccountState.objects.get_or_create(user=user)
    return state


def create_account(*, acting_user, username: str, full_name: str, email: str, unit, role: str):
    """A new user with a first role at ``unit`` (which the acting user administers) and a temporary password
    to hand over; returns (user, password). The user must change it at the first login."""
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "Cần ghi tên đăng nhập."})
    require(acting_user, Perm.ADMIN, unit)
    if unit.dissolved_on is not None:
        raise ValidationError({"unit": f"{unit.name} đã giải thể."})
    password = temporary_password()
    with transaction.atomic():
        try:
            user = create_user(
                acting_user=acting_user,
                username=username,
                password=password,
                full_name=full_name,
                email=email,
            )
        except ValidationError as exc:
            if "username" in getattr(exc, "error_dict", {}) or "đã có" in " ".join(exc.messages):
                raise ValidationError({"username": exc.messages}) from exc
            raise
        state = _state(user)
        state.must_change_password = True
        state.save()
        grant_role(acting_user=acting_user, user=user, unit=unit, role=role)
    return user, password


def set_active(user, *, acting_user, active: bool, reason: str = ""):
    """Disable (or enable again) an account. Disabling needs a reason; the user's sessions stop at once."""
    reason = " ".join((reason or "").split())
    if not active and not reason:
        raise ValidationError({"reason": "Cần ghi lý do khóa tài khoản."})
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.select_for_update().get(pk=user.pk)
        require_manage(acting_user, user)
        if user.is_active == active:
            raise ValidationError("Tài khoản đã " + ("đang hoạt động." if active else "bị khóa."))
        user.is_active = active
        user.save(update_fields=["is_active"])
        state = _state(user)
        state.disabled_reason = "" if active else reason[:300]
        state.save()
        audit(
            actor=acting_user,
            action="account.enable" if active else "account.disable",
            obj=user,
            summary=("Mở khóa" if active else "Khóa")
            + f" tài khoản {user.username}"
            + (f" — {reason}" if reason else ""),
            before={"is_active": not active},
            after={"is_active": active, "reason": reason},
        )
    return user


def reset_password(user, *, acting_user) -> str:
    """A new temporary password for the user (returned once, to hand over); the user must change it."""
    with transaction.atomic():
        User = get_user_model()
        user = User.objects.select_for_update().get(pk=user.pk)
        require_manage(acting_user, user)
        password = temporary_password()
        user.set_password(password)
        user.save(update_fields=["password"])
        state = _state(user)
        state.must_change_password = True
        state.save()
        audit(
            actor=acting_user,
            action="account.reset_password",
            obj=user,
            summary=f"Đặt lại mật khẩu tài khoản {user.username}",
            after={"must_change_password": True},
        )
    return password


def password_changed(user) -> None:
    """The user changed their own password: no change is required any more."""
    with transaction.atomic():
        AccountState.objects.filter(user=user).update(must_change_password=False)
        audit(
            actor=user, action="account.password_changed", obj=user, summary=f"{user.username} đổi mật khẩu"
        )


def must_change_password(user) -> bool:
    return AccountState.objects.filter(user=user, must_change_password=True).exists()


def logout_everywhere(user, *, acting_user) -> int:
    """End every session of the user (every browser, every device); returns how many. Audited."""
    from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        try:
            data = session.get_decoded()
        except Exception:  # a session that no longer decodes (key rotated): it is dead already
            continue
        if str(data.get(AUTH_SESSION_KEY)) == str(user.pk):
            ended.append(session.session_key)
    with transaction.atomic():
        Session.objects.filter(session_key__in=ended).delete()
        audit(actor=acting_user, action="user.logout_everywhere", obj=user,
              summary=f"Đăng xuất mọi nơi: {len(ended)} phiên của {user.get_full_name() or 'người dùng'}")  # fmt: skip
    return len(ended)


def unlock(user, *, acting_user) -> None:
    """Lift a login lockout (too many wrong passwords) of the user's account. Audited."""
    from axes.utils import reset

    require_manage(acting_user, user)
    with transaction.atomic():
        reset(username=user.get_username())
        audit(actor=acting_user, action="user.unlock", obj=user,
              summary=f"Mở khóa đăng nhập của {user.get_full_name() or 'người dùng'}")  # fmt: skip


def is_locked(user) -> bool:
    from axes.models import AccessAttempt
    from django.conf import settings

    return AccessAttempt.objects.filter(
        username=user.get_username(), failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).exists()
