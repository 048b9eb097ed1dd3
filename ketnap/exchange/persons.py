"""Importing persons: sources, candidates part-way through the path, existing members.

``plan`` reads the rows and decides, row by row, what a commit would do — create, update, leave unchanged,
ask (a possible duplicate) or reject (with the column and a Vietnamese reason) — without writing anything:
each step a row brings is checked in memory by the same functions `people.actions.record_event` calls (the
rule book's refusal, the steps it opens at their date, the role needed), so what the rule book refuses shows in
the preview as the row's reason, never silently dropped. ``apply`` then writes the accepted rows through the
people actions (each audited, each step through `record_event`, each person through `people.write`), all in
the caller's transaction: all of them or none.

Matching: by citizen ID (the whole system; a person held outside the importing unit's subtree is a rejection
that says where), then by name and birth date within the importing unit: the same values mean the same person
("unchanged"), different ones a "possible duplicate" for a person to decide (create, update, skip)."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketnap import rules
from ketnap.accounts.permissions import user_can
from ketnap.accounts.scoping import path_in_scope
from ketnap.core.text import fold, normalize_citizen_id, split_full_name
from ketnap.exchange import columns as C
from ketnap.exchange.reading import BadValue, Unreadable, boolean, count, date, text
from ketnap.orgs import queries as org_queries
from ketnap.orgs.models import OrgUnit
from ketnap.people import actions as people_actions
from ketnap.people import ledger
from ketnap.people.models import CITIZEN_ID_RE, Person, PersonEvent, Stage

K = PersonEvent.Kind
PARTICULARS = (
    "family_name", "middle_name", "given_name", "birth_date", "gender", "citizen_id", "education", "school_role",
    "school", "faculty_class", "expected_graduation", "youth_union_member", "excellent_youth_union_member",
    "residence_ward",
)  # fmt: skip
LABELS = {c.key: c.header for c in C.PERSON_COLUMNS}
STEP_LABELS = {kind: K(kind).label for kind in C.STEP_KINDS}


@dataclass
class Reject:
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    status: str = "create"  # create, update, unchanged, duplicate, rejected
    name: str = ""
    unit_name: str = ""
    rejects: list[Reject] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    person_id: int | None = None
    candidates: list[list] = field(default_factory=list)  # [[person id, label], …] of a possible duplicate
    values: list[str] = field(default_factory=list)
    payload: dict = field(default_factory=dict)

    def reject(self, column: str, message: str) -> None:
        self.rejects.append(Reject(column, message))
        self.status = "rejected"

    def as_json(self) -> dict:
        return asdict(self)


@dataclass
class Plan:
    rows: list[RowPlan]
    headers: list[str]
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheet_headers: dict[str, list[str]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        out = {
            "rows": len(self.rows),
            "create": 0,
            "update": 0,
            "unchanged": 0,
            "duplicate": 0,
            "rejected": 0,
        }
        for r in self.rows:
            out[r.status] += 1
        return out


# ---------------------------------------------------------------------------------------------- reading


def find_header(rows: list[list], cols: list[C.Col], limit: int = 10) -> int:
    for i, row in enumerate(rows[:limit]):
        if C.looks_like(row, cols):
            return i
    raise Unreadable(
        "Không tìm thấy dòng tiêu đề cột (Họ, Tên, Ngày sinh…) trong mười dòng đầu; hãy dùng tệp mẫu của Ketnap."
    )


REQUIRED = ("birth_date", "gender", "education", "school_role")


def _check_columns(found: dict[str, int]) -> None:
    missing = [LABELS[k] for k in REQUIRED if k not in found]
    if "full_name" not in found and not ("family_name" in found and "given_name" in found):
        missing.insert(0, "Họ, Tên (hoặc Họ và tên)")
    if missing:
        raise Unreadable("Tệp thiếu cột bắt buộc: " + ", ".join(missing) + ".")


class _Context:
    """What every row needs, read once: the cells, schools and wards the importing user may name."""

    def __init__(self, user, unit: OrgUnit, today: datetime.date):
        self.user, self.unit, self.today = user, unit, today
        self.calendar = ledger.load_calendar()
        cells = (
            org_queries.units_for(user)
            .filter(path__startswith=unit.path, kind__in=[OrgUnit.Kind.CELL, OrgUnit.Kind.GRASSROOTS_CELL])
            .select_related("parent")
        )
        self.cells_by_key: dict[str, list[OrgUnit]] = {}
        for cell in cells:
            for key in {fold(cell.code), fold(cell.name)}:
                self.cells_by_key.setdefault(key, []).append(cell)
        self.schools: dict[str, list] = {}
        for school in org_queries.schools_for(user):
            for key in {fold(school.code), fold(school.name)}:
                self.schools.setdefault(key, []).append(school)
        self.wards: dict[str, list[OrgUnit]] = {}
        for ward in org_queries.wards():
            for key in {fold(ward.code), fold(ward.name)}:
                self.wards.setdefault(key, []).append(ward)

    def one(self, table: dict, raw: str, what: str):
        found = {obj.pk: obj for obj in table.get(fold(raw), [])}
        if not found:
            raise BadValue(f"không có {what} “{raw}” trong phạm vi của bạn")
        if len(found) > 1:
            raise BadValue(f"có nhiều {what} tên “{raw}”; hãy ghi mã")
        return next(iter(found.values()))


def _parse(row: list, found: dict[str, int], headers: list[str], ctx: _Context, plan: RowPlan) -> dict:
    """The row's values by column key (errors become rejections of their column)."""
    out: dict = {}
    for key, index in found.items():
        col = next(c for c in C.PERSON_COLUMNS if c.key == key)
        raw = row[index] if index < len(row) else ""
        if col.type == "ignore":
            continue
        try:
            if col.type == "date":
                value = date(raw)
            elif col.type == "bool":
                value = boolean(raw)
            elif col.type == "count":
                value = count(raw)
            elif col.type == "citizen_id":
                value = _citizen_id(raw, plan)
            elif col.type == "choice":
                value = C.choice_value(col, text(raw)) if text(raw) else None
            else:
                value = text(raw) or None
        except BadValue as exc:
            plan.reject(headers[index], _sentence(str(exc)))
            continue
        if value is not None:
            out[key] = value
    return out


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:] + ("" if message.endswith(".") else ".")


