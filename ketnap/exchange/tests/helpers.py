"""Building import files in tests."""

import datetime
import io
import unicodedata

import xlsxwriter

D = datetime.date

HEAD = ["Họ", "Tên đệm", "Tên", "Ngày sinh", "Giới tính", "Số CCCD", "Vai trò trong trường", "Trình độ học vấn",
        "Đoàn viên", "Đoàn viên ưu tú"]  # fmt: skip


def person_row(given="An", birth="15/03/2004", cid="", family="Nguyễn", middle="Văn", gender="Nam", role="Sinh viên",
               education="Trung học phổ thông", union="Có", excellent="Có"):  # fmt: skip
    return [family, middle, given, birth, gender, cid, role, education, union, excellent]


def xlsx(rows, sheet="Danh sách", sheets=None) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    date_fmt = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, data in sheets or [(sheet, rows)]:
        ws = book.add_worksheet(name)
        for i, row in enumerate(data):
            for j, value in enumerate(row):
                if isinstance(value, datetime.date):
                    ws.write_datetime(i, j, datetime.datetime.combine(value, datetime.time()), date_fmt)
                elif isinstance(value, int | float):
                    ws.write_number(i, j, value)
                elif value not in ("", None):
                    ws.write_string(i, j, value)
    book.close()
    return buffer.getvalue()


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Text as Windows-1258 stores Vietnamese: letters with their shape marks precomposed, tones as combining
    marks after them."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if c not in TONES)
        tone = "".join(c for c in decomposed if c in TONES)
        out += unicodedata.normalize("NFC", base).encode("cp1258") + tone.encode("cp1258")
    return out


def csv_text(rows) -> str:
    return "\n".join(",".join(str(v) for v in row) for row in rows) + "\n"
