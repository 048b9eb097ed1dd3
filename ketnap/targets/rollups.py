"""The indicator rollup: per unit and window, the totals of the unit's subtree in the tree at the window's end.

Written only here:

* `build(windows)` computes every row of the windows from the ledger, the tree and the schools, and replaces
  them (`ketnap rebuild-rollups`; the dashboards build a missing window on first use). Persons whose ledger
  has no correction and no move are counted with a few GROUP BY queries; the others (and the small cases)
  go through `rules.indicators.contributions`, the same function the incremental path uses.
* `on_ledger_change(...)` runs inside `people.actions.record_event`'s transaction: it adds the difference
  of the person's contributions before and after the new event to the unit's row and its ancestors' rows.
* `set_exempt(...)` (a "no source left" record) and `tree_changed(...)` (a unit created or moved) keep the
  rows current for the other inputs. `check(windows)` recomputes and compares (`rebuild-rollups --check`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

import numpy as np
from django.db import connection, transaction
from django.db.models import Exists, F, Max
from django.utils import timezone

from ketnap.people import ledger
from ketnap.rules import indicators as ind
from ketnap.targets import arrays, conf
from ketnap.targets.models import NoSourceRecord, Rollup, RollupWindow, window_code

NODE_FIELDS = ("parent_id", "path", "depth", "lo", "hi", "active", "is_cell", "school_kind", "k12_cell",
               "he_subcell", "he_student_cell", "exempt")  # fmt: skip
TEACHER = tuple(sorted(ind.TEACHER_ROLES))


# ---------------------------------------------------------------------------------------------- loading


def load_tree_records():
    from ketnap.orgs.models import OrgLink, OrgUnit, School

    units = [
        ind.UnitRec(*row)
        for row in OrgUnit.objects.values_list(
            "id", "kind", "cell_kind", "founded_on", "dissolved_on", "parent_id"
        ).order_by()
    ]
    links = [
        ind.LinkRec(*row)
        for row in OrgLink.objects.values_list("child_id", "parent_id", "valid_from", "valid_to").order_by(
            "id"
        )
    ]  # (by id: the order between two links of a unit beginning the same day, as `tree_arrays` reads them)
    schools = [
        ind.SchoolRec(*row)
        for row in School.objects.values_list("id", "level", "party_org_id", "ward_id").order_by()
    ]
    return units, links, schools


def tree_stamp() -> str:
    """Changes to the tree and the schools that the rollup does not follow row by row show here."""
    from ketnap.orgs.models import OrgLink, OrgUnit, School

    parts = [
        model.objects.aggregate(m=Max("pk"))["m"] or 0 for model in (OrgUnit, OrgLink, School)
    ]  # fmt: skip
    return ":".join(str(p) for p in parts)


def person_rec(person, state: dict | None = None) -> ind.PersonRec:
    s = state or {}

    def get(name):
        return s[name] if name in s else getattr(person, name)

    return ind.PersonRec(
        id=person.pk,
        unit_id=person.unit_id,
        school_role=person.school_role,
        stage=get("stage"),
        stage_since=get("stage_since"),
        party_age_from=get("party_age_from"),
        probation_end=get("probation_end"),
        next_due=get("next_due"),
        error_count=get("error_count") or 0,
    )


def event_rec(ev) -> ind.EventRec:
    return ind.EventRec(ev.id, ev.kind, ev.occurred_on, ev.org_id, ev.data or {}, ev.corrects_id)


def _calendar():
    from ketnap.people import ledger

    return ledger.load_calendar()


# ---------------------------------------------------------------------------------------------- compute


def _tables():
    from ketnap.people.models import Person, PersonEvent

    return Person._meta.db_table, PersonEvent._meta.db_table


def special_person_ids() -> list[int]:
    """Persons counted one by one: a correction or a move in their ledger, or a step the indicators count
    recorded twice (`Person.repeated_step`: counted once, at the first, which plain SQL would not do)."""
    from ketnap.people.models import Person, PersonEvent

    ids = set(PersonEvent.objects.filter(corrects__isnull=False).values_list("person_id", flat=True))
    ids |= set(PersonEvent.objects.filter(kind__in=ind.MOVE_KINDS).values_list("person_id", flat=True))
    ids |= set(Person.objects.filter(repeated_step=True).values_list("pk", flat=True))
    return sorted(ids)


P = {name: i for i, name in enumerate(ind.PERSON_FIELDS)}
FLOW_ORDER = list(ind.FLOW_KINDS)  # event kinds counted by the flows query
FLOW_KIND_OF = {name: kind for kind, name in ind.FLOW_KINDS.items()}


def _temp_tables(cur, special: Sequence[int], calendar, params) -> None:
    """Two small session tables: the persons counted one by one, and the recognition due date of each
    probation end (working days need the calendar)."""
    from ketnap.people.models import Person

    for name in ("ketnap_special", "ketnap_due"):
        cur.execute(f"DROP TABLE IF EXISTS {name}")
    cur.execute("CREATE TEMPORARY TABLE ketnap_special (person_id bigint PRIMARY KEY)")
    cur.execute("CREATE TEMPORARY TABLE ketnap_due (probation_end date PRIMARY KEY, due date)")
    if special:
        cur.executemany("INSERT INTO ketnap_special (person_id) VALUES (%s)", [(i,) for i in special])
    ends = (
        Person.objects.exclude(probation_end=None)
        .values_list("probation_end", flat=True)
        .distinct()
        .order_by()
    )
    rows = [(d, calendar.add_working_days(d, params.recognition_working_days)) for d in ends]
    if rows:
        cur.executemany("INSERT INTO ketnap_due (probation_end, due) VALUES (%s, %s)", rows)


def _window_case(column: str, windows: Sequence[ind.Window], args: list) -> str:
    parts = []
    for i, w in enumerate(windows):
        parts.append(f"WHEN {column} >= %s AND {column} <= %s THEN {i}")
        args += [w.start, w.end]
    return "CASE " + " ".join(parts) + " END"


EPOCH = dt.date(1970, 1, 1)
NO_DAY = -(1 << 40)  # a NULL date among days counted from EPOCH


def _day_sql(column: str) -> str:
    """SQL for a date column as the number of days since EPOCH (NO_DAY for NULL)."""
    if connection.vendor == "postgresql":
        return f"COALESCE({column} - DATE '1970-01-01', {NO_DAY})"
    return f"COALESCE(CAST(julianday({column}) - 2440587.5 AS INTEGER), {NO_DAY})"


class _Own:
    """own[window key] = an array, row = unit id, columns = the unit's PERSON_FIELDS counts (ids up to the
    largest unit's; anything counted at an id past it, or at no unit, is held by a scratch row and dropped, as
    a unit outside the window's tree is)."""

    def __init__(self, windows, size: int):
        self.size = size
        self.width = len(ind.PERSON_FIELDS)
        self.data: dict[str, np.ndarray] = {}
        for w in windows:
            # written now rather than left to the first counts (np.zeros maps pages lazily: the first writes,
            # one column at a time, then fault them in one by one: 4.8 s at nation scale against 0.4 s so)
            self.data[w.key] = arr = np.empty((size, self.width), np.int64)
            arr.fill(0)

    def row(self, wkey: str, unit: int | None) -> np.ndarray:
        if unit is None or not 0 <= unit < self.size:
            return np.zeros(self.width, np.int64)
        return self.data[wkey][unit]

    def add_rows(self, wkey: str, units: np.ndarray, start: int, values: np.ndarray) -> None:
        """Add each row of `values` to the fields from `start` on of its unit's row (units may repeat)."""
        ok = (units >= 0) & (units < self.size)
        if not ok.all():
            units, values = units[ok], values[ok]
        if not len(units):
            return
        if len(units) > 1 and not (np.diff(units) > 0).all():  # repeated units: one summed row each
            if not (np.diff(units) >= 0).all():  # (the events' rows come sorted by unit)
                order = np.argsort(units, kind="stable")
                units, values = units[order], values[order]
            first = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
            units, values = units[first], np.add.reduceat(values, first, axis=0)
        self.data[wkey][units, start : start + values.shape[1]] += values

    def __getitem__(self, wkey):
        return self.data[wkey]

    def mapping(self, wkey: str) -> dict[int, list[int]]:
        """{unit id: counts} of the units with any (the form `rules.indicators.totals_for_tree` takes)."""
        arr = self.data[wkey]
        return {int(u): arr[u].tolist() for u in np.flatnonzero(arr.any(axis=1))}


