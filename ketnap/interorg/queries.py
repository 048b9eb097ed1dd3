"""Reads of the requests between organisations, the inbox ("Việc cần làm"), the escalation view, the
quarterly list, graduates and mentors — always narrowed to what the user may see.

Views call these functions and never touch `Request.objects` or `Person.objects` themselves (enforced by
core/tests/test_no_direct_objects.py).
"""

from __future__ import annotations

import dataclasses
import datetime
import heapq
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.http import Http404
from django.urls import reverse

from ketnap import rules
from ketnap.accounts.scoping import get_visible_or_404, path_in_scope, scope_paths
from ketnap.core.paging import bounded_int
from ketnap.interorg import deadlines
from ketnap.interorg.models import (
    MOVING_KINDS,
    OPEN_STATUSES,
    STUDENT_ROLES,
    Kind,
    Request,
    RequestBatch,
    Status,
)
from ketnap.orgs import queries as org_queries
from ketnap.orgs.models import OrgUnit
from ketnap.people import ledger
from ketnap.people import queries as people_queries
from ketnap.people.models import CLOSED_STAGES, Person, PersonEvent, Stage
from ketnap.people.templatetags.ketnap_tags import rule_title

MEMBER_STAGES = (Stage.PROBATIONARY, Stage.OFFICIAL)
RETURNED_ACT_DAYS = 10  # working days the sender has to resend or close a returned request

# ------------------------------------------------------------------------------------------ requests


def requests_for(user):
    """The same set as `Request.objects.visible_to(user)`, written so that the database can use its indexes."""
    if not scope_paths(user):
        return Request.objects.none()
    if org_queries.covers_whole_tree(user):
        return Request.objects.all()
    ids = org_queries.unit_ids_subquery(user)
    # A draft is the sender's own business: the receiver's side sees a request only once it is sent.
    return Request.objects.filter(
        Q(sender_id__in=ids)
        | Q(origin_id__in=ids)
        | (~Q(status=Status.DRAFT) & (Q(receiver_id__in=ids) | Q(person__unit_id__in=ids)))
    )


