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

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from django.db import connection, transaction
from django.db.models import F, Max
from django.utils import timezone

from ketnap.rules import indicators as ind
from ketnap.targets import conf
from ketnap.targets.models import NoSourceRecord, Rollup, RollupWindow

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
        for row in OrgLink.objects.values_list("child_id", "parent_id", "valid_from", "valid_to").order_by()
    ]
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
        excellent=bool(person.excellent_youth_union_member),
        stage=get("stage"),
        stage_since=get("stage_since"),
        party_age_from=get("party_age_from"),
        probation_end=get("probation_end"),
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
    """Persons counted one by one: a correction or a move in their ledger."""
    from ketnap.people.models import PersonEvent

    ids = set(PersonEvent.objects.filter(corrects__isnull=False).values_list("person_id", flat=True))
    ids |= set(PersonEvent.objects.filter(kind__in=ind.MOVE_KINDS).values_list("person_id", flat=True))
    return sorted(ids)


def _not_special(column: str, special: Sequence[int]) -> str:
    if not special:
        return ""
    return f" AND {column} NOT IN ({','.join(str(int(i)) for i in special)})"


def _sql_own(windows: Sequence[ind.Window], special: Sequence[int], calendar, params) -> dict:
    """own[window key][unit id] = Counter, for the persons without corrections and moves."""
    person_t, event_t = _tables()
    own: dict[str, dict[int, Counter]] = {w.key: defaultdict(Counter) for w in windows}
    kinds = list(ind.FLOW_KINDS)
    teacher_in = ",".join("%s" for _ in TEACHER)
    with connection.cursor() as cur:
        for w in windows:
            own_w = own[w.key]
            cur.execute(
                f"""SELECT e.org_id, e.kind, COUNT(DISTINCT e.person_id),
                       COUNT(DISTINCT CASE WHEN p.school_role IN ({teacher_in}) THEN e.person_id END),
                       COUNT(DISTINCT CASE WHEN p.excellent_youth_union_member THEN e.person_id END)
                FROM {event_t} e JOIN {person_t} p ON p.id = e.person_id
                WHERE e.kind IN ({",".join("%s" for _ in kinds)}) AND e.occurred_on >= %s
                  AND e.occurred_on <= %s{_not_special("e.person_id", special)}
                GROUP BY e.org_id, e.kind""",
                [*TEACHER, *kinds, w.start, w.end],
            )
            for org, kind, n, teachers, excellent in cur.fetchall():
                name = ind.FLOW_KINDS[kind]
                c = own_w[org]
                c[name] += n
                if name == "admitted":
                    c["admitted_teacher"] += teachers
                    c["admitted_excellent"] += excellent
            # Imported members: admitted on the decision date they were imported with.
            cur.execute(
                f"""SELECT e.org_id, COUNT(DISTINCT p.id),
                       COUNT(DISTINCT CASE WHEN p.school_role IN ({teacher_in}) THEN p.id END),
                       COUNT(DISTINCT CASE WHEN p.excellent_youth_union_member THEN p.id END)
                FROM {event_t} e JOIN {person_t} p ON p.id = e.person_id
                WHERE e.kind = 'member_imported' AND p.party_age_from >= %s AND p.party_age_from <= %s
                  {_not_special("e.person_id", special)}
                GROUP BY e.org_id""",
                [*TEACHER, w.start, w.end],
            )
            for org, n, teachers, excellent in cur.fetchall():
                c = own_w[org]
                c["admitted"] += n
                c["admitted_teacher"] += teachers
                c["admitted_excellent"] += excellent
            # Recognised on time: working days need the calendar, so the rows come to Python.
            cur.execute(
                f"""SELECT e.org_id, e.person_id, MIN(e.occurred_on), MIN(p.probation_end)
                FROM {event_t} e JOIN {person_t} p ON p.id = e.person_id
                WHERE e.kind = 'recognition_decision' AND e.occurred_on >= %s AND e.occurred_on <= %s
                  {_not_special("e.person_id", special)}
                GROUP BY e.org_id, e.person_id""",
                [w.start, w.end],
            )
            for org, _pid, decided, probation_end in cur.fetchall():
                if ind.on_time(_date(probation_end), _date(decided), calendar, params):
                    own_w[org]["recognised_on_time"] += 1

        # Stocks and projections of every window in one pass over the persons.
        cols, args = [], []
        for w in windows:
            cols.append(
                "SUM(CASE WHEN p.party_age_from IS NOT NULL AND p.party_age_from < %s AND NOT (p.stage = 'REMOVED' "
                "AND p.stage_since IS NOT NULL AND p.stage_since < %s) THEN 1 ELSE 0 END)"
            )
            args += [w.start, w.start]
            cols.append(
                "SUM(CASE WHEN p.party_age_from IS NOT NULL AND p.party_age_from <= %s AND NOT (p.stage = 'REMOVED' "
                "AND p.stage_since IS NOT NULL AND p.stage_since <= %s) THEN 1 ELSE 0 END)"
            )
            args += [w.end, w.end]
            cols.append(
                "SUM(CASE WHEN src.first_on IS NOT NULL AND src.first_on <= %s AND (p.party_age_from IS NULL OR "
                "p.party_age_from > %s) AND NOT (p.stage = 'WITHDRAWN' AND p.stage_since IS NOT NULL AND "
                "p.stage_since <= %s) THEN 1 ELSE 0 END)"
            )
            args += [w.end, w.end, w.end]
            for field_name in ("proj_sympathiser", "proj_applicant", "proj_approved", "proj_teacher"):
                conds = []
                for stage, target in ind.PROJ_STAGE_FIELD.items():
                    if field_name != "proj_teacher" and target != field_name:
                        continue
                    cutoff = w.end - dt.timedelta(days=params.lead_days[stage])
                    conds.append("(p.stage = %s AND p.stage_since <= %s)")
                    args += [stage, cutoff]
                teacher = f" AND p.school_role IN ({teacher_in})" if field_name == "proj_teacher" else ""
                if field_name == "proj_teacher":
                    args += list(TEACHER)
                cols.append(f"SUM(CASE WHEN ({' OR '.join(conds)}){teacher} THEN 1 ELSE 0 END)")
        cur.execute(
            f"""SELECT p.unit_id, {", ".join(cols)}
            FROM {person_t} p LEFT JOIN (
                SELECT person_id, MIN(occurred_on) AS first_on FROM {event_t}
                WHERE kind = 'source_identified' GROUP BY person_id
            ) src ON src.person_id = p.id
            WHERE 1 = 1{_not_special("p.id", special)}
            GROUP BY p.unit_id""",
            args,
        )
        names = ("members_start", "members_end", "pool_end", "proj_sympathiser", "proj_applicant",
                 "proj_approved", "proj_teacher")  # fmt: skip
        for row in cur.fetchall():
            unit = row[0]
            for i, w in enumerate(windows):
                values = row[1 + i * len(names) : 1 + (i + 1) * len(names)]
                for name, v in zip(names, values):
                    if v:
                        own[w.key][unit][name] += int(v)
    return own


