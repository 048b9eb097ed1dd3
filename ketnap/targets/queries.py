"""Reads of targets, indicators and the dashboards, always narrowed to what the user may see.

Views call these functions and never touch a scoped model's manager (core/tests/test_no_direct_objects.py).
Numbers come from the rollup (`ketnap.targets.rollups`): one row per unit and window with its subtree's
totals in the tree at the window's end, so a dashboard reads a handful of rows whatever the city's size.
Lists behind the numbers (cells, schools, persons) are read from the rows, the tree and the ledger.

Scope: a user may open the dashboard of any unit in their scope; its numbers cover the unit's subtree as it
stood at the window's end. Links (children, cells, persons) are offered only for what the user may see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction

from django.db.models import Case, Exists, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat

from ketnap.accounts.scoping import path_in_scope, scope_paths
from ketnap.orgs import queries as org_queries
from ketnap.orgs.models import OrgUnit, School
from ketnap.people import queries as people_queries
from ketnap.people.models import PersonEvent, Stage
from ketnap.rules import indicators as ind
from ketnap.targets import conf, rollups
from ketnap.targets.models import NoSourceRecord, Rollup, RollupWindow, Target

window = conf.window
SY_IDS = [i.id for i in ind.INDICATORS.values() if i.window_kind == "SY"]
CY_IDS = [i.id for i in ind.INDICATORS.values() if i.window_kind == "CY"]
KIND_LABELS = dict(OrgUnit.Kind.choices)
STATUS_LABELS = {"met": "Đạt", "on_track": "Có thể đạt", "behind": "Chưa đạt", "none": "—"}
STATUS_COLORS = {"met": "green", "on_track": "yellow", "behind": "red", "none": "secondary"}


# ---------------------------------------------------------------------------------------------- raw rows


def _ensure(keys) -> None:
    rollups.ensure([conf.window(k) for k in keys])


def row_at(unit_id: int, wkey: str) -> Rollup | None:
    _ensure([wkey])
    return Rollup.objects.filter(window=wkey, unit_id=unit_id).first()


def totals_at(unit_id: int, wkey: str) -> dict[str, int]:
    row = row_at(unit_id, wkey)
    return row.totals() if row is not None else dict.fromkeys(ind.TOTAL_FIELDS, 0)


def values_at(unit_id: int, wkey: str) -> dict[str, float | None]:
    totals = totals_at(unit_id, wkey)
    return {i.id: ind.value_of(i, totals) for i in ind.ALL_INDICATORS.values()}


def parent_at(unit_id: int, wkey: str) -> int | None:
    row = row_at(unit_id, wkey)
    return row.parent_id if row is not None else None


def subtree_rows(row: Rollup):
    return Rollup.objects.filter(window=row.window, lo__gte=row.lo, lo__lte=row.hi)


def _in_subtree(row: Rollup, field: str = "org_id") -> Q:
    """Events or persons at a unit of the row's subtree; no condition at all for the whole tree."""
    if (
        row.parent_id is None
        and row.lo == 1
        and not Rollup.objects.filter(window=row.window, lo__gt=row.hi).exists()
    ):
        return Q()
    return Q(**{f"{field}__in": subtree_rows(row).values("unit_id")})


def lagging_rows(unit_id: int, wkey: str):
    """The cells of the unit's subtree (tree at the window's end) that miss a cell indicator."""
    row = row_at(unit_id, wkey)
    if row is None:
        return Rollup.objects.none()
    return subtree_rows(row).filter(
        own_lagging__in=[True]
    )  # (`IN (1)`: an equality the index serves; SQLite reads `= True` as a truth test)


# ---------------------------------------------------------------------------------------------- units


def unit_for(user, pk) -> OrgUnit:
    return org_queries.unit_for(user, pk)


def top_unit_for(user) -> OrgUnit | None:
    """The highest unit the user may see (the first of their scope), for /chi-tieu/."""
    paths = scope_paths(user)
    if not paths:
        return None
    if "" in paths:
        return OrgUnit.objects.filter(parent__isnull=True).order_by("path").first()
    ids = [int(p.rstrip(".").split(".")[-1]) for p in sorted(paths, key=lambda p: (len(p), p))]
    return OrgUnit.objects.filter(pk=ids[0]).first()


def windows_for(today: dt.date) -> list[ind.Window]:
    return conf.default_windows(today)


def school_years(today: dt.date) -> list[ind.Window]:
    return [w for w in conf.default_windows(today) if w.kind == "SY"]


def trend_windows(w: ind.Window) -> list[ind.Window]:
    """The last N school years up to `w` (oldest first)."""
    n = conf.trend_years()
    return [ind.school_year(w.year - k, conf.school_year_start()) for k in range(n - 1, -1, -1)]


calendar_for = conf.calendar_for


# ---------------------------------------------------------------------------------------------- targets


@dataclass
class TargetValue:
    value: float | None
    unit_id: int | None = None  # who set it (None: the default of the text that sets the indicator)
    unit_name: str = ""
    default_label: str = "Mặc định"  # the indicator's Indicator.default_label

    @property
    def source(self) -> str:
        if self.value is None:
            return "Chưa giao"
        return self.unit_name or self.default_label


def _explicit_targets(unit_ids, wkeys, indicator_ids=None) -> dict[tuple[int, str, str], Target]:
    qs = Target.objects.filter(unit_id__in=list(unit_ids), window__in=list(wkeys)).select_related("unit")
    if indicator_ids is not None:
        qs = qs.filter(indicator__in=list(indicator_ids))
    return {(t.unit_id, t.window, t.indicator): t for t in qs}


def _path_ids(path: str) -> list[int]:
    return [int(s) for s in path.split(".") if s]


