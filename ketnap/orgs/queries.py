"""Reads of the organisation tree, always narrowed to what the user may see.

Views call these functions and never touch `OrgUnit.objects`, `School.objects` or
`Authorization.objects` themselves (enforced by core/tests/test_no_direct_objects.py).
"""

from django.db.models import Q

from ketnap.accounts.permissions import user_can
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import get_visible_or_404, scope_paths
from ketnap.core.text import fold
from ketnap.orgs.models import Authorization, OrgUnit, School


def units_for(user):
    """The units the user may see (no condition at all for a whole-tree scope: the indexes then serve)."""
    if covers_whole_tree(user):
        return OrgUnit.objects.all()
    return OrgUnit.objects.visible_to(user)


def covers_whole_tree(user) -> bool:
    """True when the user's scope contains every root of the tree (a city-level role): then a scoped
    query needs no filter at all, which lets the database use its sort indexes. Cached on the user."""
    cached = getattr(user, "_ketnap_whole_tree", None)
    if cached is None:
        paths = scope_paths(user)
        if not paths:
            cached = False
        elif "" in paths:
            cached = True
        else:
            roots = OrgUnit.objects.filter(parent__isnull=True).values_list("path", flat=True)
            cached = all(any(root.startswith(p) for p in paths) for root in roots)
        user._ketnap_whole_tree = cached
    return cached


def unit_ids_subquery(user):
    """The pks of the visible units, as a subquery: `unit_id IN (…)` is several times faster on SQLite
    than joining every row to OrgUnit and testing its path (it can use the (unit, stage) index)."""
    return OrgUnit.objects.visible_to(user).values("pk")


def is_root_admin(user) -> bool:
    """An administrator at a root of the tree (or a superuser): the one who manages what is city-wide (the
    working-day calendar, the reminder sweeps)."""
    if getattr(user, "is_superuser", False):
        return True
    return any(user_can(user, Perm.ADMIN, root) for root in OrgUnit.objects.filter(parent__isnull=True))


def unit_for(user, pk) -> OrgUnit:
    """The unit if the user may see it; 404 otherwise."""
    return get_visible_or_404(OrgUnit.objects.select_related("parent"), user, pk=pk)


def schools_for(user):
    """Schools in the user's scope, plus the schools whose party organisation is above the user's units
    (a student cell's clerk picks the university the cell belongs to)."""
    above = {int(seg) for path in scope_paths(user) for seg in path.split(".") if seg}
    qs = School.objects.visible_to(user)
    if above:
        qs = qs | School.objects.filter(party_org_id__in=above)
    return qs.distinct()


def schools_of_unit(user, unit: OrgUnit) -> list[int]:
    """Pks of the visible schools whose party organisation is the unit or one of its ancestors."""
    ids = [int(seg) for seg in unit.path.split(".") if seg]
    return list(schools_for(user).filter(party_org_id__in=ids).values_list("pk", flat=True))


def wards():
    """Every ward/commune (names are public; used for a person's place of residence)."""
    return OrgUnit.objects.filter(kind=OrgUnit.Kind.WARD, dissolved_on__isnull=True).order_by("name")


def ward_options() -> list[tuple[int, str]]:
    return list(wards().values_list("pk", "name"))


# A <select> lists at most this many units or schools; a larger scope (a city has 31,000 units and 3,600
# schools, a nation 15 times as many) gets its first levels and a search box instead.
OPTIONS_MAX = 300
SEARCH_MAX = 50


class Options(list):
    """The options of a <select>: every one (`partial` False), or the first levels of a large tree with the
    selected one (`partial`: the page offers a search box that brings the others)."""

    partial = False


def _scope_top_depth(user) -> int:
    paths = scope_paths(user)
    if not paths or "" in paths:
        return 0
    return min(p.count(".") for p in paths) - 1


