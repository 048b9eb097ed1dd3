"""`ketnap seed`: build the demo city in memory, project every ledger, write it all in one transaction.

Speed matters (`make demo` loads ~20,000 persons): rows get explicit primary keys and materialized paths and
are written with `bulk_create` in large batches; the cached state of each person is computed in Python by the
same code the actions use (`ledger.evaluate` + `ledger.project`), so `ketnap rebuild-state --check` finds no
drift; one audit row ("demo.seed") records the load instead of one per row.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max

from ketnap.accounts.models import RoleAssignment
from ketnap.core.audit import audit
from ketnap.orgs.models import Authorization, OrgLink, OrgUnit, School
from ketnap.people import ledger
from ketnap.people.integrity import fill_chains
from ketnap.people.models import Person, PersonEvent, Stage

from .city import Ids, build_city
from .interorg import populate_requests
from .names import make_name
from .population import HISTORY_START, Ev, Fate, PopulationBuilder
from .targets import seed_targets

SIZES = {"small": 300, "city": 20_000}
DEFAULT_SEED = 2026
DEMO_PASSWORD = "ketnap-demo-2026"
SHOWCASE_CELL = "KHTN-SV-CNTT"
BATCH = 2000

# (user name, role, unit code)
DEMO_USERS: list[tuple[str, str, str]] = [
    ("thanhuy.admin", "admin", "TU"),
    ("thanhuy.capuy", "committee", "TU"),
    ("thanhuy.xem", "viewer", "TU"),
    ("dhqg.capuy", "committee", "DHQG"),
    ("dhqg.xem", "viewer", "DHQG"),
    ("phuong.benthanh.capuy", "committee", "P-BENTHANH"),
    ("phuong.benthanh.xem", "viewer", "P-BENTHANH"),
    ("khtn.capuy", "committee", "KHTN"),
    ("khtn.xem", "viewer", "KHTN"),
    ("khtn.cntt.bithu", "secretary", "KHTN-SV-CNTT"),
    ("khtn.cntt.canbo", "clerk", "KHTN-SV-CNTT"),
    ("khtn.cntt.xem", "viewer", "KHTN-SV-CNTT"),
    ("trungvuong.bithu", "secretary", "CB-THPTTRUNGVUONG"),
    ("trungvuong.canbo", "clerk", "CB-THPTTRUNGVUONG"),
]


@dataclass
class SeedReport:
    size: str
    seed: int
    today: dt.date
    persons: int = 0
    events: int = 0
    units: int = 0
    schools: int = 0
    stages: dict[str, int] = field(default_factory=dict)
    timings: list[tuple[str, float]] = field(default_factory=list)
    skipped: bool = False


def _start_ids() -> Ids:
    """Explicit primary keys continue after the largest existing ones."""
    start = {}
    for name, model in (("orgunit", OrgUnit), ("orglink", OrgLink), ("school", School),
                        ("authorization", Authorization), ("person", Person), ("personevent", PersonEvent)):  # fmt: skip
        start[name] = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    return Ids(start)


def populate(builder: PopulationBuilder, target: int) -> None:
    """Imported members for every cell, the hand-placed persons of the showcase cell, then pipeline
    persons spread over the cells by weight until the target count is reached; then the votes' counts."""
    rng, today, city = builder.rng, builder.today, builder.city
    members, limit = sum(c.n_members for c in city.cells), int(target * 0.3)
    if members > limit:  # a small city: fewer existing members per cell
        for cell in city.cells:
            cell.n_members = max(3, round(cell.n_members * limit / members))
    for cell in city.cells:
        builder.import_members(cell)
    showcase = next((c for c in city.cells if c.unit.code == SHOWCASE_CELL), None)
    if showcase is not None:
        place = builder.placed
        for _ in range(2):
            place(showcase, "SOURCE", Fate(stop="SOURCE"), 60)
            place(showcase, "SYMPATHISER", Fate(stop="SYMPATHISER"), 150)
        for _ in range(4):  # complete dossiers: ready for the cell's vote
            place(showcase, "APPLICANT", Fate(stop="APPLICANT"), 200)
        place(showcase, "VOTED", Fate(stop="VOTED"), 240)
        place(showcase, "COMMITTEE", Fate(stop="COMMITTEE"), 240)
        place(showcase, "COMMITTEE", Fate(stop="COMMITTEE"), 240, extra_days=150)  # decision overdue
        place(showcase, "ADMITTED", Fate(stop="ADMITTED"), 260)
        place(showcase, "ADMITTED", Fate(stop="ADMITTED"), 260, extra_days=90)  # ceremony overdue
        for _ in range(2):
            place(showcase, "PROBATIONARY", Fate(stop="NOVOTE"), 330)
        place(showcase, "PROBATIONARY", Fate(stop="NOVOTE"), 330, extra_days=420)  # recognition overdue
        for _ in range(2):
            place(showcase, "OFFICIAL", Fate(), 700)
        place(showcase, "REMOVED", Fate(stop="REMOVED"), 600)
        place(showcase, "WITHDRAWN", Fate(stop="SYMPATHISER", withdraw=True), 400)

    remaining = max(0, target - len(builder.persons))
    total = sum(c.weight for c in city.cells)
    shares = [remaining * c.weight / total for c in city.cells]
    counts = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: shares[i] - counts[i], reverse=True)
    for i in order[: remaining - sum(counts)]:
        counts[i] += 1
    last_start = today - dt.timedelta(days=3)
    for cell, n in zip(city.cells, counts):
        first = max(HISTORY_START, cell.history_from + dt.timedelta(days=14))
        span = max(0, (last_start - first).days)
        for _ in range(n):
            builder.pipeline_person(cell, first + dt.timedelta(days=rng.randint(0, span)))
    builder.fill_votes()  # the votes count the cells' rosters, known once every path is walked


