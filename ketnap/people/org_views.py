"""Organisation pages: the visible tree and one unit's page, with the persons they hold (so they live above
`orgs`, in `people`). Reads go through orgs.queries and people.queries."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from ketnap.accounts import queries as account_queries
from ketnap.accounts.permissions import paths_with, user_perms
from ketnap.accounts.roles import Perm
from ketnap.core.paging import search_text
from ketnap.orgs import queries
from ketnap.people import queries as people_queries
from ketnap.people.models import PIPELINE_STAGES, Stage


def org_tree(request):
    q = search_text(request.GET.get("q"))
    rows = people_queries.tree_rows(request.user, q=q)
    return render(request, "orgs/tree.html", {
        "rows": rows,
        "q": q,
        "matches": sum(1 for r in rows if r.match),
        "can_admin": bool(paths_with(request.user, Perm.ADMIN)),
    })  # fmt: skip


def org_detail(request, pk):
    unit = queries.unit_for(request.user, pk)
    members, pool, counts = people_queries.unit_people(request.user, unit)
    labels = dict(Stage.choices)
    perms = user_perms(request.user, unit)
    return render(request, "orgs/detail.html", {
        "unit": unit,
        "ancestors": queries.visible_ancestors(request.user, unit),
        "children": queries.children_of(request.user, unit, live=True),
        "dissolved_children": queries.children_of(request.user, unit).filter(dissolved_on__isnull=False),
        "former_names": queries.former_names(unit),
        "links": queries.links_of(unit),
        "roles": account_queries.roles_at(unit),
        "can_admin": Perm.ADMIN in perms,
        "can_import": Perm.PREPARE in perms and unit.dissolved_on is None,
        "schools": queries.schools_of(request.user, unit),
        "authorizations": queries.authorizations_of(request.user, unit),
        "members": members,
        "pool": pool,
        "stage_counts": [(s, labels[s], counts.get(s, 0)) for s in PIPELINE_STAGES],
        "subtree_total": sum(counts.values()),
        "can_add_source": unit.is_cell and Perm.PREPARE in perms and unit.dissolved_on is None,
        "today": timezone.localdate(),
    })  # fmt: skip


def authorized_decisions(request, pk):
    """What a committee decided under its authorisations to admit (the decisions it signed itself)."""
    unit = queries.unit_for(request.user, pk)
    return render(request, "orgs/authorized_decisions.html", {
        "unit": unit,
        "authorizations": queries.authorizations_of(request.user, unit).filter(grantee=unit),
        "decisions": people_queries.authorized_decisions(request.user, unit),
    })  # fmt: skip


def option_search(request, what):
    """The <option>s of the units ("don-vi") or schools ("truong") whose name contains the words typed in the
    search box of a long list (orgs.queries.Options.partial), for htmx to put in the list."""
    from ketnap.people.templatetags.ketnap_tags import select_options

    if what == "don-vi":
        rows = queries.search_units(request.user, request.GET.get("tim-don-vi", ""))
    elif what == "truong":
        rows = queries.search_schools(request.user, request.GET.get("tim-truong", ""))
    else:
        raise Http404("Không có danh sách này.")
    html = select_options(rows, "")
    if not rows:
        html = '<option value="" disabled>Không tìm thấy</option>'
    return HttpResponse(html)
