"""Assembling papers: a person's papers (one, all, or the whole dossier with its list of contents), the letters
between organisations and the annual review, as HTML ready for `render.to_pdf` / `render.to_docx`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from ketnap.papers import actions, build, render
from ketnap.papers.build import Facts, Ref
from ketnap.people.forms import PermissionContext


@dataclass
class Rendered:
    title: str
    filename: str  # without the extension
    html: str

    def pdf(self) -> bytes:
        return render.to_pdf(self.html, self.title)

    def docx(self) -> bytes:
        return render.to_docx(self.html, self.title)


def _safe_name(text: str) -> str:
    return "".join(c for c in text if c not in '/\\:*?"<>|').strip()


def paper_title(ref: Ref) -> str:
    return f"Mẫu {ref.form.code}" if ref.form.code.endswith("KNĐ") else ref.form.title


def prepare(person, events, refs: list[Ref], *, user=None, system: bool = False) -> Facts:
    """The ledger read once, with the numbers of the papers: those issued before, and new ones for the
    papers ``user`` may number (all of them when ``system``: the command line). A viewer's copy leaves a
    number not yet issued as a dotted gap."""
    facts = Facts.of(person, events, actions.numbers_of(person))
    if system:
        actions.issue_numbers(person, refs, facts, acting_user=None)
    elif user is not None:
        perms = PermissionContext(user, person)
        mine = [
            r
            for r in refs
            if actions.needs_number(r, facts) and actions.may_number(user, person, r, facts, perms)
        ]
        if mine:
            actions.issue_numbers(person, mine, facts, acting_user=user)
    return facts


def sections(refs: list[Ref], facts: Facts) -> list[str]:
    return [
        render_to_string(ref.form.template, build.context(ref, facts, anchor=f"paper-{i + 1}"))
        for i, ref in enumerate(refs)
    ]


def one_paper(person, events, ref: Ref, *, user=None, system: bool = False) -> Rendered:
    facts = prepare(person, events, [ref], user=user, system=system)
    title = f"{paper_title(ref)} — {person.full_name}"
    html = render.html_document(sections([ref], facts), title)
    return Rendered(title, _safe_name(f"{paper_title(ref)} - {person.full_name}"), html)


def dossier(
    person, events, *, user=None, system: bool = False, today: datetime.date | None = None
) -> Rendered:
    """The whole dossier: a list of contents (each paper's first page), then the papers in the guide's
    order."""
    refs = build.refs_for(person, events, dossier=True)
    facts = prepare(person, events, refs, user=user, system=system)
    rows = []
    for i, ref in enumerate(refs):
        number = build.number_for(ref, facts)
        rows.append({
            "anchor": f"paper-{i + 1}",
            "label": ref.form.label,
            "number": number,
            "day": ref.day,
        })  # fmt: skip
    cell = person.unit
    cover = render_to_string("papers/cover.html", {
        "person": person,
        "cell": cell,
        "cell_upper": build.upper_name(cell, today or datetime.date.today()),
        "rows": rows,
        "place": build.context_place(),
        "today": today,
    })  # fmt: skip
    title = f"Hồ sơ — {person.full_name}"
    html = render_to_string("papers/document.html", {
        "sections": [mark_safe(cover), *sections(refs, facts)],
        "title": title,
        "body_class": "dossier",
    })  # fmt: skip
    return Rendered(title, _safe_name(f"Hồ sơ - {person.full_name}"), html)


def all_papers(person, events, *, system: bool = True) -> list[tuple[Ref, Rendered]]:
    """Every paper the person's ledger supports, one file each (the `ketnap forms` command)."""
    refs = build.refs_for(person, events)
    facts = prepare(person, events, refs, system=system)
    out = []
    for ref, html_section in zip(refs, sections(refs, facts), strict=True):
        title = f"{paper_title(ref)} — {person.full_name}"
        suffix = f" ({ref.event.occurred_on:%d-%m-%Y})" if ref.event is not None else ""
        name = _safe_name(f"{paper_title(ref)}{suffix} - {person.full_name}")
        out.append((ref, Rendered(title, name, render.html_document([html_section], title))))
    return out


def letters(requests, title: str) -> Rendered:
    """Letters between organisations (one request or a batch): their numbers are the letters' own, given when
    they were sent."""
    place = build.context_place()
    parts = [render_to_string("papers/letter.html", {"r": r, "place": place, "anchor": f"letter-{r.pk}"})
             for r in requests]  # fmt: skip
    return Rendered(title, _safe_name(title), render.html_document(parts, title))


def annual_review(context: dict, title: str) -> Rendered:
    html = render_to_string("papers/review.html", {**context, "place": build.context_place()})
    return Rendered(title, _safe_name(title), render.html_document([mark_safe(html)], title))


__all__ = ["Rendered", "all_papers", "annual_review", "dossier", "letters", "one_paper"]
