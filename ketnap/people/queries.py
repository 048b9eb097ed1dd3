"""Reads of persons and their ledgers, always narrowed to what the user may see.

Views call these functions and never touch `Person.objects` or `PersonEvent.objects` themselves
(enforced by core/tests/test_no_direct_objects.py).
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.http import Http404

from ketnap import rules
from ketnap.accounts.scoping import get_visible_or_404, scope_paths
from ketnap.core.hooks import Provider
from ketnap.core.paging import estimated_rows
from ketnap.core.text import fold
from ketnap.orgs import queries as org_queries
from ketnap.orgs.models import OrgUnit
from ketnap.people import ledger
from ketnap.people.models import CLOSED_STAGES, PIPELINE_STAGES, Person, PersonEvent, Stage

STAGE_ORDER = {stage: i for i, stage in enumerate([*PIPELINE_STAGES, Stage.REMOVED, Stage.WITHDRAWN])}

# Graduated student members whose transfer of membership should have started by a day and has not (no
# transfer sent, in transit or confirmed): ``(persons queryset, today) -> (queryset, {pk: (due, rule)})``.
# Answered by ketnap.interorg, which owns the transfers and the rule book's GRADUATE_HOLD/TRANSFER_START_DUE.
graduates_overdue = Provider("people.graduates_overdue")


def persons_for(user):
    """The persons the user may see: the same set as `Person.objects.visible_to(user)`, written so that the
    database can use its indexes (no filter for a whole-tree scope, else `unit_id IN (visible units)`)."""
    if not scope_paths(user):
        return Person.objects.none()
    if org_queries.covers_whole_tree(user):
        return Person.objects.all()
    return Person.objects.filter(unit_id__in=org_queries.unit_ids_subquery(user))


def uncorrected(events):
    """Ledger rows that no later row corrects, voids excluded (a correlated NOT EXISTS through the `corrects`
    index: the LEFT JOIN of `corrections__isnull=True` makes SQLite index every event on each query)."""
    later = PersonEvent.objects.filter(corrects=OuterRef("pk"))
    return events.exclude(Exists(later)).exclude(data__has_key="void")


def persons_in_subtree(qs, unit: OrgUnit):
    return qs.filter(unit_id__in=unit.subtree().values("pk"))


def person_for(user, pk) -> Person:
    """The person if in the user's scope (404 otherwise), with the objects the person page shows."""
    qs = Person.objects.select_related("unit", "school", "mentor", "residence_ward")
    return get_visible_or_404(qs, user, pk=pk)


def events_of(person: Person) -> list:
    return list(person.events.select_related("actor", "org").order_by("occurred_on", "id"))


def event_of(person: Person, pk) -> PersonEvent:
    """One entry of the person's ledger (404 if it belongs to someone else)."""
    event = person.events.select_related("actor", "org", "corrects").filter(pk=pk).first()
    if event is None:
        raise Http404("Không tìm thấy bản ghi này trong hồ sơ.")
    return event


def event_kinds(person: Person) -> set[str]:
    return set(person.events.values_list("kind", flat=True))


def stage_order_expression():
    return Case(
        *[When(stage=stage, then=Value(i)) for stage, i in STAGE_ORDER.items()],
        default=Value(99),
        output_field=IntegerField(),
    )


def stage_counts(qs) -> dict[str, int]:
    """{stage: number of persons} in one GROUP BY query."""
    return dict(qs.order_by().values_list("stage").annotate(n=Count("pk")).values_list("stage", "n"))


# A whole-tree scope of more persons than this (PostgreSQL's count of the table's rows at its last ANALYZE) has
# its large stages estimated: counting a nation's 2.3 million official members on every home page costs 0.4 s.
ESTIMATE_PERSONS = 1_000_000
ESTIMATE_STAGE = (
    100_000  # a stage estimated at this many or more is shown as an estimate; smaller ones counted
)


def _stage_estimates() -> dict[str, int] | None:
    """{stage: estimated persons} from PostgreSQL's statistics of the persons table (None: too few persons,
    no statistics, or another database)."""
    if connection.vendor != "postgresql":
        return None
    total = estimated_rows(Person)
    if total < ESTIMATE_PERSONS:
        return None
    table = Person._meta.db_table
    with connection.cursor() as cur:
        cur.execute("SELECT most_common_vals::text::text[], most_common_freqs FROM pg_stats "
                    "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'stage'", [table])  # fmt: skip
        row = cur.fetchone()
    if not row or not row[0]:
        return None
    return {stage: int(round(freq * total)) for stage, freq in zip(row[0], row[1])}


