"""The working-day calendar page: the statutory holidays of a year and the announced changes."""

import datetime

import holidays
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from ketnap.core.calendar import load_calendar
from ketnap.core.models import CalendarOverride
from ketnap.orgs import calendar_actions as actions

FIRST_YEAR, LAST_YEAR = 2000, 2100


class DayForm(forms.Form):
    date = forms.DateField(
        label="Ngày",
        input_formats=["%d/%m/%Y", "%Y-%m-%d"],
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "class": "form-control"}),
    )
    is_working_day = forms.TypedChoiceField(
        label="Loại",
        coerce=lambda v: v == "1",
        choices=[
            ("0", "Nghỉ thêm (ngày làm việc thành ngày nghỉ)"),
            ("1", "Làm việc bù (thứ Bảy, Chủ nhật)"),
        ],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(
        label="Căn cứ",
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": "VD: Thông báo 123/TB-BNV"}),
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:  # the years the page shows (a far date has no next day)
            raise ValidationError(f"Chỉ điều chỉnh được ngày từ năm {FIRST_YEAR} đến năm {LAST_YEAR}.")
        return day


def _saved(text: str, report: dict) -> str:
    return f"{text}; {actions.recomputed_text(report)}." if report else f"{text}."


def calendar_page(request):
    today = timezone.localdate()
    try:
        year = int(request.GET.get("nam", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, FIRST_YEAR), LAST_YEAR)
    form = DayForm()
    if request.method == "POST":
        _require_editor(request)
        form = DayForm(request.POST)
        if form.is_valid():
            try:
                row = actions.set_calendar_day(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _saved(f"Đã lưu điều chỉnh ngày {row.date:%d/%m/%Y}", row.recomputed)
                )
                return redirect(f"{request.path}?nam={form.cleaned_data['date'].year}")
    base = holidays.country_holidays("VN", years=year, language="vi")
    worked = sorted(d for d in getattr(base, "weekend_workdays", ()) if d.year == year)
    overrides = CalendarOverride.objects.filter(date__year=year)
    calendar = load_calendar()
    working = sum(
        calendar.is_working_day(datetime.date(year, 1, 1) + datetime.timedelta(days=i))
        for i in range((datetime.date(year + 1, 1, 1) - datetime.date(year, 1, 1)).days)
    )
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "holidays": sorted(base.items()),
            "worked": worked,
            "overrides": overrides,
            "working_count": working,
            "form": form,
            "can_edit": actions.can_edit_calendar(request.user),
        },
    )


def _require_editor(request) -> None:
    """A POST by a user who may not edit the calendar is refused before its content is read (403)."""
    if not actions.can_edit_calendar(request.user):
        raise PermissionDenied("Chỉ quản trị cấp thành phố được sửa lịch ngày làm việc.")


@require_POST
def calendar_remove(request):
    _require_editor(request)
    try:
        day = datetime.date.fromisoformat(request.POST.get("date", ""))
    except ValueError:  # Python's own message is not for the user
        messages.error(request, "Không bỏ được điều chỉnh: ngày không hợp lệ.")
        return redirect("calendar")
    try:
        report = actions.remove_calendar_day(acting_user=request.user, date=day)
    except ValidationError as exc:
        messages.error(request, f"Không bỏ được điều chỉnh: {'; '.join(exc.messages)}")
        return redirect("calendar")
    messages.success(request, _saved(f"Đã bỏ điều chỉnh ngày {day:%d/%m/%Y}", report))
    return redirect(f"/lich-lam-viec/?nam={day.year}")
