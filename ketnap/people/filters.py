"""The people list's FilterSet: one definition serves the page, the HTMX partial and the Excel export."""

import datetime

import django_filters
from django.utils import timezone

from ketnap.orgs import queries as org_queries
from ketnap.people import queries, search
from ketnap.people.models import CLOSED_STAGES, SchoolRole, Stage

DUE_CHOICES = [
    ("overdue", "Đã quá hạn"),
    ("soon", "Đến hạn trong 30 ngày tới"),
    ("due30", "Quá hạn hoặc đến hạn trong 30 ngày"),
]


# A dossier is blocked when the rule book finds an error in it (Person.error_count > 0): the next step is
# refused until the error is corrected. The pipeline board marks these dossiers and links here.
BLOCKED_CHOICES = [("1", "Hồ sơ bị chặn do có lỗi")]


def _units(request):
    return org_queries.units_for(request.user) if request is not None else org_queries.units_for(None)


def _schools(request):
    return org_queries.schools_for(request.user) if request is not None else org_queries.schools_for(None)


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Tìm theo tên hoặc số CCCD")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label="Giai đoạn", empty_label="Mọi giai đoạn")
    unit = django_filters.ModelChoiceFilter(queryset=_units, method="filter_unit", label="Tổ chức đảng",
                                            empty_label="Mọi tổ chức")  # fmt: skip
    school_role = django_filters.ChoiceFilter(choices=SchoolRole.choices, label="Vai trò trong trường",
                                              empty_label="Mọi vai trò")  # fmt: skip
    school = django_filters.ModelChoiceFilter(queryset=_schools, label="Trường", empty_label="Mọi trường")
    due = django_filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due", label="Thời hạn",
                                      empty_label="Mọi thời hạn")  # fmt: skip
    blocked = django_filters.ChoiceFilter(choices=BLOCKED_CHOICES, method="filter_blocked", label="Hồ sơ",
                                          empty_label="Mọi hồ sơ")  # fmt: skip

    class Meta:
        fields = ["q", "stage", "unit", "school_role", "school", "due", "blocked"]

    def __init__(
        self, data=None, queryset=None, *, request=None, prefix=None, today=None, search_by_order=False
    ):
        if queryset is None and request is not None:
            queryset = queries.persons_for(request.user)
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.today = today or timezone.localdate()
        self.search_by_order = search_by_order

    def filter_q(self, queryset, name, value):
        # through the index made for it (people.search); bounded: a long search is cut, never an error
        return search.matching(queryset, value, by_order=self.search_by_order)

    def filter_unit(self, queryset, name, value):
        if value is None:
            return queryset
        return queries.persons_in_subtree(queryset, value)

    def filter_blocked(self, queryset, name, value):
        return queryset.filter(error_count__gt=0) if value == "1" else queryset

    def filter_due(self, queryset, name, value):
        today = self.today
        horizon = today + datetime.timedelta(days=30)
        queryset = queryset.exclude(stage__in=CLOSED_STAGES)
        if value == "overdue":
            return queryset.filter(next_due__lt=today)
        if value == "soon":
            return queryset.filter(next_due__gte=today, next_due__lte=horizon)
        if value == "due30":
            return queryset.filter(next_due__lte=horizon)
        return queryset