def _span(names: Sequence[str]) -> int:
    """The index of the first of these PERSON_FIELDS, which must follow each other in that order."""
    start = P[names[0]]
    if [P[n] for n in names] != list(range(start, start + len(names))):
        raise ValueError(f"not consecutive PERSON_FIELDS: {names}")
    return start


# What the counts of a plain person's events look back to, cached on the person (people.ledger.project): the day
# they entered each stage of the pipeline (lead times; a plain person has at most one event of each counted kind,
# so the latest awareness class, `certificate_on`, is the only one) and the Youth Union's introduction (4-KNĐ).
ENTRY_ON = {
    stage: "certificate_on" if kind == "awareness_class" else ledger.FIRST_ON[kind]
    for stage, kind in ind.ENTRY_KIND.items()
}
YOUTH_UNION_ON = ledger.FIRST_ON[ind.EXCELLENT_KIND]
SOURCED_ON = ledger.FIRST_ON["source_identified"]
PERSON_CHUNK = 1 << 22  # persons read at once by the events' pass (one bytea a column on PostgreSQL)


def _events_own(cur, windows: Sequence[ind.Window], special: Sequence[int], own: _Own) -> None:
    """The flows of the persons without corrections, moves or repeated steps, from their counted events in all
    windows and what the counts look back to on the person (their cached first steps, `ENTRY_ON`, whether they
    are a teacher, their recognition's due date from `ketnap_due`): the flows (each event falls in at most one
    school year and one calendar year, and adds to each), the admissions of teachers and of excellent Youth
    Union members (4-KNĐ on or before the decision), the recognitions on time, the lead times from entering each
    stage to the decision, and the time spent in a stage by those who moved on (at the next stage's entry). A
    person has at most one event of each counted kind (else they are counted one by one).

    The database reads two things as columns of integers (`arrays.grouped_columns`): the events by kind (an
    index-only scan of `people_event_counted` on PostgreSQL) and every person; the join (by person id) and the
    counting are array arithmetic. At nation scale (8.9 M events, 4.5 M persons) this takes ≈ 10 s where one
    GROUP BY query joining, sorting and filtering 57 counts took 24–37 s."""
    if not windows:
        return
    person_t, event_t = _tables()
    vendor = connection.vendor
    first, last = min(w.start for w in windows), max(w.end for w in windows)
    events = arrays.grouped_columns(
        cur,
        f"SELECT e.kind, e.person_id, COALESCE(e.org_id, -1), {_day_sql('e.occurred_on')} FROM {event_t} e "
        f"WHERE e.kind IN ({', '.join('%s' for _ in FLOW_ORDER)}) AND e.occurred_on >= %s AND e.occurred_on <= %s",
        [*FLOW_ORDER, first, last],
        3,
        vendor,
    )
    if not events:
        return
    firsts = [f"p.{ENTRY_ON[stage]}" for stage in ind.PIPE_STAGES]
    person_cols = arrays.grouped_columns(
        cur,
        f"SELECT p.id / {PERSON_CHUNK}, p.id, CASE WHEN p.school_role IN ({', '.join('%s' for _ in TEACHER)}) "
        f"THEN 1 ELSE 0 END, {', '.join(_day_sql(c) for c in (f'p.{YOUTH_UNION_ON}', *firsts, 'dd.due'))} "
        f"FROM {person_t} p LEFT JOIN ketnap_due dd ON dd.probation_end = p.probation_end",
        list(TEACHER),
        4 + len(firsts),
        vendor,
    )
    chunks = list(person_cols.values())
    person = np.concatenate([c[0] for c in chunks]) if chunks else np.zeros(0, np.int64)
    facts = np.stack([np.concatenate([c[i] for c in chunks]) for i in range(1, 4 + len(firsts))], axis=1) \
        if chunks else np.zeros((0, 3 + len(firsts)), np.int64)  # fmt: skip
    teacher_c, youth_c, due_c = 0, 1, 2 + len(firsts)
    entry_c = {stage: 2 + i for i, stage in enumerate(ind.PIPE_STAGES)}
    find = arrays.finder(person)
    special_ids = np.asarray(special, np.int64)

    names = (*ind.FLOW_FIELDS, *ind.LEAD_FIELDS, *ind.STEP_FIELDS)
    start = _span(names)
    col = {name: start + i for i, name in enumerate(names)}
    groups = [g for g in ([w for w in windows if w.kind == kind] for kind in ("SY", "CY")) if g]
    size = own.size

    for kind, (pid, org, day) in events.items():
        keep = np.ones(len(pid), bool) if not len(special_ids) else ~np.isin(pid, special_ids)
        row = find(pid)
        keep &= row >= 0  # (a person's events without the person: none, the join dropped them)
        org, day, fact = org[keep], day[keep], facts[row[keep]]
        # each event's place in each kind of window: window index × units + unit (-1: none)
        slots = []
        for g in groups:
            where = np.full(len(day), -1, np.int64)
            for i, w in enumerate(g):
                where[(day >= (w.start - EPOCH).days) & (day <= (w.end - EPOCH).days)] = i
            slots.append((g, np.where((where >= 0) & (org >= 0) & (org < size), where * size + org, -1)))
        count = _EventCounts(own, slots, col)
        count.add(ind.FLOW_KINDS[kind])
        if kind == "decision":
            count.add("admitted_teacher", fact[:, teacher_c] == 1)
            youth = fact[:, youth_c]
            count.add("admitted_excellent", (youth != NO_DAY) & (youth <= day))
            for stage in ind.PIPE_STAGES:
                count.bins(stage, ind.lead_fields(stage), fact[:, entry_c[stage]], day)
        elif kind == "recognition_decision":
            due = fact[:, due_c]
            count.add("recognised_on_time", (due != NO_DAY) & (day <= due))
        for stage, nxt in ind.NEXT_STAGE.items():
            if kind == ind.ENTRY_KIND[nxt]:
                count.bins(stage, ind.step_fields(stage), fact[:, entry_c[stage]], day)


