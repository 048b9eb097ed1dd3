"""The people list's columns (declared once, for the page and its Excel export) and its table
(django-tables2): Vietnamese headers, sorting."""

import django_tables2 as tables
from django.db.models import F

from ketnap.core.exports import ROW_NUMBER, Column, column_header
from ketnap.people.models import Education, Gender, SchoolRole, Stage
from ketnap.people.queries import stage_order_expression
from ketnap.people.templatetags.ketnap_tags import rule_title


def _choice(choices):
    labels = dict(choices)
    return lambda value, **_: labels.get(value, value)


def _due_rule(rule, **_):
    return rule_title(rule) if rule else ""


# The people list's columns, declared once: the page shows those with `page`, the Excel export all of them.
COLUMNS = [
    ROW_NUMBER,
    Column("Họ", ("family_name",), 12),
    Column("Tên đệm", ("middle_name",), 14),
    Column("Tên", ("given_name",), 10),
    Column("Ngày sinh", ("birth_date",), 12, page="birth_date"),
    Column("Giới tính", ("gender",), 9, _choice(Gender.choices)),
    Column("Số CCCD", ("citizen_id",), 15, lambda v, **_: v or ""),
    Column("Giai đoạn", ("stage",), 22, _choice(Stage.choices), page="stage"),
    Column("Từ ngày", ("stage_since",), 12),
    Column("Chi bộ", ("unit__name",), 36, page="unit"),
    Column("Trường", ("school__name",), 32, lambda v, **_: v or "", page="school"),
    Column("Vai trò trong trường", ("school_role",), 16, _choice(SchoolRole.choices)),
    Column("Khoa, lớp", ("faculty_class",), 18),
    Column("Trình độ học vấn", ("education",), 18, _choice(Education.choices)),
    Column("Đoàn viên", ("youth_union_member",), 10),
    Column("Đoàn viên ưu tú", ("excellent_youth_union_member",), 12),
    Column("Hạn tiếp theo", ("next_due",), 13, page="next_due"),
    Column("Nội dung hạn", ("next_due_rule",), 30, _due_rule),
    Column("Tuổi đảng tính từ", ("party_age_from",), 14),
    Column("Ngày chính thức", ("official_date",), 14),
    # Also read by the import (ketnap.exchange.columns), so that an exported list imports back unchanged.
    Column("Dự kiến tốt nghiệp", ("expected_graduation",), 14),
    Column("Nơi cư trú", ("residence_ward__name",), 28, lambda v, **_: v or ""),
]
NAME_HEADER = "Họ và tên"  # the page joins the three name columns in one


class PersonTable(tables.Table):
    """Columns, headers and sorting; the rows are rendered by people/_table.html directly from the records
    (a plain template loop is several times faster than per-cell rendering for 50 rows)."""

    name = tables.Column(NAME_HEADER, accessor="sort_key", order_by=("sort_key", "id"))
    birth_date = tables.Column(
        column_header(COLUMNS, "birth_date"), attrs={"th": {"class": "d-none d-md-table-cell"}}
    )
    stage = tables.Column(column_header(COLUMNS, "stage"))
    unit = tables.Column(column_header(COLUMNS, "unit"), accessor="unit__name", orderable=False,
                         attrs={"th": {"class": "d-none d-md-table-cell"}})  # fmt: skip
    school = tables.Column(column_header(COLUMNS, "school"), accessor="school__name", orderable=False, default="",
                           attrs={"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell"}})  # fmt: skip
    next_due = tables.Column(column_header(COLUMNS, "next_due"), attrs={"td": {"class": "text-nowrap"}})

    class Meta:
        orderable = True
        order_by_field = "sort"
        page_field = "page"
        empty_text = "Không có người nào khớp điều kiện lọc."
        attrs = {"class": "table table-vcenter card-table table-striped", "id": "person-table-grid"}
        template_name = "people/_table.html"

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def order_stage(self, queryset, is_descending):
        expr = stage_order_expression()
        queryset = queryset.annotate(stage_rank=expr).order_by(
            "-stage_rank" if is_descending else "stage_rank", "sort_key", "id"
        )
        return queryset, True

    def order_next_due(self, queryset, is_descending):
        due = F("next_due").desc(nulls_last=True) if is_descending else F("next_due").asc(nulls_last=True)
        return queryset.order_by(due, "sort_key", "id"), True

    def order_birth_date(self, queryset, is_descending):
        return queryset.order_by("-birth_date" if is_descending else "birth_date", "sort_key", "id"), True