def _citizen_id(raw, plan: RowPlan) -> str | None:
    if raw in ("", None):
        return None
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        digits = str(int(raw))
        if len(digits) == 11:  # a number in Excel loses the leading 0 of the province code
            plan.findings.append("Số CCCD được ghi dạng số trong Excel: đã thêm số 0 ở đầu.")
            digits = "0" + digits
        value = digits
    else:
        value = normalize_citizen_id(text(raw))
    if not CITIZEN_ID_RE.fullmatch(value):
        raise BadValue("số CCCD phải gồm đúng 12 chữ số")
    return value


# ---------------------------------------------------------------------------------------------- planning


def plan(sheet_rows: list[list], *, unit: OrgUnit, user, today: datetime.date, filename: str = "",
         decisions: dict | None = None, progress=None, first_row: int = 1) -> Plan:  # fmt: skip
    """What importing these rows into ``unit`` (a cell, or a committee: then the column "Chi bộ" names the
    cell of each row) would do. Writes nothing."""
    decisions = {int(k): v for k, v in (decisions or {}).items()}
    header_at = find_header(sheet_rows, C.PERSON_COLUMNS)
    header_row = sheet_rows[header_at]
    found, unknown = C.match_headers(header_row, C.PERSON_COLUMNS)
    _check_columns(found)
    headers = [text(h) for h in header_row]
    ctx = _Context(user, unit, today)
    body = [(first_row + header_at + 1 + i, r) for i, r in enumerate(sheet_rows[header_at + 1 :])]
    body = [(n, r) for n, r in body if any(text(v) for v in r)]
    parsed = []
    for n, row in body:
        p = RowPlan(n, values=[text(v) for v in row])
        values = _parse(row, found, headers, ctx, p)
        parsed.append((p, values))
    # Everyone the file may name, read at once.
    ids = [v["citizen_id"] for _, v in parsed if v.get("citizen_id")]
    by_id = {p.citizen_id: p for p in Person.objects.filter(citizen_id__in=ids).select_related("unit")}
    local: dict[tuple, list[Person]] = {}
    for person in Person.objects.filter(unit__path__startswith=unit.path).select_related("unit", "school"):
        local.setdefault((fold(person.full_name), person.birth_date), []).append(person)
    seen_ids: dict[str, int] = {}
    seen_names: dict[tuple, int] = {}
    result = []
    for i, (p, values) in enumerate(parsed):
        _plan_row(
            p, values, found, headers, ctx, by_id, local, seen_ids, seen_names, decisions.get(p.row), filename
        )
        result.append(p)
        if progress is not None and (i + 1) % 20 == 0:
            progress(i + 1, len(parsed))
    if progress is not None:
        progress(len(parsed), len(parsed))
    return Plan(result, headers, unknown, sheet_headers={"persons": headers})