class _EventCounts:
    """Adds a kind's events to the own counters of their units: `slots` = per group of windows, each event's
    window index × units + unit (-1: counted nowhere)."""

    def __init__(self, own: _Own, slots, col: dict[str, int]):
        self.own, self.slots, self.col = own, slots, col

    def add(self, field: str, sel=None, sub=None, width: int = 1) -> None:
        """Count the events `sel` (default all) at their units in the field `field` (or, with `sub`, in the
        field `sub` of each event among the run of `width` fields from `field` on)."""
        size = self.own.size
        start = self.col[field]
        for g, key in self.slots:
            k = key if sel is None else key[sel]
            ok = k >= 0
            k = k[ok]
            if sub is not None:
                k = k * width + sub[ok]
            if not len(k):
                continue
            counts = np.bincount(k, minlength=len(g) * size * width).reshape(len(g), size, width)
            for i, w in enumerate(g):
                self.own.data[w.key][:, start : start + width] += counts[i]

    def bins(self, stage: str, fields: tuple[str, ...], entered: np.ndarray, day: np.ndarray) -> None:
        """The days from the person's entry into the stage (`entered`) to each event, in the stage's bins."""
        sel = np.flatnonzero((entered != NO_DAY) & (entered <= day))
        which = np.searchsorted(np.asarray(ind.LEAD_EDGES[stage]), day[sel] - entered[sel], side="left")
        self.add(fields[0], sel, which, ind.N_BINS)


def _stocks_query(windows, special) -> tuple[str, list, list]:
    """The stocks of every window (pool at the end, members at the start and at the end) of the persons without
    corrections, moves or repeated steps, in one pass over the persons (their cached first `source_identified`,
    `SOURCED_ON`, starts their time in the pool): (sql, args, layout)."""
    person_t, _ = _tables()
    src = f"p.{SOURCED_ON}"
    plain = "NOT EXISTS (SELECT 1 FROM ketnap_special s WHERE s.person_id = p.id)" if special else "1 = 1"
    cols, args, layout = [], [], []  # layout: (window key, [field indexes]) in column order
    for w in windows:
        cols.append(
            f"COUNT(*) FILTER (WHERE {src} IS NOT NULL AND {src} <= %s AND (p.party_age_from IS NULL "
            "OR p.party_age_from > %s) AND NOT (p.stage = 'WITHDRAWN' AND p.stage_since IS NOT NULL AND "
            "p.stage_since <= %s))"
        )
        args += [w.end, w.end, w.end]
        cols.append(
            "COUNT(*) FILTER (WHERE p.party_age_from IS NOT NULL AND p.party_age_from < %s AND NOT "
            "(p.stage = 'REMOVED' AND p.stage_since IS NOT NULL AND p.stage_since < %s))"
        )
        args += [w.start, w.start]
        cols.append(
            "COUNT(*) FILTER (WHERE p.party_age_from IS NOT NULL AND p.party_age_from <= %s AND NOT "
            "(p.stage = 'REMOVED' AND p.stage_since IS NOT NULL AND p.stage_since <= %s))"
        )
        args += [w.end, w.end]
        layout.append((w.key, [P[f] for f in ind.STOCK_FIELDS]))
    sql = f"""SELECT COALESCE(p.unit_id, -1), {", ".join(cols)}
        FROM {person_t} p
        WHERE {plain}
        GROUP BY p.unit_id"""
    return sql, args, layout


def _projection_query(
    windows, special, projections: dict[str, ind.Projection]
) -> tuple[str, list, list] | None:
    """The dossiers in progress of the open windows (as of their projection's day), by stage and age, those left
    out, and the admissions expected of them, from the persons in a stage of the pipeline (every count here
    is of those): (sql, args, layout), or None without an open window."""
    person_t, _ = _tables()
    plain = "NOT EXISTS (SELECT 1 FROM ketnap_special s WHERE s.person_id = p.id)" if special else "1 = 1"
    teacher_in = ", ".join("%s" for _ in TEACHER)
    cols, args, layout = [], [], []
    for w in windows:
        snap = projections.get(w.key)
        if snap is None:
            continue
        fields = []
        day = snap.as_of
        base = "p.stage_since IS NOT NULL AND p.stage IN ({})"
        counted = "p.error_count = 0 AND (p.next_due IS NULL OR p.next_due >= %s)"
        milli_cases, milli_args = [], []
        for stage in ind.PIPE_STAGES:
            stages = [k for k, v in ind.PIPE_OF.items() if v == stage]
            in_stage = base.format(", ".join(f"'{s}'" for s in stages))
            edges = ind.LEAD_EDGES[stage]
            for i in range(ind.N_BINS):
                conds, cargs = [in_stage, counted], [day]
                if i < len(edges):  # age <= edge  ⇔  since >= day - edge
                    conds.append("p.stage_since >= %s")
                    cargs.append(day - dt.timedelta(days=edges[i]))
                if i > 0:
                    conds.append("p.stage_since < %s")
                    cargs.append(day - dt.timedelta(days=edges[i - 1]))
                cond = " AND ".join(conds)
                cols.append(f"COUNT(*) FILTER (WHERE {cond})")
                args += cargs
                fields.append(f"now_{ind.PIPE_KEY[stage]}{i}")
                milli = snap.milli[stage][i]
                if milli:
                    milli_cases.append(f"WHEN {cond} THEN {int(milli)}")
                    milli_args += cargs
        pipe_all = base.format(", ".join(f"'{s}'" for s in ind.PIPE_OF))
        cols.append(f"COUNT(*) FILTER (WHERE {pipe_all} AND p.error_count = 0 AND p.next_due < %s)")
        args.append(day)
        cols.append(f"COUNT(*) FILTER (WHERE {pipe_all} AND p.error_count > 0)")
        fields += ["now_stale", "now_blocked"]
        if milli_cases:
            case = "CASE " + " ".join(milli_cases) + " ELSE 0 END"
            cols.append(f"SUM({case})")
            args += milli_args
            cols.append(f"SUM(CASE WHEN p.school_role IN ({teacher_in}) THEN {case} ELSE 0 END)")
            args += list(TEACHER) + milli_args
            fields += ["proj_milli", "proj_teacher_milli"]
        layout.append((w.key, [P[f] for f in fields]))
    if not layout:
        return None
    pipe_all = "p.stage_since IS NOT NULL AND p.stage IN ({})".format(
        ", ".join(f"'{s}'" for s in ind.PIPE_OF)
    )
    sql = f"""SELECT COALESCE(p.unit_id, -1), {", ".join(cols)} FROM {person_t} p
        WHERE {pipe_all} AND {plain}
        GROUP BY p.unit_id"""
    return sql, args, layout