def stage_counts_for(user) -> tuple[dict[str, int], set[str]]:
    """{stage: number of persons} in the user's scope, and the stages whose number is an estimate (rounded to
    the thousand): only for a whole-tree scope of more than ESTIMATE_PERSONS persons on PostgreSQL, for its
    stages of ESTIMATE_STAGE persons or more; every other stage counted from the (stage, name) index."""
    qs = persons_for(user)
    estimates = _stage_estimates() if org_queries.covers_whole_tree(user) else None
    if estimates is None:
        return stage_counts(qs), set()
    big = {stage for stage, n in estimates.items() if n >= ESTIMATE_STAGE}
    counts = {stage: round(estimates[stage], -3) for stage in big}
    for stage in Stage.values:
        if stage not in big:
            counts[stage] = qs.filter(stage=stage).count()
    return counts, big


def due_within(user, today: datetime.date, days: int = 30, limit: int = 50):
    """Open deadlines due within `days` days or already overdue, most urgent first."""
    horizon = today + datetime.timedelta(days=days)
    qs = (
        persons_for(user)
        .filter(next_due__isnull=False, next_due__lte=horizon)
        .exclude(stage__in=CLOSED_STAGES)
        .select_related("unit")
        .order_by("next_due", "sort_key", "id")
    )
    return qs[:limit], qs.count()


BOARD_COUNT_CAP = 10_000  # a column of a city-wide board holds "more than 10,000" official members


@dataclass
class BoardColumn:
    stage: str
    label: str
    count: int
    cards: list = field(default_factory=list)
    blocked: int = 0  # dossiers blocked by an error of the rule book (Person.error_count > 0)
    capped: bool = False  # the count stopped at BOARD_COUNT_CAP

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.cards))


class Board(list):
    """The board's columns (a list of BoardColumn), with the number of blocked dossiers on the whole board."""

    @property
    def blocked(self) -> int:
        return sum(column.blocked for column in self)

    @property
    def capped(self) -> bool:
        return any(column.capped for column in self)


CARD_FIELDS = (
    "id", "family_name", "middle_name", "given_name", "stage", "next_due", "next_due_rule", "error_count",
    "warning_count", "unit__name", "unit__code", "unit__kind", "unit__path",
)  # fmt: skip


def board(user, unit: OrgUnit | None = None, per_column: int = 20) -> Board:
    """One column per pipeline stage: the count and the number of blocked dossiers (one GROUP BY), then the
    cards: the blocked dossiers first (they cannot move on until their errors are corrected), then the most
    urgent (bounded queries per column: at most two, three when the column has blocked dossiers)."""
    qs = persons_for(user)
    if unit is not None:
        qs = persons_in_subtree(qs, unit)
    # Counts per stage up to a cap, from the (stage, …) index; the blocked dossiers (few) from their partial
    # index: a city-wide GROUP BY of every person would read the whole table.
    counts, blocked = {}, {}
    for stage in PIPELINE_STAGES:
        counts[stage] = qs.filter(stage=stage).order_by().values("pk")[: BOARD_COUNT_CAP + 1].count()
    # (read from the (error_count, stage) index and counted here: a GROUP BY would walk the stage index)
    for stage in qs.filter(error_count__gt=0).order_by().values_list("stage", flat=True)[:100_000]:
        blocked[stage] = blocked.get(stage, 0) + 1
    labels = dict(Stage.choices)
    columns = Board()
    for stage in PIPELINE_STAGES:
        n = counts.get(stage, 0)
        cards = []
        if n:
            column = qs.filter(stage=stage).select_related("unit").only(*CARD_FIELDS)
            if blocked.get(stage):
                cards = list(
                    column.filter(error_count__gt=0).order_by(
                        F("next_due").asc(nulls_last=True), "sort_key", "id"
                    )[:per_column]
                )
                column = column.filter(error_count=0)
            # Most urgent first, then by name; two bounded queries instead of one sort of the whole
            # column with NULLS LAST (7,000 official members in a city-wide scope).
            if len(cards) < per_column:
                cards += list(
                    column.filter(next_due__isnull=False).order_by("next_due", "sort_key", "id")[
                        : per_column - len(cards)
                    ]
                )
            if len(cards) < per_column:
                rest = column.filter(next_due__isnull=True).order_by("sort_key", "id")
                cards += list(rest[: per_column - len(cards)])
        capped = n > BOARD_COUNT_CAP
        columns.append(
            BoardColumn(stage, labels[stage], min(n, BOARD_COUNT_CAP), cards, blocked.get(stage, 0), capped)
        )
    # "Chi bộ Sinh viên" alone says little on a city-wide board: a cell is named with its school.
    names = org_queries.names_with_school({c.unit_id: c.unit for col in columns for c in col.cards}.values())
    for col in columns:
        for card in col.cards:
            card.unit_label = names.get(card.unit_id, card.unit.name)
    return columns


