"""Workbooks the import hands out: the template of each kind (Vietnamese headers, one example row, a sheet
explaining each column and its allowed values) and the rejected rows with their reason, to fix and re-import."""

from __future__ import annotations

import datetime
import io
import re

import xlsxwriter

from ketnap.exchange import columns as C

DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")


def _book():
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer, {"in_memory": True, "strings_to_numbers": False, "strings_to_urls": False}
    )
    formats = {
        "head": book.add_format(
            {"bold": True, "bg_color": "#E8EEF7", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "required": book.add_format(
            {"bold": True, "bg_color": "#FDE2E1", "border": 1, "text_wrap": True, "valign": "top"}
        ),
        "date": book.add_format({"num_format": "dd/mm/yyyy"}),
        "text": book.add_format({"num_format": "@"}),
        "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        "reason": book.add_format({"text_wrap": True, "valign": "top", "font_color": "#B42318"}),
    }
    return buffer, book, formats


def _write(sheet, row: int, col: int, value, formats) -> None:
    if value in ("", None):
        return
    if isinstance(value, datetime.date):
        sheet.write_datetime(row, col, datetime.datetime.combine(value, datetime.time()), formats["date"])
    elif isinstance(value, str) and DATE_RE.match(value) and _real_date(value):
        sheet.write_datetime(row, col, datetime.datetime.strptime(value, "%d/%m/%Y"), formats["date"])
    elif isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    else:
        sheet.write_string(row, col, str(value))


def _real_date(value: str) -> bool:
    try:
        datetime.datetime.strptime(value, "%d/%m/%Y")
    except ValueError:
        return False  # kept as the text it was (a rejected row's impossible date, to be fixed)
    return True


def _data_sheet(book, formats, name: str, cols: list[C.Col]) -> None:
    sheet = book.add_worksheet(name)
    shown = [c for c in cols if c.template]
    for i, c in enumerate(shown):
        sheet.write_string(0, i, c.header, formats["required" if c.required else "head"])
        sheet.set_column(
            i,
            i,
            max(12, min(32, len(c.header) + 2)),
            formats["text"] if c.type in ("citizen_id", "text") else None,
        )
        _write(sheet, 1, i, c.example, formats)
        if c.choices:
            sheet.data_validation(1, i, 5000, i, {"validate": "list", "source": [label for _, label in c.choices][:40],
                                                  "error_type": "warning"})  # fmt: skip
    sheet.freeze_panes(1, 0)


def _explain_sheet(book, formats, parts: list[tuple[str, list[C.Col]]]) -> None:
    sheet = book.add_worksheet("Giải thích")
    heads = ["Trang", "Cột", "Bắt buộc", "Giá trị cho phép", "Giải thích", "Ví dụ"]
    for i, h in enumerate(heads):
        sheet.write_string(0, i, h, formats["head"])
    for i, width in enumerate((14, 34, 10, 46, 70, 22)):
        sheet.set_column(i, i, width, formats["wrap"])
    row = 1
    for page, cols in parts:
        for c in cols:
            if not c.template:
                continue
            sheet.write_string(row, 0, page)
            sheet.write_string(row, 1, c.header)
            sheet.write_string(row, 2, "Có" if c.required else "")
            sheet.write_string(row, 3, c.allowed())
            sheet.write_string(row, 4, c.help)
            _write(sheet, row, 5, c.example, formats)
            row += 1
    notes = [
        "Dòng đầu tiên là tiêu đề cột; tên cột không phân biệt chữ hoa, chữ thường, có dấu hay không dấu.",
        "Ngày ghi dạng dd/mm/yyyy (ví dụ 15/03/2004) hoặc ô ngày của Excel.",
        "Ô để trống: không thay đổi thông tin đã có trong hệ thống.",
        "Nhập lại cùng một tệp không thay đổi gì; dòng bị loại được tải về kèm lý do để sửa và nhập lại.",
        "Mỗi người được nhận ra theo số CCCD, nếu không có thì theo họ tên và ngày sinh trong đơn vị.",
    ]
    row += 1
    for text in notes:
        sheet.write_string(row, 0, "Lưu ý")
        sheet.merge_range(row, 1, row, 5, text, formats["wrap"])
        row += 1


def template(kind: str) -> bytes:
    buffer, book, formats = _book()
    if kind == "persons":
        _data_sheet(book, formats, "Danh sách", C.PERSON_COLUMNS)
        _explain_sheet(book, formats, [("Danh sách", C.PERSON_COLUMNS)])
    else:
        _data_sheet(book, formats, "Tổ chức", C.UNIT_COLUMNS)
        _data_sheet(book, formats, "Trường học", C.SCHOOL_COLUMNS)
        _explain_sheet(book, formats, [("Tổ chức", C.UNIT_COLUMNS), ("Trường học", C.SCHOOL_COLUMNS)])
    book.close()
    return buffer.getvalue()


TEMPLATE_NAMES = {
    "persons": "Mẫu nhập danh sách người.xlsx",
    "tree": "Mẫu nhập cây tổ chức và trường học.xlsx",
}
REASON_HEADER = "Lý do không nhập"


def rejects(job_result: dict) -> bytes:
    """The rows not imported (rejected, or a possible duplicate left undecided), as they were in the file, with a
    reason column; headers of the file, so that the fixed rows import again."""
    buffer, book, formats = _book()
    rows = [
        r
        for r in job_result.get("rows", [])
        if r["status"] in ("rejected", "duplicate") and not r["payload"].get("skip")
    ]
    by_sheet: dict[str, list[dict]] = {}
    for r in rows:
        by_sheet.setdefault(r["payload"].get("sheet", "persons"), []).append(r)
    if not by_sheet:
        by_sheet["persons"] = []
    sheet_headers = job_result.get("sheet_headers") or {"persons": job_result.get("headers", [])}
    names = {"persons": "Dòng bị loại", "units": "Tổ chức bị loại", "schools": "Trường bị loại"}
    for key, items in by_sheet.items():
        sheet = book.add_worksheet(names.get(key, "Dòng bị loại"))
        heads = list(sheet_headers.get(key, []))
        width = max([len(heads)] + [len(r["values"]) for r in items])
        heads = heads + [""] * (width - len(heads))
        for i, h in enumerate(heads):
            sheet.write_string(0, i, h, formats["head"])
            sheet.set_column(i, i, max(12, min(30, len(h) + 2)), formats["text"])
        sheet.write_string(0, width, REASON_HEADER, formats["required"])
        sheet.write_string(0, width + 1, "Dòng trong tệp gốc", formats["head"])
        sheet.set_column(width, width, 60, formats["reason"])
        for n, r in enumerate(items, start=1):
            for i, value in enumerate(r["values"]):
                _write(sheet, n, i, value, formats)
            sheet.write_string(n, width, reason_text(r), formats["reason"])
            sheet.write_number(n, width + 1, r["row"])
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def reason_text(r: dict) -> str:
    if r["status"] == "duplicate":
        who = "; ".join(label for _, label in r.get("candidates", []))
        return (
            f"Có thể trùng với người đã có: {who}. Ghi số CCCD để phân biệt, hoặc quyết định trên trang nhập."
        )
    return " ".join(f"{x['column']}: {x['message']}" for x in r.get("rejects", []))
