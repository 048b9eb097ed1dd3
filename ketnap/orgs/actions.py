"""Writes to the organisation tree, its schools and the authorisations to admit.

Every change is dated (the day it takes effect), re-checks the acting user's role over the units it touches
(404 out of scope is the views' job, 403 here), writes one audit row with the reason where the change matters,
and keeps the indicator rollup current through the ``tree_changed`` hook. The tree's history is kept:
``OrgLink`` rows (parent from / until), ``OrgName`` rows (earlier names), ``dissolved_on``.

What other apps hold in a unit (persons, requests, targets) is moved by them, inside the same transaction,
through the hooks below (``orgs`` never imports them):

* ``unit_merged(source=, target=, on=, acting_user=, report=)`` — ``merge_units`` is absorbing ``source``
  into ``target`` from ``on``: move what ``source`` holds, and say what in ``report`` (a dict).
* ``unit_contents(unit=, found=)`` — what still lives in ``unit``: append ``(key, count, Vietnamese phrase)``
  to ``found``; ``dissolve_unit`` refuses while anything does, and says what.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from ketnap import rules
from ketnap.accounts.models import RoleAssignment
from ketnap.accounts.permissions import require
from ketnap.accounts.roles import Perm
from ketnap.core.audit import audit
from ketnap.core.hooks import Hook
from ketnap.orgs.models import CHILD_KINDS, Authorization, OrgLink, OrgName, OrgUnit, School, path_segment

# Called with the date from which the tree changed, inside the action's transaction.
tree_changed = Hook("orgs.tree_changed")
unit_merged = Hook("orgs.unit_merged")
unit_contents = Hook("orgs.unit_contents")

DAY = datetime.timedelta(days=1)
FUTURE_DAYS = 366  # a decision on the tree may take effect up to a year ahead


def _today() -> datetime.date:
    return timezone.localdate()


def check_effective(on, *, what: str = "Ngày hiệu lực", future: bool = True) -> None:
    """An effective date: not before 03/02/1930; not after today (``future=False``) or a year from today."""
    if not isinstance(on, datetime.date):
        raise ValidationError({"on": f"Cần ghi {what.lower()}."})
    if on < rules.DATE_MIN:
        raise ValidationError({"on": f"{what} không được trước ngày {rules.DATE_MIN:%d/%m/%Y}."})
    latest = _today() + datetime.timedelta(days=FUTURE_DAYS if future else 0)
    if on > latest:
        if future:
            raise ValidationError({"on": f"{what} không được sau ngày {latest:%d/%m/%Y}."})
        raise ValidationError({"on": f"{what} không được sau ngày hôm nay."})


def _reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Cần ghi lý do (số, ngày của quyết định)."})
    return reason


def _live(unit: OrgUnit, doing: str) -> None:
    if unit.dissolved_on is not None:
        raise ValidationError(f"{unit.name} đã giải thể từ ngày {unit.dissolved_on:%d/%m/%Y}; không {doing}.")


def _lock(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.select_for_update(of=("self",)).select_related("parent").get(pk=unit.pk)


def _family(unit: OrgUnit) -> str:
    """Units of one family can be merged: cells with cells, wards with wards, committees of one kind."""
    return "cell" if unit.is_cell else unit.kind


def _place(unit: OrgUnit, parent: OrgUnit | None) -> None:
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.depth = parent.depth + 1 if parent else 0


def _check_parent(parent: OrgUnit, doing: str, kind: str | None = None) -> None:
    _live(parent, doing)
    if parent.is_cell:
        raise ValidationError(
            {"parent": f"{parent.name} là chi bộ: chi bộ không có tổ chức đảng trực thuộc."}
        )
    if kind is not None and kind not in CHILD_KINDS.get(parent.kind, ()):
        label = OrgUnit.Kind(kind).label.lower()
        raise ValidationError({"parent": f"{parent.get_kind_display()} không có {label} trực thuộc."})


def create_unit(
    *,
    acting_user,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None,
    valid_from: datetime.date,
    reason: str = "",
    **fields,
) -> OrgUnit:
    """A new unit under ``parent`` from ``valid_from`` (its founding date unless another is given)."""
    name = " ".join((name or "").split())
    code = (code or "").strip()
    check_effective(valid_from, what="Ngày thành lập")
    with transaction.atomic():
        if parent is not None:
            parent = _lock(parent)
            require(acting_user, Perm.ADMIN, parent)
            _check_parent(parent, "thêm tổ chức trực thuộc được", kind)
            if parent.founded_on and valid_from < parent.founded_on:
                raise ValidationError(
                    {"on": f"Ngày thành lập không được trước ngày thành lập của {parent.name} "
                           f"({parent.founded_on:%d/%m/%Y})."}
                )  # fmt: skip
        elif not getattr(acting_user, "is_superuser", False):
            raise ValidationError("Chỉ quản trị hệ thống được tạo tổ chức cấp cao nhất.")
        fields.setdefault("founded_on", valid_from)
        if kind not in OrgUnit.Kind.values:
            raise ValidationError({"kind": "Loại tổ chức không hợp lệ."})
        if kind not in (OrgUnit.Kind.CELL, OrgUnit.Kind.GRASSROOTS_CELL):
            fields["cell_kind"] = ""
        unit = OrgUnit(name=name, code=code, kind=kind, parent=parent, **fields)
        unit.full_clean(exclude=["path", "parent"])
        unit.save()
        _place(unit, parent)
        unit.save(update_fields=["path", "depth"])
        if parent is not None:
            OrgLink.objects.create(child=unit, parent=parent, valid_from=valid_from, note=reason[:200])
        audit(
            actor=acting_user,
            action="org.create",
            obj=unit,
            unit=parent or unit,
            summary=f"Tạo {unit.get_kind_display()} {unit.name} từ {valid_from:%d/%m/%Y}"
            + (f" — {reason}" if reason else ""),
            after={
                "code": code,
                "kind": kind,
                "parent": parent.pk if parent else None,
                "valid_from": valid_from,
            },
        )
        tree_changed(valid_from)  # e.g. the indicator rollup (registered by ketnap.targets)
    return unit


def rename_unit(unit: OrgUnit, *, acting_user, name: str, on: datetime.date, reason: str) -> OrgUnit:
    """The unit is called ``name`` from ``on``; the old name stays in its history (``OrgName``)."""
    name = " ".join((name or "").split())
    reason = _reason(reason)
    check_effective(on, what="Ngày đổi tên")
    with transaction.atomic():
        unit = _lock(unit)
        require(acting_user, Perm.ADMIN, unit)
        _live(unit, "đổi tên được")
        if not name:
            raise ValidationError({"name": "Cần ghi tên mới."})
        if name == unit.name:
            raise ValidationError({"name": "Tên mới trùng với tên hiện tại."})
        last = unit.former_names.first()
        if last is not None and on <= last.valid_to:
            raise ValidationError(
                {"on": f"Ngày đổi tên phải sau lần đổi tên trước ({last.valid_to:%d/%m/%Y})."}
            )
        if unit.founded_on and on <= unit.founded_on:
            raise ValidationError(
                {"on": f"Ngày đổi tên phải sau ngày thành lập ({unit.founded_on:%d/%m/%Y})."}
            )
        old = unit.name
        OrgName.objects.create(unit=unit, name=old, valid_to=on, reason=reason[:300])
        unit.name = name
        unit.full_clean(exclude=["path", "parent"])
        unit.save(update_fields=["name", "search_key"])
        audit(
            actor=acting_user,
            action="org.rename",
            obj=unit,
            unit=unit,
            summary=f"Đổi tên {old} thành {name} từ {on:%d/%m/%Y} — {reason}",
            before={"name": old},
            after={"name": name, "on": on, "reason": reason},
        )
    return unit


def _move(unit: OrgUnit, new_parent: OrgUnit, on: datetime.date, note: str) -> str:
    """Re-parent ``unit`` from ``on``: close its current link, open a new one, move the subtree's paths.
    Returns the old path. The caller has locked the unit and checked roles."""
    if new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": "Không thể chuyển một tổ chức vào chính cấp dưới của nó."})
    current = OrgLink.objects.filter(child=unit, valid_to__isnull=True).first()
    if current is not None:
        if on <= current.valid_from:
            raise ValidationError(
                {
                    "on": f"Ngày chuyển phải sau ngày {unit.name} về cấp trên hiện tại ({current.valid_from:%d/%m/%Y})."
                }
            )
        current.valid_to = on
        current.save(update_fields=["valid_to"])
    OrgLink.objects.create(child=unit, parent=new_parent, valid_from=on, note=note[:200])
    old_path = unit.path
    new_path = new_parent.path + path_segment(unit.pk)
    depth_delta = new_parent.depth + 1 - unit.depth
    OrgUnit.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
    unit.refresh_from_db()
    return old_path


def move_unit(
    unit: OrgUnit, new_parent: OrgUnit, *, acting_user, on: datetime.date, note: str = ""
) -> OrgUnit:
    """Re-parent a unit from `on`: the old link is closed (history kept), the subtree's paths move."""
    check_effective(on, what="Ngày chuyển")
    with transaction.atomic():
        unit = _lock(unit)
        new_parent = _lock(new_parent)
        require(acting_user, Perm.ADMIN, new_parent)
        if unit.parent_id:
            require(acting_user, Perm.ADMIN, unit.parent)
        else:
            require(acting_user, Perm.ADMIN, unit)
        _live(unit, "chuyển được")
        _check_parent(new_parent, "nhận tổ chức trực thuộc được", unit.kind)
        if new_parent.pk == unit.parent_id:
            raise ValidationError({"parent": f"{unit.name} đang trực thuộc {new_parent.name}."})
        old_parent = unit.parent
        old_path = _move(unit, new_parent, on, note)
        audit(
            actor=acting_user,
            action="org.move",
            obj=unit,
            unit=new_parent,
            summary=f"Chuyển {unit.name} về {new_parent.name} từ {on:%d/%m/%Y}"
            + (f" — {note}" if note else ""),
            before={"parent": old_parent.pk if old_parent else None, "path": old_path},
            after={"parent": new_parent.pk, "path": unit.path, "on": on, "reason": note},
        )
        tree_changed(on)  # indicators use the tree as it stood at each window's end
    return unit


