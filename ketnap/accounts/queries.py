"""Reads of users and their roles for the administration pages, narrowed to what the acting user administers."""

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q
from django.http import Http404

from ketnap.accounts.models import RoleAssignment
from ketnap.accounts.permissions import paths_with
from ketnap.accounts.roles import Perm
from ketnap.core.text import fold


def users_for(admin, q: str = ""):
    """Users with at least one role in a subtree the admin administers (every user for a superuser), with
    their roles."""
    User = get_user_model()
    paths = paths_with(admin, Perm.ADMIN)
    if not paths:
        return User.objects.none()
    qs = User.objects.all()
    if "" not in paths:
        where = Q(pk__in=[])
        for path in paths:
            where |= Q(roles__unit__path__startswith=path)
        qs = qs.filter(where).distinct()
    if q:
        key = fold(q)
        words = key.split()
        for word in words:
            qs = qs.filter(
                Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
    roles = RoleAssignment.objects.select_related("unit").order_by("unit__path", "role")
    return qs.prefetch_related(Prefetch("roles", queryset=roles)).order_by("username")


def user_for(admin, pk):
    """The user if the admin may see them (a role in the admin's subtrees); 404 otherwise."""
    try:
        return users_for(admin).get(pk=pk)
    except (get_user_model().DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy người dùng hoặc bạn không quản trị người dùng này.") from None


def roles_at(unit):
    """Who holds which role at the unit (its page lists them)."""
    return RoleAssignment.objects.filter(unit=unit).select_related("user").order_by("role", "user__last_name")


def assignment_for(admin, pk) -> RoleAssignment:
    paths = paths_with(admin, Perm.ADMIN)
    ra = RoleAssignment.objects.select_related("unit", "user").filter(pk=pk).first()
    if ra is None or not any(ra.unit.path.startswith(p) for p in paths):
        raise Http404("Không tìm thấy phân quyền này.")
    return ra
