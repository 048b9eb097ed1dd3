"""The people list's table (django-tables2): columns, Vietnamese headers, sorting."""

import django_tables2 as tables
from django.db.models import F

from ketnap.people.queries import stage_order_expression
from ketnap.people.templatetags.ketnap_tags import rule_title


class PersonTable(tables.Table):
    """Columns, headers and sorting; the rows are rendered by people/_table.html directly from the records
    (a plain template loop is several times faster than per-cell rendering for 50 rows)."""

    name = tables.Column("Họ và tên", accessor="sort_key", order_by=("sort_key", "id"))
    birth_date = tables.Column("Ngày sinh", attrs={"th": {"class": "d-none d-md-table-cell"}})
    stage = tables.Column("Giai đoạn")
    unit = tables.Column("Chi bộ", accessor="unit__name", orderable=False,
                         attrs={"th": {"class": "d-none d-md-table-cell"}})  # fmt: skip
    school = tables.Column("Trường", accessor="school__name", orderable=False, default="",
                           attrs={"th": {"class": "d-none d-lg-table-cell"}, "td": {"class": "d-none d-lg-table-cell"}})  # fmt: skip
    next_due = tables.Column("Hạn tiếp theo", attrs={"td": {"class": "text-nowrap"}})

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


EXPORT_HEADERS = [
    "STT", "Họ", "Tên đệm", "Tên", "Ngày sinh", "Giới tính", "Số CCCD", "Giai đoạn", "Từ ngày", "Chi bộ",
    "Trường", "Vai trò trong trường", "Khoa, lớp", "Trình độ học vấn", "Đoàn viên", "Đoàn viên ưu tú",
    "Hạn tiếp theo", "Nội dung hạn", "Tuổi đảng tính từ", "Ngày chính thức",
]  # fmt: skip
EXPORT_WIDTHS = [6, 12, 14, 10, 12, 9, 15, 22, 12, 36, 32, 16, 18, 18, 10, 12, 13, 30, 14, 14]


def export_rows(queryset):
    """Rows of the Excel export, in the queryset's order (one query, values only)."""
    from ketnap.people.models import Education, Gender, SchoolRole, Stage

    stages, genders = dict(Stage.choices), dict(Gender.choices)
    roles, educations = dict(SchoolRole.choices), dict(Education.choices)
    fields = (
        "family_name", "middle_name", "given_name", "birth_date", "gender", "citizen_id", "stage", "stage_since",
        "unit__name", "school__name", "school_role", "faculty_class", "education", "youth_union_member",
        "excellent_youth_union_member", "next_due", "next_due_rule", "party_age_from", "official_date",
    )  # fmt: skip
    for i, row in enumerate(queryset.values_list(*fields).iterator(chunk_size=2000), start=1):
        (family, middle, given, birth, gender, cid, stage, since, unit, school, role, klass, edu, yu, eyu, due,
         due_rule, age_from, official) = row  # fmt: skip
        yield [
            i, family, middle, given, birth, genders.get(gender, gender), cid or "", stages.get(stage, stage),
            since, unit, school or "", roles.get(role, role), klass, educations.get(edu, edu), yu, eyu, due,
            rule_title(due_rule) if due_rule else "", age_from, official,
        ]  # fmt: skip