def _add_rows(rows: np.ndarray, layout, own: _Own) -> None:
    """Add rows (unit, values…; one row per unit) laid out as `layout` (window key, consecutive PERSON_FIELDS
    indexes) per part."""
    if not len(rows):
        return
    units = rows[:, 0]
    at = 1
    for wkey, idx in layout:
        start = _span([ind.PERSON_FIELDS[i] for i in idx])
        own.add_rows(wkey, units, start, rows[:, at : at + len(idx)])
        at += len(idx)


def _int_rows(cur, sql: str, args: list, ncols: int) -> np.ndarray:
    batches = list(arrays.query_batches(cur, sql, args, ncols, connection.vendor))
    return np.concatenate(batches) if batches else np.zeros((0, ncols), np.int64)


def _ncols(layout) -> int:
    return 1 + sum(len(idx) for _, idx in layout)


class _Aside(threading.Thread):
    """One query run on a connection of its own while this one counts something else (PostgreSQL, a big tree:
    the persons' stocks need nothing the other counts make). It sees only committed rows: used by rebuilds of
    a big tree, which never run inside a transaction that wrote persons (there, tree changes and projection
    refreshes are queued for the background worker)."""

    def __init__(self, sql: str, args: list, ncols: int, special: Sequence[int]):
        super().__init__(name="rollup-stocks", daemon=True)
        self.sql, self.args, self.ncols, self.special = sql, args, ncols, list(special)
        self.rows: np.ndarray | None = None
        self.error: BaseException | None = None
        self.params = connection.get_connection_params()

    def run(self) -> None:
        try:
            conn = connection.get_new_connection(self.params)
            try:
                with conn.cursor() as cur:
                    cur.execute(f"SET work_mem = '{WORK_MEM}'")
                    cur.execute("SET jit = on")
                    if self.special:
                        cur.execute("CREATE TEMPORARY TABLE ketnap_special (person_id bigint PRIMARY KEY)")
                        cur.executemany("INSERT INTO ketnap_special (person_id) VALUES (%s)",
                                        [(i,) for i in self.special])  # fmt: skip
                    self.rows = _int_rows(cur, self.sql, self.args, self.ncols)
            finally:
                conn.rollback()
                conn.close()
        except BaseException as exc:  # handed to the caller's thread by result()
            self.error = exc

    def result(self) -> np.ndarray:
        self.join()
        if self.error is not None:
            raise self.error
        return self.rows


def _date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _person_own(person_ids: Iterable[int], windows, calendar, params, own: _Own, projections=None,
                fields: Sequence[str] | None = None) -> None:  # fmt: skip
    """Add the exact contributions of these persons (rules.indicators.contributions); only `fields` if given."""
    from ketnap.people.models import Person, PersonEvent

    keep = set(fields) if fields is not None else None
    ids = list(person_ids)
    for i in range(0, len(ids), 2000):
        part = ids[i : i + 2000]
        events: dict[int, list] = defaultdict(list)
        for ev in PersonEvent.objects.filter(person_id__in=part).order_by("occurred_on", "id"):
            events[ev.person_id].append(event_rec(ev))
        for person in Person.objects.filter(pk__in=part):
            for (wkey, unit), counts in ind.contributions(
                person_rec(person), events[person.pk], windows, calendar, params, projections
            ).items():
                row = own.row(wkey, unit)
                for name, x in counts.items():
                    if keep is None or name in keep:
                        row[P[name]] += x


def learning_totals(keys: Sequence[str], own: _Own | None = None) -> dict[str, int]:
    """The whole tree's flows over some windows: from the own counters being built (every unit's, whatever
    the tree), else from the built roots' rows."""
    names = [*ind.ENTRY_FLOW.values(), *ind.LEAD_FIELDS, *ind.STEP_FIELDS]
    out = dict.fromkeys(names, 0)
    if own is not None and all(k in own.data for k in keys):
        for k in keys:
            sums = own[k].sum(axis=0)
            for n in names:
                out[n] += int(sums[P[n]])
        return out
    for values in Rollup.objects.filter(window__in=list(keys), parent_id__isnull=True).values_list(*names):
        for n, v in zip(names, values):
            out[n] += v
    return out


def projections_for(windows: Sequence[ind.Window], as_of: dt.date, params, own: _Own | None = None,
                    chain=None) -> dict[str, ind.Projection]:  # fmt: skip
    """The snapshots of the open windows, taken on `as_of`, under the whole tree's models (learned from the
    school years before; built first when missing)."""
    open_ = [w for w in windows if ind.is_open(w, as_of)]
    if not open_:
        return {}
    years = ind.learning_years(as_of, params, conf.school_year_start())
    keys = [y.key for y in years]
    if own is None or not all(k in own.data for k in keys):
        missing = [y for y in years if y.key not in built_keys() and not (own and y.key in own.data)]
        if missing:
            build(missing)
    totals = learning_totals(keys, own)
    models = ind.choose_models([(None, totals)], params)
    return {w.key: ind.window_projection(w, as_of, models) for w in open_}


def stored_projections() -> dict[str, ind.Projection]:
    return {
        key: ind.Projection.from_json(data)
        for key, data in RollupWindow.objects.exclude(projection=None).values_list("key", "projection")
    }


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector paused: a rebuild creates millions of lists (the counters) and none of them
    in a cycle, and each full collection walks them all (at nation scale it doubled the trees' and totals' time).
    Nested uses keep it paused; it runs again (and catches up) when the outermost ends."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


_INPUTS = 0  # calls of _inputs (a projection may build a missing learning year inside another build)
WORK_MEM = "256MB"  # PostgreSQL, while counting the inputs of a rebuild


def _load_exempt() -> dict[str, set[int]]:
    exempt: dict[str, set[int]] = defaultdict(set)
    for unit_id, key in NoSourceRecord.objects.values_list("unit_id", "window"):
        exempt[key].add(unit_id)
    return exempt


ORDINAL_1970 = EPOCH.toordinal()


def _ordinals(days: np.ndarray, none: int) -> np.ndarray:
    """Days from EPOCH (NO_DAY: none) as date ordinals (`none` for none)."""
    return np.where(days == NO_DAY, none, days + ORDINAL_1970)


