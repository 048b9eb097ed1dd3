"""Writes to the organisation tree: creation and moves keep OrgLink history and the path cache."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from ketnap.accounts.permissions import require
from ketnap.accounts.roles import Perm
from ketnap.core.audit import audit
from ketnap.core.hooks import Hook
from ketnap.orgs.models import Authorization, OrgLink, OrgUnit, path_segment

# Called with the date from which the tree changed, inside the action's transaction.
tree_changed = Hook("orgs.tree_changed")


def _place(unit: OrgUnit, parent: OrgUnit | None) -> None:
    unit.path = (parent.path if parent else "") + path_segment(unit.pk)
    unit.depth = parent.depth + 1 if parent else 0


def create_unit(
    *,
    acting_user,
    name: str,
    code: str,
    kind: str,
    parent: OrgUnit | None,
    valid_from: datetime.date,
    **fields,
) -> OrgUnit:
    with transaction.atomic():
        if parent is not None:
            require(acting_user, Perm.ADMIN, parent)
        elif not getattr(acting_user, "is_superuser", False):
            raise ValidationError("Chỉ quản trị hệ thống được tạo tổ chức cấp cao nhất.")
        unit = OrgUnit(name=name, code=code, kind=kind, parent=parent, **fields)
        unit.full_clean(exclude=["path", "parent"])
        unit.save()
        _place(unit, parent)
        unit.save(update_fields=["path", "depth"])
        if parent is not None:
            OrgLink.objects.create(child=unit, parent=parent, valid_from=valid_from)
        audit(
            actor=acting_user,
            action="org.create",
            obj=unit,
            unit=parent or unit,
            summary=f"Tạo {unit.get_kind_display()} {unit.name}",
            after={"code": code, "kind": kind},
        )
        tree_changed(valid_from)  # e.g. the indicator rollup (registered by ketnap.targets)
    return unit


def move_unit(
    unit: OrgUnit, new_parent: OrgUnit, *, acting_user, on: datetime.date, note: str = ""
) -> OrgUnit:
    """Re-parent a unit from `on`: the old link is closed (history kept), the subtree's paths move."""
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        require(acting_user, Perm.ADMIN, new_parent)
        if unit.parent_id:
            require(acting_user, Perm.ADMIN, unit.parent)
        if new_parent.path.startswith(unit.path):
            raise ValidationError("Không thể chuyển một tổ chức vào chính cấp dưới của nó.")
        old_parent = unit.parent
        current = OrgLink.objects.filter(child=unit, valid_to__isnull=True).first()
        if current is not None:
            if on <= current.valid_from:
                raise ValidationError("Ngày chuyển phải sau ngày bắt đầu của liên kết hiện tại.")
            current.valid_to = on
            current.save(update_fields=["valid_to"])
        OrgLink.objects.create(child=unit, parent=new_parent, valid_from=on, note=note)
        old_path = unit.path
        new_path = new_parent.path + path_segment(unit.pk)
        depth_delta = new_parent.depth + 1 - unit.depth
        OrgUnit.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_delta,
        )
        OrgUnit.objects.filter(pk=unit.pk).update(parent=new_parent)
        unit.refresh_from_db()
        audit(
            actor=acting_user,
            action="org.move",
            obj=unit,
            unit=new_parent,
            summary=f"Chuyển {unit.name} về {new_parent.name} từ {on:%d/%m/%Y}",
            before={"parent": old_parent.pk if old_parent else None, "path": old_path},
            after={"parent": new_parent.pk, "path": unit.path},
        )
        tree_changed(on)  # indicators use the tree as it stood at each window's end
    return unit


def grant_authorization(
    *, acting_user, grantor: OrgUnit, grantee: OrgUnit, valid_from, valid_to=None, document_number=""
) -> Authorization:
    with transaction.atomic():
        require(acting_user, Perm.DECIDE, grantor)
        if grantee.kind != OrgUnit.Kind.GRASSROOTS:
            raise ValidationError("Chỉ đảng ủy cơ sở mới được ủy quyền quyết định kết nạp.")
        if not grantee.path.startswith(grantor.path) or grantee.pk == grantor.pk:
            raise ValidationError("Chỉ ủy quyền cho đảng ủy cơ sở trực thuộc.")
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


def parent_on(unit: OrgUnit, day: datetime.date):
    """The unit's parent as the tree stood on `day` (None for a root or before its first link)."""
    link = (
        OrgLink.objects.filter(child=unit, valid_from__lte=day)
        .exclude(valid_to__lte=day)
        .select_related("parent")
        .first()
    )
    return link.parent if link else None