def _col(found, headers, key) -> str:
    return headers[found[key]] if key in found else LABELS.get(key, key)


def _plan_row(p: RowPlan, v: dict, found, headers, ctx: _Context, by_id, local, seen_ids, seen_names,
              decision: str | None, filename: str) -> None:  # fmt: skip
    col = lambda key: _col(found, headers, key)  # noqa: E731
    # Names: three columns, or one "Họ và tên".
    if "full_name" in v and not v.get("given_name"):
        v["family_name"], v["middle_name"], v["given_name"] = split_full_name(v.pop("full_name"))
    v.pop("full_name", None)
    for key in ("family_name", "given_name", "birth_date", "gender", "education", "school_role"):
        if not v.get(key) and not any(r.column == col(key) for r in p.rejects):
            p.reject(col(key) if key in found or key not in ("family_name", "given_name") else col("full_name"),
                     "Ô này không được để trống.")  # fmt: skip
    p.name = " ".join(x for x in (v.get("family_name"), v.get("middle_name"), v.get("given_name")) if x)
    birth = v.get("birth_date")
    if birth and not rules.DATE_MIN <= birth < ctx.today:
        p.reject(col("birth_date"), f"Ngày sinh phải sau {rules.DATE_MIN:%d/%m/%Y} và trước ngày hôm nay.")
    grad = v.get("expected_graduation")
    if grad and not rules.DATE_MIN <= grad <= rules.DATE_MAX:
        p.reject(col("expected_graduation"), "Ngày dự kiến tốt nghiệp không hợp lệ.")
    # Where the person belongs.
    cell = _cell(p, v, ctx, col)
    for key, table, what in (("school", ctx.schools, "trường"), ("residence_ward", ctx.wards, "phường, xã")):
        if key in v:
            try:
                v[key] = ctx.one(table, v[key], what)
            except BadValue as exc:
                p.reject(col(key), _sentence(str(exc)))
                v.pop(key)
    member = _member(p, v, col, ctx)
    steps = _steps(p, v, col, ctx)
    if member and steps:
        p.reject(col("party_age_from"), "Đảng viên đã có không ghi kèm các bước xét kết nạp; hãy tách thành hai dòng "
                 "hoặc bỏ các ngày của quá trình xét.")  # fmt: skip
    if p.status == "rejected" or cell is None:
        if cell is None and p.status != "rejected":
            p.status = "rejected"
        return
    p.unit_name = cell.name
    fields = {k: v[k] for k in PARTICULARS if k in v}
    # In the file twice?
    cid = v.get("citizen_id")
    if cid:
        if cid in seen_ids:
            p.reject(col("citizen_id"), f"Số CCCD trùng với dòng {seen_ids[cid]} của tệp.")
            return
        seen_ids[cid] = p.row
    key = (fold(p.name), birth)
    if key in seen_names and not cid:
        p.reject(
            col("given_name"),
            f"Trùng họ tên và ngày sinh với dòng {seen_names[key]} của tệp; ghi số CCCD để phân biệt.",
        )
        return
    seen_names.setdefault(key, p.row)
    # Who is it?
    person = None
    if cid and cid in by_id:
        person = by_id[cid]
        if not person.unit.path.startswith(ctx.unit.path):
            if path_in_scope(person.unit.path, ctx.user):
                where = f"trong hồ sơ của {person.full_name} ({person.unit.name})"
            else:
                where = f"trong hệ thống, trong hồ sơ do {person.unit.name} quản lý"
            p.reject(
                col("citizen_id"), f"Số CCCD {cid} đã có {where}; người này không thuộc đơn vị đang nhập."
            )
            return
    else:
        same = [x for x in local.get(key, []) if not (cid and x.citizen_id and x.citizen_id != cid)]
        if same:
            exact = [
                x
                for x in same
                if not _differences(x, fields) and not _new_steps(x, steps, member, p, col, check=False)
            ]
            if len(same) == 1 and exact and (decision in (None, "update")):
                person = same[0]
            elif decision == "create":
                p.findings.append("Người nhập quyết định tạo hồ sơ mới dù có người trùng họ tên, ngày sinh.")
            elif decision == "update" and len(same) == 1:
                person = same[0]
            elif decision == "skip":
                p.status = "duplicate"
                p.candidates = [[x.pk, _label(x)] for x in same]
                p.changes.append("Bỏ qua theo quyết định của người nhập.")
                p.payload["skip"] = True
                return
            else:
                p.status = "duplicate"
                p.candidates = [[x.pk, _label(x)] for x in same]
                return
    if person is not None:
        _plan_update(p, person, cell, fields, steps, member, ctx, col, filename)
    else:
        _plan_create(p, cell, fields, steps, member, v, ctx, col)


