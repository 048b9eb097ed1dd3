"""Reading the JSON input of ``ketnap check-dossier`` (spec/check-dossier.md) into plain records.

Every invalid input raises :class:`DossierError` naming the field path (``events[3].official_members``) with
a reason in Vietnamese and in English. Unknown fields are ignored; an explicit ``null`` counts as absent.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .calendar import Calendar
from .dossier import EDUCATION_LEVELS, EVENT_KINDS, Dossier, Event, Person, Unit

__all__ = ["DATE_MAX", "DATE_MIN", "MAX_DEPTH", "DossierError", "check_depth", "parse"]

# Every date of a dossier lies in this range (version 2 of the contract); anything else is bad input.
DATE_MIN = dt.date(1930, 2, 3)
DATE_MAX = dt.date(2100, 12, 31)
MAX_DEPTH = 64  # a document nested deeper than this is refused before it is parsed

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_VOTE_COUNTS = {
    "cell_vote": "official_members",
    "recognition_vote": "official_members",
    "committee_vote": "members",
}
_TYPE_VI = {dict: "một đối tượng JSON", list: "một danh sách", bool: "true hoặc false", str: "một chuỗi"}
_TYPE_EN = {dict: "a JSON object", list: "a list", bool: "true or false", str: "a string"}


class DossierError(ValueError):
    """The input is not a valid dossier: ``path`` names the field, with the reason in both languages."""

    def __init__(self, path: str, message_vi: str, message_en: str):
        super().__init__(f"{path}: {message_en}")
        self.path, self.message_vi, self.message_en = path, message_vi, message_en

    def __str__(self) -> str:
        return f"{self.path}: {self.message_vi} / {self.message_en}"


def _json_type(value: Any) -> tuple[str, str]:
    if value is None:
        return "null", "null"
    if isinstance(value, bool):
        return "giá trị true/false", "a boolean"
    if isinstance(value, int):
        return "một số nguyên", "an integer"
    if isinstance(value, float):
        return "một số thập phân", "a decimal number"
    if isinstance(value, str):
        return f"chuỗi {value!r}", f"the string {value!r}"
    if isinstance(value, list):
        return "một danh sách", "a list"
    return "một đối tượng", "an object"


class _Reader:
    def __init__(self, obj: dict[str, Any], path: str):
        self.obj, self.path = obj, path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type, required: bool = False) -> Any:
        value = self.obj.get(key)
        if value is None:
            if required:
                raise DossierError(self.at(key), "thiếu trường bắt buộc", "required field is missing")
            return None
        if not isinstance(value, kind) or (kind is not bool and isinstance(value, bool)):
            got_vi, got_en = _json_type(value)
            raise DossierError(
                self.at(key),
                f"phải là {_TYPE_VI[kind]}, không phải {got_vi}",
                f"must be {_TYPE_EN[kind]}, not {got_en}",
            )
        return value

    def sub(self, key: str, required: bool = False) -> _Reader | None:
        value = self.get(key, dict, required)
        return None if value is None else _Reader(value, self.at(key))

    def date(self, key: str, required: bool = False) -> dt.date | None:
        value = self.obj.get(key)
        if value is None and not required:
            return None
        return _date(value, self.at(key))

    def count(self, key: str, required: bool = False) -> int | None:
        value = self.obj.get(key)
        if value is None:
            if required:
                raise DossierError(self.at(key), "thiếu số đếm bắt buộc", "required count is missing")
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            got_vi, got_en = _json_type(value)
            raise DossierError(
                self.at(key),
                f"số đếm phải là số nguyên, không phải {got_vi}",
                f"a count must be an integer, not {got_en}",
            )
        if value < 0:
            raise DossierError(self.at(key), "số đếm không được âm", "a count cannot be negative")
        return value


def _date(value: Any, path: str) -> dt.date:
    if value is None:
        raise DossierError(path, "thiếu ngày bắt buộc", "required date is missing")
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        got_vi, got_en = _json_type(value)
        raise DossierError(
            path,
            f"ngày phải viết đúng dạng YYYY-MM-DD (ví dụ 2026-04-02), không phải {got_vi}",
            f"a date must be written exactly YYYY-MM-DD (e.g. 2026-04-02), not {got_en}",
        )
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise DossierError(path, f"ngày {value} không tồn tại", f"the date {value} does not exist") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise DossierError(
            path,
            f"ngày {day:%d/%m/%Y} nằm ngoài khoảng cho phép {DATE_MIN:%d/%m/%Y} – {DATE_MAX:%d/%m/%Y}",
            f"the date {value} is outside the allowed range {DATE_MIN.isoformat()} – {DATE_MAX.isoformat()}",
        )
    return day


def _date_list(obj: dict[str, Any], key: str) -> list[dt.date]:
    values = _Reader(obj, "").get(key, list)
    return [_date(v, f"{key}[{i}]") for i, v in enumerate(values or ())]


def _event(raw: Any, path: str, as_of: dt.date, birth_date: dt.date, extensions: bool = False) -> Event:
    if not isinstance(raw, dict):
        got_vi, got_en = _json_type(raw)
        raise DossierError(path, f"sự kiện phải là một đối tượng JSON, không phải {got_vi}",
                           f"an event must be a JSON object, not {got_en}")  # fmt: skip
    r = _Reader(raw, path)
    kind = r.get("kind", str, required=True)
    if kind not in EVENT_KINDS:
        raise DossierError(
            r.at("kind"),
            f"loại sự kiện không có: {kind!r} (các loại: {', '.join(EVENT_KINDS)})",
            f"unknown event kind {kind!r} (known: {', '.join(EVENT_KINDS)})",
        )
    date = r.date("date", required=True)
    if date > as_of:
        raise DossierError(
            r.at("date"),
            f"sự kiện ngày {date:%d/%m/%Y} sau ngày xét (as_of) {as_of:%d/%m/%Y}",
            f"the event is dated {date.isoformat()}, after as_of {as_of.isoformat()}",
        )
    if date < birth_date:
        raise DossierError(
            r.at("date"),
            f"sự kiện ngày {date:%d/%m/%Y} trước ngày sinh {birth_date:%d/%m/%Y}",
            f"the event is dated {date.isoformat()}, before the birth date {birth_date.isoformat()}",
        )
    data: dict[str, Any] = {}
    if kind in _VOTE_COUNTS:
        _vote(r, _VOTE_COUNTS[kind], data, required=True)
    elif kind == "decision":
        authorized = r.get("authorized", bool)
        data["authorized"] = bool(authorized)
        data["received"] = r.date("received") or date
        _vote(r, "members", data, required=bool(authorized))

    elif kind == "decision_extension":
        days = r.obj.get("days")
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 30:
            got_vi, got_en = _json_type(days)
            if isinstance(days, int) and not isinstance(days, bool):
                got_vi, got_en = f"{days}", f"{days}"
            raise DossierError(
                r.at("days"),
                f"số ngày gia hạn phải là số nguyên từ 1 đến 30, không phải {got_vi}",
                f"the extension must be a whole number of days from 1 to 30, not {got_en}",
            )
        data["days"] = days
    elif kind == "verification":
        data["concluded"] = r.get("concluded", bool, required=True)
    elif kind == "member_introduction":
        intro = r.sub("introducer", required=True)
        assert intro is not None
        replacement = bool(intro.get("replacement", bool))
        data["introducer"] = {
            "official_since": intro.date("official_since", required=True),
            "cowork_since": intro.date("cowork_since", required=not replacement),
            "replacement": replacement,
        }
    if extensions and kind in ("decision", "ceremony") and r.get("imported", bool):
        # Extension: the admission was recorded elsewhere (an existing member entered by import); the steps
        # before it are not required and the member's biography is not due here.
        data["imported"] = True
    return Event(kind, date, data)


def _vote(r: _Reader, denominator: str, data: dict[str, Any], required: bool) -> None:
    members = r.count(denominator, required)
    in_favour = r.count("in_favour", required)
    if members is not None and in_favour is not None and in_favour > members:
        raise DossierError(
            r.at("in_favour"),
            f"số tán thành ({in_favour}) lớn hơn số thành viên được tính ({denominator} = {members})",
            f"in_favour ({in_favour}) is greater than the members counted ({denominator} = {members})",
        )
    if members is not None:
        data[denominator] = members
    if in_favour is not None:
        data["in_favour"] = in_favour


def parse(obj: Any, today: dt.date, *, extensions: bool = False) -> tuple[Dossier, dt.date, Calendar]:
    """The dossier, the ``as_of`` date (default ``today``, which the caller gives in Asia/Ho_Chi_Minh) and the
    calendar with the input's overrides; :class:`DossierError` for every invalid input.

    ``extensions``: read the fields the web application adds and the public contract does not have (an
    imported member's ``decision``/``ceremony`` marked ``imported``: the admission was recorded elsewhere).
    ``ketnap check-dossier`` never passes it: there, unknown fields are ignored, as the contract says."""
    if not isinstance(obj, dict):
        got_vi, got_en = _json_type(obj)
        raise DossierError("$", f"hồ sơ phải là một đối tượng JSON, không phải {got_vi}",
                           f"the dossier must be a JSON object, not {got_en}")  # fmt: skip
    top = _Reader(obj, "")
    as_of = top.date("as_of") or today
    if not DATE_MIN <= as_of <= DATE_MAX:  # today from the caller's clock, when as_of is absent
        raise DossierError(
            "as_of", "ngày xét nằm ngoài khoảng cho phép", "as_of is outside the allowed range"
        )

    p = top.sub("person", required=True)
    assert p is not None
    birth_date = p.date("birth_date", required=True)
    education = p.get("education", str, required=True)
    if education not in EDUCATION_LEVELS:
        raise DossierError(
            p.at("education"),
            f"trình độ không có: {education!r} (các giá trị: {', '.join(EDUCATION_LEVELS)})",
            f"unknown education {education!r} (known: {', '.join(EDUCATION_LEVELS)})",
        )
    person = Person(
        birth_date=birth_date,
        education=education,
        youth_union_member=bool(p.get("youth_union_member", bool)),
        excellent_youth_union_member=bool(p.get("excellent_youth_union_member", bool)),
    )

    u = top.sub("unit") or _Reader({}, "unit")
    has_youth_union, cell_is_grassroots = u.get("has_youth_union", bool), u.get("cell_is_grassroots", bool)
    unit = Unit(
        has_youth_union=True if has_youth_union is None else has_youth_union,
        cell_is_grassroots=bool(cell_is_grassroots),
    )

    raw_events = top.get("events", list) or []
    events = tuple(
        _event(raw, f"events[{i}]", as_of, birth_date, extensions) for i, raw in enumerate(raw_events)
    )
    calendar = Calendar(_date_list(obj, "non_working_days"), _date_list(obj, "working_days"))
    return Dossier(person, unit, events), as_of, calendar


def check_depth(text: str, limit: int = MAX_DEPTH) -> None:
    """Refuse a JSON text nested deeper than ``limit`` levels (objects and lists), before parsing it: deep
    nesting would otherwise exhaust the parser's recursion. Brackets inside strings are not counted."""
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                raise DossierError(
                    "$",
                    f"hồ sơ lồng nhau quá {limit} cấp",
                    f"the document is nested deeper than {limit} levels",
                )
        elif ch in "]}":
            depth -= 1