def official_members_near(user, person: Person) -> list[tuple]:
    """The official members in the user's scope and in the person's grassroots organisation, as
    (pk, full name, unit name, official date) — the people who may help or introduce the person. One query,
    kept on the person object for the request (the person page offers both forms)."""
    cached = getattr(person, "_official_members_near", None)
    if cached is not None and cached[0] == user.pk:
        return cached[1]
    grassroots = person.unit.grassroots() or person.unit
    qs = persons_in_subtree(persons_for(user), grassroots).filter(stage=Stage.OFFICIAL).exclude(pk=person.pk)
    rows = [
        (pk, " ".join(p for p in (family, middle, given) if p), unit_name, official)
        for pk, family, middle, given, unit_name, official in qs.order_by("sort_key", "id").values_list(
            "pk", "family_name", "middle_name", "given_name", "unit__name", "official_date"
        )[:1000]
    ]
    person._official_members_near = (user.pk, rows)
    return rows


def mentor_options(user, person: Person) -> list[tuple[int, str]]:
    """Official members who may help the person (đảng viên giúp đỡ)."""
    return [(pk, f"{name} — {unit}") for pk, name, unit, _ in official_members_near(user, person)]


def mentor_for(user, pk) -> Person:
    return get_visible_or_404(Person.objects.select_related("unit"), user, pk=pk)


def introducer_options(user, person: Person) -> list[tuple[int, str]]:
    """Official members who may introduce the person (they must have worked or studied with the applicant in
    a unit of the same grassroots organisation), with the date they became official members (their ledger)."""
    return [
        (pk, f"{name} — {unit}" + (f", chính thức từ {official:%d/%m/%Y}" if official else ""))
        for pk, name, unit, official in official_members_near(user, person)
    ]


def introducer_for(user, pk) -> Person:
    return get_visible_or_404(Person.objects.select_related("unit"), user, pk=pk)


def cell_roster(unit: OrgUnit, on: datetime.date) -> int:
    """The cell's official members on ``on`` as the ledgers tell it (a vote's ``official_members`` is compared
    with it). A person is on the roster from the day they are official — the recognition decision, or for an
    imported official member the official date of the import — for as long as the cell holds them: from the
    start or a move into it (``unit_changed``) until a move out. The demo's vote counts use the same reading."""
    # Who can be on it: the official members it holds now, and those who left it after that day. (An official
    # member stays one: nobody leaves the path after recognition but by a move.)
    left_after = PersonEvent.objects.filter(
        kind=PersonEvent.Kind.UNIT_CHANGED, occurred_on__gt=on, data__from_id=unit.pk
    )
    ids = set(Person.objects.filter(unit=unit, stage=Stage.OFFICIAL).values_list("pk", flat=True))
    ids |= set(left_after.values_list("person_id", flat=True))
    kinds = (
        PersonEvent.Kind.RECOGNITION_DECISION,
        PersonEvent.Kind.MEMBER_IMPORTED,
        PersonEvent.Kind.UNIT_CHANGED,
    )
    by_person: dict[int, list] = {}
    for ev in PersonEvent.objects.filter(person_id__in=ids, kind__in=kinds).order_by("occurred_on", "id"):
        by_person.setdefault(ev.person_id, []).append(ev)
    current = dict(Person.objects.filter(pk__in=ids).values_list("pk", "unit_id"))
    count = 0
    for pk, events in by_person.items():
        since, moves = None, []
        for ev in ledger.effective_events(events):
            if ev.kind == PersonEvent.Kind.RECOGNITION_DECISION:
                since = ev.occurred_on
            elif ev.kind == PersonEvent.Kind.MEMBER_IMPORTED and ev.data.get("stage") == Stage.OFFICIAL:
                since = _date(ev.data.get("official_date")) or _date(ev.data.get("party_age_from"))
            elif ev.kind == PersonEvent.Kind.UNIT_CHANGED:
                moves.append((ev.occurred_on, ev.data.get("from_id"), ev.data.get("to_id")))
        if since is None or since > on:
            continue
        holder = moves[0][1] if moves else current.get(pk)
        for day, _, to in moves:
            if day <= on:
                holder = to
        count += holder == unit.pk
    return count


