"""Importing the tree and its schools: one sheet of units (matched by code) and one of schools (by code); a CSV
holds either. New units are created under their parent (an existing unit the user administers, or one of the
file), in an order that puts parents first; an existing unit with another name is renamed from the import's
date (its old name kept); a changed parent or kind is refused (a move has its own page, with its date). Schools
are created or updated through `orgs.actions.save_school`."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketnap.accounts.permissions import user_can
from ketnap.accounts.roles import Perm
from ketnap.core.text import fold
from ketnap.exchange import columns as C
from ketnap.exchange.persons import Conflict, Plan, RowPlan, _sentence
from ketnap.exchange.reading import BadValue, Sheet, Unreadable, boolean, date, text
from ketnap.orgs import actions as org_actions
from ketnap.orgs.models import CHILD_KINDS, OrgUnit, School


def _sheet_kind(rows: list[list]) -> tuple[str, int] | None:
    for i, row in enumerate(rows[:10]):
        if C.looks_like(row, C.UNIT_COLUMNS) and "parent" in C.match_headers(row, C.UNIT_COLUMNS)[0]:
            return "units", i
        if C.looks_like(row, C.SCHOOL_COLUMNS) and "level" in C.match_headers(row, C.SCHOOL_COLUMNS)[0]:
            return "schools", i
    return None


def _values(row, found, headers, cols, p: RowPlan) -> dict:
    out = {}
    for key, index in found.items():
        col = next(c for c in cols if c.key == key)
        raw = row[index] if index < len(row) else ""
        try:
            if col.type == "date":
                value = date(raw)
            elif col.type == "bool":
                value = boolean(raw)
            elif col.type == "choice":
                value = C.choice_value(col, text(raw)) if text(raw) else None
            else:
                value = text(raw) or None
        except BadValue as exc:
            p.reject(headers[index], _sentence(str(exc)))
            continue
        if value is not None:
            out[key] = value
    for col in cols:
        if col.required and col.key not in out and not any(r.column == col.header for r in p.rejects):
            p.reject(
                headers[found[col.key]] if col.key in found else col.header, "Ô này không được để trống."
            )
    return out


def plan(sheets: list[Sheet], *, user, today: datetime.date, progress=None) -> Plan:
    units_rows, school_rows, headers_all, sheet_headers = [], [], [], {}
    for sheet in sheets:
        kind = _sheet_kind(sheet.rows)
        if kind is None:
            continue
        which, at = kind
        cols = C.UNIT_COLUMNS if which == "units" else C.SCHOOL_COLUMNS
        found, _ = C.match_headers(sheet.rows[at], cols)
        missing = [c.header for c in cols if c.required and c.key not in found]
        if missing:
            raise Unreadable(f"Trang “{sheet.name}” thiếu cột bắt buộc: {', '.join(missing)}.")
        headers = [text(h) for h in sheet.rows[at]]
        headers_all = headers_all or headers
        sheet_headers.setdefault(which, headers)
        for i, row in enumerate(sheet.rows[at + 1 :]):
            if not any(text(v) for v in row):
                continue
            p = RowPlan(sheet.first_row + at + 1 + i, values=[text(v) for v in row])
            p.payload["sheet"] = which
            values = _values(row, found, headers, cols, p)
            (units_rows if which == "units" else school_rows).append((p, values))
    if not units_rows and not school_rows:
        raise Unreadable(
            "Không tìm thấy dòng tiêu đề của trang tổ chức (Mã tổ chức, Tên tổ chức, Loại, Mã cấp trên…) hay trang "
            "trường học (Mã trường, Tên trường, Cấp học…); hãy dùng tệp mẫu của Ketnap."
        )
    out: list[RowPlan] = []
    _plan_units(units_rows, user, today, out)
    _plan_schools(school_rows, user, out)
    if progress is not None:
        progress(len(out), len(out))
    out.sort(key=lambda p: (p.payload.get("sheet") != "units", p.row))
    return Plan(out, headers_all, sheet_headers=sheet_headers)


def _plan_units(rows, user, today, out) -> None:
    codes = [v.get("code") for _, v in rows if v.get("code")]
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    parents = {
        u.code: u
        for u in OrgUnit.objects.filter(code__in=[v.get("parent") for _, v in rows if v.get("parent")])
    }
    in_file: dict[str, tuple[RowPlan, dict]] = {}
    for p, v in rows:
        code = v.get("code")
        p.name = v.get("name", "")
        if code and code in in_file:
            p.reject("Mã tổ chức", f"Mã {code} trùng với dòng {in_file[code][0].row} của tệp.")
        elif code:
            in_file[code] = (p, v)
    # Parents first: a unit waits for a parent created by another row.
    planned: dict[str, str] = {}  # code → kind of the units that will exist after the import

    def place(p: RowPlan, v: dict, depth: int = 0) -> None:
        if p.status != "create" or p.payload.get("done"):
            return
        p.payload["done"] = True
        code, parent_code = v["code"], v["parent"]
        unit = existing.get(code)
        parent = parents.get(parent_code)
        if unit is not None:
            _plan_existing(p, unit, v, user, today)
            return
        if parent is None and parent_code in in_file and depth < 50:
            other_p, other_v = in_file[parent_code]
            place(other_p, other_v, depth + 1)
            if other_p.status == "rejected":
                p.reject("Mã cấp trên", f"Cấp trên {parent_code} ở dòng {other_p.row} bị loại.")
                return
            parent_kind = planned.get(parent_code)
            if parent_kind is None:
                p.reject("Mã cấp trên", f"Cấp trên {parent_code} ở dòng {other_p.row} không được tạo mới.")
                return
        elif parent is None:
            p.reject("Mã cấp trên", f"Không có tổ chức mã {parent_code} (trong hệ thống hay trong tệp).")
            return
        else:
            if not user_can(user, Perm.ADMIN, parent):
                p.reject("Mã cấp trên", f"Bạn không quản trị {parent.name}.")
                return
            if parent.dissolved_on is not None:
                p.reject("Mã cấp trên", f"{parent.name} đã giải thể.")
                return
            parent_kind = parent.kind
        if v["kind"] not in CHILD_KINDS.get(parent_kind, ()):
            p.reject(
                "Loại",
                f"{OrgUnit.Kind(parent_kind).label} không có {OrgUnit.Kind(v['kind']).label.lower()} trực thuộc.",
            )
            return
        founded = v["founded_on"]
        if founded > today + datetime.timedelta(days=org_actions.FUTURE_DAYS):
            p.reject("Ngày thành lập", "Ngày thành lập quá xa trong tương lai.")
            return
        planned[code] = v["kind"]
        p.payload["order"] = len(planned)
        p.status = "create"
        p.changes.append(
            f"Tạo {OrgUnit.Kind(v['kind']).label.lower()} trực thuộc mã {parent_code} từ {founded:%d/%m/%Y}"
        )
        p.payload.update(action="create", code=code, name=v["name"], kind=v["kind"], parent=parent_code,
                         cell_kind=v.get("cell_kind", "") if v["kind"] in ("cell", "grassroots_cell") else "",
                         has_youth_union=v.get("has_youth_union", True), founded_on=founded.isoformat())  # fmt: skip

    for p, v in rows:
        place(p, v)
    for p, _ in rows:
        p.payload.pop("done", None)
        out.append(p)


def _plan_existing(p: RowPlan, unit: OrgUnit, v: dict, user, today) -> None:
    if not user_can(user, Perm.ADMIN, unit):
        p.reject("Mã tổ chức", f"Mã {unit.code} đã có ({unit.name}), ngoài phạm vi quản trị của bạn.")
        return
    if unit.kind != v["kind"]:
        p.reject(
            "Loại",
            f"{unit.name} là {unit.get_kind_display().lower()}; đổi loại tổ chức không làm qua tệp nhập.",
        )
        return
    if unit.parent is None or unit.parent.code != v["parent"]:
        where = unit.parent.code if unit.parent else "không có"
        p.reject(
            "Mã cấp trên",
            f"{unit.name} đang trực thuộc mã {where}; hãy chuyển trên trang quản trị (có ngày hiệu lực).",
        )
        return
    p.payload.update(action="update", unit=unit.pk)
    if fold(unit.name) == fold(v["name"]) and unit.name == v["name"]:
        p.status = "unchanged"
        return
    if unit.dissolved_on is not None:
        p.reject("Tên tổ chức", f"{unit.name} đã giải thể; không đổi tên được.")
        return
    p.status = "update"
    p.changes.append(f"Đổi tên {unit.name} thành {v['name']} từ {today:%d/%m/%Y} (tên cũ giữ trong lịch sử)")
    p.payload.update(name=v["name"])


SCHOOL_KEYS = ("name", "level", "is_public", "has_full_time_party_staff")


def _plan_schools(rows, user, out) -> None:
    codes = [v.get("code") for _, v in rows if v.get("code")]
    existing = {s.code: s for s in School.objects.filter(code__in=codes).select_related("ward", "party_org")}
    unit_codes = {v.get(k) for _, v in rows for k in ("ward", "party_org") if v.get(k)}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=unit_codes)}
    created_units = {
        p.payload.get("code"): p.payload.get("kind") for p in out if p.payload.get("action") == "create"
    }
    seen: dict[str, int] = {}
    for p, v in rows:
        out.append(p)
        p.name = v.get("name", "")
        if p.status == "rejected":
            continue
        code = v["code"]
        if code in seen:
            p.reject("Mã trường", f"Mã {code} trùng với dòng {seen[code]} của tệp.")
            continue
        seen[code] = p.row
        fields: dict = {k: v[k] for k in SCHOOL_KEYS if k in v}
        fields.setdefault("is_public", True)
        for key, label in (("ward", "Mã phường, xã"), ("party_org", "Mã tổ chức đảng")):
            ref = v.get(key)
            if not ref:
                fields[key] = None
                continue
            unit = units.get(ref)
            if unit is None and ref in created_units:
                fields[key] = ref  # created by this import
                if key == "ward" and created_units[ref] != OrgUnit.Kind.WARD:
                    p.reject(label, f"Mã {ref} không phải một phường, xã.")
                continue
            if unit is None:
                p.reject(label, f"Không có tổ chức mã {ref}.")
                continue
            if key == "ward" and unit.kind != OrgUnit.Kind.WARD:
                p.reject(label, f"{unit.name} không phải một phường, xã.")
                continue
            fields[key] = unit.code
        if p.status == "rejected":
            continue
        if not fields.get("ward") and not fields.get("party_org"):
            p.reject(
                "Mã phường, xã", "Cần mã phường, xã nơi trường đặt trụ sở hoặc mã tổ chức đảng của trường."
            )
            continue
        school = existing.get(code)
        if school is None:
            p.status = "create"
            p.changes.append("Thêm trường")
            p.payload.update(action="create", code=code, fields=fields)
            continue
        owner = school.party_org or school.ward
        if owner is None or not user_can(user, Perm.ADMIN, owner):
            p.reject("Mã trường", f"Mã {code} đã có ({school.name}), ngoài phạm vi quản trị của bạn.")
            continue
        now = {"name": school.name, "level": school.level, "is_public": school.is_public,
               "has_full_time_party_staff": school.has_full_time_party_staff,
               "ward": school.ward.code if school.ward else None,
               "party_org": school.party_org.code if school.party_org else None}  # fmt: skip
        changed = {k: val for k, val in fields.items() if k in now and now[k] != val}
        if not changed:
            p.status = "unchanged"
            continue
        p.status = "update"
        p.changes.append("Sửa " + ", ".join(_SCHOOL_LABELS[k] for k in changed))
        p.payload.update(action="update", school=school.pk, fields=changed)


_SCHOOL_LABELS = {c.key: c.header.lower() for c in C.SCHOOL_COLUMNS}


def apply(rows: list[dict], *, user, today: datetime.date, note: str, progress=None) -> dict:
    done = {"create": 0, "update": 0}
    todo = [r for r in rows if r["status"] in ("create", "update")]
    # units before schools, parents before their children
    todo.sort(key=lambda r: (r["payload"]["sheet"] != "units", r["payload"].get("order", 0), r["row"]))
    for i, r in enumerate(todo):
        try:
            _apply_row(r["payload"], user=user, today=today, note=note)
        except (ValidationError, PermissionDenied, Http404, OrgUnit.DoesNotExist) as exc:
            message = " ".join(getattr(exc, "messages", None) or [str(exc) or "Không có quyền."])
            raise Conflict(r["row"], message) from exc
        done[r["status"]] += 1
        if progress is not None:
            progress(i + 1, len(todo))
    return done


def _apply_row(payload: dict, *, user, today, note: str) -> None:
    if payload["sheet"] == "units":
        if payload["action"] == "create":
            org_actions.create_unit(
                acting_user=user, name=payload["name"], code=payload["code"], kind=payload["kind"],
                parent=OrgUnit.objects.get(code=payload["parent"]),
                valid_from=datetime.date.fromisoformat(payload["founded_on"]), reason=note,
                cell_kind=payload["cell_kind"], has_youth_union=payload["has_youth_union"],
            )  # fmt: skip
        else:
            unit = OrgUnit.objects.get(pk=payload["unit"])
            org_actions.rename_unit(unit, acting_user=user, name=payload["name"], on=today, reason=note)
        return
    fields = dict(payload["fields"])
    for key in ("ward", "party_org"):
        if key in fields:
            fields[key] = OrgUnit.objects.get(code=fields[key]) if fields[key] else None
    school = School.objects.get(pk=payload["school"]) if payload["action"] == "update" else None
    if school is None:
        fields["code"] = payload["code"]
    org_actions.save_school(school, acting_user=user, **fields)