def tree_arrays(cur=None) -> arrays.TreeArrays:
    """The tree read as columns of integers (`arrays.grouped_columns`): its units, their parents' history, the
    schools; no record object per unit (the rule book's records of a nation's 463,000 units took 5.5 s)."""
    from ketnap.orgs.models import OrgLink, OrgUnit, School

    vendor = connection.vendor
    own_cursor = cur is None
    cur = cur or connection.cursor()
    try:

        def read(sql: str, args: list, names: Sequence[str]) -> dict[str, np.ndarray]:
            groups = arrays.grouped_columns(cur, sql, args, len(names), vendor)
            return {name: np.concatenate([g[i] for g in groups.values()]) if groups else np.zeros(0, np.int64)
                    for i, name in enumerate(names)}  # fmt: skip

        cells = ", ".join("%s" for _ in ind.CELL_KINDS)
        units = read(
            f"SELECT 0, u.id, CASE WHEN u.kind IN ({cells}) THEN 1 ELSE 0 END, CASE WHEN u.kind = 'cell' THEN 1 "
            "ELSE 0 END, CASE WHEN u.kind = 'grassroots' THEN 1 ELSE 0 END, CASE WHEN u.cell_kind = 'student' "
            f"THEN 1 ELSE 0 END, {_day_sql('u.founded_on')}, {_day_sql('u.dissolved_on')}, "
            f"COALESCE(u.parent_id, -1) FROM {OrgUnit._meta.db_table} u",
            sorted(ind.CELL_KINDS),
            ("id", "is_cell", "plain_cell", "grassroots", "student", "founded", "dissolved", "parent"),
        )
        units["founded"] = _ordinals(units["founded"], arrays.MIN_DAY)
        units["dissolved"] = _ordinals(units["dissolved"], arrays.MAX_DAY)
        links = read(
            f"SELECT 0, k.id, k.child_id, k.parent_id, {_day_sql('k.valid_from')}, {_day_sql('k.valid_to')} "
            f"FROM {OrgLink._meta.db_table} k",
            [],
            ("id", "child", "parent", "valid_from", "valid_to"),
        )
        by_id = np.argsort(links.pop("id"), kind="stable")  # as load_tree_records: by id
        links = {name: values[by_id] for name, values in links.items()}
        links["valid_from"] = _ordinals(links["valid_from"], arrays.MIN_DAY)
        links["valid_to"] = _ordinals(links["valid_to"], arrays.MAX_DAY)
        he = ", ".join("%s" for _ in ind.HE_LEVELS)
        levels = read(
            f"SELECT 0, s.party_org_id, MAX(CASE WHEN s.level IN ({he}) THEN 1 ELSE 0 END) FROM "
            f"{School._meta.db_table} s WHERE s.party_org_id IS NOT NULL GROUP BY s.party_org_id",
            sorted(ind.HE_LEVELS),
            ("org", "he"),
        )
        k12 = ", ".join("%s" for _ in ind.K12_LEVELS)
        schools = read(
            f"SELECT 0, COALESCE(s.party_org_id, -1), COALESCE(s.ward_id, -1) FROM {School._meta.db_table} s "
            f"WHERE s.level IN ({k12})",
            sorted(ind.K12_LEVELS),
            ("org", "ward"),
        )
    finally:
        if own_cursor:
            cur.close()
    return arrays.TreeArrays(units, links, levels, schools)


def _window_tree(w: ind.Window, prep: arrays.TreeArrays, exempt, params) -> arrays.Tree:
    """The window's tree for a build: the rule book's `window_tree` by array arithmetic (`arrays.window_tree`;
    `check` recomputes with the rule book's)."""
    return arrays.window_tree(prep, w, exempt.get(w.key, ()) if w.kind == "SY" else (), params)


class _TreeAside(threading.Thread):
    """The tree read (its own connection: committed rows only, as `_Aside`), prepared, and each window's tree
    built, in a thread of its own: Python work that runs while the main thread waits for the database."""

    def __init__(self, windows: Sequence[ind.Window], params):
        super().__init__(name="rollup-tree", daemon=True)
        self.windows, self.params = list(windows), params
        self.data = None
        self.exempt: dict[str, set[int]] = {}
        self.trees: dict[str, arrays.Tree] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.data = tree_arrays()
            self.exempt = _load_exempt()
            for w in self.windows:
                self.trees[w.key] = _window_tree(w, self.data, self.exempt, self.params)
        except BaseException as exc:  # handed to the caller's thread by result()
            self.error = exc
        finally:
            connection.close()  # this thread's connection

    def result(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.data, self.exempt, self.trees


def _inputs(windows: Sequence[ind.Window], calendar, params, projections=None, as_of=None):
    """Own counters of every unit per window, the projections of the open windows (the given snapshots, or
    new ones taken on `as_of`), the prepared tree, the exemptions."""
    global _INPUTS
    _INPUTS += 1
    from ketnap.orgs.models import OrgUnit

    special = special_person_ids()
    pg = connection.vendor == "postgresql"
    stocks = _stocks_query(windows, special)
    aside = tree = None
    if pg and OrgUnit.objects.count() > PARALLEL_UNITS:
        # big trees: the stocks counted on another connection while this one counts the events; the tree read
        # and prepared in a thread while both wait for the database
        aside = _Aside(stocks[0], stocks[1], _ncols(stocks[2]), special)
        tree = _TreeAside(windows, params)
        aside.start()
        tree.start()
    own = _Own(
        windows, (OrgUnit.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    )  # (2 GB written at nation scale)
    with connection.cursor() as cur:
        if pg:  # a few large hash joins and aggregates: in memory rather than in batches on disk
            cur.execute("SHOW work_mem")
            work_mem = cur.fetchone()[0]
            cur.execute("SHOW jit")
            jit = cur.fetchone()[0]
            cur.execute(f"SET work_mem = '{WORK_MEM}'")
            cur.execute("SET jit = on")  # (the pages' connections turn it off: ketnap.settings)
        try:
            _temp_tables(cur, special, calendar, params)
            _events_own(cur, windows, special, own)
            _person_own(special, windows, calendar, params, own)  # flows and stocks (no projection yet)
            if projections is None:
                before = _INPUTS
                projections = projections_for(windows, as_of or timezone.localdate(), params, own)
                if (
                    _INPUTS != before
                ):  # a missing learning year was built meanwhile, with its own session tables
                    _temp_tables(cur, special, calendar, params)
            projections = {k: v for k, v in projections.items() if k in own.data}
            if aside is not None:
                _add_rows(aside.result(), stocks[2], own)
            else:
                _add_rows(_int_rows(cur, stocks[0], stocks[1], _ncols(stocks[2])), stocks[2], own)
            query = _projection_query(windows, special, projections)
            if query is not None:
                _add_rows(_int_rows(cur, query[0], query[1], _ncols(query[2])), query[2], own)
            if projections:
                open_ = [w for w in windows if w.key in projections]
                _person_own(special, open_, calendar, params, own, projections, ind.PROJECTION_FIELDS)
            for name in ("ketnap_special", "ketnap_due"):
                cur.execute(f"DROP TABLE IF EXISTS {name}")
        finally:
            for thread in (aside, tree):
                if thread is not None and thread.ident is not None:
                    thread.join()  # (its error, if any, is raised by result() above, or hidden by this one's)
            if pg:
                cur.execute(f"SET work_mem = '{work_mem}'")
                cur.execute(f"SET jit = {'on' if jit == 'on' else 'off'}")
    if tree is None:
        data, exempt, trees = tree_arrays(), _load_exempt(), {}
    else:
        data, exempt, trees = tree.result()
    return own, data, exempt, projections, trees


def _window_result(w: ind.Window, own, data, exempt, params, lagging: set[int] | None = None):
    nodes = ind.window_tree(data, window=w, exempt_ids=exempt.get(w.key, ()) if w.kind == "SY" else (),
                            params=params)  # fmt: skip
    return nodes, ind.totals_for_tree(nodes, own.mapping(w.key), lagging)


def compute(windows: Sequence[ind.Window], calendar=None, params=None, projections=None):
    """{window key: (nodes, totals)} computed from scratch (with the stored projections of the open windows
    unless others are given)."""
    calendar = calendar or _calendar()
    params = params or conf.params()
    if projections is None:
        projections = stored_projections()
    with _no_gc():
        own, _, exempt, _, _ = _inputs(windows, calendar, params, projections)
        data = ind.prepare_tree(*load_tree_records())  # the rule book's tree, the reference
        return {w.key: _window_result(w, own, data, exempt, params) for w in windows}


# ---------------------------------------------------------------------------------------------- writing


def _row(window, node: ind.Node, lagging: bool, totals: Sequence[int]) -> list:
    """One row in COLUMNS order."""
    return [
        window, node.id, node.parent_id, node.path, node.depth, node.lo, node.hi, node.active, node.is_cell,
        node.school_kind, node.k12_cell, node.he_subcell, node.he_student_cell, node.exempt, lagging, *totals,
    ]  # fmt: skip


def _row_values(wkey: str, node: ind.Node, totals: ind.TotalsView | None) -> list:
    totals = totals if totals is not None else ind.TotalsView()
    return _row(wkey, node, bool(ind.unit_flags(node, totals).get("lagging")), totals.values)


COLUMNS = ["window", "unit_id", *NODE_FIELDS, "own_lagging", *ind.TOTAL_FIELDS]


def _window_arrays(w: ind.Window, own: _Own, data, exempt, params, trees=None):
    """The window's tree (built already, or now) and every unit's totals by array arithmetic (`targets.arrays`;
    `check` recomputes them with the rule book's `totals_for_tree`)."""
    tree = (trees or {}).get(w.key) or _window_tree(w, data, exempt, params)
    totals, lagging = arrays.totals(tree, own[w.key])
    return tree, totals, lagging


def _window_text(w: ind.Window, own, data, exempt, params, trees=None) -> tuple[str, int, bytes]:
    tree, totals, lagging = _window_arrays(w, own, data, exempt, params, trees)
    return w.key, tree.n, arrays.rows_text(window_code(w.key), tree, totals, lagging)


def _window_rows(w: ind.Window, own, data, exempt, params):
    """The window's rows as lists in COLUMNS order (the INSERT path: the window as stored, `window_code`)."""
    tree, totals, lagging = _window_arrays(w, own, data, exempt, params)
    code = window_code(w.key)
    for facts, values in zip(tree.rows(lagging), totals.tolist()):
        yield [code, *facts, *values]


_SHARED: tuple = ()


def _window_text_job(key: str) -> tuple[str, int, bytes]:
    """Runs in a forked worker: the inputs are inherited (copy-on-write), only the text comes back."""
    own, data, exempt, params, trees = _SHARED
    return _window_text(conf.window(key), own, data, exempt, params, trees)


def _copy(table: str, text: bytes, freeze: bool = False) -> None:
    """`freeze`: the table was emptied in this (sub)transaction; the rows are written frozen (visible to all,
    nothing left for the first readers or VACUUM to write)."""
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    options = " (FREEZE)" if freeze else ""
    with connection.cursor() as cur, cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN{options}") as copy:
        for i in range(0, len(text), 1 << 24):
            copy.write(text[i : i + (1 << 24)])


def _insert(table: str, rows) -> None:
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('%s' for _ in COLUMNS)})"
    with connection.cursor() as cur:
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)


