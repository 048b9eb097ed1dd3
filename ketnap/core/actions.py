"""Writes to system-wide data: the working-day calendar's announced swaps and extra days off."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ketnap.accounts.permissions import user_can
from ketnap.accounts.roles import Perm
from ketnap.core.audit import audit
from ketnap.core.models import CalendarOverride


def can_edit_calendar(user) -> bool:
    """The calendar is city-wide: only an administrator at a root of the tree (or a superuser) edits it."""
    from ketnap.orgs.models import OrgUnit

    if getattr(user, "is_superuser", False):
        return True
    roots = OrgUnit.objects.filter(parent__isnull=True)
    return any(user_can(user, Perm.ADMIN, root) for root in roots)


def set_calendar_day(
    *, acting_user, date: datetime.date, is_working_day: bool, note: str
) -> CalendarOverride:
    if not can_edit_calendar(acting_user):
        raise PermissionDenied("Chỉ quản trị cấp thành phố được sửa lịch ngày làm việc.")
    note = (note or "").strip()
    if not note:
        raise ValidationError("Cần ghi căn cứ (số văn bản thông báo nghỉ bù, làm bù).", code="note")
    if is_working_day and date.weekday() < 5:
        raise ValidationError("Ngày làm việc bù phải là thứ Bảy hoặc Chủ nhật.", code="weekday")
    with transaction.atomic():
        existing = CalendarOverride.objects.select_for_update().filter(date=date).first()
        before = {"is_working_day": existing.is_working_day, "note": existing.note} if existing else None
        row, _ = CalendarOverride.objects.update_or_create(
            date=date, defaults={"is_working_day": is_working_day, "note": note}
        )
        kind = "làm việc bù" if is_working_day else "nghỉ"
        audit(
            actor=acting_user,
            action="calendar.set",
            obj=row,
            summary=f"Ngày {date:%d/%m/%Y}: {kind} — {note}",
            before=before,
            after={"date": date, "is_working_day": is_working_day, "note": note},
        )
    return row


def remove_calendar_day(*, acting_user, date: datetime.date) -> None:
    if not can_edit_calendar(acting_user):
        raise PermissionDenied("Chỉ quản trị cấp thành phố được sửa lịch ngày làm việc.")
    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(date=date).first()
        if row is None:
            raise ValidationError("Ngày này không có điều chỉnh nào.", code="missing")
        before = {"date": row.date, "is_working_day": row.is_working_day, "note": row.note}
        row.delete()
        audit(
            actor=acting_user,
            action="calendar.remove",
            object_type="core.calendaroverride",
            object_id=date.isoformat(),
            summary=f"Bỏ điều chỉnh ngày {date:%d/%m/%Y}",
            before=before,
        )