def _label(person: Person) -> str:
    parts = [person.full_name, f"sinh {person.birth_date:%d/%m/%Y}", person.unit.name]
    if person.citizen_id:
        parts.append(f"CCCD {person.citizen_id}")
    return ", ".join(parts) + f" — {Stage(person.stage).label.lower()}"


def _cell(p: RowPlan, v: dict, ctx: _Context, col) -> OrgUnit | None:
    raw = v.get("unit")
    if ctx.unit.is_cell:
        if raw and fold(raw) not in (fold(ctx.unit.name), fold(ctx.unit.code)):
            p.reject(col("unit"), f"Dòng này ghi chi bộ “{raw}”, không phải {ctx.unit.name} đang nhập.")
            return None
        cell = ctx.unit
    else:
        if not raw:
            p.reject(col("unit"), f"Nhập tại {ctx.unit.name}: cần ghi chi bộ của từng người.")
            return None
        try:
            cell = ctx.one(ctx.cells_by_key, raw, "chi bộ")
        except BadValue as exc:
            p.reject(col("unit"), _sentence(str(exc)))
            return None
    if cell.dissolved_on is not None:
        p.reject(col("unit"), f"{cell.name} đã giải thể.")
        return None
    return cell


def _member(p: RowPlan, v: dict, col, ctx: _Context) -> dict | None:
    decided, ceremony, official = v.get("party_age_from"), v.get("ceremony_date"), v.get("official_date")
    if not (decided or ceremony or official):
        return None
    if not decided:
        p.reject(col("party_age_from"), "Đảng viên đã có: cần ngày quyết định kết nạp (tuổi đảng tính từ).")
        return None
    for key, day in (("party_age_from", decided), ("ceremony_date", ceremony), ("official_date", official)):
        if day and not rules.DATE_MIN <= day <= ctx.today:
            p.reject(col(key), f"Ngày phải từ {rules.DATE_MIN:%d/%m/%Y} đến hôm nay.")
            return None
    if ceremony and ceremony < decided:
        p.reject(col("ceremony_date"), "Ngày lễ kết nạp không được trước ngày quyết định kết nạp.")
    if official and ceremony and official < ceremony:
        p.reject(col("official_date"), "Ngày chính thức không được trước ngày lễ kết nạp.")
    if official and official < decided:
        p.reject(col("official_date"), "Ngày chính thức không được trước ngày quyết định kết nạp.")
    data = {
        "stage": Stage.OFFICIAL if official else Stage.PROBATIONARY,
        "party_age_from": decided.isoformat(),
    }
    if ceremony:
        data["ceremony_date"] = ceremony.isoformat()
    elif not official:
        p.reject(
            col("ceremony_date"), "Đảng viên dự bị: cần ngày lễ kết nạp (thời gian dự bị tính từ ngày này)."
        )
    if official:
        data["official_date"] = official.isoformat()
    if v.get("admitted_at"):
        data["admitted_at"] = v["admitted_at"]
    return data