def _drop_secondary_indexes(table: str) -> list[str]:
    """Drop the table's non-unique indexes (and, on PostgreSQL, its primary key and unique constraints: the
    COPY does not maintain them row by row, they are built once afterwards); returns the statements that create
    them again."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
                        "AND contype IN ('p', 'u') ORDER BY contype, conname", [table])  # fmt: skip
            constraints = cur.fetchall()
            for name, _ in constraints:
                cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            again = [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {sql}' for name, sql in constraints]
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i JOIN pg_class c ON c.relname = i.indexname "
                "JOIN pg_index x ON x.indexrelid = c.oid WHERE i.tablename = %s AND NOT x.indisunique",
                [table],
            )
        else:
            cur.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT "
                        "NULL AND sql NOT LIKE 'CREATE UNIQUE%%'", [table])  # fmt: skip
            again = []
        found = cur.fetchall()
        for name, _ in found:
            cur.execute(f'DROP INDEX "{name}"')
    return again + [sql for _, sql in found]


MAINTENANCE_WORK_MEM = "512MB"  # PostgreSQL, while the rollup's indexes are built again after a full rebuild
PARALLEL_UNITS = 100_000  # PostgreSQL: above this many units, windows are computed by two forked workers


def build(windows: Sequence[ind.Window], log=None, as_of: dt.date | None = None) -> dict[str, float]:
    """(Re)build the rows of these windows in one transaction; returns seconds per step. An open window's
    dossiers in progress are counted as of `as_of` (default today): a new projection snapshot."""
    global _SHARED
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    table = Rollup._meta.db_table
    forget_lost_rows()  # (the other windows then count as never built, not as built with no row)
    with _no_gc(), transaction.atomic():
        # Lock the windows' state rows first: events recorded meanwhile wait, then see the new rows.
        now = timezone.now()
        for w in windows:
            RollupWindow.objects.update_or_create(key=w.key, defaults={"built_at": now})
        list(RollupWindow.objects.select_for_update().filter(key__in=[w.key for w in windows]))
        stamp = tree_stamp()
        calendar, params = _calendar(), conf.params()
        own, data, exempt, projections, trees = _inputs(windows, calendar, params, as_of=as_of)
        timings["inputs"] = time.perf_counter() - clock
        if log:
            log(f"  đếm từ sổ sự kiện: {timings['inputs']:.1f} s")
        clock = time.perf_counter()
        everything = built_keys() <= {w.key for w in windows}
        indexes = []
        if everything:  # a full rebuild: empty the table, load it, then build its indexes once
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM {table}" if connection.vendor == "sqlite" else f"TRUNCATE {table}")
            indexes = _drop_secondary_indexes(table)
        else:
            Rollup.objects.filter(window__in=[w.key for w in windows]).delete()
        units: dict[str, int] = {}
        if connection.vendor == "postgresql":
            if data.n > PARALLEL_UNITS and len(windows) > 1:
                import multiprocessing

                _SHARED = (own, data, exempt, params, trees)
                try:
                    with multiprocessing.get_context("fork").Pool(2) as pool:
                        for key, n, text in pool.imap_unordered(_window_text_job, [w.key for w in windows]):
                            started = time.perf_counter()
                            _copy(table, text, everything)
                            timings["copy"] = timings.get("copy", 0.0) + time.perf_counter() - started
                            units[key] = n
                finally:
                    _SHARED = ()
            else:
                for w in windows:
                    key, n, text = _window_text(w, own, data, exempt, params, trees)
                    _copy(table, text, everything)
                    units[key] = n
        else:
            for w in windows:
                rows = list(_window_rows(w, own, data, exempt, params))
                _insert(table, rows)
                units[w.key] = len(rows)
        if indexes:
            started = time.perf_counter()
            with connection.cursor() as cur:
                if connection.vendor == "postgresql":  # sorts in memory rather than in batches on disk
                    cur.execute("SHOW maintenance_work_mem")
                    maintenance = cur.fetchone()[0]
                    cur.execute(f"SET maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
                for sql in indexes:
                    cur.execute(sql)
                if connection.vendor == "postgresql":
                    cur.execute(f"SET maintenance_work_mem = '{maintenance}'")
            timings["indexes"] = time.perf_counter() - started
        for key, n in units.items():
            snap = projections.get(key)
            RollupWindow.objects.filter(key=key).update(
                built_at=timezone.now(), tree_stamp=stamp, units=n, seconds=timings["inputs"],
                projection=snap.to_json() if snap else None, tree_changed_on=None,
            )  # fmt: skip
        timings["trees_and_write"] = time.perf_counter() - clock
        if log:
            parts = ", ".join(
                f"{label} {timings[name]:.1f} s"
                for name, label in (("copy", "COPY"), ("indexes", "chỉ mục"))
                if name in timings
            )
            log(
                f"  cây tổ chức từng kỳ, tổng và ghi: {timings['trees_and_write']:.1f} s"
                + (f" ({parts})" if parts else "")
            )
    return timings


def built_keys() -> set[str]:
    return set(RollupWindow.objects.values_list("key", flat=True))


def _lost() -> bool:
    """Windows recorded as built with units, and not one row: PostgreSQL empties the table (UNLOGGED, targets
    migration 0008) when it recovers from a crash."""
    return RollupWindow.objects.filter(units__gt=0).filter(~Exists(Rollup.objects.all())).exists()


LOSES_ROWS = {"postgresql"}  # the databases where the table is UNLOGGED (SQLite: no query per page for it)


def forget_lost_rows() -> bool:
    """If the rows were lost, forget the windows' builds (they are built again on their next use); True then."""
    if connection.vendor not in LOSES_ROWS or not _lost():
        return False
    with transaction.atomic():
        # a build under way commits first, and then nothing is lost
        list(RollupWindow.objects.select_for_update())
        if not _lost():
            return False
        RollupWindow.objects.all().delete()
    return True