def _date(value):
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def _person_own(person_ids: Iterable[int], windows, calendar, params, into: dict) -> None:
    """Add the exact contributions of these persons (rules.indicators.contributions)."""
    from ketnap.people.models import Person, PersonEvent

    ids = list(person_ids)
    for i in range(0, len(ids), 2000):
        part = ids[i : i + 2000]
        events: dict[int, list] = defaultdict(list)
        for ev in PersonEvent.objects.filter(person_id__in=part).order_by("occurred_on", "id"):
            events[ev.person_id].append(event_rec(ev))
        for person in Person.objects.filter(pk__in=part):
            for (wkey, unit), counts in ind.contributions(
                person_rec(person), events[person.pk], windows, calendar, params
            ).items():
                into[wkey][unit].update(counts)


def compute(windows: Sequence[ind.Window], calendar=None, params=None):
    """{window key: (nodes, totals)} computed from scratch."""
    calendar = calendar or _calendar()
    params = params or conf.params()
    special = special_person_ids()
    own = _sql_own(windows, special, calendar, params)
    _person_own(special, windows, calendar, params, own)
    units, links, schools = load_tree_records()
    exempt: dict[str, set[int]] = defaultdict(set)
    for unit_id, key in NoSourceRecord.objects.values_list("unit_id", "window"):
        exempt[key].add(unit_id)
    out = {}
    for w in windows:
        nodes = ind.window_tree(
            units, links, schools, w, exempt.get(w.key, ()) if w.kind == "SY" else (), params
        )
        out[w.key] = (nodes, ind.totals_for_tree(nodes, own[w.key]))
    return out


# ---------------------------------------------------------------------------------------------- writing