def unit_options(user, selected=None) -> Options:
    """(pk, name, indent) of the visible live units in tree order, for a <select>; indent starts at 0. A
    dissolved unit is never offered where a live one is expected. Above OPTIONS_MAX units: the units of the
    user's top level and the level below it, and the selected unit with its ancestors (`partial`)."""
    live = units_for(user).filter(dissolved_on__isnull=True)
    # whether the list is long, from the index alone (reading the rows of a city's first 500 units to find
    # out cost more than the page's own query)
    many = live.order_by().values("pk")[OPTIONS_MAX : OPTIONS_MAX + 1].exists()
    if not many:
        rows = list(live.order_by("path").values_list("pk", "name", "depth", "path"))
        if not rows:
            return Options()
        top = min(depth for _, _, depth, _ in rows)
        return Options((pk, name, depth - top) for pk, name, depth, _ in rows)
    top = _scope_top_depth(user)
    rows = list(
        live.filter(depth__lte=top + 1)
        .order_by("path")
        .values_list("pk", "name", "depth", "path")[:OPTIONS_MAX]
    )
    chosen = _selected_pk(selected)
    if chosen is not None and chosen not in {r[0] for r in rows}:
        unit = live.filter(pk=chosen).values_list("path", flat=True).first()
        if unit:
            ids = [int(seg) for seg in unit.split(".") if seg]
            extra = live.filter(pk__in=ids).values_list("pk", "name", "depth", "path")
            rows = sorted({r[0]: r for r in [*rows, *extra]}.values(), key=lambda r: r[3])
    out = Options((pk, name, max(0, depth - top)) for pk, name, depth, _ in rows)
    out.partial = True
    return out


def _selected_pk(value) -> int | None:
    pk = getattr(value, "pk", value)
    try:
        return int(pk) if pk not in (None, "") else None
    except (TypeError, ValueError):
        return None


def search_units(user, text: str) -> list[tuple[int, str, int]]:
    """Live visible units whose name or code contains every word of `text` (accents ignored), for the search
    box of a partial unit list: at most SEARCH_MAX, in tree order, indented 0."""
    key = fold(text or "")[:100]
    words = [w for w in key.split(" ") if w]
    if not words:
        return []
    qs = units_for(user).filter(dissolved_on__isnull=True)
    for w in words:
        qs = qs.filter(search_key__contains=w)
    return [(pk, name, 0) for pk, name in qs.order_by("path").values_list("pk", "name")[:SEARCH_MAX]]


def search_schools(user, text: str) -> list[tuple[int, str]]:
    key = fold(text or "")[:100]
    words = [w for w in key.split(" ") if w]
    if not words:
        return []
    qs = schools_for(user)
    for w in words:
        qs = qs.filter(search_key__contains=w)
    return list(qs.order_by("name").values_list("pk", "name").distinct()[:SEARCH_MAX])


def admin_units(user):
    """The live units the user administers (the subtrees of their admin roles)."""
    from ketnap.accounts.permissions import paths_with
    from ketnap.accounts.roles import Perm

    paths = paths_with(user, Perm.ADMIN)
    if not paths:
        return OrgUnit.objects.none()
    qs = OrgUnit.objects.filter(dissolved_on__isnull=True)
    if "" not in paths:
        where = Q(pk__in=[])
        for path in paths:
            where |= Q(path__startswith=path)
        qs = qs.filter(where)
    return qs


def admin_unit_options(
    user, *, cells: bool | None = None, kinds=None, outside=None
) -> list[tuple[int, str, int]]:
    """(pk, name, indent) of the live units the user administers, for the administration forms: only cells
    (``cells=True``), only units that can have children (``cells=False``), of ``kinds``, and not in the
    subtree of ``outside``."""
    qs = admin_units(user)
    if cells is True:
        qs = qs.filter(kind__in=[OrgUnit.Kind.CELL, OrgUnit.Kind.GRASSROOTS_CELL])
    elif cells is False:
        qs = qs.exclude(kind__in=[OrgUnit.Kind.CELL, OrgUnit.Kind.GRASSROOTS_CELL])
    if kinds:
        qs = qs.filter(kind__in=kinds)
    if outside is not None:
        qs = qs.exclude(path__startswith=outside.path)
    rows = list(qs.order_by("path").values_list("pk", "name", "depth"))
    if not rows:
        return []
    top = min(depth for _, _, depth in rows)
    return [(pk, name, depth - top) for pk, name, depth in rows]


def ward_options_for_admin(user) -> list[tuple[int, str]]:
    return [(pk, name) for pk, name, _ in admin_unit_options(user, kinds=[OrgUnit.Kind.WARD])]


def school_for(user, pk) -> School:
    return get_visible_or_404(School.objects.select_related("ward", "party_org"), user, pk=pk)


def schools_list(user, q: str = ""):
    qs = schools_for(user).select_related("ward", "party_org").order_by("name")
    if q:
        qs = qs.filter(search_key__contains=fold(q))
    return qs


