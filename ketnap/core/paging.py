"""Bounded list parameters: page numbers, page sizes, search text and integer ids read from a request.

Every list reads them through these helpers, so that a page number of 25 digits, a negative page size or a
search of several thousand characters gets an ordinary page, never a server error."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger

MAX_PAGE = 100_000
MAX_PER_PAGE = 200
MAX_SEARCH = 100  # characters of a search box (a full name with a citizen ID fits easily)
MAX_ID = 2**63 - 1


def bounded_int(value, default: int | None = None, *, low: int = 1, high: int = MAX_ID) -> int | None:
    """An integer within [low, high] from text of digits (at most 19 of them), else ``default``."""
    text = str(value if value is not None else "").strip()
    if not text or len(text) > 19 or not text.lstrip("-").isdigit():
        return default
    number = int(text)
    return number if low <= number <= high else default


def page_number(value) -> int:
    """A page number: 1 when missing or wrong, at most MAX_PAGE (a paginator then shows its last page)."""
    return bounded_int(value, 1, low=1, high=MAX_PAGE) or 1


def search_text(value) -> str:
    """A search box's text, trimmed and cut to MAX_SEARCH characters, NUL characters dropped."""
    return str(value or "").replace("\x00", "").strip()[:MAX_SEARCH]


def paginate_table(request, table, per_page: int) -> None:
    """Paginate a django-tables2 table with a page size the server chooses (none from the request) and a
    bounded page number; a page past the end shows the last page."""
    page = page_number(request.GET.get(table.prefixed_page_field))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    try:
        table.paginate(page=page, per_page=per_page)
    except (EmptyPage, PageNotAnInteger):
        table.paginate(page=max(1, table.paginator.num_pages), per_page=per_page)