def _steps(p: RowPlan, v: dict, col, ctx: _Context) -> list[tuple[str, datetime.date, dict]]:
    steps = []
    for kind in C.STEP_KINDS:
        day = v.get(kind)
        if not day:
            continue
        data: dict = {}
        if kind == "member_introduction":
            name, since = v.get("introducer_name"), v.get("introducer_official_since")
            if not name or not since:
                p.reject(
                    col(kind),
                    "Giấy giới thiệu của đảng viên: cần họ tên và ngày chính thức của người giới thiệu.",
                )
                continue
            intro = {"name": name, "official_since": since.isoformat(), "replacement": False}
            if v.get("introducer_cowork_since"):
                intro["cowork_since"] = v["introducer_cowork_since"].isoformat()
            data = {"introducer": intro}
        elif kind == "verification":
            data = {"concluded": True}
        elif kind in ("cell_vote", "committee_vote"):
            total_key = "official_members" if kind == "cell_vote" else "members"
            members, favour = v.get(f"{kind}_members"), v.get(f"{kind}_in_favour")
            if members is None or favour is None:
                p.reject(col(kind), f"{STEP_LABELS[kind]}: cần số thành viên và số tán thành.")
                continue
            data = {total_key: members, "in_favour": favour}
        steps.append((kind, day, data))
    order = {k: i for i, k in enumerate(C.STEP_KINDS)}
    steps.sort(key=lambda s: (s[1], order[s[0]]))
    source = v.get("source_identified")
    first = steps[0][1] if steps else None
    if source and first and source > first:
        p.reject(
            col("source_identified"),
            f"Ngày vào nguồn không được sau ngày của bước đầu tiên ({first:%d/%m/%Y}).",
        )
    p.payload["source_date"] = (source or first or ctx.today).isoformat()
    return steps


def _differences(person: Person, fields: dict) -> dict:
    """The fields given in the file that differ from the person's (an empty cell changes nothing)."""
    out = {}
    for name, value in fields.items():
        current = (
            getattr(person, f"{name}_id") if name in ("school", "residence_ward") else getattr(person, name)
        )
        new = value.pk if hasattr(value, "pk") else value
        if (current or None) != (new or None) and not (isinstance(new, bool) and bool(current) == new):
            out[name] = value
    return out


def _effective(person: Person) -> list:
    return ledger.effective_events(list(person.events.all()))