def project_all(builder: PopulationBuilder, calendar) -> None:
    """The cached fields of every person, computed exactly as the actions and rebuild-state do."""
    for person in builder.persons:
        events = builder.events[person.id]
        result = ledger.evaluate(person, events, ledger.ledger_date(events), calendar)
        for name, value in ledger.project(person, result, events).items():
            setattr(person, name, value)


def _bulk(model, objs, batch=BATCH) -> None:
    for i in range(0, len(objs), batch):
        model.objects.bulk_create(objs[i : i + batch], batch_size=batch)


def demo_users(by_code: dict[str, OrgUnit], seed: int) -> list[tuple[str, str, OrgUnit]]:
    """Create (or reset) the demo users and their roles; one password hash for all."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)
    rng = random.Random(seed + 1)
    out = []
    for username, role, code in DEMO_USERS:
        unit = by_code.get(code)
        if unit is None:
            continue
        name = make_name(rng, rng.choice("MF"), 1975 + rng.randint(0, 25))
        user, _ = User.objects.get_or_create(username=username)
        user.password = password
        user.first_name = name.given
        user.last_name = f"{name.family} {name.middle}"
        user.is_active = True
        user.save()
        RoleAssignment.objects.get_or_create(user=user, unit=unit, role=role)
        out.append((username, role, unit))
    return out


def existing_users() -> list[tuple[str, str, OrgUnit]]:
    names = [u for u, _, _ in DEMO_USERS]
    rows = RoleAssignment.objects.filter(user__username__in=names).select_related("user", "unit")
    order = {u: i for i, u in enumerate(names)}
    return sorted(((r.user.username, r.role, r.unit) for r in rows), key=lambda t: order[t[0]])


def generate(size: str, *, seed: int, today: dt.date, persons: int | None = None, calendar=None):
    """The city and its persons in memory (nothing written): a pure function of its arguments and of the
    calendar overrides (and of the largest existing primary keys)."""
    calendar = calendar or ledger.load_calendar()
    rng = random.Random(seed)
    ids = _start_ids()
    city = build_city(rng, today, size, ids, calendar)
    builder = PopulationBuilder(rng, today, city, ids, calendar)
    populate(builder, persons or SIZES[size])
    return city, builder


def seed(size: str = "city", *, seed: int = DEFAULT_SEED, today: dt.date | None = None,
         persons: int | None = None, log=None) -> SeedReport:  # fmt: skip
    """Build and write the demo city. The database must hold no organisation yet."""
    from django.utils import timezone

    today = today or timezone.localdate()
    target = persons or SIZES[size]
    report = SeedReport(size=size, seed=seed, today=today)
    clock = time.perf_counter()

    def lap(label: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        report.timings.append((label, now - clock))
        if log:
            log(f"  {label}: {now - clock:.1f} s")
        clock = now

    calendar = ledger.load_calendar()
    city, builder = generate(size, seed=seed, today=today, persons=target, calendar=calendar)
    n_events = sum(len(v) for v in builder.events.values())
    lap(f"dựng dữ liệu ({len(city.units)} tổ chức, {len(builder.persons)} người, {n_events} sự kiện)")
    project_all(builder, calendar)
    lap("tính trạng thái từ sổ sự kiện")

    with transaction.atomic():
        _bulk(OrgUnit, city.units)
        _bulk(OrgLink, city.links)
        _bulk(School, city.schools)
        _bulk(Authorization, city.authorizations)
        demo_users(city.by_code, seed)
        # Requests between organisations (issue 3): they write their own rows and events and update the persons
        # they move or touch in memory, so the persons are written after them (the foreign keys are checked at
        # commit). The transfers they confirm move graduates out of their cells: the votes are counted again
        # (same stages: every vote still passes, with three or more) before the walked events are written.
        populate_requests(city, builder, today, calendar, seed, persons_written=False)
        _bulk(Person, builder.persons)
        builder.fill_votes()
        events = []
        for person in builder.persons:
            for ev in builder.events[person.id]:
                if not isinstance(ev, Ev):
                    continue
                events.append(PersonEvent(id=ev.id, person_id=person.id, kind=ev.kind, occurred_on=ev.occurred_on,
                                          org_id=ev.org_id, data=ev.data, note=ev.note))  # fmt: skip
                if len(events) >= 20_000:
                    _bulk(PersonEvent, events)
                    events = []
        _bulk(PersonEvent, events)
        fill_chains()  # written in bulk: every person's ledger gets its hash chain (ketnap verify-audit)
        stages = Counter(p.stage for p in builder.persons)
        report.stages = {s.value: stages.get(s.value, 0) for s in Stage}
        report.persons, report.events = len(builder.persons), n_events
        report.units, report.schools = len(city.units), len(city.schools)
        audit(actor=None, action="demo.seed", object_type="demo", object_id=size, unit=city.by_code["TU"],
              summary=f"Tạo dữ liệu mẫu ({size}, seed {seed}, ngày {today:%d/%m/%Y}): {report.units} tổ chức, "
              f"{report.schools} trường, {report.persons} người, {report.events} sự kiện",
              after={"size": size, "seed": seed, "today": today, "stages": report.stages})  # fmt: skip
    if connection.vendor == "postgresql":
        models = [OrgUnit, OrgLink, School, Authorization, Person, PersonEvent]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics of the new rows (SQLite keeps none by itself)
    lap("ghi vào cơ sở dữ liệu")
    seed_targets(city, today, lap)  # targets and the indicator rollup (issue 4)
    return report


def site_url() -> str:
    return f"http://{os.getenv('HOST', '127.0.0.1')}:{os.getenv('PORT', '8000')}/"