def resolve_target(spec: ind.Indicator, row: Rollup | None, wkey: str, explicit) -> TargetValue:
    """The unit's own target, else (shares) the nearest ancestor's in the tree at the window's end, else the
    directive's default (for counts, only at the root: a count target is given to each unit by its parent)."""
    if row is None:
        return TargetValue(None)
    chain = _path_ids(row.path)
    own = explicit.get((row.unit_id, wkey, spec.id))
    if own is not None:
        return TargetValue(own.value, own.unit_id, own.unit.name)
    if spec.inherit:
        for uid in reversed(chain[:-1]):
            t = explicit.get((uid, wkey, spec.id))
            if t is not None:
                return TargetValue(t.value, t.unit_id, t.unit.name)
        return TargetValue(spec.target, default_label=spec.default_label)
    if row.parent_id is None:
        return TargetValue(spec.target, default_label=spec.default_label)
    return TargetValue(None)


# ---------------------------------------------------------------------------------------------- formatting


def fmt_value(spec: ind.Indicator, value, target=None) -> str:
    """A share as a percentage with one decimal (more when one decimal would make a value that misses the
    target look equal to it: 2,999/3,000 is "99,97%", not "100,0%", against a 100 % target); a count whole."""
    if value is None:
        return "—"
    if spec.is_share:
        text = f"{float(value) * 100:.1f}"
        if (
            target is not None
            and text == f"{float(target) * 100:.1f}"
            and ind.exact(value) != ind.exact(target)
        ):
            v, t = ind.exact(value) * 100, ind.exact(target) * 100
            digits = 2
            while digits < 4 and round(v, digits) == round(t, digits):
                digits += 1
            text = f"{float(value) * 100:.{digits}f}"
        return f"{text}%".replace(".", ",")
    return f"{int(round(value)):,}".replace(",", ".")


def fmt_count(value) -> str:
    return "—" if value is None else f"{int(value):,}".replace(",", ".")


def fmt_target(spec: ind.Indicator, value) -> str:
    if value is None:
        return "—"
    return f"{spec.comparison} {fmt_value(spec, value)}"


# ---------------------------------------------------------------------------------------------- dashboard


@dataclass
class TrendPoint:
    window: ind.Window
    value: float | None
    target: float | None
    status: str
    value_text: str
    target_text: str


@dataclass
class Card:
    spec: ind.Indicator
    window: ind.Window
    value: float | None
    num: int
    den: int | None
    target: TargetValue
    status: str
    projected: float | None
    final: bool
    trend: list[TrendPoint] = field(default_factory=list)
    projected_range: tuple | None = None  # (low, high) of the projection (a count, or a share)

    @property
    def value_text(self) -> str:
        return fmt_value(self.spec, self.value, self.target.value)

    @property
    def target_text(self) -> str:
        return fmt_target(self.spec, self.target.value)

    @property
    def projected_text(self) -> str:
        """The projection as a range when there is one ("1.150–1.260"), else its value."""
        if self.projected_range is not None:
            low, high = (fmt_value(self.spec, x) for x in self.projected_range)
            return low if low == high else f"{low}–{high}"
        return fmt_value(self.spec, self.projected)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def color(self) -> str:
        return STATUS_COLORS[self.status]

    @property
    def fraction(self) -> str:
        if self.den is None:
            return ""
        return f"{self.num:,}/{self.den:,}".replace(",", ".")


def projected_for(spec: ind.Indicator, totals, forecasts: dict | None):
    """(value, (low, high) or None) expected at the window's end: admissions from the learned forecast
    (`forecasts`: {"all": Forecast, "he": Forecast} of the card's window), a cell indicator from the cells that
    can still reach it (their admissions plus those expected of their dossiers in progress)."""
    den = totals.get(spec.den, 0) if spec.den else None
    if spec.num in ("he_admitted", "admitted") and forecasts:
        fc = forecasts.get("he" if spec.num == "he_admitted" else "all")
        if fc is None:
            return None, None
        if den is None:
            return fc.expected, (fc.low, fc.high)
        if not den:
            return None, None
        return fc.expected / den, (Fraction(fc.low, den), Fraction(fc.high, den))
    if spec.reach_flag and den:  # the expected number of cells meeting it (the reach field is in ‰ of a cell)
        return Fraction(totals.get(spec.reach_flag, 0), 1000 * den), None
    return None, None


def card_for(spec, w: ind.Window, row, explicit, today: dt.date, params, forecasts=None) -> Card:
    totals = row.totals() if row is not None else {}
    exact = ind.ratio_of(spec, totals)
    target = resolve_target(spec, row, w.key, explicit)
    final = w.end < today
    projected, span = (None, None) if final else projected_for(spec, totals, forecasts)
    status = ind.status(spec, exact, target.value, final=final, projected=projected)
    if row is not None and spec.den and not totals.get(spec.den):
        status = "none"
    return Card(spec, w, ind.value_of(spec, totals), totals.get(spec.num, 0),
                totals.get(spec.den, 0) if spec.den else None, target, status, projected, final,
                projected_range=span)  # fmt: skip


@dataclass
class Cell:
    text: str
    color: str = ""
    value: float | None = None


@dataclass
class ChildRow:
    unit_id: int
    name: str
    kind: str
    code: str
    visible: bool
    is_cell: bool
    lagging: int
    admitted: int
    pool_end: int
    members_end: int
    cells: list[Cell]


@dataclass
class _RowView:
    """What card_for and resolve_target read of a rollup row, from a values() query."""

    window: str
    unit_id: int
    parent_id: int | None
    path: str
    _totals: dict

    def totals(self) -> dict:
        return self._totals


@dataclass
class LaggingRow:
    unit_id: int
    name: str
    parent_name: str
    visible: bool
    missing: list[str]
    admitted: int
    teachers: int
    pool_end: int
    in_progress: int
    reachable: bool


@dataclass
class Dashboard:
    unit: OrgUnit
    window: ind.Window
    cal_window: ind.Window
    row: Rollup | None
    cards: list[Card]
    trend_windows: list[ind.Window]
    children: list[ChildRow]
    child_ids: list[str]  # indicator ids shown as the children table's columns
    chart_indicator: ind.Indicator
    lagging: list[LaggingRow]
    lagging_total: int
    funnel: list[tuple[str, str, int, float | None]]  # (label, total field, persons, rate to the previous)
    pool_end: int
    projection: dict
    final: bool
    stale: bool
    totals: dict
    tree_changed_on: dt.date | None = None  # a tree change waiting for the background rebuild