def ensure(windows: Sequence[ind.Window]) -> list[str]:
    """Build the windows that have no rows yet (or whose rows were lost); returns their keys."""
    forget_lost_rows()
    have = built_keys()
    missing = [w for w in windows if w.key not in have]
    if missing:
        build(missing)
    return [w.key for w in missing]


def check(windows: Sequence[ind.Window]) -> list[tuple[str, int, str, object, object]]:
    """(window, unit, field, stored, computed) for every difference between the rows and a recomputation."""
    out = []
    computed = compute(windows)
    with _no_gc():
        _compare(windows, computed, out)
    return out


def _compare(windows, computed, out: list) -> None:
    for w in windows:
        nodes, totals = computed[w.key]
        stored = {r["unit_id"]: r for r in Rollup.objects.filter(window=w.key).values("unit_id", *NODE_FIELDS,
                                                                                        "own_lagging", *ind.TOTAL_FIELDS)}  # fmt: skip
        for uid, node in nodes.items():
            row = stored.pop(uid, None)
            values = dict(zip(COLUMNS, _row_values(w.key, node, totals.get(uid))))
            if row is None:
                out.append((w.key, uid, "(row)", None, "missing"))
                continue
            for name in (*NODE_FIELDS, "own_lagging", *ind.TOTAL_FIELDS):
                if row[name] != values[name]:
                    out.append((w.key, uid, name, row[name], values[name]))
        for uid in stored:
            out.append((w.key, uid, "(row)", "extra", None))


# ---------------------------------------------------------------------------------------------- incremental


def _node(row: Rollup) -> ind.Node:
    return ind.Node(row.unit_id, "", row.parent_id, row.depth, row.path, row.lo, row.hi, row.active,
                    row.is_cell, row.school_kind, row.k12_cell, row.he_subcell, row.he_student_cell,
                    row.exempt)  # fmt: skip


def _apply(wkey: str, own_delta: dict[int, dict[str, int]], exempt: dict[int, bool] | None = None) -> None:
    """Add own counters (and exemption changes) of some units to the window's rows, recomputing the flags
    of every unit on the way up and adding each unit's change to its ancestors."""
    exempt = exempt or {}
    units = set(own_delta) | set(exempt)
    rows = {r.unit_id: r for r in Rollup.objects.filter(window=wkey, unit_id__in=units)}
    if not rows:
        return
    ancestors = {int(seg) for r in rows.values() for seg in r.path.split(".") if seg}
    rows.update({r.unit_id: r for r in Rollup.objects.filter(window=wkey, unit_id__in=ancestors - set(rows))})
    acc: dict[int, Counter] = defaultdict(Counter)
    for uid, d in own_delta.items():
        if uid in rows:
            acc[uid].update(ind.own_totals(_node(rows[uid]), d, static=False))
    updates: dict[int, dict] = {}
    for row in sorted(rows.values(), key=lambda r: r.depth, reverse=True):
        uid = row.unit_id
        old_node = _node(row)
        new_node = _node(row)
        if uid in exempt:
            new_node.exempt = exempt[uid]
        old_t = Counter(row.totals())
        new_t = old_t + Counter()  # copy
        for k, v in acc[uid].items():
            new_t[k] = new_t.get(k, 0) + v
        old_f, new_f = ind.unit_flags(old_node, old_t), ind.unit_flags(new_node, new_t)
        for k in set(old_f) | set(new_f):
            delta = new_f.get(k, 0) - old_f.get(k, 0)
            if delta:
                acc[uid][k] += delta
        change = {k: v for k, v in acc[uid].items() if v}
        fields = {}
        if change:
            fields.update({k: F(k) + v for k, v in change.items()})
        if new_node.exempt != old_node.exempt:
            fields["exempt"] = new_node.exempt
        lagging = bool(new_f.get("lagging"))
        if lagging != row.own_lagging:
            fields["own_lagging"] = lagging
        if fields:
            updates[row.pk] = fields
        if row.parent_id is not None and row.parent_id in rows and change:
            acc[row.parent_id].update(change)
    for pk, fields in updates.items():
        Rollup.objects.filter(pk=pk).update(**fields)


def snapshot(person) -> ind.PersonRec:
    """The person as the rollup sees it, taken before a change (see `person_changed`)."""
    return person_rec(person)


def person_changed(before: ind.PersonRec, person, before_events, after_events=None, calendar=None) -> None:
    """Called by the people actions inside their transaction, after the person (and a new event) are saved:
    adds the difference of the person's contributions to the built windows' rows."""
    keys = built_keys()
    if not keys:
        return
    windows = [conf.window(k) for k in sorted(keys)]
    calendar = calendar or _calendar()
    params = conf.params()
    snaps = stored_projections()
    old_events = [event_rec(e) for e in before_events]
    new_events = old_events if after_events is None else [event_rec(e) for e in after_events]
    changes = ind.diff(
        ind.contributions(person_rec(person), new_events, windows, calendar, params, snaps),
        ind.contributions(before, old_events, windows, calendar, params, snaps),
    )
    if not changes:
        return
    by_window: dict[str, dict[int, dict]] = defaultdict(dict)
    for (wkey, unit), d in changes.items():
        by_window[wkey][unit] = d
    list(RollupWindow.objects.select_for_update().filter(key__in=list(by_window)))
    for wkey, own_delta in by_window.items():
        _apply(wkey, own_delta)