def _date(value):
    return datetime.date.fromisoformat(value) if isinstance(value, str) and value else None


def unit_people(user, unit: OrgUnit, limit: int = 200):
    """Persons held by the unit itself: (members, pool, counts of the whole subtree)."""
    qs = persons_for(user).filter(unit=unit).select_related("school")
    members = list(qs.filter(stage__in=[Stage.PROBATIONARY, Stage.OFFICIAL])[:limit])
    pool = list(qs.exclude(stage__in=[Stage.PROBATIONARY, Stage.OFFICIAL, *CLOSED_STAGES])[:limit])
    subtree = stage_counts(persons_in_subtree(persons_for(user), unit))
    return members, pool, subtree


@dataclass
class PersonPage:
    """Everything the person page shows, from ONE evaluation of the ledger as of today (rules.review): the
    checklist, the findings box and the offered steps cannot disagree."""

    result: object | None
    error: str
    deadlines: list
    findings: list
    checklist: list
    corrected_ids: set
    next_steps: frozenset = frozenset()


def evaluate_page(person: Person, events: list, today: datetime.date, calendar) -> PersonPage:
    corrected = {e.corrects_id for e in events if e.corrects_id}
    try:
        review = ledger.review(person, events, today, calendar)
    except rules.DossierError as exc:
        return PersonPage(None, exc.message_vi, [], [], [], corrected)
    result = review.result
    deadlines = []
    for d in result.deadlines:
        left = None
        if d.done is None:
            left = calendar.working_days_between(today, d.due)
        deadlines.append({"rule": d.rule, "due": d.due, "done": d.done, "met": d.met, "left": left})
    deadlines.sort(key=lambda d: (d["done"] is not None, d["due"]))
    findings = sorted(result.findings, key=lambda f: (f.severity != "error", f.date or today))
    return PersonPage(result, "", deadlines, findings, review.checklist, corrected, review.next_steps)


@dataclass
class TreeRow:
    pk: int
    name: str
    code: str
    kind: str
    kind_label: str
    cell_kind: str
    indent: int
    own: int  # persons held directly by the unit
    total: int  # persons in the unit's subtree
    members: int  # probationary + official in the subtree
    dissolved: bool
    path: str = ""
    has_children: bool = False
    shown: bool = True  # shown when the page opens (the rest is folded away)
    expanded: bool = False  # its children are shown when the page opens
    match: bool = False  # matches the search


