"""Home page: the user's pipeline at a glance and what there is to do, most urgent first (the inbox's first
items, its overdue count and the letters waiting: `interorg_tags.home_inbox`, the inbox's own queries)."""

from django.shortcuts import render
from django.utils import timezone

from ketnap.people import queries
from ketnap.people.models import CLOSED_STAGES, PIPELINE_STAGES, Stage


def home(request):
    today = timezone.localdate()
    counts = queries.stage_counts(queries.persons_for(request.user))
    labels = dict(Stage.choices)
    stages = [(s, labels[s], counts.get(s, 0)) for s in [*PIPELINE_STAGES, *CLOSED_STAGES]]
    return render(request, "core/home.html", {
        "today": today,
        "stages": stages,
        "total": sum(counts.values()),
        "members": counts.get(Stage.PROBATIONARY, 0) + counts.get(Stage.OFFICIAL, 0),
        "pool": sum(counts.get(s, 0) for s in PIPELINE_STAGES[:6]),
    })  # fmt: skip