def _relevant_ids(totals: dict) -> list[str]:
    """The directive's school-year indicators that have a population in this subtree."""
    out = []
    for i in SY_IDS:
        spec = ind.INDICATORS[i]
        if spec.den is None:
            if spec.group == "HE" and not totals.get("he_admitted") and not totals.get("he_subcells"):
                continue
        elif not totals.get(spec.den):
            continue
        out.append(i)
    return out or SY_IDS[:3]


def relevant_groups(row) -> set[str]:
    """Which of the directive's groups of indicators concern the unit: K-12 when its subtree holds K-12 schools
    or cells (or it belongs to a K-12 school), higher education likewise; both when it holds neither yet. A
    university's dashboard shows no K-12 card ("— 0/0"), a ward's no higher-education card."""
    if row is None:
        return {"K12", "HE", "ALL"}
    t = row.totals()
    groups = {"ALL"}
    kind = getattr(row, "school_kind", "")
    if kind == "k12" or t.get("k12_schools") or t.get("k12_cells"):
        groups.add("K12")
    if kind == "he" or t.get("he_admitted") or t.get("he_subcells") or t.get("he_student_cells"):
        groups.add("HE")
    if groups == {"ALL"}:
        groups |= {"K12", "HE"}
    return groups


# ---------------------------------------------------------------------------------------------- projection


def snapshot(wkey: str) -> ind.Projection | None:
    """The open window's projection snapshot (the day its dossiers in progress were counted)."""
    data = RollupWindow.objects.filter(key=wkey).values_list("projection", flat=True).first()
    return ind.Projection.from_json(data) if data else None


LEARN_FIELDS = (*ind.ENTRY_FLOW.values(), *ind.LEAD_FIELDS, *ind.STEP_FIELDS)


def learning_sums(unit_ids, keys) -> dict[int, dict[str, int]]:
    """{unit: the sums of its rows over the learning school years} (entries into each stage, lead times)."""
    out: dict[int, dict[str, int]] = {}
    rows = Rollup.objects.filter(window__in=list(keys), unit_id__in=list(unit_ids))
    for uid, *values in rows.values_list("unit_id", *LEARN_FIELDS):
        acc = out.setdefault(uid, dict.fromkeys(LEARN_FIELDS, 0))
        for name, v in zip(LEARN_FIELDS, values):
            acc[name] += v
    return out


def outlooks(
    rows, w: ind.Window, params, snap: ind.Projection | None = None, parts=("all", "he"), interval=True
) -> dict:
    """{unit: {"all": Forecast, "he": Forecast, "models": {stage: StageModel}}} of the rows (tree of the open
    window `w`) under each unit's own history, or its nearest ancestor's with enough of it (`parts`: which
    forecasts, the whole unit's and its higher-education part's)."""
    snap = snap or snapshot(w.key)
    if snap is None or not ind.is_open(w, snap.as_of):
        return {}
    keys = [y.key for y in ind.learning_years(snap.as_of, params, conf.school_year_start())]
    _ensure(keys)
    rows = list(rows)
    ids = {uid for r in rows for uid in _path_ids(r.path)}
    sums = learning_sums(ids, keys)
    out = {}
    for r in rows:
        chain = [(uid, sums.get(uid, {})) for uid in reversed(_path_ids(r.path))]
        models = ind.choose_models(chain, params)
        t = r.totals()
        look = {"models": models, "snapshot": snap}
        if "all" in parts:
            counts = {s: [t.get(f, 0) for f in ind.now_fields(s)] for s in ind.PIPE_STAGES}
            stale, blocked = t.get("now_stale", 0), t.get("now_blocked", 0)
            look["all"] = ind.forecast(
                t.get("admitted", 0),
                counts,
                models,
                snap.horizon,
                params,
                stale=stale,
                blocked=blocked,
                interval=interval,
            )
        if "he" in parts:
            counts = {s: [t.get(f, 0) for f in ind.now_fields(s, "he_")] for s in ind.PIPE_STAGES}
            look["he"] = ind.forecast(
                t.get("he_admitted", 0), counts, models, snap.horizon, params, interval=interval
            )
        out[r.unit_id] = look
    return out


