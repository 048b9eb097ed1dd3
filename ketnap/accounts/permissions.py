"""`user_can(user, perm, unit)`: does one of the user's roles grant `perm` over `unit`?"""

from django.core.exceptions import PermissionDenied

from ketnap.accounts.roles import ROLE_PERMS


def _grants(user) -> list[tuple[str, frozenset[str]]]:
    cached = getattr(user, "_ketnap_grants", None)
    if cached is None:
        from ketnap.accounts.models import RoleAssignment

        cached = [
            (path, ROLE_PERMS[role])
            for path, role in RoleAssignment.objects.filter(user=user).values_list("unit__path", "role")
        ]
        user._ketnap_grants = cached
    return cached


def user_can(user, perm: str, unit) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(unit.path.startswith(path) and perm in perms for path, perms in _grants(user))


def user_perms(user, unit) -> set[str]:
    if user.is_superuser:
        return set().union(*ROLE_PERMS.values())
    out: set[str] = set()
    for path, perms in _grants(user):
        if unit.path.startswith(path):
            out |= perms
    return out


def require(user, perm: str, unit) -> None:
    if not user_can(user, perm, unit):
        raise PermissionDenied("Vai trò của bạn không được phép thực hiện thao tác này tại đơn vị này.")


def has_perm_anywhere(user, perm: str) -> bool:
    """Does one of the user's roles grant `perm` at some unit (e.g. to show an administrator's menu)?"""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(perm in perms for _, perms in _grants(user))


def paths_with(user, perm: str) -> list[str]:
    """The paths of the subtrees where the user holds ``perm`` ([""]: everywhere, for a superuser)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    if user.is_superuser:
        return [""]
    paths = sorted({path for path, perms in _grants(user) if perm in perms})
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