def request_for(user, pk) -> Request:
    qs = requests_for(user).select_related("person", "person__unit", "sender", "receiver", "origin", "into",
                                           "batch", "created_by", "closed_by")  # fmt: skip
    try:
        return qs.get(pk=pk)
    except (Request.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("Không tìm thấy hoặc bạn không có quyền xem.") from None


def requests_of_person(user, person: Person) -> list[Request]:
    return list(
        requests_for(user).filter(person=person).select_related("sender", "receiver", "into").order_by("-id")
    )


def in_transit(user):
    return requests_for(user).filter(kind__in=MOVING_KINDS, status__in=OPEN_STATUSES)


def overdue_requests(user, today: datetime.date):
    return requests_for(user).filter(status__in=OPEN_STATUSES, due_on__lt=today)


def unreceived_transfers(user, today: datetime.date):
    """TRANSFER_UNRECEIVED: transfers sent more than 3 months ago and still not confirmed."""
    cut = rules.add_months(today, -ledger.rule_params().transfer_unreceived_months)
    return requests_for(user).filter(kind=Kind.TRANSFER, status__in=OPEN_STATUSES, sent_on__lt=cut)


def side_of(user, request: Request) -> dict:
    """What the user may do on this request: {"sender": bool, "receiver": bool} (by scope)."""
    return {
        "sender": path_in_scope(request.sender.path, user),
        "receiver": path_in_scope((request.receiver or request.sender).path, user),
    }


def batch_for(user, pk) -> RequestBatch:
    return get_visible_or_404(RequestBatch.objects.select_related("sender"), user, pk=pk)


def batch_requests(batch: RequestBatch):
    return batch.requests.select_related("person", "person__school", "sender", "receiver").order_by(
        "seq", "id"
    )


def receiver_options(kind: str) -> list[tuple[int, str]]:
    """Organisations that receive requests (names are public): wards for a verification; every committee
    (ward, upper, grassroots, grassroots cell) for a transfer or an introduction."""
    kinds = [OrgUnit.Kind.WARD]
    if kind in MOVING_KINDS:
        kinds += [OrgUnit.Kind.UPPER, OrgUnit.Kind.GRASSROOTS, OrgUnit.Kind.GRASSROOTS_CELL]
    rows = OrgUnit.objects.filter(kind__in=kinds, dissolved_on__isnull=True).order_by("kind", "name")
    return list(rows.values_list("pk", "name"))


def receiver_unit(pk) -> OrgUnit | None:
    """A receiving organisation by id (any active unit; its name is public); None for text that is not an id."""
    pk = bounded_int(pk)
    return OrgUnit.objects.filter(pk=pk, dissolved_on__isnull=True).first() if pk else None


def into_options(user, request: Request) -> list[tuple[int, str, int]]:
    """Units of the receiver's subtree the user may place the person in (the receiver first)."""
    if request.receiver_id is None:
        return []
    rows = (
        org_queries.units_for(user)
        .filter(path__startswith=request.receiver.path, dissolved_on__isnull=True)
        .order_by("path")
        .values_list("pk", "name", "depth")
    )
    top = request.receiver.depth
    return [(pk, name, depth - top) for pk, name, depth in rows]


def sender_options(user, person: Person) -> list[tuple[int, str]]:
    """The person's cell and its ancestors the user may act for (the usual sender is the grassroots)."""
    units = [*person.unit.ancestors(), person.unit]
    return [(u.pk, u.name) for u in units if path_in_scope(u.path, user) and u.kind != OrgUnit.Kind.CITY]


# ------------------------------------------------------------------------------------------ the inbox


CATEGORIES: list[tuple[str, str]] = [
    ("answer", "Văn bản cần trả lời, xác nhận"),
    ("returned", "Văn bản bị trả lại"),
    ("await", "Chờ nơi nhận trả lời"),
    ("draft", "Dự thảo chưa gửi"),
    ("pipeline", "Hạn của quy trình kết nạp"),
    ("probation", "Sắp hết thời gian dự bị"),
    ("certificate", "Giấy chứng nhận nhận thức về Đảng sắp hết hạn"),
    ("graduating", "Sắp tốt nghiệp trước khi kịp kết nạp"),
    ("graduated", "Đảng viên tốt nghiệp cần chuyển sinh hoạt"),
]
CATEGORY_LABELS = dict(CATEGORIES)
CATEGORY_ORDER = {c: i for i, (c, _) in enumerate(CATEGORIES)}


@dataclass
class Item:
    key: str  # stable: the reminders remember which items a user was told about
    category: str
    due: datetime.date | None
    title: str
    person_id: int | None
    person_name: str
    unit_name: str
    target: tuple[str, int]  # (url name, pk): reversed only for the items shown
    detail: str = ""
    rule: str = ""
    person_link: bool = False  # the user may open the person's page (set for the items shown)

    @property
    def url(self) -> str:
        return reverse(self.target[0], args=[self.target[1]])

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    def sort_key(self):
        return (
            self.due is None,
            self.due or datetime.date.max,
            CATEGORY_ORDER[self.category],
            self.person_name,
        )


class _CappedCounts:
    """The total of groups each counted up to INBOX_CAP (`counts`), as the pages write it."""

    @property
    def capped(self) -> bool:
        """A group stopped counting at INBOX_CAP: the total is "more than" it says."""
        return any(n > INBOX_CAP for n in self.counts.values())

    @property
    def total_text(self) -> str:
        shown = sum(min(n, INBOX_CAP) for n in self.counts.values())
        text = f"{shown:,}".replace(",", ".")
        return f"hơn {text}" if self.capped else text


@dataclass
class InboxPage(_CappedCounts):
    items: list[Item]
    total: int
    counts: dict[str, int]
    overdue: int
    page: int
    per_page: int
    today: datetime.date

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass
class _Ctx:
    user: object
    today: datetime.date
    unit: OrgUnit | None
    overdue_only: bool
    calendar: object
    whole: bool = False
    ids: object = None
    cache: dict = field(default_factory=dict)
    count_only: bool = False  # count each source (one COUNT query each), fetch no item


def _name(f, m, g) -> str:
    return " ".join(p for p in (f, m, g) if p)


def _person_url(pk) -> tuple[str, int]:
    return ("person-detail", pk)


def _request_url(pk) -> tuple[str, int]:
    return ("request-detail", pk)


REQ_FIELDS = ("pk", "kind", "status", "number", "due_on", "closed_on", "created_on", "sent_on", "person_id",
              "person__family_name", "person__middle_name", "person__given_name", "sender__name",
              "receiver_name", "receiver_id", "reason")  # fmt: skip
KIND_LABELS = dict(Kind.choices)


def _in_ids(ctx: _Ctx, field_name: str) -> Q:
    """`<field> in the user's units` (no filter for a whole-tree scope), narrowed to the chosen unit."""
    q = Q() if ctx.whole else Q(**{f"{field_name}_id__in": ctx.ids})
    if ctx.unit is not None:
        q &= Q(**{f"{field_name}__path__startswith": ctx.unit.path})
    return q


# A source counts up to this many items: a city-wide inbox says "more than 1,000" rather than counting every
# deadline of a nation (each source is read in due order from an index, only as far as the page shown).
INBOX_CAP = 1000


def capped_count(qs) -> int:
    """The rows of `qs`, counted up to INBOX_CAP + 1 (INBOX_CAP + 1 means "more than INBOX_CAP")."""
    return qs.order_by().values("pk")[: INBOX_CAP + 1].count()


def _bounded(ctx: _Ctx, qs, values, limit: int, split=None) -> tuple[int, list]:
    """(count up to INBOX_CAP + 1, the first `limit` rows of `values`); only the count when the context
    counts. A source with fewer rows than `limit` needs no count query. `split` = (field, its values, key of
    a row): one query per value, each read in order from its index, merged — a database sorts every row of
    an `IN` whose order no index gives (the open letters of a city: sent or received). With a dict of values
    → Q, each value's query has its own condition too (a range of the index that serves it)."""

    def part(q, c):  # the rows of one value (a dict of choices adds each value's own condition)
        q = q.filter(**{split[0]: c})
        return q.filter(split[1][c]) if isinstance(split[1], dict) else q

    def count():
        if split is None:
            return capped_count(qs)
        return min(INBOX_CAP + 1, sum(capped_count(part(qs, c)) for c in split[1]))

    if ctx.count_only:
        return count(), []
    if not limit:
        rows = []
    elif split is None:
        rows = list(values[:limit])
    else:
        field_name, choices, key = split
        parts = [list(part(values, c)[:limit]) for c in choices]
        rows = list(heapq.merge(*parts, key=key))[:limit]
    return (len(rows) if len(rows) < limit else count()), rows


def _request_items(
    ctx: _Ctx, qs, category: str, limit: int, title, due_of=None, statuses=None
) -> tuple[int, list[Item]]:
    order = [F("due_on").asc(nulls_last=True), "id"] if category == "draft" else ["due_on", "id"]
    if category == "returned":  # due a fixed number of working days after the return: in order of return
        order = ["closed_on", "id"]
    split = (
        ("status", statuses, lambda r: (r[4] is None, r[4] or datetime.date.max, r[0])) if statuses else None
    )
    count, rows = _bounded(ctx, qs, qs.order_by(*order).values_list(*REQ_FIELDS), limit, split)
    items = []
    for (pk, kind, _status, number, due_on, closed_on, _created, _sent, person_id, f, m, g, sender, receiver,
         receiver_id, reason) in rows:  # fmt: skip
        due = due_of(closed_on) if due_of else due_on
        detail = f"{KIND_LABELS[kind]} số {number}" if number else KIND_LABELS[kind]
        if category == "answer":
            detail += f" · từ {sender}"
        elif category in ("await", "draft", "returned"):
            detail += f" · gửi {receiver}" + (" (ngoài hệ thống)" if receiver_id is None else "")
        if category == "returned" and reason:
            detail += f" · lý do: {reason}"
        items.append(Item(f"req:{pk}:{category}", category, due, title(kind, receiver_id), person_id,
                          _name(f, m, g), sender, _request_url(pk), detail))  # fmt: skip
    return count, items


def _answer_title(kind, receiver_id) -> str:
    return "Xác nhận tiếp nhận" if kind in MOVING_KINDS else "Trả lời văn bản"


def _await_title(kind, receiver_id) -> str:
    if receiver_id is None:
        return "Ghi kết quả trả lời của nơi ngoài hệ thống"
    return "Chờ nơi đến xác nhận tiếp nhận" if kind in MOVING_KINDS else "Chờ nơi nhận trả lời"


def _answer_qs(ctx: _Ctx):
    """Letters in transit whose receiver is one of the user's units: they wait for the user's answer."""
    return Request.objects.filter(status__in=OPEN_STATUSES, receiver__isnull=False).filter(
        _in_ids(ctx, "receiver")
    )


def src_answer(ctx: _Ctx, limit: int):
    qs = _answer_qs(ctx)
    if ctx.overdue_only:
        qs = qs.filter(due_on__lt=ctx.today)
    return _request_items(ctx, qs, "answer", limit, _answer_title, statuses=OPEN_STATUSES)


def src_await(ctx: _Ctx, limit: int):
    qs = Request.objects.filter(status__in=OPEN_STATUSES).filter(_in_ids(ctx, "sender"))
    if ctx.whole:
        qs = qs.filter(receiver__isnull=True)  # every receiver in the system is the user's too: "answer"
    else:
        qs = qs.exclude(receiver_id__in=ctx.ids)
    if ctx.overdue_only:
        qs = qs.filter(due_on__lt=ctx.today)
    return _request_items(ctx, qs, "await", limit, _await_title, statuses=OPEN_STATUSES)


def src_returned(ctx: _Ctx, limit: int):
    since = ctx.calendar.add_working_days(ctx.today, -RETURNED_ACT_DAYS)
    later = Request.objects.filter(person=OuterRef("person"), kind=OuterRef("kind"), id__gt=OuterRef("id"))
    qs = Request.objects.filter(status=Status.RETURNED, closed_on__gte=since).filter(_in_ids(ctx, "sender"))
    qs = qs.exclude(Exists(later))
    if ctx.overdue_only:
        return 0, []  # a return has RETURNED_ACT_DAYS to be handled: never overdue before it leaves the list

    def due(closed_on):
        return ctx.calendar.add_working_days(closed_on, RETURNED_ACT_DAYS)

    return _request_items(ctx, qs.order_by("closed_on"), "returned", limit,
                          lambda k, r: "Văn bản bị trả lại: gửi lại hoặc kết thúc", due)  # fmt: skip


def src_draft(ctx: _Ctx, limit: int):
    if ctx.overdue_only:
        return 0, []
    qs = Request.objects.filter(status=Status.DRAFT).filter(_in_ids(ctx, "sender"))
    return _request_items(ctx, qs, "draft", limit, lambda k, r: "Gửi dự thảo")


def _persons(ctx: _Ctx):
    qs = people_queries.persons_for(ctx.user)
    if ctx.unit is not None:
        qs = people_queries.persons_in_subtree(qs, ctx.unit)
    return qs


PERSON_FIELDS = ("pk", "family_name", "middle_name", "given_name", "unit__name")


def _person_items(
    ctx, qs, category, limit, due_field, title, detail=None, order=None, stages=None
) -> tuple[int, list[Item]]:
    """Items of persons in order of `due_field` (with `stages`: one query per stage, merged)."""
    extra = [due_field] + (["next_due_rule"] if category == "pipeline" else [])
    values = qs.order_by(order or due_field, "sort_key", "id").values_list(*PERSON_FIELDS, *extra, "sort_key")
    key = lambda r: (r[5] is None, r[5] or datetime.date.max, r[-1], r[0])  # noqa: E731
    count, rows = _bounded(ctx, qs, values, limit, ("stage", stages, key) if stages else None)
    items = []
    for pk, f, m, g, unit, due, *rest in rows:
        rest = rest[:-1]  # (sort_key: the merge's key)
        rule = rest[0] if rest else ""
        items.append(Item(f"{category}:{pk}:{due.isoformat() if due else ''}:{rule}", category, due,
                          title(rule) if callable(title) else title, pk, _name(f, m, g), unit, _person_url(pk),
                          detail(due) if detail else "", rule))  # fmt: skip
    return count, items


def src_pipeline(ctx: _Ctx, limit: int):
    horizon = ctx.today + datetime.timedelta(days=deadlines.INBOX_HORIZON_DAYS)
    qs = _persons(ctx).exclude(stage__in=CLOSED_STAGES).filter(next_due__isnull=False)
    qs = qs.filter(next_due__lt=ctx.today) if ctx.overdue_only else qs.filter(next_due__lte=horizon)
    return _person_items(ctx, qs, "pipeline", limit, "next_due", rule_title)


def src_probation(ctx: _Ctx, limit: int):
    if ctx.overdue_only:
        return 0, []
    horizon = ctx.today + datetime.timedelta(days=deadlines.PROBATION_HORIZON_DAYS)
    qs = _persons(ctx).filter(
        stage=Stage.PROBATIONARY, probation_end__gte=ctx.today, probation_end__lte=horizon
    )
    return _person_items(ctx, qs, "probation", limit, "probation_end",
                         "Hết thời gian dự bị: chuẩn bị hồ sơ xét công nhận đảng viên chính thức")  # fmt: skip


def src_certificate(ctx: _Ctx, limit: int):
    months = ledger.rule_params().cert_validity_months
    horizon = (
        ctx.today
        if ctx.overdue_only
        else ctx.today + datetime.timedelta(days=deadlines.CERTIFICATE_HORIZON_DAYS)
    )
    cut = rules.add_months(horizon, -months)  # certificates dated before this expire before the horizon
    # the latest awareness class is cached on the person (Person.certificate_on, indexed with the stage)
    stages = [Stage.SYMPATHISER, Stage.APPLICANT]
    qs = _persons(ctx).filter(stage__in=stages, certificate_on__lt=cut)
    values = qs.order_by("certificate_on", "sort_key", "id").values_list(
        *PERSON_FIELDS, "certificate_on", "sort_key"
    )
    count, rows = _bounded(ctx, qs, values, limit, ("stage", stages, lambda r: (r[5], r[6], r[0])))
    rows = [r[:6] for r in rows]
    items = []
    for pk, f, m, g, unit, cert in rows:
        expiry = rules.add_months(cert, months)
        items.append(Item(f"certificate:{pk}:{expiry.isoformat()}", "certificate", expiry,
                          "Giấy chứng nhận lớp nhận thức về Đảng hết hạn trước khi chi bộ xét", pk, _name(f, m, g),
                          unit, _person_url(pk), f"Học ngày {cert:%d/%m/%Y}; có giá trị {months} tháng",
                          "AWARENESS_CERT_VALID"))  # fmt: skip
    return count, items


def src_graduating(ctx: _Ctx, limit: int):
    days = deadlines.graduating_days()
    since = ctx.today - datetime.timedelta(days=180)
    # each stage has its own horizon: one query per stage over its range of the (stage, graduation) index, merged
    stages = {
        stage: Q(expected_graduation__lte=ctx.today - datetime.timedelta(days=1) if ctx.overdue_only
                 else ctx.today + datetime.timedelta(days=n))
        for stage, n in days.items()
    }  # fmt: skip
    qs = _persons(ctx).filter(
        stage__in=list(days), school_role__in=STUDENT_ROLES, expected_graduation__gte=since
    )
    return _person_items(
        ctx, qs, "graduating", limit, "expected_graduation",
        "Tốt nghiệp trước khi kịp kết nạp: đẩy nhanh hồ sơ hoặc giới thiệu về nơi mới",
        detail=lambda d: f"Dự kiến tốt nghiệp {d:%d/%m/%Y}", stages=stages,
    )  # fmt: skip


def graduated_members(qs):
    """Members who were students and have graduated, with no transfer sent, in transit or confirmed."""
    moving = Request.objects.filter(
        kind=Kind.TRANSFER, status__in=[Status.SENT, Status.RECEIVED, Status.CONFIRMED]
    )
    return qs.filter(stage__in=MEMBER_STAGES, school_role__in=STUDENT_ROLES, expected_graduation__isnull=False).exclude(
        pk__in=moving.values("person_id")
    )  # fmt: skip


def _latest_graduation_overdue(today: datetime.date, calendar) -> datetime.date:
    """The latest graduation day whose TRANSFER_START_DUE is before `today` (the due date never decreases
    with the graduation day: a binary search over the year before)."""
    params = ledger.rule_params()
    lo, hi = today - datetime.timedelta(days=800), today
    while lo < hi:  # invariant: due(lo) < today, or lo is the lowest day tried
        mid = lo + datetime.timedelta(days=(hi - lo).days // 2 + 1)
        if rules.transfer_start_due(mid, calendar, params) < today:
            lo = mid
        else:
            hi = mid - datetime.timedelta(days=1)
    return lo


def graduates_overdue(qs, today: datetime.date, calendar=None):
    """The graduated student members of `qs` still held whose transfer should have started before `today`:
    past the end of the school's hold when one was recorded (GRADUATE_HOLD), else past TRANSFER_START_DUE
    working days after graduation; "held" is the transfers' state (none sent, in transit or confirmed).
    Returns (queryset in graduation order, {pk: (due date, rule)} of those with a hold)."""
    calendar = calendar or ledger.load_calendar()
    base = graduated_members(qs).filter(expected_graduation__lte=today)
    kind = PersonEvent.Kind.GRADUATE_HELD
    held = set(PersonEvent.objects.filter(kind=kind).values_list("person_id", flat=True))
    holds = _holds(sorted(base.filter(pk__in=held).values_list("pk", flat=True))) if held else {}
    cutoff = _latest_graduation_overdue(today, calendar)
    overdue_held = [pk for pk, until in holds.items() if until < today]
    out = base.filter(
        (Q(expected_graduation__lte=cutoff) & ~Q(pk__in=list(holds))) | Q(pk__in=overdue_held)
    ).order_by("expected_graduation", "sort_key", "id")
    return out, {pk: (until, "GRADUATE_HOLD") for pk, until in holds.items()}


def _holds(person_ids) -> dict[int, datetime.date]:
    out: dict[int, datetime.date] = {}
    rows = PersonEvent.objects.filter(person_id__in=person_ids, kind=PersonEvent.Kind.GRADUATE_HELD)
    for pid, data in rows.order_by("occurred_on", "id").values_list("person_id", "data"):
        if data.get("until"):
            out[pid] = datetime.date.fromisoformat(data["until"])
    return out


def src_graduated(ctx: _Ctx, limit: int):
    """Every graduated member still held is an item, due when the transfer must start: the end of the school's
    hold (GRADUATE_HOLD, recorded for a few) or TRANSFER_START_DUE after graduation — which never comes
    earlier for a later graduation, so the others are read in graduation order from an index, as far as the
    page shown; "overdue only" keeps those graduated on or before the last day already overdue."""
    base = graduated_members(_persons(ctx)).filter(expected_graduation__lte=ctx.today)
    key = ("graduated-holds", ctx.unit.pk if ctx.unit is not None else None)
    if key not in ctx.cache:
        # the holds recorded (few: read from the events' kind index), then those of the graduates in scope
        kind = PersonEvent.Kind.GRADUATE_HELD
        held = set(PersonEvent.objects.filter(kind=kind).values_list("person_id", flat=True))
        mine = set(base.filter(pk__in=held).values_list("pk", flat=True)) if held else set()
        ctx.cache[key] = _holds(sorted(mine))
    holds = ctx.cache[key]
    plain = base.exclude(pk__in=list(holds)) if holds else base
    held = {pk: until for pk, until in holds.items() if not ctx.overdue_only or until < ctx.today}
    if ctx.overdue_only:
        plain = plain.filter(expected_graduation__lte=_latest_graduation_overdue(ctx.today, ctx.calendar))
    values = plain.order_by("expected_graduation", "sort_key", "id").values_list(
        *PERSON_FIELDS, "expected_graduation"
    )
    count, rows = _bounded(ctx, plain, values, limit)
    if ctx.count_only:
        return count + len(held), []
    if held:
        rows += list(base.filter(pk__in=list(held)).values_list(*PERSON_FIELDS, "expected_graduation"))
    items = []
    for pk, f, m, g, unit, grad in rows:
        due, rule = deadlines.transfer_start(grad, ctx.calendar, holds.get(pk))
        detail = f"Tốt nghiệp {grad:%d/%m/%Y}" + (
            f"; trường giữ sinh hoạt đến {due:%d/%m/%Y}" if pk in holds else ""
        )
        items.append(Item(f"graduated:{pk}:{due.isoformat()}", "graduated", due,
                          "Chuyển sinh hoạt đảng cho đảng viên đã tốt nghiệp", pk, _name(f, m, g), unit,
                          _person_url(pk), detail, rule))  # fmt: skip
    items.sort(key=Item.sort_key)
    return count + len(held), items[:limit]


SOURCES = {
    "answer": src_answer,
    "returned": src_returned,
    "await": src_await,
    "draft": src_draft,
    "pipeline": src_pipeline,
    "probation": src_probation,
    "certificate": src_certificate,
    "graduating": src_graduating,
    "graduated": src_graduated,
}


def _context(user, today, unit, overdue_only, calendar, count_only=False) -> _Ctx:
    from ketnap.people import ledger

    whole = org_queries.covers_whole_tree(user)
    return _Ctx(user, today, unit, overdue_only, calendar or ledger.load_calendar(), whole,
                None if whole else org_queries.unit_ids_subquery(user), count_only=count_only)  # fmt: skip


def inbox(
    user,
    today: datetime.date,
    *,
    category: str = "",
    overdue_only: bool = False,
    unit: OrgUnit | None = None,
    page: int = 1,
    per_page: int = 50,
    calendar=None,
) -> InboxPage:
    """Everything the user has to do, most urgent first: the requests to answer, confirmations pending and
    the pipeline's deadlines. Each source is counted and its first `page * per_page` items fetched in due
    order, then the sources are merged (a bounded k-way merge), so the page costs a few indexed queries even
    for a city-wide scope."""
    page = max(1, page)
    if not scope_paths(user):
        return InboxPage([], 0, {c: 0 for c, _ in CATEGORIES}, 0, page, per_page, today)
    return _inbox_page(_context(user, today, unit, overdue_only, calendar), category, page, per_page)


def _inbox_page(ctx: _Ctx, category: str, page: int, per_page: int) -> InboxPage:
    today = ctx.today
    limit = page * per_page
    counts, lists = {}, []
    for name, source in SOURCES.items():
        if category and name != category:
            counts[name] = 0
            continue
        counts[name], items = source(ctx, limit)
        lists.append(items)
    merged = list(heapq.merge(*lists, key=Item.sort_key))
    items = merged[(page - 1) * per_page : page * per_page]
    # A letter about someone of another subtree (a ward's student) links to the letter, not to the person.
    ids = {i.person_id for i in items if i.person_id}
    visible = set(people_queries.persons_for(ctx.user).filter(pk__in=ids).values_list("pk", flat=True))
    for item in items:
        item.person_link = item.person_id in visible
    overdue = sum(1 for i in items if i.due is not None and i.due < today)
    return InboxPage(items, sum(counts.values()), counts, overdue, page, per_page, today)


@dataclass
class InboxCounts(_CappedCounts):
    total: int
    counts: dict[str, int]
    overdue_only: bool

    @property
    def letters(self) -> int:
        """Items about letters between organisations (to answer, returned, awaited, drafts)."""
        return sum(self.counts.get(c, 0) for c in LETTER_CATEGORIES)

    @property
    def others(self) -> int:
        """Items about persons' dossiers (deadlines of the admission path, probation, graduation…)."""
        return self.total - self.letters


LETTER_CATEGORIES = ("answer", "returned", "await", "draft")


def inbox_counts(user, today: datetime.date, *, overdue_only: bool = False, unit: OrgUnit | None = None,
                 calendar=None) -> InboxCounts:  # fmt: skip
    """The inbox's numbers without its items: the same sources and filters as :func:`inbox` (so the page, the
    menu badge and the home page agree by construction), one COUNT query per source."""
    if not scope_paths(user):
        return InboxCounts(0, {c: 0 for c, _ in CATEGORIES}, overdue_only)
    ctx = _context(user, today, unit, overdue_only, calendar, count_only=True)
    counts = {name: source(ctx, 0)[0] for name, source in SOURCES.items()}
    return InboxCounts(sum(counts.values()), counts, overdue_only)


@dataclass
class Waiting:
    """Letters waiting for the user's units to answer or confirm (the inbox's "answer" items)."""

    total: int
    overdue: int
    capped: bool = False  # more than BADGE_CAP


BADGE_CAP = 99  # the menu badge says "99+"


def letters_waiting(user, today: datetime.date) -> Waiting:
    """The number of the inbox's "answer" items and how many of them are overdue, in one COUNT query: cheap
    enough for the menu's badge on every page (the same query as the inbox's source, so they agree)."""
    if not scope_paths(user):
        return Waiting(0, 0)
    whole = org_queries.covers_whole_tree(user)
    ctx = _Ctx(user, today, None, False, None, whole, None if whole else org_queries.unit_ids_subquery(user))
    # one query reading up to BADGE_CAP + 1 due dates (the menu says "99+" rather than reading every open
    # letter of a nation); past the cap, a second one counts the overdue ones, up to the cap too
    qs = _answer_qs(ctx).order_by()
    dues = list(qs.values_list("due_on", flat=True)[: BADGE_CAP + 1])
    capped = len(dues) > BADGE_CAP
    if capped:
        overdue = qs.filter(due_on__lt=today).values("pk")[: BADGE_CAP + 1].count()
    else:
        overdue = sum(1 for d in dues if d is not None and d < today)
    return Waiting(min(len(dues), BADGE_CAP), min(overdue, BADGE_CAP), capped)


def inbox_summary(
    user, today: datetime.date, *, per_page: int = 15, calendar=None
) -> tuple[InboxPage, InboxCounts]:
    """The inbox's first page and the counts of its "overdue only" filter, for the home page: the same
    sources as the inbox page (the numbers agree with the pages the home page links to), the graduated
    members computed once for both."""
    if not scope_paths(user):
        return inbox(user, today, per_page=per_page), inbox_counts(user, today, overdue_only=True)
    ctx = _context(user, today, None, False, calendar)
    first = _inbox_page(ctx, "", 1, per_page)
    late = dataclasses.replace(ctx, overdue_only=True, count_only=True)  # shares ctx.cache
    counts = {name: source(late, 0)[0] for name, source in SOURCES.items()}
    return first, InboxCounts(sum(counts.values()), counts, True)


def inbox_all(user, today: datetime.date, *, calendar=None, horizon_days: int | None = None) -> list[Item]:
    """Every inbox item of the user (for the reminder digest), due within `horizon_days` or overdue."""
    ctx = _context(user, today, None, False, calendar)
    items: list[Item] = []
    for source in SOURCES.values():
        items += source(ctx, 5000)[1]
    if horizon_days is not None:
        cut = today + datetime.timedelta(days=horizon_days)
        items = [i for i in items if i.due is None or i.due <= cut]
    items.sort(key=Item.sort_key)
    return items


# ------------------------------------------------------------------------------------------ escalation


@dataclass
class EscalationRow:
    unit: OrgUnit
    counts: Counter

    @property
    def total(self) -> int:
        return sum(self.counts.values())


ESCALATION_COLUMNS = [
    ("answer", "Văn bản quá hạn chưa trả lời"),
    ("pipeline", "Hạn kết nạp đã quá"),
    ("certificate", "Giấy chứng nhận đã hết hạn"),
    ("graduating", "Đã tốt nghiệp chưa kết nạp"),
    ("graduated", "Tốt nghiệp chưa chuyển sinh hoạt"),
]


def escalation(user, today: datetime.date, unit: OrgUnit, *, calendar=None) -> list[EscalationRow]:
    """Everything overdue in the unit's subtree, counted per directly subordinate unit (worst first)."""
    ctx = _context(user, today, unit, True, calendar)
    children = list(org_queries.children_of(user, unit, live=True))
    rows = {c.pk: EscalationRow(c, Counter()) for c in children}
    own = EscalationRow(unit, Counter())

    def place(path: str, column: str, n: int = 1) -> None:
        for c in children:
            if path.startswith(c.path):
                rows[c.pk].counts[column] += n
                return
        own.counts[column] += n

    # unit is visible to the user, so everything under it is in scope
    answer = Request.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today)
    inside = (
        answer.filter(receiver__path__startswith=unit.path).values("receiver__path").annotate(n=Count("pk"))
    )
    for path, n in inside.values_list("receiver__path", "n"):
        place(path, "answer", n)
    outside = answer.filter(receiver__isnull=True, sender__path__startswith=unit.path)
    for path, n in outside.values("sender__path").annotate(n=Count("pk")).values_list("sender__path", "n"):
        place(path, "answer", n)
    persons = _persons(ctx).exclude(stage__in=CLOSED_STAGES)
    grouped = persons.filter(next_due__lt=today).values("unit__path").annotate(n=Count("pk"))
    for path, n in grouped.values_list("unit__path", "n"):
        place(path, "pipeline", n)
    for column, source in (("certificate", src_certificate), ("graduating", src_graduating)):
        n, items = source(ctx, 100000)
        ids = [i.person_id for i in items]
        for path, k in _unit_paths(ids):
            place(path, column, k)
    _, items = src_graduated(ctx, 100000)
    for path, k in _unit_paths([i.person_id for i in items]):
        place(path, "graduated", k)
    out = [r for r in rows.values() if r.total]
    out.sort(key=lambda r: (-r.total, r.unit.name))
    if own.total:
        out.append(own)
    return out


def _unit_paths(person_ids) -> list[tuple[str, int]]:
    if not person_ids:
        return []
    rows = Person.objects.filter(pk__in=person_ids).values("unit__path").annotate(n=Count("pk"))
    return list(rows.values_list("unit__path", "n"))


# ------------------------------------------------------------------------------------------ quarterly list


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end = rules.add_months(start, 3) - datetime.timedelta(days=1)
    return start, end


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarterly(user, year: int, quarter: int, unit: OrgUnit | None = None):
    """Graduated student members transferred out in the quarter (letters sent in it), by receiving
    organisation, with their confirmation status. Ordered by receiver, then name. The letters carry their
    quarter and the person's sort key (`models.quarterly_fields`): one index serves the count and the order."""
    qs = (
        requests_for(user)
        .filter(quarter=year * 10 + quarter)
        .exclude(status__in=[Status.DRAFT, Status.CANCELLED])
    )
    if unit is not None:
        qs = qs.filter(sender__path__startswith=unit.path)
    return qs.select_related("person", "person__school", "sender", "receiver", "into").order_by(
        "receiver_name", "person_sort_key", "id"
    )


def quarterly_summary(qs) -> dict:
    """How many letters, to how many receiving organisations, how many confirmed: one aggregate query."""
    return qs.order_by().aggregate(
        total=Count("pk"), confirmed=Count("pk", filter=Q(status=Status.CONFIRMED)),
        receivers=Count("receiver_name", distinct=True),
    )  # fmt: skip


# ------------------------------------------------------------------------------------------ graduates, residents


def graduates_to_transfer(user, unit: OrgUnit, today: datetime.date, within_days: int = 60):
    """The unit's student members graduated or graduating within `within_days`, with no transfer sent."""
    horizon = today + datetime.timedelta(days=within_days)
    qs = people_queries.persons_in_subtree(people_queries.persons_for(user), unit)
    qs = graduated_members(qs).filter(expected_graduation__lte=horizon)
    return qs.select_related("unit", "school", "residence_ward").order_by(
        "expected_graduation", "sort_key", "id"
    )


def persons_by_ids(user, ids) -> dict[int, Person]:
    return people_queries.persons_for(user).select_related("unit", "residence_ward").in_bulk(list(ids))


def ward_residents(ward: OrgUnit, *, school_id=None):
    """Students and pupils whose recorded residence is the ward (the ward's own residents: a ward may write
    about them even where it cannot see their school's records)."""
    qs = Person.objects.filter(residence_ward=ward, school_role__in=STUDENT_ROLES).exclude(
        stage__in=CLOSED_STAGES
    )
    if school_id:
        qs = qs.filter(school_id=school_id)
    return qs.select_related("unit", "school").order_by("school__name", "sort_key", "id")


def ward_resident(ward: OrgUnit, pk) -> Person | None:
    return ward_residents(ward).filter(pk=pk).first()


def ward_school_options(ward: OrgUnit) -> list[tuple[int, str]]:
    rows = (
        Person.objects.filter(residence_ward=ward, school_role__in=STUDENT_ROLES, school__isnull=False)
        .exclude(stage__in=CLOSED_STAGES)
        .values_list("school_id", "school__name")
        .distinct()
        .order_by("school__name")
    )
    return list(rows)


def wards_of(user) -> list[OrgUnit]:
    return list(org_queries.units_for(user).filter(kind=OrgUnit.Kind.WARD, dissolved_on__isnull=True))


# ------------------------------------------------------------------------------------------ mentors


MENTEE_STAGES = (Stage.SYMPATHISER, Stage.APPLICANT)


def without_mentor(user, unit: OrgUnit | None = None):
    qs = people_queries.persons_for(user)
    if unit is not None:
        qs = people_queries.persons_in_subtree(qs, unit)
    return qs.filter(stage__in=MENTEE_STAGES, mentor__isnull=True).select_related("unit").order_by(
        "unit__path", "sort_key", "id"
    )  # fmt: skip


def mentors(user, unit: OrgUnit | None = None):
    """Members who mentor at least one sympathiser or applicant, with the count."""
    qs = people_queries.persons_for(user)
    if unit is not None:
        qs = people_queries.persons_in_subtree(qs, unit)
    return (
        qs.filter(mentees__stage__in=MENTEE_STAGES)
        .annotate(n=Count("mentees"))
        .select_related("unit")
        .order_by("unit__path", "sort_key", "id")
    )


def cell_mentor_options(user, unit: OrgUnit, limit: int = 200) -> list[tuple[int, str]]:
    """Official members held by the unit itself (a sympathiser's mentor is usually from the same cell; the
    person page offers the whole grassroots organisation)."""
    rows = (
        people_queries.persons_for(user)
        .filter(unit=unit, stage=Stage.OFFICIAL)
        .order_by("sort_key", "id")
        .values_list("pk", "family_name", "middle_name", "given_name")[:limit]
    )
    return [(pk, _name(f, m, g)) for pk, f, m, g in rows]


def mentor_for(user, pk) -> Person:
    return get_visible_or_404(Person.objects.select_related("unit"), user, pk=pk)


def mentees_of(user, mentor: Person):
    return (
        people_queries.persons_for(user)
        .filter(mentor=mentor)
        .select_related("unit")
        .order_by("sort_key", "id")
    )


def person_for(user, pk) -> Person:
    return people_queries.person_for(user, pk)
