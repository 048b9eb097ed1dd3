"""The request list's FilterSet: one definition serves the page, the HTMX partial and the Excel export."""

import django_filters
from django.db.models import Q
from django.utils import timezone

from ketnap.core.paging import search_text
from ketnap.core.text import fold
from ketnap.interorg import queries
from ketnap.interorg.models import OPEN_STATUSES, Kind, Status
from ketnap.orgs import queries as org_queries
from ketnap.people import search
from ketnap.people.models import Person

DUE_CHOICES = [("overdue", "Quá hạn chưa trả lời"), ("open", "Đang chờ trả lời")]
SIDE_CHOICES = [("sent", "Đơn vị tôi gửi"), ("received", "Đơn vị tôi nhận")]


def _units(request):
    return org_queries.units_for(request.user if request is not None else None)


class RequestFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Tìm theo tên người hoặc số văn bản")
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label="Loại", empty_label="Mọi loại")
    status = django_filters.ChoiceFilter(
        choices=Status.choices, label="Tình trạng", empty_label="Mọi tình trạng"
    )
    due = django_filters.ChoiceFilter(choices=DUE_CHOICES, method="filter_due", label="Thời hạn",
                                      empty_label="Mọi thời hạn")  # fmt: skip
    side = django_filters.ChoiceFilter(choices=SIDE_CHOICES, method="filter_side", label="Chiều",
                                       empty_label="Gửi và nhận")  # fmt: skip
    unit = django_filters.ModelChoiceFilter(queryset=_units, method="filter_unit", label="Tổ chức đảng",
                                            empty_label="Mọi tổ chức")  # fmt: skip

    class Meta:
        fields = ["q", "kind", "status", "due", "side", "unit"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, today=None):
        if queryset is None and request is not None:
            queryset = queries.requests_for(request.user)
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.today = today or timezone.localdate()

    def filter_q(self, queryset, name, value):
        """A letter's number when what is typed has a digit (a number has one, a name never does): every word
        typed is in the number, as written (the numbers keep their accents: "15-QĐ/ĐU"; an index of trigrams
        serves it on PostgreSQL). Otherwise the persons found as the people list finds them (each word typed
        begins a word of the name, without accents, through the search index)."""
        typed = search_text(value)  # bounded: a search of thousands of characters is cut, never an error
        if not fold(typed):
            return queryset
        if any(ch.isdigit() for ch in typed):
            for word in typed.split():
                queryset = queryset.filter(number__icontains=word)
            return queryset
        return queryset.filter(person__in=search.matching(Person.objects.all(), typed))

    def filter_due(self, queryset, name, value):
        queryset = queryset.filter(status__in=OPEN_STATUSES)
        if value == "overdue":
            return queryset.filter(due_on__lt=self.today)
        return queryset

    def _unit_q(self, prefix: str) -> Q:
        user = self.request.user if self.request is not None else None
        if org_queries.covers_whole_tree(user):
            return Q(**{f"{prefix}__isnull": False})
        return Q(**{f"{prefix}_id__in": org_queries.unit_ids_subquery(user)})

    def filter_side(self, queryset, name, value):
        if value == "sent":
            return queryset.filter(self._unit_q("sender"))
        if value == "received":
            return queryset.filter(self._unit_q("receiver"))
        return queryset

    def filter_unit(self, queryset, name, value):
        if value is None:
            return queryset
        path = value.path
        return queryset.filter(Q(sender__path__startswith=path) | Q(receiver__path__startswith=path)
                               | Q(person__unit__path__startswith=path))  # fmt: skip