def _new_steps(person: Person, steps, member, p: RowPlan, col, *, check: bool = True) -> list:
    """Steps of the file not yet in the person's ledger; a step recorded with another date is a rejection."""
    effective = _effective(person)
    dated = {}
    for ev in effective:
        dated.setdefault(ev.kind, ev.occurred_on)
    new = []
    for kind, day, data in steps:
        if kind in dated:
            if dated[kind] != day and check:
                p.reject(col(kind), f"Hồ sơ đã ghi bước này ngày {dated[kind]:%d/%m/%Y}; muốn sửa hãy đính chính "
                         "trên trang hồ sơ.")  # fmt: skip
            continue
        new.append((kind, day, data))
    if member:
        imported = next((e for e in effective if e.kind == K.MEMBER_IMPORTED), None)
        have = {
            "party_age_from": person.party_age_from.isoformat() if person.party_age_from else None,
            "official_date": person.official_date.isoformat() if person.official_date else None,
        }
        if imported is not None:
            have["ceremony_date"] = imported.data.get("ceremony_date")
        if person.party_age_from is None:
            if check:
                p.reject(col("party_age_from"), f"Người này đang ở giai đoạn «{Stage(person.stage).label}» trong hệ "
                         "thống, chưa là đảng viên; không nhập thành đảng viên được.")  # fmt: skip
        else:
            for key in ("party_age_from", "ceremony_date", "official_date"):
                if key in have and member.get(key) and member.get(key) != have[key]:
                    if check:
                        shown = (
                            datetime.date.fromisoformat(have[key]).strftime("%d/%m/%Y")
                            if have[key]
                            else "trống"
                        )
                        p.reject(
                            col(key), f"Hồ sơ trong hệ thống ghi {shown}; muốn sửa hãy liên hệ quản trị."
                        )
                    else:
                        new.append(("member", None, {}))
    return new


def _can(ctx: _Context, cell: OrgUnit, kind: str) -> bool:
    perm, where = people_actions.KIND_PERMS[kind]
    unit = cell if where == "person" else (cell.grassroots() or cell)
    return user_can(ctx.user, perm, unit)


def _check_steps(p: RowPlan, person: Person, events: list, steps, ctx: _Context, col) -> None:
    """Every new step, in date order, as `people.actions.record_event` would check it."""
    for kind, day, data in steps:
        if not _can(ctx, person.unit, kind):
            p.reject(col(kind), f"Vai trò của bạn không ghi được bước «{STEP_LABELS[kind]}».")
            return
        new = PersonEvent(person=person, kind=kind, occurred_on=day, org=person.unit, data=data)
        try:
            people_actions.check_date(day, ctx.today)
            before = ledger.evaluate(person, events, ledger.ledger_date(events), ctx.calendar)
            after = ledger.evaluate(person, [*events, new], ledger.ledger_date([*events, new]), ctx.calendar)
            people_actions.refuse_new_errors(before, after)
            people_actions.refuse_if_not_offered(person, kind, events, day, ctx.calendar)
        except people_actions.ActionRefused as exc:
            reasons = "; ".join(f"{rules.RULES[r.rule].title if r.rule in rules.RULES else ''}: {r.message}".lstrip(": ")
                                for r in exc.refusals)  # fmt: skip
            p.reject(col(kind), f"Không ghi được bước «{STEP_LABELS[kind]}» ngày {day:%d/%m/%Y}: {reasons}")
            return
        except rules.DossierError as exc:
            p.reject(col(kind), _sentence(str(exc.message_vi)))
            return
        except ValidationError as exc:
            p.reject(col(kind), " ".join(exc.messages))
            return
        events.append(new)
        p.changes.append(f"Ghi bước «{STEP_LABELS[kind]}» ngày {day:%d/%m/%Y}")
    try:
        result = ledger.evaluate(person, events, ledger.ledger_date(events), ctx.calendar)
    except rules.DossierError:
        return
    for f in result.findings:
        if f.severity == "warning":
            title = rules.RULES[f.rule].title if f.rule in rules.RULES else ""
            p.findings.append(f"{title}: {f.message}" if title else f.message)


