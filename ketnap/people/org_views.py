"""Organisation pages: the visible tree and one unit's page, with the persons they hold (so they live above
`orgs`, in `people`). Reads go through orgs.queries and people.queries."""

from django.shortcuts import render

from ketnap.accounts.permissions import user_perms
from ketnap.accounts.roles import Perm
from ketnap.orgs import queries
from ketnap.people import queries as people_queries
from ketnap.people.models import PIPELINE_STAGES, Stage


def org_tree(request):
    q = request.GET.get("q", "").strip()
    rows = people_queries.tree_rows(request.user, q=q)
    return render(request, "orgs/tree.html", {"rows": rows, "q": q})


def org_detail(request, pk):
    unit = queries.unit_for(request.user, pk)
    members, pool, counts = people_queries.unit_people(request.user, unit)
    labels = dict(Stage.choices)
    perms = user_perms(request.user, unit)
    return render(request, "orgs/detail.html", {
        "unit": unit,
        "ancestors": queries.visible_ancestors(request.user, unit),
        "children": queries.children_of(request.user, unit),
        "schools": queries.schools_of(request.user, unit),
        "authorizations": queries.authorizations_of(request.user, unit),
        "members": members,
        "pool": pool,
        "stage_counts": [(s, labels[s], counts.get(s, 0)) for s in PIPELINE_STAGES],
        "subtree_total": sum(counts.values()),
        "can_add_source": unit.is_cell and Perm.PREPARE in perms,
    })  # fmt: skip