def _close(unit: OrgUnit, on: datetime.date) -> dict:
    """End the unit from ``on``: its link to the parent closes, authorisations it holds end the day before,
    those it granted are kept (they are the grantor's history)."""
    OrgLink.objects.filter(child=unit, valid_to__isnull=True).update(valid_to=on)
    ended = list(
        Authorization.objects.filter(grantee=unit)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("pk", flat=True)
    )
    Authorization.objects.filter(pk__in=ended).update(valid_to=on - DAY)
    OrgUnit.objects.filter(pk=unit.pk).update(dissolved_on=on)
    unit.dissolved_on = on
    return {"authorizations_ended": ended}


def _contents(unit: OrgUnit) -> list[tuple[str, int, str]]:
    found: list[tuple[str, int, str]] = []
    children = list(unit.children.filter(dissolved_on__isnull=True).values_list("name", flat=True))
    if children:
        found.append(("children", len(children), f"{len(children)} tổ chức trực thuộc ({_names(children)})"))
    unit_contents(unit=unit, found=found)
    return found


def _names(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" và {len(names) - limit} tổ chức khác" if len(names) > limit else "")


def merge_units(source: OrgUnit, target: OrgUnit, *, acting_user, on: datetime.date, reason: str) -> dict:
    """Absorb ``source`` into ``target`` from ``on``: its live child units move under ``target``, its persons,
    open requests and targets follow (the apps above, through ``unit_merged``), its schools and role
    assignments go to ``target``, and ``source`` is dissolved from ``on``. Past events keep the organisation
    they happened in (an admission stays the source's in the windows before the merge). Returns what moved."""
    reason = _reason(reason)
    check_effective(on, what="Ngày sáp nhập", future=False)
    with transaction.atomic():
        source, target = _lock(source), _lock(target)
        require(acting_user, Perm.ADMIN, source)
        require(acting_user, Perm.ADMIN, target)
        if source.pk == target.pk:
            raise ValidationError({"target": "Hãy chọn một tổ chức khác để sáp nhập vào."})
        _live(source, "sáp nhập được")
        _live(target, "nhận sáp nhập được")
        if source.parent_id is None:
            raise ValidationError("Không sáp nhập được tổ chức cấp cao nhất.")
        if target.path.startswith(source.path):
            raise ValidationError(
                {"target": "Không sáp nhập một tổ chức vào chính tổ chức trực thuộc của nó."}
            )
        if _family(source) != _family(target):
            raise ValidationError(
                {"target": f"Chỉ sáp nhập được các tổ chức cùng loại: {source.name} là "
                           f"{source.get_kind_display().lower()}, {target.name} là {target.get_kind_display().lower()}."}
            )  # fmt: skip
        for unit in (source, target):
            if unit.founded_on and on <= unit.founded_on:
                raise ValidationError({"on": f"Ngày sáp nhập phải sau ngày thành lập {unit.name} "
                                             f"({unit.founded_on:%d/%m/%Y})."})  # fmt: skip
        note = f"Sáp nhập {source.name} vào {target.name}"
        report: dict = {"source": source.pk, "target": target.pk, "on": on, "reason": reason}
        children = list(source.children.filter(dissolved_on__isnull=True).order_by("path"))
        for child in children:
            _move(child, target, on, note)
        report["children"] = [c.pk for c in children]
        unit_merged(source=source, target=target, on=on, acting_user=acting_user, report=report)
        report["schools"] = list(School.objects.filter(party_org=source).values_list("pk", flat=True))
        School.objects.filter(pk__in=report["schools"]).update(party_org=target)
        if source.kind == OrgUnit.Kind.WARD:
            located = list(School.objects.filter(ward=source).values_list("pk", flat=True))
            School.objects.filter(pk__in=located).update(ward=target)
            report["schools_located"] = located
        report["roles"] = _move_roles(source, target)
        report.update(_close(source, on))
        audit(
            actor=acting_user,
            action="org.merge",
            obj=source,
            unit=target,
            summary=f"{note} từ {on:%d/%m/%Y} — {reason}. {merge_summary(report)}",
            before={"parent": source.parent_id, "name": source.name},
            after=report,
        )
        tree_changed(on)
    return report