def _plan_create(p: RowPlan, cell: OrgUnit, fields: dict, steps, member, v: dict, ctx: _Context, col) -> None:
    for key, default in (("youth_union_member", False), ("excellent_youth_union_member", False)):
        fields.setdefault(key, default)
    if not user_can(ctx.user, people_actions.KIND_PERMS[K.SOURCE_IDENTIFIED][0], cell):
        p.reject(col("unit"), f"Vai trò của bạn không thêm được người vào {cell.name}.")
        return
    person = Person(unit=cell, **fields)
    if member:
        event = PersonEvent(
            person=person, kind=K.MEMBER_IMPORTED, occurred_on=ctx.today, org=cell, data=member
        )
        try:
            result = ledger.evaluate(person, [event], ctx.today, ctx.calendar)
        except rules.DossierError as exc:
            p.reject(col("party_age_from"), _sentence(str(exc.message_vi)))
            return
        errors = [f for f in result.findings if f.severity == "error"]
        if errors:
            p.reject(col("party_age_from"), "; ".join(f.message for f in errors))
            return
        stage = Stage(member["stage"]).label.lower()
        p.changes.append(
            f"Thêm {stage} (tuổi đảng từ {datetime.date.fromisoformat(member['party_age_from']):%d/%m/%Y})"
        )
        p.payload.update(kind="member", member=member)
    else:
        source = datetime.date.fromisoformat(p.payload["source_date"])
        events = [PersonEvent(person=person, kind=K.SOURCE_IDENTIFIED, occurred_on=source, org=cell, data={})]
        p.changes.append(f"Thêm vào nguồn từ ngày {source:%d/%m/%Y}")
        if "source_identified" not in v and not steps:
            p.findings.append("Không có ngày vào nguồn: dùng ngày nhập.")
        _check_steps(p, person, events, steps, ctx, col)
        if p.status == "rejected":
            return
        p.payload.update(kind="person", steps=_steps_json(steps))
    p.status = "create"
    p.payload.update(unit=cell.pk, fields=_fields_json(fields))


def _plan_update(p: RowPlan, person: Person, cell: OrgUnit, fields, steps, member, ctx: _Context, col,
                 filename: str) -> None:  # fmt: skip
    if person.unit_id != cell.pk:
        p.reject(
            col("unit"), f"{person.full_name} đang do {person.unit.name} quản lý, không phải {cell.name}."
        )
        return
    p.person_id = person.pk
    changes = _differences(person, fields)
    new = _new_steps(person, steps, member, p, col)
    if p.status == "rejected":
        return
    if person.stage in (Stage.REMOVED, Stage.WITHDRAWN) and new:
        p.reject(col("unit"), "Hồ sơ đã đóng (rút khỏi danh sách hoặc xóa tên); không ghi thêm bước mới.")
        return
    if changes and not user_can(ctx.user, people_actions.KIND_PERMS[K.APPLICATION][0], person.unit):
        p.reject(col("unit"), f"Vai trò của bạn không sửa được thông tin người của {person.unit.name}.")
        return
    if changes.get("citizen_id"):
        other = Person.objects.filter(citizen_id=changes["citizen_id"]).exclude(pk=person.pk).first()
        if other is not None:
            p.reject(col("citizen_id"), "Số CCCD này đã có trong hồ sơ của một người khác.")
            return
    for name in changes:
        p.changes.append(f"Sửa {LABELS.get(name, name).lower()}")
    if new:
        for name, value in changes.items():
            setattr(person, name, value)
        events = list(person.events.all())
        _check_steps(p, person, events, new, ctx, col)
        if p.status == "rejected":
            return
    if not changes and not new:
        p.status = "unchanged"
        return
    p.status = "update"
    p.payload.update(kind="update", person=person.pk, changes=_fields_json(changes), steps=_steps_json(new))


def _fields_json(fields: dict) -> dict:
    out = {}
    for name, value in fields.items():
        if hasattr(value, "pk"):
            out[name] = value.pk
        elif isinstance(value, datetime.date):
            out[name] = value.isoformat()
        else:
            out[name] = value
    return out


def _steps_json(steps) -> list:
    return [[kind, day.isoformat(), data] for kind, day, data in steps]


# ---------------------------------------------------------------------------------------------- writing


class Conflict(Exception):
    """A row accepted by the preview could not be written (the data changed in between): nothing is written."""

    def __init__(self, row: int, message: str):
        self.row, self.message = row, message
        super().__init__(f"Dòng {row}: {message}")


def _fields(data: dict) -> dict:
    from ketnap.orgs.models import School

    out = {}
    for name, value in data.items():
        if name == "school":
            out[name] = School.objects.get(pk=value)
        elif name == "residence_ward":
            out[name] = OrgUnit.objects.get(pk=value)
        elif name in ("birth_date", "expected_graduation"):
            out[name] = datetime.date.fromisoformat(value)
        else:
            out[name] = value
    return out