def calendar_changed(day: dt.date, before, after, person_states: dict[int, dict] | None = None) -> int:
    """The working-day calendar changed on `day` (inside the calendar action's transaction): add the difference
    of the contributions it makes to the built windows' rows; returns the number of persons whose
    contributions changed.

    The calendar reaches the contributions through the recognition's "on time" (`ind.on_time`: decided within
    `recognition_working_days` of `probation_end`), which changes only when probation_end < day <= that due
    date, so the persons to look at have their probation ending within that many working days before `day`;
    plus the persons whose cached state the calendar changed (`person_states`: their state before), counted
    before with that state and the old calendar, after with the saved state and the new one."""
    from ketnap.people.models import Person, PersonEvent

    keys = built_keys()
    if not keys:
        return 0
    windows = [conf.window(k) for k in sorted(keys)]
    params = conf.params()
    states = person_states or {}
    n = params.recognition_working_days
    since = min(before.add_working_days(day, -n), after.add_working_days(day, -n))
    ids = set(states)
    ids.update(
        Person.objects.filter(probation_end__gte=since, probation_end__lt=day).values_list("pk", flat=True)
    )
    if not ids:
        return 0
    events: dict[int, list] = defaultdict(list)
    for ev in PersonEvent.objects.filter(person_id__in=ids).order_by("occurred_on", "id"):
        events[ev.person_id].append(event_rec(ev))
    by_window: dict[str, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    persons = 0
    snaps = stored_projections()
    for person in Person.objects.filter(pk__in=ids):
        evs = events[person.pk]
        changes = ind.diff(
            ind.contributions(person_rec(person), evs, windows, after, params, snaps),
            ind.contributions(person_rec(person, states.get(person.pk)), evs, windows, before, params, snaps),
        )
        persons += bool(changes)
        for (wkey, unit), d in changes.items():
            by_window[wkey][unit].update(d)
    if by_window:
        list(RollupWindow.objects.select_for_update().filter(key__in=list(by_window)))
        for wkey, own_delta in by_window.items():
            _apply(wkey, {u: dict(c) for u, c in own_delta.items() if any(c.values())})
    return persons


def on_calendar_changed(*, day, before, after, report, **kwargs):
    """Receiver of `core.calendar.calendar_changed`; runs after the people app's (INSTALLED_APPS order)."""
    if "persons_checked" not in report:
        raise RuntimeError("the rollup follows the persons' recomputed state: people's receiver runs first")
    report["rollup_persons"] = calendar_changed(day, before, after, report.get("person_states"))


def set_exempt(unit_id: int, wkey: str, exempt: bool) -> None:
    if wkey not in built_keys():
        return
    list(RollupWindow.objects.select_for_update().filter(key=wkey))
    _apply(wkey, {}, {unit_id: exempt})


class _Observer:
    """people.write's observer: the person's contributions before a write, and their difference after it."""

    def snapshot(self, person):
        return snapshot(person)

    def changed(self, before, person, events_before, events_after, calendar):
        person_changed(before, person, events_before, events_after, calendar)


OBSERVER = _Observer()


def _small_tree() -> bool:
    from ketnap.orgs.models import OrgUnit

    return OrgUnit.objects.count() <= conf.inline_units()


def tree_changed(on: dt.date) -> None:
    """A unit was created or moved from ``on`` (inside the action's transaction): the built windows that end
    on or after it are rebuilt — at once for a small tree, else by the background worker (a rebuild of the
    nation takes about a minute): the windows are marked (`tree_changed_on`, the dashboards say so) and the
    task is queued in the same transaction, so it exists exactly when the change is committed."""
    windows = [conf.window(k) for k in built_keys()]
    stale = [w for w in windows if w.end >= on]
    if not stale:
        return
    if _small_tree():
        build(stale)
        return
    from ketnap.targets import tasks

    keys = sorted(w.key for w in stale)
    for rw in RollupWindow.objects.select_for_update().filter(key__in=keys):
        if rw.tree_changed_on is None or on < rw.tree_changed_on:
            RollupWindow.objects.filter(pk=rw.pk).update(tree_changed_on=on)
    tasks.rebuild_windows.enqueue(keys)


def rebuild_pending(keys: Sequence[str]) -> list[str]:
    """The background task of a tree change: rebuild those of the windows still marked (a later change may
    have queued them again; a rebuild that ran meanwhile cleared the mark)."""
    marked = sorted(
        RollupWindow.objects.filter(key__in=list(keys), tree_changed_on__isnull=False).values_list(
            "key", flat=True
        )
    )
    if marked:
        build([conf.window(k) for k in marked])
    return marked


def tree_change_pending(wkey: str) -> dt.date | None:
    return RollupWindow.objects.filter(key=wkey).values_list("tree_changed_on", flat=True).first()


def refresh_due(today: dt.date) -> list[str]:
    """Windows whose projection snapshot is older than today (or that have opened or closed since): their
    dossiers in progress must be counted again as of today."""
    out = []
    for key, data in RollupWindow.objects.values_list("key", "projection"):
        w = conf.window(key)
        taken = dt.date.fromisoformat(data["as_of"]) if data else None
        if (taken is not None and taken < today) or (taken is None and ind.is_open(w, today)):
            out.append(key)
    return sorted(out)


def refresh_if_due(today: dt.date) -> None:
    """Take a new projection snapshot of the windows that need one: at once for a small tree, else queued
    for the background worker once a day (the page shows the day the projection was taken meanwhile)."""
    due = refresh_due(today)
    if not due:
        return
    if _small_tree():
        build([conf.window(k) for k in due], as_of=today)
        return
    from ketnap.targets import tasks

    with transaction.atomic():
        todo = list(
            RollupWindow.objects.select_for_update()
            .filter(key__in=due)
            .exclude(refresh_queued_on=today)
            .values_list("key", flat=True)
        )
        if todo:
            RollupWindow.objects.filter(key__in=todo).update(refresh_queued_on=today)
            tasks.refresh_projections.enqueue(sorted(todo))


def refresh(keys: Sequence[str], today: dt.date | None = None) -> list[str]:
    """The background task of the daily refresh."""
    today = today or timezone.localdate()
    due = [k for k in refresh_due(today) if k in set(keys)]
    if due:
        build([conf.window(k) for k in due], as_of=today)
    return due


def stale_stamp(wkey: str) -> bool:
    stamp = RollupWindow.objects.filter(key=wkey).values_list("tree_stamp", flat=True).first()
    return stamp is not None and stamp != tree_stamp()


__all__ = [
    "build",
    "calendar_changed",
    "check",
    "compute",
    "ensure",
    "person_changed",
    "snapshot",
    "set_exempt",
    "tree_changed",
]