def _row_values(wkey: str, node: ind.Node, totals: ind.TotalsView | None) -> list:
    totals = totals if totals is not None else ind.TotalsView()
    lagging = bool(ind.unit_flags(node, totals).get("lagging"))
    return [
        wkey, node.id, node.parent_id, node.path, node.depth, node.lo, node.hi, node.active, node.is_cell,
        node.school_kind, node.k12_cell, node.he_subcell, node.he_student_cell, node.exempt, lagging,
        *totals.values,
    ]  # fmt: skip


COLUMNS = ["window", "unit_id", *NODE_FIELDS, "own_lagging", *ind.TOTAL_FIELDS]


def _write(wkey: str, nodes, totals) -> None:
    Rollup.objects.filter(window=wkey).delete()
    rows = (_row_values(wkey, node, totals.get(node.id)) for node in nodes.values())
    table = Rollup._meta.db_table
    cols = ", ".join(f'"{c}"' for c in COLUMNS)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('%s' for _ in COLUMNS)})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 20_000:
                cur.executemany(sql, batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)


def build(windows: Sequence[ind.Window], log=None) -> dict[str, float]:
    """(Re)build the rows of these windows in one transaction; returns seconds per step."""
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    with transaction.atomic():
        # Lock the windows' state rows first: events recorded meanwhile wait, then see the new rows.
        now = timezone.now()
        for w in windows:
            RollupWindow.objects.update_or_create(key=w.key, defaults={"built_at": now})
        list(RollupWindow.objects.select_for_update().filter(key__in=[w.key for w in windows]))
        stamp = tree_stamp()
        computed = compute(windows)
        timings["compute"] = time.perf_counter() - clock
        if log:
            log(f"  tính: {timings['compute']:.1f} s")
        clock = time.perf_counter()
        for w in windows:
            nodes, totals = computed[w.key]
            _write(w.key, nodes, totals)
            RollupWindow.objects.filter(key=w.key).update(
                built_at=timezone.now(), tree_stamp=stamp, units=len(nodes), seconds=timings["compute"]
            )
        timings["write"] = time.perf_counter() - clock
        if log:
            log(f"  ghi: {timings['write']:.1f} s")
    return timings


def built_keys() -> set[str]:
    return set(RollupWindow.objects.values_list("key", flat=True))


def ensure(windows: Sequence[ind.Window]) -> list[str]:
    """Build the windows that have no rows yet; returns their keys."""
    have = built_keys()
    missing = [w for w in windows if w.key not in have]
    if missing:
        build(missing)
    return [w.key for w in missing]


def check(windows: Sequence[ind.Window]) -> list[tuple[str, int, str, object, object]]:
    """(window, unit, field, stored, computed) for every difference between the rows and a recomputation."""
    out = []
    computed = compute(windows)
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
    return out


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
    old_events = [event_rec(e) for e in before_events]
    new_events = old_events if after_events is None else [event_rec(e) for e in after_events]
    changes = ind.diff(
        ind.contributions(person_rec(person), new_events, windows, calendar, params),
        ind.contributions(before, old_events, windows, calendar, params),
    )
    if not changes:
        return
    by_window: dict[str, dict[int, dict]] = defaultdict(dict)
    for (wkey, unit), d in changes.items():
        by_window[wkey][unit] = d
    list(RollupWindow.objects.select_for_update().filter(key__in=list(by_window)))
    for wkey, own_delta in by_window.items():
        _apply(wkey, own_delta)


def set_exempt(unit_id: int, wkey: str, exempt: bool) -> None:
    if wkey not in built_keys():
        return
    list(RollupWindow.objects.select_for_update().filter(key=wkey))
    _apply(wkey, {}, {unit_id: exempt})


def tree_changed(on: dt.date) -> None:
    """A unit was created or moved from ``on``: rebuild the built windows that end on or after it."""
    windows = [conf.window(k) for k in built_keys()]
    stale = [w for w in windows if w.end >= on]
    if stale:
        build(stale)


def stale_stamp(wkey: str) -> bool:
    stamp = RollupWindow.objects.filter(key=wkey).values_list("tree_stamp", flat=True).first()
    return stamp is not None and stamp != tree_stamp()


__all__ = [
    "build",
    "check",
    "compute",
    "ensure",
    "person_changed",
    "snapshot",
    "set_exempt",
    "tree_changed",
]
