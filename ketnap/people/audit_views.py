"""The audit page for administrators: the changes (audit log) and the reads (read log) in their scope,
filtered by user, unit, person and dates; every parameter bounded."""

import datetime

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from ketnap.accounts.permissions import user_can
from ketnap.accounts.roles import Perm
from ketnap.orgs import queries as org_queries
from ketnap.people import queries

PER_PAGE = 100
MAX_PAGE = 10_000
EXPORT_MAX = 100_000  # rows in one Excel file (narrow the dates for more)


def _date(value: str) -> datetime.date | None:
    try:
        day = datetime.datetime.strptime((value or "").strip()[:10], "%d/%m/%Y").date()
    except ValueError:
        return None
    return day if datetime.date(1930, 1, 1) <= day <= datetime.date(2100, 12, 31) else None


def _int(value: str, upper: int) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() and len(value) <= 12 and 0 < int(value) <= upper else None


def audit_page(request):
    units = queries.admin_units(request.user)
    if not units:
        raise PermissionDenied("Chỉ quản trị viên mới xem được nhật ký.")
    tab = "truy-cap" if request.GET.get("loai") == "truy-cap" else "thay-doi"
    filters = {
        "user": _int(request.GET.get("nguoi-dung"), 10**12),
        "unit": _int(request.GET.get("don-vi"), 10**12),
        "person": _int(request.GET.get("ho-so"), 10**12),
        "since": _date(request.GET.get("tu")),
        "until": _date(request.GET.get("den")),
    }
    unit = org_queries.unit_for(request.user, filters["unit"]) if filters["unit"] else None
    if unit is not None and not user_can(request.user, Perm.ADMIN, unit):
        raise PermissionDenied("Bạn không quản trị đơn vị này.")
    person = queries.person_for(request.user, filters["person"]) if filters["person"] else None
    rows = queries.log_rows(request.user, tab, user_id=filters["user"], unit=unit, person=person,
                            since=filters["since"], until=filters["until"])  # fmt: skip
    if request.GET.get("xuat") == "xlsx":
        return _export(tab, rows)
    paginator = Paginator(rows, PER_PAGE)
    page = paginator.get_page(min(_int(request.GET.get("trang"), MAX_PAGE) or 1, MAX_PAGE))
    return render(request, "people/audit.html", {
        "tab": tab,
        "page": page,
        "unit": unit,
        "person": person,
        "filters": filters,
        "user_options": queries.log_user_options(request.user),
        "unit_options": org_queries.unit_options(request.user, unit),
        "today": timezone.localdate(),
    })  # fmt: skip


def _export(tab: str, rows):
    from ketnap.core.exports import xlsx_response
    from ketnap.people.templatetags.ketnap_tags import log_action, user_name

    def lines():
        for row in rows[:EXPORT_MAX].iterator(chunk_size=2000):
            yield [
                timezone.localtime(row.at), user_name(row.actor) if row.actor else "Hệ thống",
                log_action(row.action), row.summary, row.unit.name if row.unit else "",
            ]  # fmt: skip

    title = "Nhật ký truy cập" if tab == "truy-cap" else "Nhật ký thay đổi"
    return xlsx_response(f"{title} {timezone.localdate():%d-%m-%Y}.xlsx",
                         ["Thời điểm", "Người thực hiện", "Việc", "Nội dung", "Đơn vị"], lines(),
                         sheet_name=title, widths=[18, 24, 24, 70, 36])  # fmt: skip
