"""Home page: the user's pipeline at a glance and the deadlines of the next 30 days."""

from django.shortcuts import render
from django.utils import timezone

from ketnap.people import queries
from ketnap.people.models import CLOSED_STAGES, PIPELINE_STAGES, Stage


def home(request):
    today = timezone.localdate()
    counts = queries.stage_counts(queries.persons_for(request.user))
    labels = dict(Stage.choices)
    stages = [(s, labels[s], counts.get(s, 0)) for s in [*PIPELINE_STAGES, *CLOSED_STAGES]]
    due, due_total = queries.due_within(request.user, today, days=30, limit=30)
    return render(request, "core/home.html", {
        "today": today,
        "stages": stages,
        "total": sum(counts.values()),
        "members": counts.get(Stage.PROBATIONARY, 0) + counts.get(Stage.OFFICIAL, 0),
        "pool": sum(counts.get(s, 0) for s in PIPELINE_STAGES[:6]),
        "due": due,
        "due_total": due_total,
    })  # fmt: skip
