"""The request list's columns (declared once, for the page and its Excel export) and its table
(django-tables2): Vietnamese headers, sorting."""

import django_tables2 as tables
from django.db.models import F

from ketnap.core.exports import ROW_NUMBER, Column, column_header
from ketnap.interorg.models import Kind, Status


def _choice(choices):
    labels = dict(choices)
    return lambda value, **_: labels.get(value, value)


def _name(family, middle, given, **_):
    return " ".join(p for p in (family, middle, given) if p)


def _overdue(status, due, *, today, **_):
    return status in ("sent", "received") and due is not None and due < today


# The request list's columns, declared once: the page shows those with `page`, the Excel export all of them.
COLUMNS = [
    ROW_NUMBER,
    Column("Số văn bản", ("number",), 18, page="number"),
    Column("Loại", ("kind",), 24, _choice(Kind.choices), page="kind"),
    Column("Họ và tên", ("person__family_name", "person__middle_name", "person__given_name"), 26, _name,
           page="person"),
    Column("Ngày sinh", ("person__birth_date",), 12),
    Column("Nơi gửi", ("sender__name",), 36, page="sender"),
    Column("Nơi nhận", ("receiver_name",), 36, page="receiver"),
    Column("Ngày gửi", ("sent_on",), 12, page="sent_on"),
    Column("Hạn", ("due_on",), 12, page="due_on"),
    Column("Tình trạng", ("status",), 20, _choice(Status.choices), page="status"),
    Column("Quá hạn", ("status", "due_on"), 9, _overdue),
    Column("Ngày kết thúc", ("closed_on",), 13),
    Column("Nội dung", ("content",), 40),
    Column("Trả lời hoặc lý do", ("reason", "answer"), 40, lambda reason, answer, **_: reason or answer),
]  # fmt: skip


class RequestTable(tables.Table):
    """Columns, headers and sorting; rows are rendered by interorg/_table.html straight from the records."""

    number = tables.Column(column_header(COLUMNS, "number"), order_by=("number", "id"))
    kind = tables.Column(column_header(COLUMNS, "kind"))
    person = tables.Column(
        column_header(COLUMNS, "person"), accessor="person__sort_key", order_by=("person__sort_key", "id")
    )
    sender = tables.Column(
        column_header(COLUMNS, "sender"),
        accessor="sender__name",
        attrs={"th": {"class": "d-none d-lg-table-cell"}},
    )
    receiver = tables.Column(
        column_header(COLUMNS, "receiver"),
        accessor="receiver_name",
        attrs={"th": {"class": "d-none d-md-table-cell"}},
    )
    sent_on = tables.Column(
        column_header(COLUMNS, "sent_on"), attrs={"th": {"class": "d-none d-md-table-cell"}}
    )
    due_on = tables.Column(column_header(COLUMNS, "due_on"))
    status = tables.Column(column_header(COLUMNS, "status"))

    class Meta:
        orderable = True
        order_by_field = "sort"
        page_field = "page"
        empty_text = "Không có văn bản nào khớp điều kiện lọc."
        attrs = {"class": "table table-vcenter card-table table-striped", "id": "request-table-grid"}
        template_name = "interorg/_table.html"

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def order_due_on(self, queryset, is_descending):
        due = F("due_on").desc(nulls_last=True) if is_descending else F("due_on").asc(nulls_last=True)
        return queryset.order_by(due, "id"), True

    def order_sent_on(self, queryset, is_descending):
        sent = F("sent_on").desc(nulls_last=True) if is_descending else F("sent_on").asc(nulls_last=True)
        return queryset.order_by(sent, "id"), True