def tree_rows(user, q: str = "", open_depth: int = 1) -> list[TreeRow]:
    """The visible units as an indented tree, with person counts (two queries). The page opens folded: the
    units down to ``open_depth`` levels below the top are shown. With a search ``q`` (accents and case
    ignored), the matching units, their ancestors (unfolded down to them) and their subtrees (folded) are
    listed, and nothing else."""
    units = list(
        org_queries.units_for(user)
        .order_by("path")
        .values_list("pk", "name", "code", "kind", "cell_kind", "path", "depth", "dissolved_on")
    )
    if not units:
        return []
    counts = (
        Person.objects.visible_to(user)
        .values("unit__path", "stage")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("unit__path", "stage", "n")
    )
    own: Counter = Counter()
    members: Counter = Counter()
    for path, stage, n in counts:
        own[path] += n
        if stage in (Stage.PROBATIONARY, Stage.OFFICIAL):
            members[path] += n
    # Subtree totals: add each unit's own count to every ancestor path (paths are prefixes).
    total: Counter = Counter()
    total_members: Counter = Counter()
    segment = len(units[0][5]) // (units[0][6] + 1) if units[0][5] else 8
    for path, n in own.items():
        for cut in range(segment, len(path) + 1, segment):
            total[path[:cut]] += n
    for path, n in members.items():
        for cut in range(segment, len(path) + 1, segment):
            total_members[path[:cut]] += n
    kinds = dict(OrgUnit.Kind.choices)
    top = min(u[6] for u in units)
    parents = {path[: len(path) - segment] for *_, path, _depth, _d in units}
    rows = [
        TreeRow(
            pk,
            name,
            code,
            kind,
            kinds.get(kind, kind),
            cell_kind,
            depth - top,
            own[path],
            total[path],
            total_members[path],
            dissolved is not None,
            path,
            path in parents,
            depth - top <= open_depth,
            depth - top < open_depth,
        )  # fmt: skip
        for pk, name, code, kind, cell_kind, path, depth, dissolved in units
    ]
    if q:
        key = fold(q)
        matched = [r for r in rows if key in fold(f"{r.name} {r.code}")]
        matched_ids = {r.pk for r in matched}
        above = {r.path[:cut] for r in matched for cut in range(segment, len(r.path), segment)}
        inside = tuple(r.path for r in matched)
        kept = []
        for r in rows:
            r.match = r.pk in matched_ids
            if r.path in above:
                r.shown, r.expanded = True, True
            elif r.match:
                r.shown, r.expanded = True, False
            elif r.path.startswith(inside):
                r.shown, r.expanded = False, False
            else:
                continue
            kept.append(r)
        rows = kept
    return rows


# ------------------------------------------------------------------------------------------ audit page


def admin_units(user) -> list[OrgUnit]:
    """The units where the user holds the admin role (the audit page shows their subtrees)."""
    from ketnap.accounts.models import RoleAssignment

    if user.is_superuser:
        return list(OrgUnit.objects.filter(parent__isnull=True))
    return [ra.unit for ra in RoleAssignment.objects.filter(user=user, role="admin").select_related("unit")]


def log_rows(user, tab: str, *, user_id=None, unit=None, person=None, since=None, until=None):
    """The audit log ("thay-doi") or the read log ("truy-cap") rows the admin may see, newest first: rows about
    units in their admin subtrees, and rows without a unit written by users who hold a role there."""
    from ketnap.accounts.models import RoleAssignment
    from ketnap.core.models import AuditLog, ReadLog

    model = ReadLog if tab == "truy-cap" else AuditLog
    qs = model.objects.select_related("actor", "unit")
    roots = admin_units(user)
    if not any(r.parent_id is None for r in roots):
        paths = Q()
        for root in roots:
            paths |= Q(unit__path__startswith=root.path)
        members = Q()
        for root in roots:
            members |= Q(unit__path__startswith=root.path)
        actors = RoleAssignment.objects.filter(members).values("user_id")
        qs = qs.filter(paths | Q(unit__isnull=True, actor_id__in=actors))
    if user_id:
        qs = qs.filter(actor_id=user_id)
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    if person is not None:
        qs = qs.filter(object_type="people.person", object_id=str(person.pk))
    if since:
        qs = qs.filter(at__date__gte=since)
    if until:
        qs = qs.filter(at__date__lte=until)
    return qs.order_by("-id")


def log_user_options(user) -> list[tuple[int, str]]:
    """The users who hold a role in the admin's subtrees (for the filter), by name."""
    from django.contrib.auth import get_user_model

    from ketnap.accounts.models import RoleAssignment

    roots = admin_units(user)
    qs = RoleAssignment.objects.all()
    if not any(r.parent_id is None for r in roots):
        where = Q()
        for root in roots:
            where |= Q(unit__path__startswith=root.path)
        qs = qs.filter(where)
    ids = qs.values("user_id")
    rows = get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk")
    return [
        (u.pk, f"{u.last_name} {u.first_name}".strip() or "Người dùng chưa ghi họ tên") for u in rows[:2000]
    ]


def authorized_decisions(user, unit):
    """The admission decisions ``unit`` signed under an authorisation (effective ones: neither corrected nor
    voided), latest first, with the person and the cell."""
    return (
        PersonEvent.objects.visible_to(user)
        .filter(kind=PersonEvent.Kind.DECISION, data__decider_id=unit.pk, data__authorized=True)
        .filter(corrections__isnull=True)
        .exclude(data__has_key="void")
        .select_related("person", "org")
        .order_by("-occurred_on", "-id")
    )
