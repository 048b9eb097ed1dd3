"""Scope: a user sees the union of the subtrees of their role assignments.

Every scoped model declares `SCOPE_FIELDS` (paths of materialized-path fields, e.g. "unit__path")
and uses `ScopedQuerySet`; views fetch objects only through `visible_to(user)` or
`get_visible_or_404`, so anything out of scope answers 404.
"""

from django.db import models
from django.db.models import Q
from django.http import Http404


def scope_paths(user) -> list[str]:
    """Materialized paths of the units the user may see (cached on the user object)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_ketnap_scope_paths", None)
    if cached is None:
        if user.is_superuser:
            cached = [""]
        else:
            from ketnap.accounts.permissions import (
                _grants,  # one query for the roles, shared with the permissions
            )

            paths = sorted({path for path, _ in _grants(user)})
            # Drop paths already covered by an ancestor path.
            cached = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        user._ketnap_scope_paths = cached
    return cached


def scope_q(model, paths: list[str]) -> Q:
    if "" in paths:
        return Q()
    q = Q(pk__in=[])
    for field in model.SCOPE_FIELDS:
        for path in paths:
            q |= Q(**{f"{field}__startswith": path})
    return q


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        paths = scope_paths(user)
        if not paths:
            return self.none()
        return self.filter(scope_q(self.model, paths))

    def in_subtree(self, unit):
        return self.filter(scope_q(self.model, [unit.path]))


def get_visible_or_404(queryset_or_model, user, **lookup):
    qs = queryset_or_model
    if isinstance(qs, type) and issubclass(qs, models.Model):
        qs = qs.objects.all()
    try:
        return qs.visible_to(user).get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404("Không tìm thấy hoặc bạn không có quyền xem.") from None


def path_in_scope(path: str, user) -> bool:
    return any(path.startswith(p) for p in scope_paths(user))
