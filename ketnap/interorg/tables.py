"""The request list's table (django-tables2): columns, Vietnamese headers, sorting; and the Excel rows."""

import django_tables2 as tables
from django.db.models import F

from ketnap.interorg.models import Kind, Status


class RequestTable(tables.Table):
    """Columns, headers and sorting; rows are rendered by interorg/_table.html straight from the records."""

    number = tables.Column("Số văn bản", order_by=("number", "id"))
    kind = tables.Column("Loại")
    person = tables.Column("Người", accessor="person__sort_key", order_by=("person__sort_key", "id"))
    sender = tables.Column(
        "Nơi gửi", accessor="sender__name", attrs={"th": {"class": "d-none d-lg-table-cell"}}
    )
    receiver = tables.Column(
        "Nơi nhận", accessor="receiver_name", attrs={"th": {"class": "d-none d-md-table-cell"}}
    )
    sent_on = tables.Column("Ngày gửi", attrs={"th": {"class": "d-none d-md-table-cell"}})
    due_on = tables.Column("Hạn")
    status = tables.Column("Tình trạng")

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


EXPORT_HEADERS = ["STT", "Số văn bản", "Loại", "Họ và tên", "Ngày sinh", "Nơi gửi", "Nơi nhận", "Ngày gửi", "Hạn",
                  "Tình trạng", "Quá hạn", "Ngày kết thúc", "Nội dung", "Trả lời hoặc lý do"]  # fmt: skip
EXPORT_WIDTHS = [6, 18, 24, 26, 12, 36, 36, 12, 12, 20, 9, 13, 40, 40]


def export_rows(queryset, today):
    kinds, statuses = dict(Kind.choices), dict(Status.choices)
    fields = ("number", "kind", "person__family_name", "person__middle_name", "person__given_name",
              "person__birth_date", "sender__name", "receiver_name", "sent_on", "due_on", "status", "closed_on",
              "content", "answer", "reason")  # fmt: skip
    for i, row in enumerate(queryset.values_list(*fields).iterator(chunk_size=2000), start=1):
        number, kind, f, m, g, birth, sender, receiver, sent, due, status, closed, content, answer, reason = (
            row
        )
        overdue = status in ("sent", "received") and due is not None and due < today
        yield [i, number, kinds.get(kind, kind), " ".join(p for p in (f, m, g) if p), birth, sender, receiver, sent,
               due, statuses.get(status, status), overdue, closed, content, reason or answer]  # fmt: skip