def merge_summary(report: dict) -> str:
    """What a merge moved, in words (the audit row and the page's message)."""
    parts = [
        f"{report.get('persons', 0)} người",
        f"{len(report.get('children', []))} tổ chức trực thuộc",
        f"{len(report.get('schools', []))} trường",
        f"{report.get('requests', 0)} văn bản đang mở",
        f"{report.get('targets', 0)} chỉ tiêu",
        f"{len(report.get('roles', []))} phân quyền",
    ]
    return "Đã chuyển: " + ", ".join(parts) + "."


def _move_roles(source: OrgUnit, target: OrgUnit) -> list[dict]:
    moved = []
    for ra in RoleAssignment.objects.filter(unit=source).select_related("user"):
        RoleAssignment.objects.get_or_create(user=ra.user, unit=target, role=ra.role)
        moved.append({"user": ra.user_id, "role": ra.role})
        ra.delete()
    return moved


def dissolve_unit(unit: OrgUnit, *, acting_user, on: datetime.date, reason: str) -> dict:
    """Dissolve an empty unit from ``on``. Refused, saying what is left, while it still has live child units,
    persons or open requests (move them first, or merge the unit into another). Its schools are left without
    a party organisation, the roles held there are revoked; both are named in the audit row."""
    reason = _reason(reason)
    check_effective(on, what="Ngày giải thể", future=False)
    with transaction.atomic():
        unit = _lock(unit)
        require(acting_user, Perm.ADMIN, unit)
        _live(unit, "giải thể được")
        if unit.parent_id is None:
            raise ValidationError("Không giải thể được tổ chức cấp cao nhất.")
        if unit.founded_on and on <= unit.founded_on:
            raise ValidationError(
                {"on": f"Ngày giải thể phải sau ngày thành lập ({unit.founded_on:%d/%m/%Y})."}
            )
        found = _contents(unit)
        if found:
            raise ValidationError(
                f"Chưa giải thể được {unit.name}: còn {'; '.join(phrase for _, _, phrase in found)}. Hãy chuyển đi "
                "trước, hoặc sáp nhập tổ chức này vào một tổ chức khác (người, văn bản và chỉ tiêu sẽ đi theo).",
                code="not_empty",
            )
        report: dict = {"on": on, "reason": reason}
        report["schools"] = list(School.objects.filter(party_org=unit).values_list("pk", flat=True))
        School.objects.filter(pk__in=report["schools"]).update(party_org=None)
        roles = RoleAssignment.objects.filter(unit=unit)
        report["roles"] = [{"user": r.user_id, "role": r.role} for r in roles]
        roles.delete()
        report.update(_close(unit, on))
        audit(
            actor=acting_user,
            action="org.dissolve",
            obj=unit,
            unit=unit.parent,
            summary=f"Giải thể {unit.name} từ {on:%d/%m/%Y} — {reason}",
            after=report,
        )
        tree_changed(on)
    return report


