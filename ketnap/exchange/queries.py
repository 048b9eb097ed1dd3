"""Reads of imports, narrowed to the user's scope (the unit imported into)."""

from ketnap.accounts.scoping import get_visible_or_404
from ketnap.exchange.models import ImportJob


def jobs_for(user):
    return ImportJob.objects.visible_to(user).select_related("unit", "created_by").defer("content")


def job_for(user, pk) -> ImportJob:
    return get_visible_or_404(
        ImportJob.objects.select_related("unit", "created_by").defer("content"), user, pk=pk
    )
