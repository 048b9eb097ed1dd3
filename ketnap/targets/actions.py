"""Writes of the targets app: setting targets (a unit sets its children's), "no source left" records.

Each action: one transaction, scope re-checked (404), role checked (403, `accounts.permissions.require`),
an audit row with before/after, and the indicator rollup kept current where it depends on the change.
"""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from ketnap.accounts.permissions import require
from ketnap.accounts.roles import Perm
from ketnap.accounts.scoping import path_in_scope
from ketnap.core.audit import audit
from ketnap.orgs.models import OrgUnit
from ketnap.rules import indicators as ind
from ketnap.targets import conf, rollups
from ketnap.targets.models import NoSourceRecord, Rollup, Target


def _check_scope(user, unit: OrgUnit) -> None:
    if not path_in_scope(unit.path, user):
        raise Http404("Không tìm thấy hoặc bạn không có quyền xem.")


def target_setter(unit: OrgUnit) -> OrgUnit:
    """The unit whose committee sets this unit's targets: its parent (the root sets its own)."""
    return unit.parent if unit.parent_id else unit


def _window(key: str, indicator: ind.Indicator) -> ind.Window:
    try:
        window = conf.window(key)
    except (ValueError, IndexError):
        raise ValidationError({"window": f"Kỳ không hợp lệ: {key}"}) from None
    if window.kind != indicator.window_kind:
        kind = "năm học" if indicator.window_kind == "SY" else "năm dương lịch"
        raise ValidationError({"window": f"Chỉ tiêu {indicator.id} được giao theo {kind}."})
    return window


def _clean_value(indicator: ind.Indicator, value) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValidationError({"value": "Chỉ tiêu phải là một số."}) from None
    if not math.isfinite(value):  # "nan", "inf", "1e309" are floats to Python, not targets
        raise ValidationError({"value": "Chỉ tiêu phải là một số."})
    if indicator.is_share:
        if not 0 <= value <= 1:
            raise ValidationError({"value": "Chỉ tiêu tỷ lệ phải từ 0% đến 100%."})
        return round(value, 4)
    if value < 0 or value != int(value):
        raise ValidationError({"value": "Chỉ tiêu số lượng phải là số nguyên không âm."})
    return float(int(value))


