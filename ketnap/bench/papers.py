"""`ketnap bench papers`: how long the whole dossier of a person takes as one PDF, on the current database.

The person measured is the one whose ledger supports the most papers (a member who went the whole path).
Rendering reads the ledger and the register but numbers nothing (as a viewer's copy): the measure writes
nothing. Reported: the first render in the process (WeasyPrint loads and subsets the fonts), then the median
and the worst of the following renders, the page count, and one Word file of the same papers.
"""

from __future__ import annotations

import statistics
import time

from django.core.management.base import CommandError
from django.db.models import Count, Q

from ketnap.papers import build, documents
from ketnap.papers.catalog import KINDS_WITH_PAPERS
from ketnap.people.models import Person


def richest_person() -> Person | None:
    pk = (
        Person.objects.annotate(n=Count("events", filter=Q(events__kind__in=KINDS_WITH_PAPERS)))
        .order_by("-n", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if pk is None:
        return None
    return Person.objects.select_related("unit", "school", "residence_ward", "mentor").get(pk=pk)


def measure(runs: int = 10, person: Person | None = None) -> dict:
    from io import BytesIO

    from pypdf import PdfReader

    person = person or richest_person()
    if person is None:
        raise CommandError("Cơ sở dữ liệu chưa có hồ sơ; hãy chạy `ketnap seed` trước.")
    events = list(person.events.select_related("org").order_by("occurred_on", "id"))
    refs = build.refs_for(person, events, dossier=True)

    def once() -> tuple[float, bytes]:
        t0 = time.perf_counter()
        pdf = documents.dossier(person, events).pdf()
        return (time.perf_counter() - t0) * 1000, pdf

    first_ms, pdf = once()
    samples = [once()[0] for _ in range(runs)]
    t0 = time.perf_counter()
    documents.one_paper(person, events, refs[-1]).docx()
    docx_ms = (time.perf_counter() - t0) * 1000
    pages = len(PdfReader(BytesIO(pdf)).pages)
    return {
        "person_id": person.pk,
        "papers": len(refs),
        "pages": pages,
        "bytes": len(pdf),
        "first_ms": round(first_ms, 1),
        "median_ms": round(statistics.median(samples), 1),
        "max_ms": round(max(samples), 1),
        "runs": runs,
        "docx_one_ms": round(docx_ms, 1),
    }
