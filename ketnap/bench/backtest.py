"""`ketnap bench backtest [--json]`: the year-end projection tried on a year that is over.

The school year before the current one (Y−1) is projected from the ledger as it stood on the same day of
the year (30/11 of Y−1 when run on 30/11 of Y): each person's stage and the day they entered it are read from
the events dated on or before that day, the dossiers approved by the cell whose decision deadline had passed
are left out, the models are learned from the three school years before Y−1 (the rollup's rows), and the
forecast (rules.indicators.forecast) is compared with the admissions the rollup counts for the whole of Y−1:
at the root, and for each of its children (wards, upper committees…) with the share of them whose actual
number fell in the projected range. The projection the dashboards used before issue 11 (fixed shares 35/85/97 %
of the dossiers whose usual lead time ends by the year's end) is computed on the same state for comparison,
and so is the share of K-12 cells expected to admit two (the sum of the cells' chances) against the actual.
"""

from __future__ import annotations

import datetime as dt
import json as jsonlib
import statistics
import time
from collections import defaultdict

from django.utils import timezone

from ketnap.people import ledger
from ketnap.people.models import PersonEvent
from ketnap.rules import indicators as ind
from ketnap.targets import conf, rollups
from ketnap.targets.models import Rollup

STAGE_OF = {"awareness_class": "SYMPATHISER", "application": "APPLICANT", "cell_vote": "APPROVED",
            "committee_vote": "APPROVED", "decision": "ADMITTED", "withdrawal": "WITHDRAWN",
            "removal": "REMOVED", "member_imported": "MEMBER"}  # fmt: skip
ORDER = ["awareness_class", "application", "cell_vote", "committee_vote", "decision", "withdrawal", "removal"]
# the fixed assumptions of the projection before issue 11 (rules.indicators.Params before it)
OLD_LEAD = {"SYMPATHISER": 240, "APPLICANT": 75, "APPROVED": 45}
OLD_SHARE = {"SYMPATHISER": 0.35, "APPLICANT": 0.85, "APPROVED": 0.97}


def states_on(day: dt.date, calendar, params) -> dict[int, tuple[str, dt.date, bool]]:
    """{person: (stage of PIPE_STAGES, the day entered, left out)} of the dossiers in progress on `day`, from
    the events dated on or before it (a dossier approved by the cell is left out once its decision deadline,
    DECISION_DUE working days after the vote, has passed)."""
    latest: dict[int, dict[str, dt.date]] = defaultdict(dict)
    rows = (
        PersonEvent.objects.filter(occurred_on__lte=day, kind__in=list(STAGE_OF))
        .order_by()
        .values_list("person_id", "kind", "occurred_on")
    )
    for pid, kind, on in rows.iterator(chunk_size=20000):
        have = latest[pid].get(kind)
        if have is None or on > have:
            latest[pid][kind] = on
    due_days = ledger.rule_params().decision_days
    out = {}
    for pid, kinds in latest.items():
        last = max(kinds.items(), key=lambda kv: (kv[1], ORDER.index(kv[0]) if kv[0] in ORDER else 99))
        stage = STAGE_OF[last[0]]
        if stage not in ind.PIPE_STAGES:
            continue
        since = kinds.get("cell_vote", last[1]) if stage == "APPROVED" else last[1]
        stale = stage == "APPROVED" and calendar.add_working_days(since, due_days) < day
        out[pid] = (stage, since, stale)
    return out