def record_step(person: Person, kind: str, day: datetime.date, data: dict, *, user, note: str):
    """One step of the path through its named action (each one through `people.actions.record_event`)."""
    a = people_actions
    if kind == "awareness_class":
        return a.record_awareness_class(person, acting_user=user, occurred_on=day, note=note)
    if kind in ("application", "biography", "comments"):
        return a.record_document(person, kind, acting_user=user, occurred_on=day, note=note)
    if kind in ("youth_union_introduction", "trade_union_introduction"):
        return a.record_union_introduction(person, acting_user=user, occurred_on=day, note=note,
                                           trade_union=kind == "trade_union_introduction")  # fmt: skip
    if kind == "member_introduction":
        intro = data["introducer"]
        cowork = intro.get("cowork_since")
        return a.record_member_introduction(
            person, acting_user=user, occurred_on=day, introducer_name=intro["name"],
            official_since=datetime.date.fromisoformat(intro["official_since"]),
            cowork_since=datetime.date.fromisoformat(cowork) if cowork else None, note=note,
        )  # fmt: skip
    if kind == "verification":
        return a.record_verification(person, acting_user=user, occurred_on=day, concluded=True, note=note)
    if kind == "cell_vote":
        return a.record_cell_vote(person, acting_user=user, occurred_on=day, note=note,
                                  official_members=data["official_members"], in_favour=data["in_favour"])  # fmt: skip
    if kind == "committee_vote":
        return a.record_committee_vote(person, acting_user=user, occurred_on=day, note=note,
                                       members=data["members"], in_favour=data["in_favour"])  # fmt: skip
    raise ValueError(kind)


def apply(rows: list[dict], *, user, today: datetime.date, note: str, progress=None) -> dict:
    """Write the accepted rows (``RowPlan.as_json()`` dicts) in the caller's transaction. Any row that cannot be
    written raises `Conflict` (the caller's transaction then rolls back: nothing is written)."""
    todo = [r for r in rows if r["status"] in ("create", "update") and not r["payload"].get("skip")]
    done = {"create": 0, "update": 0, "persons": []}
    for i, r in enumerate(todo):
        payload = r["payload"]
        try:
            person = _apply_row(payload, user=user, today=today, note=note)
        except (ValidationError, PermissionDenied, Http404, Person.DoesNotExist, OrgUnit.DoesNotExist) as exc:
            message = " ".join(getattr(exc, "messages", None) or [str(exc) or "Không có quyền."])
            raise Conflict(r["row"], message) from exc
        done[r["status"]] += 1
        done["persons"].append(person.pk)
        if progress is not None and (i + 1) % 10 == 0:
            progress(i + 1, len(todo))
    if progress is not None:
        progress(len(todo), len(todo))
    return done


def _apply_row(payload: dict, *, user, today, note: str) -> Person:
    steps = [(k, datetime.date.fromisoformat(d), data) for k, d, data in payload.get("steps", [])]
    if payload["kind"] == "update":
        person = Person.objects.select_related("unit").get(pk=payload["person"])
        if payload.get("changes"):
            person = people_actions.update_person(
                person, acting_user=user, reason=note, **_fields(payload["changes"])
            )
    else:
        unit = OrgUnit.objects.get(pk=payload["unit"])
        fields = _fields(payload["fields"])
        if payload["kind"] == "member":
            return people_actions.import_member(acting_user=user, unit=unit, occurred_on=today, data=payload["member"],
                                                note=note, **fields)  # fmt: skip
        person = people_actions.identify_source(
            acting_user=user, unit=unit, occurred_on=datetime.date.fromisoformat(payload["source_date"]), note=note,
            **fields,
        )  # fmt: skip
    for kind, day, data in steps:
        record_step(person, kind, day, data, user=user, note=note)
        person.refresh_from_db()
    return person
