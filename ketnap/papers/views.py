"""Downloads of the papers: a step's paper (Word to edit, PDF to print), the blank forms, the whole dossier, the
letters between organisations and the annual review.

Thin: the person, request or unit is fetched through its app's scoped queries (404 out of scope, so a paper is
served exactly to those who may open its page), the paper is assembled (`documents`) and sent with
`Cache-Control: no-store` (papers carry personal data: no cache keeps a copy).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from ketnap.interorg import queries as interorg_queries
from ketnap.interorg.models import Status
from ketnap.papers import build, documents, words
from ketnap.papers.catalog import BLANK_FORMS, BY_SLUG
from ketnap.people import queries as people_queries
from ketnap.rules import indicators as ind
from ketnap.targets import conf
from ketnap.targets import queries as targets_queries

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def _send(rendered: documents.Rendered, fmt: str) -> HttpResponse:
    body = rendered.pdf() if fmt == "pdf" else rendered.docx()
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{rendered.filename}.{fmt}")
    response["Cache-Control"] = "no-store, private"
    return response


def person_paper(request, pk, slug, event, fmt):
    """The paper of one step of the person's path (/giay-to/nguoi/<pk>/<form>/<entry>.pdf|docx)."""
    person = people_queries.person_for(request.user, pk)
    events = people_queries.events_of(person)
    ref = build.find_ref(person, events, slug, event)
    if ref is None:
        raise Http404("Sổ theo dõi chưa có bước mà giấy tờ này ghi lại.")
    return _send(documents.one_paper(person, events, ref, user=request.user), fmt)


def person_blank(request, pk, slug, fmt):
    """A form the applicant writes by hand (application, biography), with what is known already filled in."""
    person = people_queries.person_for(request.user, pk)
    form = BY_SLUG.get(slug)
    if form is None or form.code not in BLANK_FORMS:
        raise Http404("Không có mẫu này.")
    events = people_queries.events_of(person)
    ref = next((r for r in build.refs_for(person, events) if r.form is form), None)
    return _send(documents.one_paper(person, events, ref, user=request.user), fmt)


def person_dossier(request, pk):
    """The whole dossier as one PDF, in the guide's order, with its list of contents."""
    person = people_queries.person_for(request.user, pk)
    events = people_queries.events_of(person)
    rendered = documents.dossier(person, events, user=request.user, today=timezone.localdate())
    return _send(rendered, "pdf")


def request_letter(request, pk, fmt):
    """A letter between organisations, as it was sent (its number is the letter's own)."""
    req = interorg_queries.request_for(request.user, pk)
    if req.status == Status.DRAFT:
        raise Http404("Văn bản chưa gửi.")
    title = f"{req.get_kind_display()} {req.number} - {req.person.full_name}"
    return _send(documents.letters([req], title), fmt)


def batch_letters(request, pk, fmt):
    """The letters of a batch sent together, one after the other."""
    batch = interorg_queries.batch_for(request.user, pk)
    return _send(documents.letters(list(interorg_queries.batch_requests(batch)), batch.title), fmt)


def annual_review(request, pk, fmt):
    """The annual review of a unit (?ky=SY2025 as on its page)."""
    today = timezone.localdate()
    unit = targets_queries.unit_for(request.user, pk)
    w = _window(request.GET.get("ky", ""), today)
    board = targets_queries.dashboard(request.user, unit, w.key, today, lagging_limit=50)
    context = {"unit": unit, "window": w, "today": today, "board": board,
               "child_specs": [ind.INDICATORS[i] for i in board.child_ids],
               "weaknesses": ind.WEAKNESSES.values(), "body_symbol": words.body_symbol(unit.kind)}  # fmt: skip
    title = f"Báo cáo {w.long_label} - {unit.name}"
    return _send(documents.annual_review(context, title), fmt)


def _window(key: str, today):
    """The school year asked for (?ky=SY2025, as the dashboard's pages take it), among the last ten; the
    current one by default."""
    current = conf.current_school_year(today)
    if not key:
        return current
    try:
        w = conf.window(key)
    except (ValueError, IndexError):
        raise Http404("Kỳ không hợp lệ.") from None
    if w.kind not in ("SY", "CY") or not (current.year - 9 <= w.year <= current.year):
        raise Http404("Kỳ không có dữ liệu.")
    return w
