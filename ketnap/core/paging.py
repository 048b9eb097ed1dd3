"""Bounded list parameters: page numbers, page sizes, search text and integer ids read from a request.

Every list reads them through these helpers, so that a page number of 25 digits, a negative page size or a
search of several thousand characters gets an ordinary page, never a server error."""

from __future__ import annotations

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.utils.functional import cached_property

MAX_PAGE = 100_000
MAX_PER_PAGE = 200
MAX_SEARCH = 100  # characters of a search box (a full name with a citizen ID fits easily)
MAX_ID = 2**63 - 1
# A list counts at most this many rows: a city-wide list of 300,000 persons is "more than 10,000" (counting a
# nation's 4.5 million each time would cost seconds); its pages go that far, and filters narrow it.
COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000  # a search's list: "more than 1,000" says to type more


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` rows (`capped` is then True): `SELECT COUNT(*) FROM (… LIMIT cap + 1)`
    reads at most that many index entries however large the list. `known` gives the number when the caller
    has it already (a number of the indicator rollup): no count at all."""

    def __init__(self, object_list, per_page, *args, queryset=None, cap=COUNT_CAP, known=None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self._queryset = queryset
        self.cap = cap
        self.known = known
        self.capped = False

    @cached_property
    def count(self):
        if self.known is not None:
            return self.known
        qs = self._queryset if self._queryset is not None else self.object_list
        n = qs.order_by()[: self.cap + 1].count() if hasattr(qs, "query") else len(qs)
        self.capped = n > self.cap
        return min(n, self.cap)

    @property
    def count_text(self) -> str:
        """ "12.345", or "hơn 10.000" when the count stopped at the cap."""
        n = f"{self.count:,}".replace(",", ".")
        return f"hơn {n}" if self.capped else n


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


def paginate_table(request, table, per_page: int, cap: int = COUNT_CAP, count_queryset=None) -> None:
    """Paginate a django-tables2 table with a page size the server chooses (none from the request) and a
    bounded page number; a page past the end shows the last page. A queryset is counted up to `cap` rows
    (`CappedPaginator`), through `count_queryset` when given (the same rows, read another way)."""
    page = page_number(request.GET.get(table.prefixed_page_field))
    per_page = max(1, min(per_page, MAX_PER_PAGE))
    queryset = count_queryset if count_queryset is not None else getattr(table.data, "data", None)
    kwargs = {"paginator_class": CappedPaginator, "queryset": queryset if hasattr(queryset, "query") else None,
              "cap": cap}  # fmt: skip
    try:
        table.paginate(page=page, per_page=per_page, **kwargs)
    except (EmptyPage, PageNotAnInteger):
        table.paginate(page=max(1, table.paginator.num_pages), per_page=per_page, **kwargs)


def order_table(request, table) -> None:
    """The table's order from the request's sort parameter, keeping only the names of its sortable columns
    (with an optional "-"): `?sort=1.5` or `?sort=<a column that does not exist>` keeps the default order."""
    raw = request.GET.get(table.prefixed_order_by_field, "")[:MAX_SEARCH]
    names = {column.name for column in table.columns if column.orderable}
    keep = [key for key in raw.split(",") if key.lstrip("-") in names]
    if keep:
        table.order_by = keep


def estimated_rows(model) -> float:
    """PostgreSQL's count of the model's table rows at its last ANALYZE (no scan); 0 when unknown or on another
    database. For deciding how to read a huge list, or showing a large number as an estimate."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [model._meta.db_table])
        row = cur.fetchone()
    return max(float(row[0]), 0.0) if row else 0.0
