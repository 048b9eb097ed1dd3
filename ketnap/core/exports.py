"""Excel export: headers + rows → an .xlsx download (XlsxWriter), Vietnamese-safe.

Dates are written as real Excel dates shown dd/mm/yyyy (so they sort and filter in Excel);
text keeps its diacritics; the file name is sent ASCII-folded in `filename` and exactly in
`filename*` (RFC 5987 / RFC 6266).
"""

import datetime
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import xlsxwriter
from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str) -> str:
    """`attachment; filename="ascii"; filename*=UTF-8''percent-encoded` for any Unicode file name."""
    filename = filename.replace("\\", "").replace('"', "").replace("\r", "").replace("\n", "")
    plain = unicodedata.normalize("NFD", filename.replace("Đ", "D").replace("đ", "d"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    ascii_name = _UNSAFE.sub("-", plain).strip("-") or "ketnap.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence], *, sheet_name: str = "Danh sách",
               widths: Sequence[int] | None = None) -> bytes:  # fmt: skip
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format(
        {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    date_fmt = book.add_format({"num_format": DATE_FORMAT})
    dt_fmt = book.add_format({"num_format": DATE_FORMAT + " hh:mm"})
    for col, header in enumerate(headers):
        sheet.write_string(0, col, str(header), bold)
    row_no = 0
    for row_no, row in enumerate(rows, start=1):
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, datetime.datetime):
                sheet.write_datetime(row_no, col, value.replace(tzinfo=None), dt_fmt)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(row_no, col, datetime.datetime.combine(value, datetime.time()), date_fmt)
            elif isinstance(value, bool):
                sheet.write_string(row_no, col, "Có" if value else "Không")
            elif isinstance(value, int | float):
                sheet.write_number(row_no, col, value)
            else:
                sheet.write_string(row_no, col, str(value))
    for col, header in enumerate(headers):
        width = widths[col] if widths and col < len(widths) else max(12, min(40, len(str(header)) + 4))
        sheet.set_column(col, col, width)
    sheet.freeze_panes(1, 0)
    if headers:
        sheet.autofilter(0, 0, max(row_no, 1), len(headers) - 1)
    book.close()
    return buffer.getvalue()


def xlsx_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence], *,
                  sheet_name: str = "Danh sách", widths: Sequence[int] | None = None) -> HttpResponse:  # fmt: skip
    """An HttpResponse with the workbook as an attachment named `filename` (may contain Vietnamese)."""
    if not filename.lower().endswith(".xlsx"):
        filename += ".xlsx"
    response = HttpResponse(write_xlsx(headers, rows, sheet_name=sheet_name, widths=widths),
                            content_type=XLSX_CONTENT_TYPE)  # fmt: skip
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


@dataclass(frozen=True)
class Column:
    """One column of a list, declared once for its page and its Excel export.

    ``fields``: the ``values_list`` paths it reads (none for the row number); ``value`` turns them (and the
    export's context) into the cell, default the single field as it is. ``width``: the Excel column width.
    ``page``: the name of the page table's column that shows it (the table takes its header from here)."""

    header: str
    fields: tuple[str, ...] = ()
    width: int = 14
    value: Callable[..., Any] | None = None
    page: str = ""

    def cell(self, values: Sequence, context: dict) -> Any:
        if self.value is None:
            return values[0] if values else None
        return self.value(*values, **context)


ROW_NUMBER = Column("STT", width=6)


def column_header(columns: Sequence[Column], page: str) -> str:
    """The header of the column the page table names ``page`` (so the page and the export say the same)."""
    return next(c.header for c in columns if c.page == page)


def export(queryset, columns: Sequence[Column], **context) -> tuple[list[str], list[int], Iterable[list]]:
    """(headers, widths, rows) of ``queryset`` in its order, one query reading only the columns' fields; the
    row number counts from 1 (``ROW_NUMBER``)."""
    fields: list[str] = []
    slices = []
    for column in columns:
        start = len(fields)
        fields.extend(column.fields)
        slices.append(slice(start, len(fields)))

    def rows():
        for i, row in enumerate(queryset.values_list(*fields).iterator(chunk_size=2000), start=1):
            yield [
                i if column is ROW_NUMBER else column.cell(row[part], context)
                for column, part in zip(columns, slices)
            ]

    return [c.header for c in columns], [c.width for c in columns], rows()
