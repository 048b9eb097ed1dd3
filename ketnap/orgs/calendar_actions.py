"""Writes to system-wide data: the working-day calendar's announced swaps and extra days off.

A change that turns a day from working to not working (or back) recomputes, in the same transaction, what
was computed with working days: the receivers of `core.calendar.calendar_changed` (persons' cached
deadlines, requests' due dates, indicator rollup). The calendar's audit row records how many were
recomputed.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ketnap.core.audit import audit
from ketnap.core.calendar import calendar_changed, load_calendar
from ketnap.core.models import CalendarOverride
from ketnap.orgs.queries import is_root_admin


def can_edit_calendar(user) -> bool:
    """The calendar is city-wide: only an administrator at a root of the tree (or a superuser) edits it."""
    return is_root_admin(user)


def _propagate(date: datetime.date, before) -> dict:
    """Tell the apps that cache working-day results; returns their counts (empty when `date` kept its kind)."""
    after = load_calendar()
    if before.is_working_day(date) == after.is_working_day(date):
        return {}
    report: dict = {}
    calendar_changed(day=date, before=before, after=after, report=report)
    report.pop("person_states", None)
    return report


def recomputed_text(report: dict) -> str:
    """What a calendar edit recomputed, in words (the audit row's summary and the page's message)."""
    if not report:
        return ""
    return (
        f"đã tính lại hạn của {report.get('persons_changed', 0)} người (xét {report.get('persons_checked', 0)} "
        f"người) và hạn trả lời của {report.get('requests_changed', 0)} văn bản giữa các tổ chức"
    )


def _summary(text: str, report: dict) -> str:
    return f"{text}; {recomputed_text(report)}" if report else text


def set_calendar_day(
    *, acting_user, date: datetime.date, is_working_day: bool, note: str
) -> CalendarOverride:
    """Set the day's override; the row returned carries `recomputed` (see `recomputed_text`)."""
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
        calendar_before = load_calendar()
        row, _ = CalendarOverride.objects.update_or_create(
            date=date, defaults={"is_working_day": is_working_day, "note": note}
        )
        report = row.recomputed = _propagate(date, calendar_before)
        kind = "làm việc bù" if is_working_day else "nghỉ"
        audit(
            actor=acting_user,
            action="calendar.set",
            obj=row,
            summary=_summary(f"Ngày {date:%d/%m/%Y}: {kind} — {note}", report),
            before=before,
            after={"date": date, "is_working_day": is_working_day, "note": note, "recomputed": report},
        )
    return row


def remove_calendar_day(*, acting_user, date: datetime.date) -> dict:
    """Remove the day's override; returns what was recomputed (see `recomputed_text`)."""
    if not can_edit_calendar(acting_user):
        raise PermissionDenied("Chỉ quản trị cấp thành phố được sửa lịch ngày làm việc.")
    with transaction.atomic():
        row = CalendarOverride.objects.select_for_update().filter(date=date).first()
        if row is None:
            raise ValidationError("Ngày này không có điều chỉnh nào.", code="missing")
        before = {"date": row.date, "is_working_day": row.is_working_day, "note": row.note}
        calendar_before = load_calendar()
        row.delete()
        report = _propagate(date, calendar_before)
        audit(
            actor=acting_user,
            action="calendar.remove",
            object_type="core.calendaroverride",
            object_id=date.isoformat(),
            summary=_summary(f"Bỏ điều chỉnh ngày {date:%d/%m/%Y}", report),
            before=before,
            after={"recomputed": report},
        )
    return report
