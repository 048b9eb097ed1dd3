"""Template helpers of the papers: dates in words, dotted gaps; and the links to a step's paper that the person
page shows under each ledger entry (`{% paper_links person event events %}`), which read no database."""

import datetime

from django import template
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ketnap.papers import words
from ketnap.papers.catalog import forms_of_kind

register = template.Library()


@register.filter
def words_date(value) -> str:
    """ "ngày 05 tháng 5 năm 2026" (dotted when unknown)."""
    return words.day_words(_date(value))


@register.filter
def dots(value, filler: str = "") -> str:
    """The value, or a dotted gap to fill by hand."""
    return words.dots(value, filler or words.DOTS)


@register.filter
def dots_long(value) -> str:
    return words.dots(value, words.DOTS_LONG)


@register.filter
def dmy_dots(value) -> str:
    return words.dmy(_date(value))


@register.filter
def upper_vi(value) -> str:
    return words.upper(str(value or ""))


@register.filter
def org_of(name) -> str:
    return words.organisation_of(str(name or ""))


@register.filter
def place(name) -> str:
    """A ward as a place of residence ("phường Sài Gòn"), dotted when unknown."""
    return words.dots(words.place_of(str(name or "")), words.DOTS_LONG)


@register.simple_tag
def dot_lines(count: int = 3) -> str:
    """Whole dotted lines to write on by hand."""
    return format_html_join("", '<p class="dotline">{}</p>', ((words.DOT_LINE,) for _ in range(int(count))))


def _date(value):
    if isinstance(value, str) and value:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return value or None


@register.simple_tag
def paper_links(person, event, events=None) -> str:
    """Under a ledger entry on the person page: its paper(s) as Word to edit and PDF to print. Nothing for a
    correction (the original's paper prints the corrected facts) or a voided entry."""
    if event.corrects_id or (event.data or {}).get("void"):
        return ""
    corrections = [e for e in (events or []) if e.corrects_id == event.pk]
    if corrections and (max(corrections, key=lambda e: e.pk).data or {}).get("void"):
        return ""  # voided: the step no longer counts, nor its paper
    forms = forms_of_kind(event.kind)
    if not forms:
        return ""
    intros = None
    parts = []
    for form in forms:
        if form.code == "3A-KNĐ":
            if intros is None:
                intros = [e for e in (events or []) if e.kind == "member_introduction" and not e.corrects_id]
            if len(intros) < 2 or intros[0].pk != event.pk:
                continue
        docx = reverse("paper-person", args=[person.pk, form.slug, event.pk, "docx"])
        pdf = reverse("paper-person", args=[person.pk, form.slug, event.pk, "pdf"])
        title = f"{form.title} (mẫu {form.code})" if form.code.endswith("KNĐ") else form.title
        note = f" ({form.note})" if form.note else ""
        parts.append(format_html(
            '<span class="paper-links text-nowrap me-2" data-form="{}"><span class="text-secondary">{}{}:</span> '
            '<a href="{}" class="paper-docx" title="{} — tệp Word để sửa">Word</a> · '
            '<a href="{}" class="paper-pdf" title="{} — tệp PDF để in">PDF</a></span>',
            form.code, form.code if form.code.endswith("KNĐ") else "Quyết định", note, docx, title, pdf, title,
        ))  # fmt: skip
    if not parts:
        return ""
    return format_html(
        '<div class="small mt-1 papers">{}</div>', format_html_join(" ", "{}", ((p,) for p in parts))
    )


@register.filter
def sign_for_unit(unit) -> str:
    """The signature block's first line for a unit's own document (HD 36-HD/VPTW: on behalf of its committee)."""
    kind = getattr(unit, "kind", "")
    if kind in ("cell", "grassroots_cell"):
        return "T/M CHI ỦY"
    if kind == "city":
        return "T/M BAN THƯỜNG VỤ"
    return "T/M ĐẢNG ỦY"


@register.simple_tag
def dossier_link(person) -> str:
    """The person page's link to the whole dossier as one PDF, and to the blank forms the applicant writes."""
    return format_html(
        '<div class="btn-group" id="papers-menu">'
        '<a class="btn" id="dossier-pdf" href="{}" title="Toàn bộ hồ sơ theo thứ tự hướng dẫn, có danh mục">Hồ sơ (PDF)</a>'
        '<a class="btn" id="blank-application" href="{}" title="Đơn xin vào Đảng để người xin vào Đảng tự viết">Mẫu 1-KNĐ</a>'
        '<a class="btn" id="blank-biography" href="{}" title="Lý lịch của người xin vào Đảng để tự khai">Mẫu 2-KNĐ</a></div>',
        reverse("paper-dossier", args=[person.pk]),
        reverse("paper-blank", args=[person.pk, "1-knd", "pdf"]),
        reverse("paper-blank", args=[person.pk, "2-knd", "pdf"]),
    )
