"""How the papers write things: dates in words, percentages, names of the issuing bodies, dotted lines.

Pure functions (no database): the ledger's facts in, the forms' wording out.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

# What the ledger does not know is left to be filled by hand.
DOTS = "…………"
DOTS_LONG = "……………………………"
DOT_LINE = "…" * 62


def dots(value, filler: str = DOTS) -> str:
    """The value as text, or a dotted gap to fill by hand (never an invented value)."""
    if value is None or value == "":
        return filler
    return str(value)


def day_words(day: datetime.date | None) -> str:
    """ "ngày 05 tháng 5 năm 2026", as party documents write dates (HD 36-HD/VPTW: a day below 10 and the
    months 1 and 2 take a leading zero); dotted when the date is unknown."""
    if day is None:
        return "ngày … tháng … năm ……"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def dmy(day: datetime.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else DOTS


def percent(part: int | None, whole: int | None) -> str:
    """ "69,23%" (Vietnamese decimal comma, two decimals, trailing zeros dropped); dotted when unknown."""
    if part is None or not whole:
        return f"{DOTS}%"
    value = round(float(Fraction(part, whole) * 100), 2)
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") + "%"


def upper(text: str) -> str:
    return (text or "").upper()


def organisation_of(committee_name: str) -> str:
    """The party organisation a committee leads, as a heading's upper line names it: "Đảng ủy Trường X" →
    "Đảng bộ Trường X", "Thành ủy Thành phố Hồ Chí Minh" → "Đảng bộ Thành phố Hồ Chí Minh". A cell keeps its
    name."""
    name = (committee_name or "").strip()
    for prefix in ("Đảng ủy ", "Đảng uỷ ", "Thành ủy ", "Thành uỷ "):
        if name.startswith(prefix):
            return "Đảng bộ " + name[len(prefix) :]
    return name


def place_of(ward_name: str) -> str:
    """A ward (commune) as a place of residence: "Đảng ủy phường Sài Gòn" → "phường Sài Gòn"."""
    name = (ward_name or "").strip()
    for prefix in ("Đảng ủy ", "Đảng uỷ ", "Đảng bộ "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


# The symbol of the issuing body after the slash of a number (HD 36-HD/VPTW): a cell, a committee, the city.
BODY_SYMBOLS = {
    "cell": "CB",
    "grassroots_cell": "CB",
    "grassroots": "ĐU",
    "ward": "ĐU",
    "upper": "ĐU",
    "city": "TU",
}


def body_symbol(kind: str) -> str:
    return BODY_SYMBOLS.get(kind, "ĐU")


def number_text(seq: int, symbol: str, body: str) -> str:
    """ "05-NQ/CB": the sequence number (two digits at least), the kind of paper, the issuing body."""
    return f"{seq:02d}-{symbol}/{body}"


def blank_number(symbol: str, body: str) -> str:
    """The number line of a paper not yet numbered: filled in by hand."""
    return f"……-{symbol}/{body}" if symbol else "……"