def dashboard(
    user, unit: OrgUnit, wkey: str, today: dt.date, chart: str = "", lagging_limit: int = 15
) -> Dashboard:
    params = conf.params()
    w = conf.window(wkey)
    years = trend_windows(w)
    cal = calendar_for(w, today)
    keys = [y.key for y in years] + [cal.key]
    _ensure(keys)
    rollups.refresh_if_due(today)
    rows = {r.window: r for r in Rollup.objects.filter(window__in=keys, unit_id=unit.pk)}
    row = rows.get(w.key)
    chain = {uid for r in rows.values() for uid in _path_ids(r.path)}
    explicit = _explicit_targets(chain, keys)
    looks = {}
    for win in (w, cal):
        r = rows.get(win.key)
        if r is not None and not win.end < today:
            looks[win.key] = outlooks([r], win, params).get(unit.pk)
    groups = relevant_groups(row)
    cards = []
    for i in SY_IDS + CY_IDS:
        spec = ind.INDICATORS[i]
        if spec.group not in groups:
            continue
        cw = cal if spec.window_kind == "CY" else w
        card = card_for(spec, cw, rows.get(cw.key), explicit, today, params, looks.get(cw.key))
        if spec.window_kind == "SY":
            for y in years:
                c = card_for(spec, y, rows.get(y.key), explicit, today, params, looks.get(y.key))
                card.trend.append(
                    TrendPoint(y, c.value, c.target.value, c.status, c.value_text, c.target_text)
                )
        cards.append(card)
    totals = row.totals() if row is not None else dict.fromkeys(ind.TOTAL_FIELDS, 0)

    # Children in the tree at the window's end, with the relevant indicators.
    child_ids = [i for i in _relevant_ids(totals) if ind.INDICATORS[i].group in groups] or _relevant_ids(
        totals
    )
    chart_spec = ind.INDICATORS.get(chart) if chart in child_ids else ind.INDICATORS[child_ids[0]]
    children = []
    if row is not None:
        needed = {"lagging", "admitted", "he_admitted", "pool_end", "members_end", "now_stale", "now_blocked"}
        needed.update(ind.NOW_FIELDS, ind.HE_NOW_FIELDS)
        for i in child_ids:
            spec = ind.INDICATORS[i]
            needed.update(f for f in (spec.num, spec.den, spec.reach_flag) if f)
        names = sorted(needed)
        kid_rows = list(
            Rollup.objects.filter(window=w.key, parent_id=unit.pk)
            .order_by("unit__name")
            .values_list(
                "unit_id",
                "parent_id",
                "path",
                "is_cell",
                "unit__name",
                "unit__kind",
                "unit__code",
                "unit__path",
                *names,
            )  # fmt: skip
        )
        kid_explicit = _explicit_targets([r[0] for r in kid_rows], [w.key], child_ids)
        kid_explicit.update(explicit)
        views = [_RowView(w.key, v[0], v[1], v[2], dict(zip(names, v[8:]))) for v in kid_rows]
        # the children's cells need a forecast only for the higher-education admissions (their on-track colour)
        # (only the children given a count target can be "on track": the others need no forecast)
        he_shown = w.key in looks and "HE_ADMISSIONS" in child_ids
        targeted = [r for r in views if (r.unit_id, w.key, "HE_ADMISSIONS") in kid_explicit]
        kid_looks = (
            outlooks(targeted, w, params, parts=("he",), interval=False) if he_shown and targeted else {}
        )
        for values, r in zip(kid_rows, views):
            uid, parent_id, path, is_cell, name, kind, code, current_path = values[:8]
            t = r.totals()
            cells = []
            for i in child_ids:
                spec = ind.INDICATORS[i]
                c = card_for(spec, w, r, kid_explicit, today, params, kid_looks.get(uid))
                cells.append(
                    Cell(c.value_text, STATUS_COLORS[c.status] if c.status != "none" else "", c.value)
                )
            children.append(ChildRow(uid, name, KIND_LABELS.get(kind, kind), code, path_in_scope(current_path, user),
                                     is_cell, t["lagging"], t["admitted"], t["pool_end"], t["members_end"], cells))  # fmt: skip

    lagging, lagging_total = lagging_list(user, row, lagging_limit) if row is not None else ([], 0)
    funnel = []
    prev = None
    for label, name in ind.FUNNEL:
        n = totals.get(name, 0)
        funnel.append((label, name, n, (n / prev) if prev else None))
        prev = n
    return Dashboard(
        unit=unit, window=w, cal_window=cal, row=row, cards=cards, trend_windows=years, children=children,
        child_ids=child_ids, chart_indicator=chart_spec, lagging=lagging, lagging_total=lagging_total, funnel=funnel,
        pool_end=totals.get("pool_end", 0), projection=projection(totals, cards, w, today, looks.get(w.key)),
        final=w.end < today, stale=rollups.stale_stamp(w.key), totals=totals,
        tree_changed_on=rollups.tree_change_pending(w.key),
    )  # fmt: skip