def contents_of(unit: OrgUnit) -> list[str]:
    """What keeps the unit from being dissolved, in words (empty: it can be dissolved)."""
    return [phrase for _, _, phrase in _contents(unit)]


# ---------------------------------------------------------------------------------------------- schools

SCHOOL_FIELDS = ("name", "code", "level", "is_public", "ward", "party_org", "has_full_time_party_staff")


def save_school(school: School | None, *, acting_user, **fields) -> School:
    """Create a school (``school=None``) or change it. The acting user administers the school's party
    organisation (or, without one, its ward) before and after the change."""
    unknown = set(fields) - set(SCHOOL_FIELDS)
    if unknown:
        raise ValidationError(f"Không sửa được các trường: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        if school is not None:
            school = School.objects.select_for_update().get(pk=school.pk)
            _require_school(acting_user, school)
            before = {f: _plain(getattr(school, f)) for f in SCHOOL_FIELDS}
        else:
            school, before = School(), None
        for name, value in fields.items():
            setattr(school, name, value.strip() if isinstance(value, str) else value)
        if school.ward is not None:
            if school.ward.kind != OrgUnit.Kind.WARD:
                raise ValidationError({"ward": "Hãy chọn một phường, xã, đặc khu."})
            if before is None or school.ward_id != before["ward"]:
                _live(school.ward, "gắn trường mới được")
        if school.party_org is not None and (before is None or school.party_org_id != before["party_org"]):
            _live(school.party_org, "nhận trường được")
        if school.party_org is None and school.ward is None:
            raise ValidationError(
                {"ward": "Cần chọn phường, xã nơi trường đặt trụ sở hoặc tổ chức đảng của trường."}
            )
        _require_school(acting_user, school)
        school.full_clean()
        school.save()
        after = {f: _plain(getattr(school, f)) for f in SCHOOL_FIELDS}
        changed = {f: v for f, v in after.items() if before is None or before[f] != v}
        if before is not None and not changed:
            return school
        audit(
            actor=acting_user,
            action="school.create" if before is None else "school.update",
            obj=school,
            unit=school.party_org or school.ward,
            summary=("Thêm trường " if before is None else "Sửa thông tin trường ") + school.name,
            before={f: before[f] for f in changed} if before else None,
            after=changed,
        )
        if before is None or {"level", "ward", "party_org"} & set(changed):
            tree_changed(_today())  # the school indicators count schools and their organisations
    return school


def _require_school(user, school: School) -> None:
    unit = school.party_org or school.ward
    require(user, Perm.ADMIN, unit)


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


# ---------------------------------------------------------------------------------------------- authorisations


def grant_authorization(
    *, acting_user, grantor: OrgUnit, grantee: OrgUnit, valid_from, valid_to=None, document_number=""
) -> Authorization:
    check_effective(valid_from, what="Ngày bắt đầu hiệu lực")
    with transaction.atomic():
        require(acting_user, Perm.DECIDE, grantor)
        if grantee.kind != OrgUnit.Kind.GRASSROOTS:
            raise ValidationError("Chỉ đảng ủy cơ sở mới được ủy quyền quyết định kết nạp.")
        if not grantee.path.startswith(grantor.path) or grantee.pk == grantor.pk:
            raise ValidationError("Chỉ ủy quyền cho đảng ủy cơ sở trực thuộc.")
        _live(grantee, "nhận ủy quyền được")
        _live(grantor, "ủy quyền được")
        if valid_to is not None and valid_to < valid_from:
            raise ValidationError("Ngày hết hiệu lực phải sau ngày bắt đầu.")
        auth = Authorization.objects.create(
            grantor=grantor,
            grantee=grantee,
            valid_from=valid_from,
            valid_to=valid_to,
            document_number=document_number,
        )
        audit(
            actor=acting_user,
            action="org.authorize",
            obj=auth,
            unit=grantee,
            summary=f"Ủy quyền kết nạp cho {grantee.name} từ {valid_from:%d/%m/%Y}",
            after={"valid_from": valid_from, "valid_to": valid_to, "document_number": document_number},
        )
    return auth


def revoke_authorization(
    auth: Authorization, *, acting_user, on: datetime.date, reason: str
) -> Authorization:
    """The authorisation no longer covers ``on`` and later (it ends the day before)."""
    reason = _reason(reason)
    check_effective(on, what="Ngày thu hồi")
    with transaction.atomic():
        auth = (
            Authorization.objects.select_for_update(of=("self",))
            .select_related("grantor", "grantee")
            .get(pk=auth.pk)
        )
        require(acting_user, Perm.DECIDE, auth.grantor)
        if on < auth.valid_from:
            raise ValidationError(
                {"on": f"Ngày thu hồi không được trước ngày bắt đầu ({auth.valid_from:%d/%m/%Y})."}
            )
        if auth.valid_to is not None and auth.valid_to < on:
            raise ValidationError(f"Ủy quyền này đã hết hiệu lực từ sau ngày {auth.valid_to:%d/%m/%Y}.")
        before = auth.valid_to
        auth.valid_to = on - DAY
        auth.save(update_fields=["valid_to"])
        audit(
            actor=acting_user,
            action="org.revoke_authorization",
            obj=auth,
            unit=auth.grantee,
            summary=f"Thu hồi ủy quyền kết nạp của {auth.grantee.name} từ {on:%d/%m/%Y} — {reason}",
            before={"valid_to": before},
            after={"valid_to": auth.valid_to, "reason": reason},
        )
    return auth


def parent_on(unit: OrgUnit, day: datetime.date):
    """The unit's parent as the tree stood on `day` (None for a root or before its first link)."""
    link = (
        OrgLink.objects.filter(child=unit, valid_from__lte=day)
        .exclude(valid_to__lte=day)
        .select_related("parent")
        .first()
    )
    return link.parent if link else None