def same_value(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


def _show(indicator: ind.Indicator, value) -> str:
    if value is None:
        return "(không giao)"
    if indicator.is_share:
        return f"{value * 100:.1f}%".replace(".", ",")
    return f"{int(value)}"


ANY = object()  # set_target(expected=ANY): no version check


def set_target(
    *, acting_user, unit: OrgUnit, indicator: str, window: str, value, note: str = "", expected=ANY
) -> Target | None:
    """Set the unit's target for one indicator and window; `value=None` removes it (the unit then inherits
    its parent's target, or the directive's default). Shares are fractions (0.7 = 70%).

    ``expected``: the value the user saw when they opened the form (None: no target); if someone changed it
    since, the change is refused with the current value (no silent overwrite)."""
    spec = ind.ALL_INDICATORS.get(indicator)
    if spec is None:
        raise ValidationError({"indicator": f"Không có chỉ số {indicator}."})
    _window(window, spec)
    with transaction.atomic():
        unit = OrgUnit.objects.select_related("parent").get(pk=unit.pk)
        _check_scope(acting_user, unit)
        require(acting_user, Perm.DECIDE, target_setter(unit))
        if (
            value not in (None, "")
            and unit.dissolved_on is not None
            and conf.window(window).end >= unit.dissolved_on
        ):
            raise ValidationError(
                f"{unit.name} đã giải thể từ ngày {unit.dissolved_on:%d/%m/%Y}; không giao chỉ tiêu."
            )
        current = (
            Target.objects.select_for_update().filter(unit=unit, indicator=indicator, window=window).first()
        )
        before = current.value if current else None
        if expected is not ANY and not same_value(expected, before):
            raise ValidationError(
                f"Người khác vừa đổi chỉ tiêu này thành {_show(spec, before)} từ khi bạn mở trang; "
                "hãy xem lại rồi lưu lại.",
                code="stale",
            )
        if value is None or value == "":
            if current is None:
                return None
            current.delete()
            target, after = None, None
        else:
            after = _clean_value(spec, value)
            if current is not None and current.value == after and current.note == note:
                return current
            target = current or Target(unit=unit, indicator=indicator, window=window)
            target.value, target.note, target.set_by = after, note[:300], acting_user
            target.save()
        audit(
            actor=acting_user,
            action="target.set" if after is not None else "target.clear",
            object_type="targets.target",
            object_id=f"{unit.pk}:{indicator}:{window}",
            unit=unit,
            summary=f"Chỉ tiêu {indicator} {conf.window(window).long_label} của {unit.name}: "
            f"{_show(spec, before)} → {_show(spec, after)}",
            before={"value": before},
            after={"value": after, "note": note} if after is not None else {"value": None},
        )
    return target


def cascade_targets(*, acting_user, parent: OrgUnit, indicator: str, window: str, values: dict[int, object],
                    note: str = "") -> int:  # fmt: skip
    """Set the targets of several children of `parent` at once (one audit row per change); returns the
    number of changes. `values` maps child unit ids to a value (None or "" removes the child's target)."""
    changed = 0
    with transaction.atomic():
        children = {u.pk: u for u in OrgUnit.objects.filter(parent=parent, pk__in=list(values))}
        missing = set(values) - set(children)
        if missing:
            raise ValidationError(f"Không phải tổ chức trực thuộc {parent.name}: {sorted(missing)}")
        for pk, value in values.items():
            before = Target.objects.filter(unit_id=pk, indicator=indicator, window=window).first()
            target = set_target(acting_user=acting_user, unit=children[pk], indicator=indicator, window=window,
                                value=value, note=note)  # fmt: skip
            old = before.value if before else None
            new = target.value if target else None
            changed += old != new
    return changed


def pool_of(unit: OrgUnit, w: ind.Window) -> int:
    """The cell's source pool at the window's end, as the indicators count it (the rollup's `pool_end`: in the
    pool on that day, held by the cell); counted from the persons when the window has no rollup yet."""
    row = Rollup.objects.filter(window=w.key, unit=unit).values_list("pool_end", flat=True).first()
    if row is not None:
        return row
    from ketnap.people.models import Person, PersonEvent, Stage

    sourced = PersonEvent.objects.filter(kind="source_identified", occurred_on__lte=w.end).values("person_id")
    return (
        Person.objects.filter(unit=unit, pk__in=sourced)
        .exclude(party_age_from__lte=w.end)
        .exclude(stage=Stage.WITHDRAWN, stage_since__lte=w.end)
        .count()
    )


def record_no_source(*, acting_user, unit: OrgUnit, window: str, reason: str,
                     recorded_on: dt.date) -> NoSourceRecord:  # fmt: skip
    """Record that the cell has no source left for the school year: it leaves the population of the K-12
    cell indicators for that year. Recorded by a committee over the cell (the ward or above)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Ghi rõ lý do (chi bộ không còn quần chúng ưu tú để bồi dưỡng…)."})
    try:
        w = conf.window(window)
    except (ValueError, IndexError):
        raise ValidationError({"window": f"Kỳ không hợp lệ: {window}"}) from None
    if w.kind != "SY":
        raise ValidationError({"window": "Ghi nhận «không còn nguồn» theo năm học."})
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        _check_scope(acting_user, unit)
        require(acting_user, Perm.DECIDE, unit)
        if not unit.is_cell:
            raise ValidationError("Chỉ ghi nhận «không còn nguồn» cho một chi bộ.")
        if NoSourceRecord.objects.filter(unit=unit, window=window).exists():
            raise ValidationError(f"{unit.name} đã được ghi nhận không còn nguồn trong {w.long_label}.")
        pool = pool_of(unit, w)
        if pool:
            raise ValidationError(
                f"{unit.name} còn {pool} người trong nguồn (quần chúng ưu tú, cảm tình đảng, đối tượng kết nạp) "
                f"vào cuối {w.long_label}: chỉ ghi nhận «không còn nguồn» khi chi bộ không còn ai trong nguồn."
            )
        record = NoSourceRecord.objects.create(unit=unit, window=window, reason=reason, recorded_on=recorded_on,
                                               recorded_by=acting_user)  # fmt: skip
        rollups.set_exempt(unit.pk, window, True)
        audit(actor=acting_user, action="target.no_source", obj=record, unit=unit,
              summary=f"{unit.name}: không còn nguồn trong {w.long_label}. Lý do: {reason}",
              after={"window": window, "reason": reason, "recorded_on": recorded_on})  # fmt: skip
    return record


def withdraw_no_source(*, acting_user, record: NoSourceRecord, reason: str) -> None:
    """Lift a "no source left" record (the cell is counted again for that year)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Ghi rõ lý do hủy ghi nhận."})
    with transaction.atomic():
        record = NoSourceRecord.objects.select_for_update().select_related("unit").get(pk=record.pk)
        unit = record.unit
        _check_scope(acting_user, unit)
        require(acting_user, Perm.DECIDE, unit)
        before = {"window": record.window, "reason": record.reason, "recorded_on": record.recorded_on}
        record_id = record.pk
        record.delete()
        rollups.set_exempt(unit.pk, before["window"], False)
        audit(actor=acting_user, action="target.no_source_withdrawn", object_type="targets.nosourcerecord",
              object_id=record_id, unit=unit,
              summary=f"{unit.name}: hủy ghi nhận không còn nguồn ({before['window']}). Lý do: {reason}",
              before=before, after={"reason": reason})  # fmt: skip