def _unit_names(ids) -> dict[int, str]:
    return dict(OrgUnit.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def projection(totals: dict, cards: list[Card], w: ind.Window, today: dt.date, look: dict | None) -> dict:
    """What the projection panel shows: how many are admitted, the range expected by the window's end, the
    dossiers counted by stage with the share and lead time learned, whose history they come from, and what
    was left out."""
    if look is None:
        return {"open": w.end >= today, "available": False}
    fc, he, snap = look["all"], look["he"], look["snapshot"]
    names = _unit_names({r.model.unit_id for r in fc.rows})
    rows = []
    for r in fc.rows:
        m = r.model
        rows.append({
            "stage": r.stage, "label": r.label, "count": r.count, "expected": r.expected,
            "share": float(m.share) if m.entered else None, "entered": m.entered, "decided": m.decided,
            "median_lead": m.lead_quantile(0.5), "source": names.get(m.unit_id, ""),
        })  # fmt: skip
    he_card = next((card for card in cards if card.spec.id == "HE_ADMISSIONS"), None)
    return {
        "open": True,
        "available": True,
        "as_of": snap.as_of,
        "horizon": snap.horizon,
        "years": ind.learning_years(snap.as_of, conf.params(), conf.school_year_start()),
        "rows": rows,
        "admitted": fc.admitted,
        "expected": fc.expected,
        "low": fc.low,
        "high": fc.high,
        "stale": fc.stale,
        "blocked": fc.blocked,
        "in_progress": fc.in_progress,
        "he_admitted": he.admitted,
        "he_low": he.low,
        "he_high": he.high,
        "he_expected": he.expected,
        "he_target": he_card.target.value if he_card else None,
        "reach": [
            (card.spec, card.projected)
            for card in cards
            if card.spec.reach_flag and card.den and card.projected is not None and card.window.key == w.key
        ],
    }


MISSING = {
    "k12_two": "Chưa kết nạp đủ 2 đảng viên",
    "k12_teacher": "Chưa kết nạp giáo viên",
    "he_sub": "Chi bộ trực thuộc chưa kết nạp",
    "he_student": "Chi bộ sinh viên chưa kết nạp",
}


REACHABLE = 500  # a cell "can still make it" when its chance is at least one half (the reach fields: ‰)


def _missing(r: Rollup) -> tuple[list[str], bool]:
    """What a lagging cell misses, and whether its dossiers in progress can still make it (a chance of at least
    one half for each thing it misses)."""
    out, reach = [], True
    if r.k12_cells:
        if not r.k12_cells_two:
            out.append(MISSING["k12_two"])
            reach = reach and r.k12_cells_two_reach >= REACHABLE
        if not r.k12_cells_teacher:
            out.append(MISSING["k12_teacher"])
            reach = reach and r.k12_cells_teacher_reach >= REACHABLE
    if r.he_subcells and not r.he_subcells_ok:
        out.append(MISSING["he_sub"])
        reach = reach and r.he_subcells_reach >= REACHABLE
    if r.he_student_cells and not r.he_student_cells_ok:
        out.append(MISSING["he_student"])
        reach = reach and r.he_student_cells_reach >= REACHABLE
    return out, reach


def lagging_list(user, row: Rollup, limit: int | None = 15, offset: int = 0):
    """Lagging cells of the subtree, the largest pools first (inspection visits start there)."""
    # the whole tree: no range on lo, so that the (window, lagging, -pool) index gives the order at once
    whole = not _in_subtree(row)
    qs = (Rollup.objects.filter(window=row.window) if whole else subtree_rows(row)).filter(
        own_lagging__in=[True]
    )  # (`IN (1)`: an equality the index serves; SQLite reads `= True` as a truth test)
    total = row.lagging  # the subtree's total of the flag: no count query
    qs = qs.select_related("unit").order_by("-pool_end", "unit_id")  # served by an index, no sort
    part = list(qs[offset : offset + limit] if limit else qs)
    parents = dict(
        OrgUnit.objects.filter(pk__in={r.parent_id for r in part if r.parent_id}).values_list("pk", "name")
    )
    out = []
    for r in part:
        missing, reach = _missing(r)
        out.append(LaggingRow(r.unit_id, r.unit.name, parents.get(r.parent_id, ""), path_in_scope(r.unit.path, user),
                              missing, r.admitted, r.admitted_teacher, r.pool_end,
                              sum(getattr(r, f) for f in ind.NOW_FIELDS), reach))  # fmt: skip
    return out, total


# ---------------------------------------------------------------------------------------------- lists behind the numbers


@dataclass
class UnitItem:
    unit_id: int
    name: str
    parent_name: str
    visible: bool
    in_numerator: bool
    admitted: int
    teachers: int
    detail: str = ""


def indicator_units_qs(row: Rollup, spec: ind.Indicator):
    """The cells in the indicator's population (in the subtree at the window's end), those missing it first,
    each part in the tree's order (a cell beside the others of its ward or school). The order is the one of
    the indicator's partial index (window, numerator flag, lo) (targets.models.CELL_LISTS): the first page of
    a nation's 400,000 cells is read without a sort. Their number is the rollup's `population_flag` of the
    row (no count)."""
    qs = subtree_rows(row).filter(**{spec.population_flag: 1, "is_cell": True}).select_related("unit")
    return qs.order_by(spec.ok_flag, "lo")


def unit_items(user, rows, spec: ind.Indicator) -> list[UnitItem]:
    rows = list(rows)
    parents = dict(
        OrgUnit.objects.filter(pk__in={r.parent_id for r in rows if r.parent_id}).values_list("pk", "name")
    )
    return [
        UnitItem(r.unit_id, r.unit.name, parents.get(r.parent_id, ""), path_in_scope(r.unit.path, user),
                 bool(getattr(r, spec.ok_flag)), r.admitted, r.admitted_teacher)
        for r in rows
    ]  # fmt: skip


def indicator_units(user, row: Rollup, spec: ind.Indicator) -> list[UnitItem]:
    return unit_items(user, indicator_units_qs(row, spec), spec)


@dataclass
class SchoolItem:
    school_id: int
    name: str
    level: str
    org_name: str
    org_id: int | None
    visible: bool
    in_numerator: bool
    detail: str = ""


def _subtree_ids(row: Rollup):
    return subtree_rows(row).values("unit_id")


class K12Schools:
    """The K-12 schools counted in the subtree, as rules.indicators.window_tree counts them (at their
    organisation when it is active at the window's end, else at their ward, else at the root), those without
    a party organisation first, then by name: a lazy sequence for the paginator, each slice read with LIMIT
    from two indexed queries; its length is the rollup's number (no count)."""

    def __init__(self, user, row: Rollup):
        self.user, self.row = user, row
        w = row.window
        active = Rollup.objects.filter(window=w, unit_id=OuterRef("party_org_id"), active=True)
        base = School.objects.filter(level__in=ind.K12_LEVELS).select_related("party_org", "ward")
        whole = not _in_subtree(row)
        if whole:
            self.with_org = base.filter(Exists(active))
            self.without = base.exclude(Exists(active))
        else:
            inside = Q(lo__gte=row.lo, lo__lte=row.hi)
            self.with_org = base.filter(Exists(active.filter(inside)))
            ward_in = Rollup.objects.filter(inside, window=w, unit_id=OuterRef("ward_id"))
            self.without = base.exclude(Exists(active)).filter(Exists(ward_in))
        self.n_without = row.k12_schools - row.k12_schools_org
        self.n_with = row.k12_schools_org

    def __len__(self) -> int:
        return self.n_without + self.n_with

    def count(self) -> int:
        return len(self)

    def __getitem__(self, key):
        if not isinstance(key, slice):
            return self[key : key + 1][0]
        start, stop = key.start or 0, key.stop if key.stop is not None else len(self)
        out = []
        if start < self.n_without:
            out += [
                self._item(s, False)
                for s in self.without.order_by("name", "id")[start : min(stop, self.n_without)]
            ]
        if stop > self.n_without:
            a, b = max(0, start - self.n_without), stop - self.n_without
            out += [self._item(s, True) for s in self.with_org.order_by("name", "id")[a:b]]
        return out

    def __iter__(self):
        yield from (
            self._item(s, False) for s in self.without.order_by("name", "id").iterator(chunk_size=2000)
        )
        yield from (
            self._item(s, True) for s in self.with_org.order_by("name", "id").iterator(chunk_size=2000)
        )

    def _item(self, s, has: bool) -> SchoolItem:
        org = s.party_org if has else None
        return SchoolItem(s.pk, s.name, s.get_level_display(), org.name if org else "", org.pk if org else None,
                          bool(org) and path_in_scope(org.path, self.user), has,
                          s.ward.name if s.ward else "")  # fmt: skip


def k12_schools(user, row: Rollup) -> K12Schools:
    return K12Schools(user, row)


FIELD_KINDS = {
    "sources": ["source_identified"],
    "sympathisers": ["awareness_class"],
    "applicants": ["application"],
    "admitted": ["decision"],
    "recognised": ["recognition_decision"],
    "removed": ["removal"],
    "withdrawn": ["withdrawal"],
}
FIELD_LABELS = {
    "sources": "vào nguồn",
    "sympathisers": "học lớp nhận thức về Đảng",
    "applicants": "làm đơn xin vào Đảng",
    "admitted": "được kết nạp",
    "recognised": "được công nhận đảng viên chính thức",
    "removed": "bị xóa tên",
    "withdrawn": "rút khỏi danh sách",
}


def flow_persons(user, row: Rollup, name: str, *, he_only: bool = False):
    """Persons behind a flow of the window: events dated in it, at a unit of the subtree at its end. For the
    whole tree the persons are read in the list's order, each checked for such an event (the first page
    comes at once however many there are); for a subtree, from its events."""
    w = conf.window(row.window)
    units = subtree_rows(row)
    where = _in_subtree(row)
    if he_only:
        where = Q(org_id__in=units.filter(school_kind="he").values("unit_id"))
    events = PersonEvent.objects.filter(where, kind__in=FIELD_KINDS[name], occurred_on__gte=w.start,
                                        occurred_on__lte=w.end)  # fmt: skip
    events = people_queries.uncorrected(events)
    persons = people_queries.persons_for(user)
    if not _in_subtree(row):
        persons = persons.filter(Exists(events.filter(person_id=OuterRef("pk"))))
    else:
        persons = persons.filter(pk__in=events.values("person_id"))
    return persons.select_related("unit", "school")


def pool_persons(user, row: Rollup):
    """The persons behind the row's `pool_end`: in the source pool on the window's last day and held then by
    a unit of the row's subtree (the tree at that day) — rules.indicators.pool_holder, the rule the rollup
    counts with, so the list and the number agree. As the rollup does, a person whose ledger has no move and
    no correction is decided in SQL (held by their unit; in the pool from their first source_identified);
    the others are decided one by one by pool_holder."""
    day = conf.window(row.window).end
    units = _subtree_ids(row)
    whole = not _in_subtree(row)
    # each person's own source_identified (a correlated EXISTS through the (person, date) index), the
    # persons moved or corrected (few) from their events
    sourced = PersonEvent.objects.filter(
        person_id=OuterRef("pk"), kind="source_identified", occurred_on__lte=day
    )
    special_ids = set(PersonEvent.objects.filter(kind__in=ind.MOVE_KINDS).values_list("person_id", flat=True))
    special_ids |= set(PersonEvent.objects.filter(corrects__isnull=False).values_list("person_id", flat=True))
    special = Q(pk__in=sorted(special_ids))
    # in_pool_on, on the cached state: not admitted and not withdrawn by that day (a superset for special ones,
    # whose source_identified may have been corrected: any such event on or before the day)
    pool = (
        people_queries.persons_for(user)
        .filter(Exists(sourced))
        .exclude(party_age_from__lte=day)
        .exclude(stage=Stage.WITHDRAWN, stage_since__lte=day)
    )
    plain = (pool if whole else pool.filter(unit_id__in=units)).exclude(special)
    others = pool.filter(special)
    if _in_subtree(row):  # not the whole tree: a candidate was held, or moved, or recorded, in the subtree
        others = others.filter(
            Q(unit_id__in=units) | Q(pk__in=PersonEvent.objects.filter(org_id__in=units).values("person_id"))
        )
    candidates = list(others.values_list("pk", "unit_id", "stage", "stage_since", "party_age_from"))
    events: dict[int, list] = {pk: [] for pk, *_ in candidates}
    rows = PersonEvent.objects.filter(person_id__in=list(events)).order_by("occurred_on", "id")
    for ev in rows.values_list("person_id", "id", "kind", "occurred_on", "org_id", "data", "corrects_id"):
        events[ev[0]].append(ind.EventRec(ev[1], ev[2], ev[3], ev[4], ev[5] or {}, ev[6]))
    holders = {
        pk: ind.pool_holder(ind.PersonRec(pk, unit_id, stage=stage, stage_since=since, party_age_from=paf),
                            events[pk], day)
        for pk, unit_id, stage, since, paf in candidates
    }  # fmt: skip
    # which of those holders are units of the subtree (not the set of all its units: a nation's tree has
    # 460,000 of them)
    wanted = sorted({h for h in holders.values() if h is not None})
    held: set[int] = set()
    for k in range(0, len(wanted), 5000):
        held.update(
            subtree_rows(row).filter(unit_id__in=wanted[k : k + 5000]).values_list("unit_id", flat=True)
        )
    chosen = [pk for pk, holder in holders.items() if holder in held]
    return (plain | pool.filter(pk__in=chosen)).select_related("unit", "school")


# Which flow of persons opens behind a person-drill indicator: (flow field, higher education only).
DRILL_FLOWS = {
    "HE_ADMISSIONS": ("admitted", True),
    "HE_EXCELLENT_YOUTH": ("admitted", True),
    "ADMISSIONS_PER_MEMBERS": ("admitted", False),
    "CONV_SOURCE_SYMPATHISER": ("sympathisers", False),
    "CONV_SYMPATHISER_APPLICANT": ("applicants", False),
    "CONV_APPLICANT_ADMITTED": ("admitted", False),
    "CONV_ADMITTED_RECOGNISED": ("recognised", False),
    "RECOGNISED_ON_TIME": ("recognised", False),
}


# ---------------------------------------------------------------------------------------------- weaknesses


class _Pairs:
    """(person, "") pairs over a queryset, sliced by the database (for the paginator and the export)."""

    def __init__(self, qs):
        self.qs = qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        return [(p, "") for p in self.qs[key]]

    def __iter__(self):
        return ((p, "") for p in self.qs.iterator(chunk_size=2000))


class _Numbered(_Pairs):
    """(school, its number `n`) pairs over a queryset annotated with `n`, sliced by the database."""

    def __getitem__(self, key):
        return [(s, s.n or 0) for s in self.qs[key]]

    def __iter__(self):
        return ((s, s.n or 0) for s in self.qs.iterator(chunk_size=2000))


class _SchoolsByIds:
    """(school, 0) pairs of these schools in this order, each slice read by its ids."""

    def __init__(self, ids: list[int]):
        self.ids = ids

    def count(self) -> int:
        return len(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def _read(self, ids) -> list:
        found = School.objects.select_related("party_org").in_bulk(ids)
        return [(found[pk], 0) for pk in ids if pk in found]

    def __getitem__(self, key):
        return self._read(self.ids[key]) if isinstance(key, slice) else self._read([self.ids[key]])[0]

    def __iter__(self):
        for k in range(0, len(self.ids), 2000):
            yield from self._read(self.ids[k : k + 2000])


def weakness(user, row: Rollup, wid: str, today: dt.date, params=None):
    """(kind, items) of one weakness list in the subtree: kind "units" (Rollup rows), "schools", "persons"."""
    params = params or conf.params()
    w = conf.window(row.window)
    sub = subtree_rows(row)
    if wid == "W_POOL_GT_ADMISSIONS":
        # read in the list's order from the live cells' (window, -pool, unit) index, each row checked
        qs = sub.filter(is_cell=True, active=True, pool_end__gte=params.pool_min,
                        admitted__lt=F("pool_end") * params.pool_ratio)  # fmt: skip
        return "units", qs.select_related("unit").order_by("-pool_end", "unit_id")
    if wid == "W_CELLS_NEVER_ADMIT":
        years = [ind.school_year(w.year - k, conf.school_year_start()) for k in range(params.never_years)]
        _ensure([y.key for y in years])
        # The live cells that admitted nobody in this year, in the tree's order from their partial index
        # (window, lo) (targets_rollup_idle); each checked for an admission in the earlier years by probes of
        # the (window, unit) index. The check is a CASE, not a NOT EXISTS: PostgreSQL turns a NOT EXISTS into
        # an anti-join over every cell of the nation that admitted someone, before the first page.
        before = Rollup.objects.filter(
            window__in=[y.key for y in years[1:]], unit_id=OuterRef("unit_id"), admitted__gt=0
        )
        first = years[-1].start
        qs = sub.filter(is_cell=True, active=True, admitted=0)
        if years[1:]:
            qs = qs.alias(before=Case(When(Exists(before), then=Value(1)), default=Value(0))).filter(before=0)
        qs = qs.filter(Q(unit__founded_on__isnull=True) | Q(unit__founded_on__lt=first))
        return "units", qs.select_related("unit").order_by("lo")
    if wid == "W_MERGED_CELLS":
        qs = sub.filter(is_cell=True, active=True, unit__cell_kind=OrgUnit.CellKind.MERGED)
        return "units", qs.select_related("unit").order_by("lo")
    if wid == "W_MANY_MEMBERS_NO_STAFF":
        # the organisations of the subtree with that many members, from the (window, members) index; their
        # schools without full-time staff by name, a page at a time
        big = sub.filter(unit_id=OuterRef("party_org_id"), members_end__gte=params.staff_members)
        qs = School.objects.filter(Exists(big), has_full_time_party_staff=False)
        qs = qs.annotate(n=Subquery(big.values("members_end")[:1])).select_related("party_org")
        return "schools", _Numbered(qs.order_by("name", "id"))
    if wid == "W_HE_NO_STUDENT_CELL":
        # the organisations above a live student cell: the units on the paths of the student cells' parents
        # (a nation's 113,000 student cells have 6,000 parents), and the student cells themselves
        student = OrgUnit.objects.filter(cell_kind=OrgUnit.CellKind.STUDENT, dissolved_on__isnull=True)
        with_cell = set()
        for path in OrgUnit.objects.filter(pk__in=student.values("parent_id")).values_list("path", flat=True):
            with_cell.update(_path_ids(path))
        # the schools of the subtree's organisations (a probe of the (window, unit) index each), by name: their
        # ids only, then a page of schools at a time
        # (the whole tree: no range on lo, the probe reads the index alone)
        units = sub if _in_subtree(row) else Rollup.objects.filter(window=row.window)
        schools = School.objects.filter(Exists(units.filter(unit_id=OuterRef("party_org_id"))),
                                        level__in=ind.HE_LEVELS).order_by("name", "id")  # fmt: skip
        rows = schools.values_list("pk", "party_org_id", "party_org__cell_kind", "party_org__dissolved_on")
        ids = [pk for pk, org, kind, gone in rows
               if org not in with_cell and not (kind == OrgUnit.CellKind.STUDENT and gone is None)]  # fmt: skip
        return "schools", _SchoolsByIds(ids)
    if wid == "W_STUDENTS_FAILED_RECOGNITION":
        removed = PersonEvent.objects.filter(kind="removal", occurred_on__gte=w.start, occurred_on__lte=w.end)
        if _in_subtree(row):
            removed = removed.filter(org_id__in=sub.values("unit_id"))
        ids = sorted(set(removed.values_list("person_id", flat=True)))  # few: from the (kind, date) index
        qs = people_queries.persons_for(user).filter(pk__in=ids, school_role__in=["student", "pupil"])
        persons = list(qs.select_related("unit", "school").order_by("sort_key", "id"))
        decided = dict(
            PersonEvent.objects.filter(person__in=persons, kind__in=["decision", "member_imported"])
            .order_by("person_id", "-occurred_on")
            .values_list("person_id", "org_id")
        )
        orgs = OrgUnit.objects.filter(pk__in=set(decided.values()))
        names = org_queries.names_with_school(orgs)
        return "persons", [(p, names.get(decided.get(p.pk), "")) for p in persons]
    if wid == "W_GRADUATES_NOT_TRANSFERRED":
        # the transfers' state and the rule book's GRADUATE_HOLD / TRANSFER_START_DUE (ketnap.interorg)
        held = sub.filter(school_kind="he").values("unit_id")
        persons = people_queries.persons_for(user)
        if _in_subtree(row):
            persons = persons.filter(unit_id__in=held)
        else:  # the whole tree: read in graduation order, the unit only checked (`unit_id + 0` is not indexed)
            persons = persons.alias(held_by=F("unit_id") + 0).filter(held_by__in=held)
        qs, _ = people_queries.graduates_overdue(persons, today)
        return "persons", _Pairs(qs.select_related("unit", "school"))
    raise KeyError(wid)


# ---------------------------------------------------------------------------------------------- pipeline


# measured on the city: a median on 200 completions is within 3 working days of the whole one
STEP_SAMPLE = 200


def sample_days(start: dt.date, end: dt.date, total: int, sample: int, calendar) -> list[dt.date] | None:
    """Working days spread evenly over [start, end] on which about `sample` of `total` completions fall (None:
    take them all). Each is read from the events' (kind, date) index, whatever the size of the subtree."""
    if total <= sample or end < start:
        return None
    span = (end - start).days + 1
    k = min(span, max(3, -(-sample * span // total)))
    days = []
    for i in range(k):
        day = start + dt.timedelta(days=int((i + 0.5) * span / k))
        while not calendar.is_working_day(day) and day < end:
            day += dt.timedelta(days=1)
        days.append(day)
    return sorted(set(days))


def step_medians(
    user, row: Rollup, calendar, sample: int = STEP_SAMPLE, today: dt.date | None = None
) -> list[dict]:
    """Median working days of each step completed in the window (subtree at its end), from the ledger. The
    number completing each step is the rollup's; above `sample` of them the median is estimated on the
    completions of working days spread evenly over the window (about `sample` of them)."""
    w = conf.window(row.window)
    last = min(w.end, today) if today else w.end
    out = []
    for label, start_kind, end_kind in ind.STEPS:
        total = getattr(row, ind.FLOW_KINDS[end_kind])
        ends_qs = people_queries.uncorrected(
            PersonEvent.objects.filter(_in_subtree(row), kind=end_kind, occurred_on__gte=w.start,
                                       occurred_on__lte=w.end)
        )  # fmt: skip
        days = sample_days(w.start, last, total, sample, calendar)
        if days is not None:
            ends_qs = ends_qs.filter(occurred_on__in=days)
        # each completion with the latest start of the step before it, in one query: the person's events
        # through the (person, date) index, the kind compared as an expression that no index serves
        # (filtering on the kind itself makes the database walk every event of that kind)
        start = people_queries.uncorrected(
            PersonEvent.objects.filter(
                person_id=OuterRef("person_id"), occurred_on__lte=OuterRef("occurred_on")
            )
            .alias(of_kind=Concat("kind", Value("")))
            .filter(of_kind=start_kind)
        )
        rows = ends_qs.annotate(start=Subquery(start.order_by("-occurred_on").values("occurred_on")[:1]))
        ends: dict[int, dt.date] = {}
        starts: dict[int, dt.date] = {}
        for pid, end, begun in rows.order_by().values_list("person_id", "occurred_on", "start"):
            ends[pid] = end  # (one completion a person: the last read, as before)
            if begun is None:
                starts.pop(pid, None)
            else:
                starts[pid] = begun
        spans = [calendar.working_days_between(starts[p], ends[p]) for p in starts]
        out.append({"label": label, "count": total, "median": ind.median(spans), "sampled": days is not None,
                    "sample": len(spans)})  # fmt: skip
    return out


def no_source_records(user, unit: OrgUnit, wkey: str):
    return (
        NoSourceRecord.objects.visible_to(user)
        .filter(window=wkey, unit__path__startswith=unit.path)
        .select_related("unit", "recorded_by")
        .order_by("unit__name")
    )


def no_source_pools(records, wkey: str) -> dict[int, int]:
    """{cell: its source pool at the window's end} for records of "no source left": a record whose cell has
    persons in its pool is contradicted by the ledger, and the page says so."""
    ids = [r.unit_id for r in records]
    _ensure([wkey])
    return dict(Rollup.objects.filter(window=wkey, unit_id__in=ids).values_list("unit_id", "pool_end"))


def no_source_for(user, pk) -> NoSourceRecord:
    from ketnap.accounts.scoping import get_visible_or_404

    return get_visible_or_404(NoSourceRecord.objects.select_related("unit"), user, pk=pk)


def child_targets(user, unit: OrgUnit, wkey: str, ids: list[str]):
    """The unit's children (current tree) with their own targets and the targets they inherit."""
    kids = list(org_queries.children_of(user, unit, live=True))  # a dissolved unit gets no target
    explicit = _explicit_targets([k.pk for k in kids] + _path_ids(unit.path), [wkey], ids)
    parent_row = row_at(unit.pk, wkey)
    return kids, explicit, parent_row


def target_warnings(spec: ind.Indicator, unit: OrgUnit, kids, explicit, parent_row, wkey: str) -> list[str]:
    """What the committee should know about the targets it gave: a share below the floor of the text that sets
    the indicator (the directive's "> 60 %" given as 40 %), and counts given to the children that add up to less
    than the unit's own target. Warnings, not refusals: a committee may have its reasons."""
    out = []
    low = [
        u.name for u in kids if (t := explicit.get((u.pk, wkey, spec.id))) and ind.below_floor(spec, t.value)
    ]
    own = explicit.get((unit.pk, wkey, spec.id))
    if own is not None and ind.below_floor(spec, own.value):
        low.insert(0, unit.name)
    if low:
        out.append(f"Chỉ tiêu {spec.name} của {', '.join(low)} thấp hơn mức của {spec.default_from} "
                   f"({fmt_target(spec, spec.target)}).")  # fmt: skip
    if not spec.is_share and kids:
        given = [explicit[(u.pk, wkey, spec.id)].value for u in kids if (u.pk, wkey, spec.id) in explicit]
        mine = resolve_target(spec, parent_row, wkey, explicit).value if parent_row is not None else None
        if given and mine is not None and sum(given) < mine:
            out.append(f"Tổng chỉ tiêu {spec.name} giao cho các tổ chức trực thuộc ({fmt_value(spec, sum(given))}) "
                       f"thấp hơn chỉ tiêu của {unit.name} ({fmt_value(spec, mine)}).")  # fmt: skip
    return out


def cell_options(user, unit: OrgUnit) -> list[tuple[int, str]]:
    """Active cells of the unit's subtree that the user may see (for the "no source left" form)."""
    qs = org_queries.units_for(user).filter(
        path__startswith=unit.path, kind__in=[OrgUnit.Kind.CELL, OrgUnit.Kind.GRASSROOTS_CELL],
        dissolved_on__isnull=True,
    )  # fmt: skip
    return list(qs.order_by("name").values_list("pk", "name"))