def run(command, *, json: bool, **_) -> dict:
    log = command.stderr.write if json else command.stdout.write
    clock = time.perf_counter()
    today = timezone.localdate()
    params, start = conf.params(), conf.school_year_start()
    current = conf.current_school_year(today)
    year = ind.school_year(current.year - 1, start)  # the year that is over
    as_of = year.start + (today - current.start)  # the same day of that year
    learn = ind.learning_years(as_of, params, start)
    rollups.ensure([year, *learn])
    calendar = ledger.load_calendar()
    horizon = (year.end - as_of).days
    log(f"Năm học {year.label}: dự báo từ ngày {as_of:%d/%m/%Y} ({horizon} ngày còn lại), học từ "
        f"{', '.join(y.label for y in learn)}…")  # fmt: skip

    rows = {r.unit_id: r for r in Rollup.objects.filter(window=year.key)}
    root = next(r for r in rows.values() if r.parent_id is None)
    sums: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    learned = (*ind.ENTRY_FLOW.values(), *ind.LEAD_FIELDS, *ind.STEP_FIELDS)
    for r in Rollup.objects.filter(window__in=[y.key for y in learn]).values("unit_id", *learned):
        for name, value in r.items():
            if name != "unit_id":
                sums[r["unit_id"]][name] += value

    from ketnap.people.models import Person

    unit_of = dict(Person.objects.values_list("pk", "unit_id"))
    states = states_on(as_of, calendar, params)
    ancestors: dict[int, list[int]] = {
        uid: [int(s) for s in r.path.split(".") if s] for uid, r in rows.items()
    }
    counts: dict[int, dict[str, list[int]]] = defaultdict(
        lambda: {s: [0] * ind.N_BINS for s in ind.PIPE_STAGES}
    )
    old_ready: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ind.PIPE_STAGES, 0))
    left_out: dict[int, int] = defaultdict(int)
    for pid, (stage, since, stale) in states.items():
        unit = unit_of.get(pid)
        if unit not in ancestors:
            continue
        age_bin = ind.lead_bin(stage, max(0, (as_of - since).days))
        ready = since + dt.timedelta(days=OLD_LEAD[stage]) <= year.end
        for uid in ancestors[unit]:
            if stale:
                left_out[uid] += 1
            else:
                counts[uid][stage][age_bin] += 1
            old_ready[uid][stage] += ready  # (the old projection counted stale dossiers too)
    admitted_then: dict[int, int] = defaultdict(int)
    decided = PersonEvent.objects.filter(kind="decision", occurred_on__gte=year.start, occurred_on__lte=as_of)
    for org in decided.values_list("org_id", flat=True).iterator(chunk_size=20000):
        for uid in ancestors.get(org, ()):
            admitted_then[uid] += 1

    def project(uid: int) -> dict:
        chain = [(a, sums.get(a, {})) for a in reversed(ancestors[uid])]
        models = ind.choose_models(chain, params)
        fc = ind.forecast(admitted_then[uid], counts[uid], models, horizon, params, stale=left_out[uid])
        old = admitted_then[uid] + sum(OLD_SHARE[s] * old_ready[uid][s] for s in ind.PIPE_STAGES)
        actual = rows[uid].admitted
        return {"unit": uid, "admitted_then": admitted_then[uid], "expected": round(fc.expected, 1),
                "low": fc.low, "high": fc.high, "actual": actual, "inside": fc.low <= actual <= fc.high,
                "error_pct": round(100 * (fc.expected - actual) / actual, 1) if actual else None,
                "old_expected": round(old, 1),
                "old_error_pct": round(100 * (old - actual) / actual, 1) if actual else None}  # fmt: skip

    top = project(root.unit_id)
    children = [project(uid) for uid, r in rows.items() if r.parent_id == root.unit_id and r.admitted >= 20]
    errors = [abs(c["error_pct"]) for c in children if c["error_pct"] is not None]
    old_errors = [abs(c["old_error_pct"]) for c in children if c["old_error_pct"] is not None]

    # K-12 cells projected to admit two: each cell's chance from its admissions by then and its dossiers (the
    # whole tree's model, as the rollup's "reach"), summed, against the cells that did
    root_models = ind.choose_models([(root.unit_id, sums.get(root.unit_id, {}))], params)
    milli = ind.window_projection(year, as_of, root_models).milli
    reach = old_reach = k12 = 0
    for uid, r in rows.items():
        if not (r.is_cell and r.active and r.k12_cell and not r.exempt):
            continue
        k12 += 1
        exp = sum(n * milli[s][b] for s in ind.PIPE_STAGES for b, n in enumerate(counts[uid][s]))
        reach += (
            ind.reach_milli(admitted_then[uid], 2, exp) / 1000
        )  # the cell's chance (as the rollup counts)
        old_reach += admitted_then[uid] + sum(old_ready[uid].values()) >= 2
    out = {
        "window": year.key, "as_of": as_of.isoformat(), "horizon_days": horizon,
        "learned_from": [y.key for y in learn],
        "root": top,
        "children": {"count": len(children), "mean_abs_error_pct": round(statistics.mean(errors), 1) if errors else None,
                     "median_abs_error_pct": round(statistics.median(errors), 1) if errors else None,
                     "inside_range_pct": round(100 * sum(c["inside"] for c in children) / len(children), 1) if children else None,
                     "old_mean_abs_error_pct": round(statistics.mean(old_errors), 1) if old_errors else None},
        "k12_cell_two": {"cells": k12, "actual_pct": round(100 * root.k12_cells_two / k12, 1) if k12 else None,
                         "projected_pct": round(100 * reach / k12, 1) if k12 else None,
                         "old_projected_pct": round(100 * old_reach / k12, 1) if k12 else None},
        "seconds": round(time.perf_counter() - clock, 1),
    }  # fmt: skip
    if json:
        command.stdout.write(jsonlib.dumps(out, ensure_ascii=False, indent=2))
    else:
        r = top
        command.stdout.write(
            f"Toàn bộ: đến {as_of:%d/%m/%Y} đã kết nạp {r['admitted_then']}; dự báo {r['low']}–{r['high']} "
            f"(giữa {r['expected']}); thực tế {r['actual']} (sai {r['error_pct']} %; cách cũ {r['old_expected']}, "
            f"sai {r['old_error_pct']} %)\n{jsonlib.dumps(out['children'], ensure_ascii=False)}\n"
            f"{jsonlib.dumps(out['k12_cell_two'], ensure_ascii=False)}"
        )
    return out
