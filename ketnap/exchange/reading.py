"""Reading an uploaded table: .xlsx / .xls (python-calamine) or .csv (UTF-8 with or without BOM, UTF-16 with
BOM, Windows-1258 and other legacy 8-bit encodings detected with charset-normalizer or given by the user).

Pure functions of the file's bytes: no Django, no database."""

from __future__ import annotations

import csv
import datetime
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from ketnap.core.text import fold

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000

# Encodings a user may choose for a CSV file (the detector's guess is used when none is chosen).
ENCODINGS = [
    ("", "Tự nhận biết"),
    ("utf-8", "UTF-8 (Unicode)"),
    ("cp1258", "Windows-1258 (tiếng Việt)"),
    ("cp1252", "Windows-1252 (Tây Âu)"),
    ("utf-16", "UTF-16 (Unicode)"),
]
ENCODING_LABELS = dict(ENCODINGS)


class Unreadable(Exception):
    """The file cannot be read as a table; the message is for the user (Vietnamese)."""


@dataclass
class Sheet:
    name: str
    rows: list[list]  # cell values: str, float, int, bool, date, datetime or "" for an empty cell
    first_row: int = 1  # the file's row number of rows[0]


@dataclass
class Table:
    sheets: list[Sheet]
    format: str  # "xlsx", "xls", "csv"
    encoding: str = ""  # the CSV's encoding as read
    encoding_guessed: bool = False  # the encoding was detected, not chosen or certain
    notes: list[str] = field(default_factory=list)


def read_table(
    data: bytes, filename: str, encoding: str = "", looks_right: Callable[[list], bool] | None = None
) -> Table:
    """The file's sheets. ``looks_right(header_row)`` tells whether a decoded CSV header is plausible (it helps
    choose between encodings the detector finds equally likely)."""
    if not data:
        raise Unreadable("Tệp rỗng.")
    if len(data) > MAX_BYTES:
        raise Unreadable(f"Tệp lớn hơn {MAX_BYTES // (1024 * 1024)} MB; hãy chia thành nhiều tệp.")
    name = (filename or "").lower()
    if name.endswith((".xlsx", ".xlsm", ".xls", ".ods")) or data[:4] in (b"PK\x03\x04", b"\xd0\xcf\x11\xe0"):
        return _read_workbook(data, "xls" if name.endswith(".xls") else "xlsx")
    if name.endswith((".csv", ".txt")) or not name:
        return _read_csv(data, encoding, looks_right)
    raise Unreadable("Chỉ nhận tệp Excel (.xlsx, .xls) hoặc CSV (.csv).")


def _read_workbook(data: bytes, fmt: str) -> Table:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = []
        for sheet_name in book.sheet_names:
            rows = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            sheets.append(Sheet(sheet_name, [_trim(r) for r in rows[: MAX_ROWS + 1]]))
    except Exception as exc:  # calamine raises its own errors for broken or protected files
        raise Unreadable(
            "Không đọc được tệp Excel (tệp hỏng, có mật khẩu hoặc không phải bảng tính). Hãy mở bằng Excel và lưu "
            "lại dưới dạng .xlsx."
        ) from exc
    return Table(sheets, fmt)


def _trim(row: list) -> list:
    out = list(row)
    while out and out[-1] in ("", None):
        out.pop()
    return ["" if v is None else v for v in out]


def decode(
    data: bytes, encoding: str = "", looks_right: Callable[[list], bool] | None = None
) -> tuple[str, str, bool]:
    """(text, encoding, guessed). A chosen encoding is used as it is; otherwise a BOM decides, then strict
    UTF-8, then charset-normalizer's candidates (the first whose header row looks right, else its best)."""
    if encoding:
        try:
            return data.decode(encoding), encoding, False
        except (UnicodeDecodeError, LookupError) as exc:
            label = ENCODING_LABELS.get(encoding, encoding)
            raise Unreadable(f"Tệp không đọc được theo bảng mã {label}; hãy chọn bảng mã khác.") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig", False
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16", False
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data[:200_000], cp_isolation=None))
    names = [m.encoding for m in matches]
    # Vietnamese legacy files are most often Windows-1258: try it early, then the detector's order.
    candidates = list(dict.fromkeys(["cp1258", *names, "cp1252"]))
    decoded = []
    for name in candidates:
        try:
            text = data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        decoded.append((name, text))
        if looks_right is not None and looks_right(_first_row(text)):
            return text, name, True
    if not decoded:
        raise Unreadable(
            "Không nhận ra bảng mã của tệp CSV; hãy chọn bảng mã, hoặc lưu lại tệp dưới dạng CSV UTF-8."
        )
    best = names[0] if names else decoded[0][0]
    text = dict(decoded).get(best, decoded[0][1])
    return text, best, True


def _first_row(text: str) -> list:
    line = unicodedata.normalize("NFC", text.lstrip("\ufeff")).splitlines()[:1]
    if not line:
        return []
    return next(csv.reader(line, delimiter=_delimiter(line[0])), [])


def _delimiter(sample: str) -> str:
    counts = {d: sample.count(d) for d in (",", ";", "\t")}
    return max(counts, key=counts.get) if any(counts.values()) else ","


def _read_csv(data: bytes, encoding: str, looks_right) -> Table:
    text, used, guessed = decode(data, encoding, looks_right)
    text = unicodedata.normalize("NFC", text.lstrip("\ufeff"))
    lines = text.splitlines()
    delimiter = _delimiter(lines[0] if lines else "")
    rows = [_trim(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    if len(rows) > MAX_ROWS + 1:
        raise Unreadable(f"Tệp có hơn {MAX_ROWS:,} dòng; hãy chia thành nhiều tệp.".replace(",", "."))
    return Table([Sheet("CSV", rows)], "csv", used, guessed)


# ---------------------------------------------------------------------------------------------- cell values


class BadValue(ValueError):
    """A cell's value is not what its column allows; the message is for the user (Vietnamese)."""


def text(value) -> str:
    """A cell as text, NFC, spaces collapsed ('' for empty). A whole number typed in Excel loses its '.0'."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(unicodedata.normalize("NFC", str(value)).split())


EXCEL_EPOCH = datetime.date(1899, 12, 30)


def date(value) -> datetime.date | None:
    """An Excel date, or text dd/mm/yyyy (also d/m/yyyy, dd-mm-yyyy, dd.mm.yyyy, yyyy-mm-dd)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # an Excel serial day number stored as a number
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise BadValue("không phải một ngày")
    raw = text(value)
    for sep in ("/", "-", "."):
        parts = raw.split(sep)
        if len(parts) == 3 and all(p.strip().isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            try:
                if len(parts[0].strip()) == 4:
                    return datetime.date(a, b, c)
                if len(parts[2].strip()) == 4:
                    return datetime.date(c, b, a)
            except ValueError:
                raise BadValue(f"ngày {raw} không có thật") from None
    raise BadValue(f"“{raw}” không phải ngày dạng dd/mm/yyyy")


YES = {"co", "x", "1", "yes", "true", "dung", "c"}
NO = {"khong", "0", "no", "false", "sai", "k"}


def boolean(value) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    key = fold(text(value))
    if key in YES:
        return True
    if key in NO:
        return False
    raise BadValue(f"“{text(value)}” không phải Có hoặc Không")


def count(value) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raw = text(value)
    if raw.isdigit():
        return int(raw)
    raise BadValue(f"“{raw}” không phải số nguyên không âm")