def authorization_for(user, pk) -> Authorization:
    return get_visible_or_404(Authorization.objects.select_related("grantor", "grantee"), user, pk=pk)


def former_names(unit: OrgUnit):
    return list(unit.former_names.all())


def links_of(unit: OrgUnit):
    """The unit's parents over time, latest first."""
    return list(unit.parent_links.select_related("parent").order_by("-valid_from"))


def school_options_near(user, unit: OrgUnit) -> list[tuple[int, str]]:
    """The visible schools a person added at `unit` may belong to: those whose party organisation is the unit,
    one of its ancestors or in its subtree, or located in one of its ancestors (a ward); all of them for a
    scope of at most OPTIONS_MAX schools."""
    rows = list(schools_for(user).order_by("name").values_list("pk", "name").distinct()[: OPTIONS_MAX + 1])
    if len(rows) <= OPTIONS_MAX:
        return rows
    above = [int(seg) for seg in unit.path.split(".") if seg]
    near = Q(party_org_id__in=above) | Q(ward_id__in=above) | Q(party_org__path__startswith=unit.path)
    return list(schools_for(user).filter(near).order_by("name").values_list("pk", "name").distinct()[:2000])


def school_options(user, selected=None) -> Options:
    """(pk, name) of the visible schools by name; above OPTIONS_MAX, only the selected one (`partial`: the page
    offers a search box)."""
    rows = list(schools_for(user).order_by("name").values_list("pk", "name").distinct()[: OPTIONS_MAX + 1])
    if len(rows) <= OPTIONS_MAX:
        return Options(rows)
    chosen = _selected_pk(selected)
    out = Options(schools_for(user).filter(pk=chosen).values_list("pk", "name").distinct() if chosen else [])
    out.partial = True
    return out


def children_of(user, unit: OrgUnit, *, live: bool = False):
    qs = units_for(user).filter(parent=unit).order_by("path")
    return qs.filter(dissolved_on__isnull=True) if live else qs


def schools_of(user, unit: OrgUnit):
    """Schools whose party organisation is the unit, or located in the unit (a ward)."""
    return schools_for(user).filter(Q(party_org=unit) | Q(ward=unit)).select_related("party_org").distinct()


def authorizations_of(user, unit: OrgUnit):
    return (
        Authorization.objects.visible_to(user)
        .filter(Q(grantee=unit) | Q(grantor=unit))
        .select_related("grantor", "grantee")
        .distinct()
    )


def visible_ancestors(user, unit: OrgUnit) -> list[OrgUnit]:
    """The unit's ancestors that the user may see, root first (for breadcrumbs)."""
    from ketnap.accounts.scoping import path_in_scope

    return [a for a in unit.ancestors() if path_in_scope(a.path, user)]


def school_levels(school_ids: list[int]) -> list[str]:
    """The levels of the given schools (ids the caller already resolved in the user's scope)."""
    return list(School.objects.filter(pk__in=school_ids).values_list("level", flat=True))


def names_with_school(units) -> dict[int, str]:
    """{unit id: a name that says where the unit is}. A cell under a grassroots committee is often named only
    by its faculty or its members ("Chi bộ Sinh viên"): it gets its school, "Chi bộ Sinh viên — Trường Đại
    học Bách khoa" (the grassroots organisation's name when no school is recorded for it). Other units keep
    their name, which names their school or ward already. Two queries for any number of units."""
    units = [u for u in units if u is not None]
    cells = [u for u in units if u.kind == OrgUnit.Kind.CELL]
    ids = {int(s) for u in cells for s in u.path.split(".") if s}
    grassroots = dict(
        OrgUnit.objects.filter(pk__in=ids, kind=OrgUnit.Kind.GRASSROOTS).values_list("pk", "name")
    )
    schools: dict[int, str] = {}
    for org_id, name in (
        School.objects.filter(party_org_id__in=list(grassroots))
        .order_by("-pk")
        .values_list("party_org_id", "name")
    ):
        schools[org_id] = name  # the oldest school of the organisation wins
    out = {}
    for u in units:
        label = u.name
        if u.kind == OrgUnit.Kind.CELL:
            above = [int(s) for s in u.path.split(".") if s and int(s) in grassroots]
            if above:
                place = schools.get(above[-1]) or grassroots[above[-1]]
                if place not in u.name:
                    label = f"{u.name} — {place}"
        out[u.pk] = label
    return out
