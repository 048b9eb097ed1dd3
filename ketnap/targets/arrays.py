"""Array arithmetic (numpy) for the rollup's builds: every unit's totals in a window, the cells' flags, and the
rows as PostgreSQL's COPY text; the input queries' rows read as arrays.

The numbers are those of `rules.indicators.totals_for_tree`, the rule book's reference (a unit's totals: its
own counters, their higher-education copies, the schools counted at it, and the flags of the cells in its
subtree). That function walks the tree in Python, one list per unit; here a window's tree is a few arrays in
pre-order, where a unit's subtree is the rows lo..hi, so every total is a difference of two cumulative sums.
A cell's flags read only its linear totals (admissions, teachers, expected admissions), never another flag,
so the flags are computed once from the linear totals and summed up the tree the same way. Kept equal by a
test on random trees, and by `rebuild-rollups --check`, which recomputes with the reference.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

from ketnap.rules import indicators as ind

TOTAL = len(ind.TOTAL_FIELDS)
N_PERSON = len(ind.PERSON_FIELDS)  # PERSON_FIELDS come first in TOTAL_FIELDS
IX = ind.FIELD_INDEX
HE_SRC = np.array([IX[a] for a, _ in ind.HE_COPIES])
HE_DST = np.array([IX[b] for _, b in ind.HE_COPIES])
FLAG_START = TOTAL - len(ind.FLAG_FIELDS)  # FLAG_FIELDS come last
if tuple(ind.TOTAL_FIELDS[FLAG_START:]) != tuple(ind.FLAG_FIELDS):
    raise AssertionError("FLAG_FIELDS end TOTAL_FIELDS")
FI = {name: i for i, name in enumerate(ind.FLAG_FIELDS)}


class Tree:
    """A window's nodes (`rules.indicators.window_tree`, in pre-order) as arrays, row i = the node with lo = i + 1."""

    def __init__(self, nodes: Mapping[int, ind.Node]):
        ns = list(nodes.values())
        n = self.n = len(ns)
        self.nodes = ns

        def ints(attr):
            return np.fromiter((getattr(x, attr) for x in ns), np.int64, n)

        def bools(attr):
            return np.fromiter((getattr(x, attr) for x in ns), np.bool_, n)

        self.ids, self.lo, self.hi, self.depth = ints("id"), ints("lo"), ints("hi"), ints("depth")
        if n and not np.array_equal(self.lo, np.arange(1, n + 1)):
            raise ValueError("the nodes are not in pre-order")
        self.parent = np.fromiter((-1 if x.parent_id is None else x.parent_id for x in ns), np.int64, n)
        self.active, self.is_cell = bools("active"), bools("is_cell")
        self.k12_cell, self.he_subcell = bools("k12_cell"), bools("he_subcell")
        self.he_student_cell, self.exempt = bools("he_student_cell"), bools("exempt")
        self.he = np.fromiter((x.school_kind == "he" for x in ns), np.bool_, n)
        self.k12_schools, self.k12_schools_org = ints("k12_schools"), ints("k12_schools_org")
        self.paths = [x.path for x in ns]
        self.school_kinds = [x.school_kind for x in ns]

    def inner(self) -> np.ndarray:
        """The rows of the units with a subtree (hi > lo)."""
        if getattr(self, "_inner", None) is None:
            self._inner = np.flatnonzero(self.hi > self.lo)
        return self._inner

    @classmethod
    def from_columns(cls, **columns) -> Tree:
        """A tree from its columns in pre-order (`window_tree`; no Node objects)."""
        tree = cls.__new__(cls)
        tree.nodes = None
        for name, value in columns.items():
            setattr(tree, name, value)
        tree.n = len(tree.ids)
        return tree

    def rows(self, lagging: np.ndarray):
        """(id, parent id or None, path, depth, lo, hi, active, is_cell, school kind, k12_cell, he_subcell,
        he_student_cell, exempt, own lagging) of each node in pre-order."""
        parent = [None if p < 0 else p for p in self.parent.tolist()]
        return zip(self.ids.tolist(), parent, self.paths, self.depth.tolist(), self.lo.tolist(), self.hi.tolist(),
                   self.active.tolist(), self.is_cell.tolist(), self.school_kinds, self.k12_cell.tolist(),
                   self.he_subcell.tolist(), self.he_student_cell.tolist(), self.exempt.tolist(),
                   lagging.tolist())  # fmt: skip


MIN_DAY, MAX_DAY = -(1 << 40), 1 << 40  # a unit founded / dissolved on no known day; a link never ended
SCHOOL_KINDS = ("", "k12", "he")


def finder(ids: np.ndarray):
    """A function: ids → their rows in `ids` (-1: not there)."""
    if not len(ids):
        return lambda wanted: np.full(len(wanted), -1, np.int64)
    top = int(ids.max())
    if int(ids.min()) >= 0 and top <= 8 * len(ids) + (1 << 20):  # dense enough: a direct table
        table = np.full(top + 1, -1, np.int64)
        table[ids] = np.arange(len(ids))
        return lambda wanted: np.where((wanted >= 0) & (wanted <= top), table[np.clip(wanted, 0, top)], -1)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]

    def find(wanted):
        at = np.clip(np.searchsorted(sorted_ids, wanted), 0, len(ids) - 1)
        return np.where(sorted_ids[at] == wanted, order[at], -1)

    return find


def _day(value, none: int) -> int:
    return none if value is None else value.toordinal()


class TreeArrays:
    """The tree's units, links and schools as arrays, the units in id order, for `window_tree`: from the rule
    book's records (`from_data`) or from columns read from the database (`targets.rollups.tree_arrays`).

    `units`: id, is_cell, plain_cell (kind "cell"), grassroots, student (cell kind), founded and dissolved (day
    ordinals, or MIN_DAY / MAX_DAY when not known), parent (current parent id, -1: none). `links`: child,
    parent, valid_from, valid_to (ordinals, MAX_DAY: open), in the order that decides between links of a child
    beginning the same day. `levels`: org, he (a party organisation with schools, and whether one is of higher
    education). `schools`: org, ward (ids, -1: none) of the K-12 schools."""

    def __init__(self, units: Mapping[str, np.ndarray], links: Mapping[str, np.ndarray],
                 levels: Mapping[str, np.ndarray], schools: Mapping[str, np.ndarray]):  # fmt: skip
        order = np.argsort(units["id"], kind="stable")
        self.ids = np.asarray(units["id"], np.int64)[order]
        self.n = len(self.ids)
        self.find = finder(self.ids)
        col = {name: np.asarray(values)[order] for name, values in units.items()}
        self.is_cell, self.plain_cell = col["is_cell"].astype(np.bool_), col["plain_cell"].astype(np.bool_)
        self.grassroots, self.student = col["grassroots"].astype(np.bool_), col["student"].astype(np.bool_)
        self.founded, self.dissolved = col["founded"].astype(np.int64), col["dissolved"].astype(np.int64)
        self.parent = self._rows(col["parent"])
        # each unit's links one after the other, by valid_from (ties: in the given order)
        child = self._rows(links["child"])
        valid_from = np.asarray(links["valid_from"], np.int64)
        known = np.flatnonzero(child >= 0)
        by = known[np.lexsort((valid_from[known], child[known]))]
        self.link_parent = self._rows(links["parent"])[by]
        self.link_from = valid_from[by]
        self.link_to = np.asarray(links["valid_to"], np.int64)[by]
        self.nlinks = np.bincount(child[by], minlength=self.n).astype(np.int64)
        self.link_start = np.cumsum(self.nlinks) - self.nlinks
        self.has_levels = np.zeros(self.n, np.bool_)
        self.he_org = np.zeros(self.n, np.bool_)
        org = self._rows(levels["org"])
        mine = org >= 0
        self.has_levels[org[mine]] = True
        np.logical_or.at(self.he_org, org[mine], np.asarray(levels["he"], np.bool_)[mine])
        self.school_org = self._rows(schools["org"])
        self.school_ward = self._rows(schools["ward"])

    def _rows(self, ids) -> np.ndarray:
        """Unit rows of these ids (-1: none, or an id that is no unit: none, as in the rule book)."""
        ids = np.asarray(ids, np.int64)
        return np.where(ids >= 0, self.find(ids), -1)

    @classmethod
    def from_data(cls, data: ind.TreeData) -> TreeArrays:
        units = list(data.by_id.values())
        links = [link for lst in data.links_of.values() for link in lst]
        k12 = [s for s in data.schools if s.level in ind.K12_LEVELS]

        def column(records, get, dtype=np.int64):
            return np.fromiter((get(r) for r in records), dtype, len(records))

        return cls(
            units={
                "id": column(units, lambda u: u.id),
                "is_cell": column(units, lambda u: u.kind in ind.CELL_KINDS, np.bool_),
                "plain_cell": column(units, lambda u: u.kind == "cell", np.bool_),
                "grassroots": column(units, lambda u: u.kind == "grassroots", np.bool_),
                "student": column(units, lambda u: u.cell_kind == "student", np.bool_),
                "founded": column(units, lambda u: _day(u.founded_on, MIN_DAY)),
                "dissolved": column(units, lambda u: _day(u.dissolved_on, MAX_DAY)),
                "parent": column(units, lambda u: -1 if u.parent_id is None else u.parent_id),
            },
            links={
                "child": column(links, lambda ln: ln.child_id),
                "parent": column(links, lambda ln: ln.parent_id),
                "valid_from": column(links, lambda ln: ln.valid_from.toordinal()),
                "valid_to": column(links, lambda ln: _day(ln.valid_to, MAX_DAY)),
            },
            levels={
                "org": np.fromiter(data.levels, np.int64, len(data.levels)),
                "he": np.fromiter(
                    (bool(v & ind.HE_LEVELS) for v in data.levels.values()), np.bool_, len(data.levels)
                ),  # fmt: skip
            },
            schools={
                "org": column(k12, lambda s: -1 if s.party_org_id is None else s.party_org_id),
                "ward": column(k12, lambda s: -1 if s.ward_id is None else s.ward_id),
            },
        )

    def parents_on(self, rows: np.ndarray, days: np.ndarray) -> np.ndarray:
        """The parent (a unit row, -1: none) of each unit `rows` on the day `days`, as `rules.indicators.
        _parent_on`: the first link (by valid_from) that covers the day, else the last one begun by then,
        else the first one; no links: the current parent."""
        out = self.parent[rows].copy()
        sel = np.flatnonzero(self.nlinks[rows] > 0)
        if not len(sel):
            return out
        start, count, day = self.link_start[rows[sel]], self.nlinks[rows[sel]], days[sel]
        chosen = self.link_parent[start].copy()
        done = np.zeros(len(sel), np.bool_)
        for k in range(int(count.max())):
            live = ~done & (k < count)
            li = np.where(live, start + k, 0)
            begun = live & (self.link_from[li] <= day)
            chosen[begun] = self.link_parent[li[begun]]
            done |= begun & (day < self.link_to[li])
        out[sel] = chosen
        return out

    def climb(self, row: int, parent: int, day: int, present: np.ndarray) -> int:
        """A unit whose parent was gone on `day`: that parent's own parent on that day, and so on, as the rule
        book's loop (one unit at a time: rare); -1 if it ends at no unit, or goes round a cycle."""
        seen = {row}
        p = parent
        on = np.array([day], np.int64)
        while p >= 0:
            if present[p]:
                return p
            if p in seen:
                return -1
            seen.add(p)
            p = int(self.parents_on(np.array([p], np.int64), on)[0])
        return -1


def _ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions start..start+count-1 of each (start, count), one run after the other."""
    total = int(counts.sum())
    if not total:
        return np.zeros(0, np.int64)
    run_start = np.cumsum(counts) - counts
    return np.repeat(starts - run_start, counts) + np.arange(total)


def window_tree(prep: TreeArrays, window: ind.Window, exempt_ids=(), params: ind.Params = ind.DEFAULT_PARAMS
                ) -> Tree:  # fmt: skip
    """`rules.indicators.window_tree` by array arithmetic (the same nodes, facts and order: a test compares
    them on random trees; `rebuild-rollups --check` recomputes with the rule book)."""
    end, start = window.end.toordinal(), window.start.toordinal()
    present = (prep.founded <= end) & (prep.dissolved > start)
    rows = np.flatnonzero(present)  # in id order: local index j = rows[j]
    m = len(rows)
    if not m:
        none, no = np.zeros(0, np.int64), np.zeros(0, np.bool_)
        return Tree.from_columns(ids=none, parent=none, depth=none, lo=none, hi=none, paths=[], school_kinds=[],
                                 active=no, is_cell=no, k12_cell=no, he_subcell=no, he_student_cell=no, exempt=no,
                                 he=no, k12_schools=none, k12_schools_org=none)  # fmt: skip
    active = prep.dissolved[rows] > end
    ref = np.where(active, end, prep.dissolved[rows] - 1)
    parent_row = prep.parents_on(rows, ref)
    gone = np.flatnonzero((parent_row >= 0) & ~present[np.maximum(parent_row, 0)])
    for j in gone.tolist():  # a parent gone by then: its own parent on that day
        parent_row[j] = prep.climb(int(rows[j]), int(parent_row[j]), int(ref[j]), present)
    local = np.full(len(prep.ids), -1, np.int64)
    local[rows] = np.arange(m)
    up = np.where(parent_row >= 0, local[np.maximum(parent_row, 0)], -1)  # the parent's local index, -1: root

    # children grouped by parent, in id order within a parent; the roots in id order
    roots = np.flatnonzero(up < 0)
    nonroot = np.flatnonzero(up >= 0)
    child_order = nonroot[np.argsort(up[nonroot], kind="stable")]
    counts = np.bincount(up[nonroot], minlength=m)
    cstart = np.cumsum(counts) - counts
    levels = [roots]  # breadth first from the roots: units on a cycle are never reached (left out)
    while len(levels[-1]):
        f = levels[-1]
        levels.append(child_order[_ranges(cstart[f], counts[f])])
    levels.pop()
    size = np.ones(m, np.int64)
    for level in reversed(levels[1:]):
        np.add.at(size, up[level], size[level])
    lo = np.zeros(m, np.int64)
    depth = np.zeros(m, np.int64)
    sk = np.zeros(m, np.int8)  # SCHOOL_KINDS
    own_kind = np.where(prep.has_levels[rows], np.where(prep.he_org[rows], 2, 1), 0).astype(np.int8)
    lo[roots] = np.cumsum(size[roots]) - size[roots] + 1
    sk[roots] = own_kind[roots]
    for d, level in enumerate(levels[1:], start=1):
        # `level` is grouped by parent (in the previous level's order), each group in id order
        s = size[level]
        before = np.cumsum(s) - s  # sizes before each node in the level
        first = np.r_[True, up[level][1:] != up[level][:-1]]
        group_before = np.maximum.accumulate(np.where(first, before, 0))
        lo[level] = lo[up[level]] + 1 + before - group_before
        depth[level] = d
        sk[level] = np.where(prep.has_levels[rows[level]], own_kind[level], sk[up[level]])
    reached = np.concatenate(levels) if levels else np.zeros(0, np.int64)
    order = reached[np.argsort(lo[reached])]  # pre-order
    n = len(order)

    ids = prep.ids[rows[order]]
    parent_local = up[order]
    parent_ids = np.where(parent_local >= 0, prep.ids[rows[np.maximum(parent_local, 0)]], -1)
    ppos = np.where(parent_local >= 0, lo[np.maximum(parent_local, 0)] - 1, -1).tolist()
    paths: list[str] = [""] * n
    for i, (uid, pp) in enumerate(zip(ids.tolist(), ppos)):
        paths[i] = f"{uid:07d}." if pp < 0 else f"{paths[pp]}{uid:07d}."

    r = rows[order]
    act = active[order]
    kind = sk[order]
    is_cell = prep.is_cell[r]
    live_cell = is_cell & act
    parent_r = np.where(parent_local >= 0, rows[np.maximum(parent_local, 0)], 0)
    has_parent = parent_local >= 0
    old_enough = ind.add_months(window.end, -params.student_cell_age_months).toordinal()

    # the K-12 schools: at their organisation if it is there and active, else at their ward, else at the root
    k12_schools = np.zeros(m, np.int64)
    k12_schools_org = np.zeros(m, np.int64)
    in_tree = np.zeros(m, np.bool_)
    in_tree[reached] = True
    org = np.where(prep.school_org >= 0, local[np.maximum(prep.school_org, 0)], -1)
    at_org = (org >= 0) & in_tree[np.maximum(org, 0)] & active[np.maximum(org, 0)]
    ward = np.where(prep.school_ward >= 0, local[np.maximum(prep.school_ward, 0)], -1)
    at_ward = ~at_org & (ward >= 0) & in_tree[np.maximum(ward, 0)]
    np.add.at(k12_schools, org[at_org], 1)
    np.add.at(k12_schools_org, org[at_org], 1)
    np.add.at(k12_schools, ward[at_ward], 1)
    if len(roots) == 1:
        k12_schools[roots[0]] += int((~at_org & ~at_ward).sum())

    return Tree.from_columns(
        ids=ids,
        parent=parent_ids,
        depth=depth[order],
        lo=lo[order],
        hi=lo[order] + size[order] - 1,
        paths=paths,
        school_kinds=[SCHOOL_KINDS[k] for k in kind.tolist()],
        active=act,
        is_cell=is_cell,
        k12_cell=live_cell & (kind == 1),
        he_subcell=live_cell
        & prep.plain_cell[r]
        & has_parent
        & prep.he_org[parent_r]
        & prep.grassroots[parent_r],
        he_student_cell=live_cell & (kind == 2) & prep.student[r] & (prep.founded[r] <= old_enough),
        exempt=np.isin(ids, np.fromiter(exempt_ids, np.int64)),
        he=kind == 2,
        k12_schools=k12_schools[order],
        k12_schools_org=k12_schools_org[order],
    )


class Workspace:
    """The large arrays of `totals`, kept from one window to the next (a new array of 4 M counts costs more in
    first-touched memory pages than the sums themselves)."""

    def __init__(self):
        self.arrays: dict[str, np.ndarray] = {}

    def get(self, name: str, rows: int, cols: int) -> np.ndarray:
        arr = self.arrays.get(name)
        if arr is None or arr.shape[0] < rows or arr.shape[1] != cols:
            arr = self.arrays[name] = np.empty((rows, cols), np.int64)
        return arr[:rows]


def _subtree_sums(values: np.ndarray, tree: Tree, work: Workspace) -> np.ndarray:
    """Replace row i of `values` by the sum of its rows lo..hi (the node's subtree); returns `values`. Only the
    rows of units with a subtree change (a leaf's sum is its own row: most units are cells)."""
    n, k = values.shape
    prefix = work.get(f"prefix{k}", n + 1, k)
    prefix[0] = 0
    np.cumsum(values, axis=0, out=prefix[1:])
    inner = tree.inner()
    values[inner] = prefix[tree.hi[inner]] - prefix[inner]  # lo = i + 1: prefix[i] is the sum before row i
    return values


def reach_milli(done: np.ndarray, need: int, expected: np.ndarray) -> np.ndarray:
    """`rules.indicators.reach_milli` of each cell (need is 1 or 2): the same floating-point operations in the same
    order, the exponential from Python's math module (numpy's may differ in the last bit)."""
    if need not in (1, 2):
        raise ValueError("need is 1 or 2")
    out = np.zeros(len(done), np.int64)
    missing = need - done
    out[missing <= 0] = 1000
    todo = (missing > 0) & (expected > 0)
    if not todo.any():
        return out
    lam = expected[todo] / 1000
    uniq, back = np.unique(lam, return_inverse=True)
    below = np.fromiter(map(math.exp, -uniq), np.float64, len(uniq))[back]
    if need == 2:
        two = missing[todo] == 2
        below[two] = below[two] + below[two] * lam[two]
    chance = np.rint(1000 * (1 - below))
    out[todo] = np.clip(chance, 0, 1000).astype(np.int64)
    return out


def flags(tree: Tree, totals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each active cell's flags (FLAG_FIELDS columns) from its totals, and its own "lagging" flag: the array form
    of `rules.indicators.unit_flags`."""
    n = tree.n
    f = np.zeros((n, len(ind.FLAG_FIELDS)), np.int64)
    cell = tree.is_cell & tree.active
    adm, teachers = totals[:, IX["admitted"]], totals[:, IX["admitted_teacher"]]
    expected, expected_t = totals[:, IX["proj_milli"]], totals[:, IX["proj_teacher_milli"]]
    f[:, FI["cells"]] = cell
    f[:, FI["cells_admitting"]] = cell & (adm >= 1)
    k12 = cell & tree.k12_cell & ~tree.exempt
    two, teacher = adm >= 2, teachers >= 1
    f[:, FI["k12_cells"]] = k12
    f[:, FI["k12_cells_two"]] = k12 & two
    f[:, FI["k12_cells_teacher"]] = k12 & teacher
    f[k12, FI["k12_cells_two_reach"]] = reach_milli(adm[k12], 2, expected[k12])
    f[k12, FI["k12_cells_teacher_reach"]] = reach_milli(teachers[k12], 1, expected_t[k12])
    lagging = k12 & ~(two & teacher)
    for kind, prefix in ((tree.he_subcell, "he_subcells"), (tree.he_student_cell, "he_student_cells")):
        sel = cell & kind
        f[:, FI[prefix]] = sel
        f[:, FI[f"{prefix}_ok"]] = sel & (adm >= 1)
        f[sel, FI[f"{prefix}_reach"]] = reach_milli(adm[sel], 1, expected[sel])
        lagging |= sel & (adm == 0)
    f[:, FI["lagging"]] = lagging
    return f, lagging


_WORK = Workspace()


def totals(tree: Tree, own: np.ndarray, work: Workspace | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(every unit's totals, TOTAL_FIELDS columns in pre-order rows; each cell's own "lagging" flag). `own[unit
    id]` holds the unit's PERSON_FIELDS counters (a unit id past its end has none). The totals live in `work`'s
    arrays (by default this process's) until its next call."""
    work = work or _WORK
    n = tree.n
    linear = work.get("linear", n, TOTAL)
    linear[:, N_PERSON:] = 0
    known = tree.ids < len(own)
    if known.all():
        mine = work.get("own", n, N_PERSON)
        np.take(own, tree.ids, axis=0, out=mine)
        linear[:, :N_PERSON] = mine
    else:
        linear[:, :N_PERSON] = 0
        linear[known, :N_PERSON] = own[tree.ids[known]]
    he = np.flatnonzero(tree.he)
    if len(he):
        linear[np.ix_(he, HE_DST)] = linear[np.ix_(he, HE_SRC)]
    linear[:, IX["k12_schools"]] = tree.k12_schools
    linear[:, IX["k12_schools_org"]] = tree.k12_schools_org
    out = _subtree_sums(linear, tree, work)
    f, lagging = flags(tree, out)
    out[:, FLAG_START:] += _subtree_sums(f, tree, work)
    return out, lagging


# ---------------------------------------------------------------------------------------------- COPY text

_TAB, _NL = ord("\t"), ord("\n")


def _digits(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Decimal text of a column of non-negative integers, each followed by a tab: bytes (n, w + 1) with the
    digits right-aligned, and which to keep. The digits are taken one position at a time from the last, each
    time only of the numbers that have more (most counts have one or two digits; the widest, the root's, sets
    w)."""
    n = len(values)
    width = len(str(int(values.max()))) if n else 1
    out = np.zeros((n, width + 1), np.uint8)
    keep = np.zeros((n, width + 1), np.bool_)
    out[:, width] = _TAB
    keep[:, width] = True
    pos = width - 1
    out[:, pos] = values % 10 + 48
    keep[:, pos] = True
    rows = np.flatnonzero(values >= 10)
    rest = values[rows] // 10
    while len(rows):
        pos -= 1
        out[rows, pos] = rest % 10 + 48
        keep[rows, pos] = True
        more = rest >= 10
        rows, rest = rows[more], rest[more] // 10
    return out, keep


class Text:
    """Rows of COPY text built column by column, then joined in one masked copy (no Python string per value).
    Parts without a mask (booleans, constants, a run of columns that are all 0 in these rows: most of a
    closed window's projections) are merged and copied whole."""

    def __init__(self, n: int):
        self.n = n
        self.parts: list[tuple[np.ndarray, np.ndarray | None]] = []

    def ints(self, values: np.ndarray, null: np.ndarray | None = None) -> None:
        """One or more integer columns (n,) or (n, k), non-negative; `null`: rows written \\N (one column)."""
        v = values.reshape(self.n, -1)
        if v.size and v.min() < 0:
            raise ValueError("negative count")
        if null is not None and v.shape[1] != 1:
            raise ValueError("NULL in a single column only")
        some = v.any(axis=0) if self.n else np.zeros(v.shape[1], np.bool_)
        j = 0
        while j < v.shape[1]:
            if not some[j] and null is None:  # a run of columns of zeros
                end = j
                while end < v.shape[1] and not some[end]:
                    end += 1
                self._fixed("0\t" * (end - j))
                j = end
                continue
            digits, keep = _digits(v[:, j])
            if null is not None:
                if digits.shape[1] < 3:
                    digits = np.concatenate([np.zeros((self.n, 1), np.uint8), digits], axis=1)
                    keep = np.concatenate([np.zeros((self.n, 1), np.bool_), keep], axis=1)
                rows = np.flatnonzero(null)
                keep[rows] = False
                digits[rows, -3] = ord("\\")
                digits[rows, -2] = ord("N")
                keep[rows, -3:] = True
            self.parts.append((digits, keep))
            j += 1

    def _fixed(self, text: str) -> None:
        """The same bytes on every row (merged with the previous part if it is also the same on every row)."""
        data = np.frombuffer(text.encode(), np.uint8)
        if self.parts and self.parts[-1][1] is None and self.parts[-1][0].strides[0] == 0:
            data = np.concatenate([self.parts.pop()[0][0], data]) if self.n else data
        self.parts.append((np.broadcast_to(data, (self.n, len(data))), None))

    def bools(self, values: np.ndarray) -> None:
        data = np.empty((self.n, 2), np.uint8)
        data[:, 0] = np.where(values, ord("t"), ord("f"))
        data[:, 1] = _TAB
        self.parts.append((data, None))

    def strings(self, values: Sequence[str]) -> None:
        """Text without tab, newline or backslash (paths, keys)."""
        raw = np.array([s.encode() for s in values], dtype=np.bytes_) if values else np.zeros(0, "S1")
        width = max(raw.dtype.itemsize, 1)
        data = np.zeros((self.n, width + 1), np.uint8)
        data[:, :width] = raw.view(np.uint8).reshape(self.n, raw.dtype.itemsize) if raw.size else 0
        keep = data != 0
        data[:, width] = _TAB
        keep[:, width] = True
        self.parts.append((data, keep))

    def constant(self, text: str) -> None:
        self._fixed(text + "\t")

    def render(self, rows: slice | None = None) -> bytes:
        """The rows (all, or a slice), each ended by a newline instead of its last tab."""
        sel = rows if rows is not None else slice(None)
        n = len(range(self.n)[sel])
        width = sum(d.shape[1] for d, _ in self.parts)
        data = np.empty((n, width), np.uint8)
        keep = np.ones((n, width), np.bool_)
        at = 0
        for d, k in self.parts:
            w = d.shape[1]
            data[:, at : at + w] = d[sel]
            if k is not None:
                keep[:, at : at + w] = k[sel]
            at += w
        data[:, -1] = _NL  # the last column's separator
        return data[keep].tobytes()


# ---------------------------------------------------------------------------------------------- rows in

BATCH_BYTES = 128 << 20  # the rows read at once from a binary COPY (≈ 180,000 rows of 60 counts)
_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"


class BinaryRows:
    """Rows of bigint columns, none NULL, read from PostgreSQL's COPY ... TO STDOUT (FORMAT BINARY) by batches:
    fixed-size records (a 2-byte field count, then per field a 4-byte length and 8 bytes) read straight into
    an array, no Python object per value."""

    def __init__(self, ncols: int):
        self.ncols = ncols
        self.size = 2 + 12 * ncols
        self.buffer = b""
        self.header = False

    def feed(self, data: bytes) -> np.ndarray | None:
        """The whole records received so far, as an (n, ncols) int64 array (None if none)."""
        buf = self.buffer + data if self.buffer else data
        if not self.header:
            if len(buf) < 19:
                self.buffer = buf
                return None
            if buf[:11] != _SIGNATURE:
                raise ValueError("not a binary COPY")
            buf = buf[19 + int.from_bytes(buf[15:19], "big") :]
            self.header = True
        count = len(buf) // self.size
        self.buffer = buf[count * self.size :]
        if count == 0:
            return None

        def view(dtype, offset, shape, strides):
            return np.ndarray(shape, dtype, buffer=buf, offset=offset, strides=strides)

        fields = view(">i2", 0, (count,), (self.size,))
        lengths = view(">i4", 2, (count, self.ncols), (self.size, 12))
        if (fields != self.ncols).any() or (lengths != 8).any():
            raise ValueError("a row that is not all bigint and not NULL")
        return view(">i8", 6, (count, self.ncols), (self.size, 12)).astype(np.int64)

    def finish(self) -> None:
        if self.buffer not in (b"\xff\xff", b""):
            raise ValueError("a truncated binary COPY")


def grouped_columns(
    cursor, sql: str, args: Sequence, ncols: int, vendor: str
) -> dict[object, list[np.ndarray]]:
    """{key: its rows' columns as int64 arrays} of a query whose first column is a group key and whose `ncols`
    other columns are integers (NULL-free); the columns of a group stay aligned, in no set order. On PostgreSQL
    each group's column comes back as one bytea of 8-byte big-endian integers (`string_agg(int8send(...))`, at
    most 134 M rows a group: a value's limit is 1 GB): one message a group instead of one a row, whose reading
    in Python was most of the time (8.9 M events: 7.1 s by rows, 1.8 s so). Elsewhere by fetchmany."""
    names = [f"c{i}" for i in range(ncols)]
    if vendor == "postgresql":
        import psycopg  # (results in binary: the bytea as sent, not as hex text; a cursor binding on the server)

        aggs = ", ".join(f"string_agg(int8send(CAST({c} AS BIGINT)), ''::bytea)" for c in names)
        inner = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with psycopg.Cursor(inner.connection) as binary:
            binary.execute(
                f"SELECT g, COUNT(*), {aggs} FROM ({sql}) AS q (g, {', '.join(names)}) GROUP BY g",
                list(args),
                binary=True,
            )
            out = {}
            for key, count, *values in binary.fetchall():
                if any(len(v or b"") != 8 * count for v in values):  # string_agg leaves a NULL out
                    raise ValueError("a NULL among the integer columns")
                out[key] = [np.frombuffer(v or b"", ">i8").astype(np.int64) for v in values]
            return out
    cursor.execute(sql, list(args))
    parts: dict[object, list[list]] = {}
    while rows := cursor.fetchmany(100_000):
        for row in rows:
            parts.setdefault(row[0], []).append(row[1:])
    return {
        key: [np.ascontiguousarray(c) for c in np.array(rows, dtype=np.int64).reshape(len(rows), ncols).T]
        for key, rows in parts.items()
    }


def query_batches(cursor, sql: str, args: Sequence, ncols: int, vendor: str):
    """Yield (n, ncols) int64 arrays of the rows of a query whose columns are integers (NULL-free): by binary
    COPY on PostgreSQL (`cursor` is Django's), by fetchmany elsewhere."""
    if vendor == "postgresql":
        cols = ", ".join(f"CAST(c{i} AS BIGINT)" for i in range(ncols))
        reader = BinaryRows(ncols)
        inner = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with inner.copy(f"COPY (SELECT {cols} FROM ({sql}) AS q (" + ", ".join(f"c{i}" for i in range(ncols))
                        + ")) TO STDOUT (FORMAT BINARY)", list(args)) as copy:  # fmt: skip
            pending, size = [], 0
            for data in copy:
                pending.append(bytes(data))
                size += len(data)
                if size >= BATCH_BYTES:
                    batch = reader.feed(b"".join(pending))
                    pending, size = [], 0
                    if batch is not None:
                        yield batch
            batch = reader.feed(b"".join(pending))
            if batch is not None:
                yield batch
        reader.finish()
        return
    cursor.execute(sql, list(args))
    while rows := cursor.fetchmany(50_000):
        yield np.array(rows, dtype=np.int64).reshape(len(rows), ncols)


def rows_text(
    window: int, tree: Tree, totals_: np.ndarray, lagging: np.ndarray, chunk: int = 32_768
) -> bytes:
    """The window's rows (`window`: its code as stored) as COPY text in `targets.rollups.COLUMNS` order, built by chunks of rows (the digits
    of a chunk are as wide as its largest number: the root's rows come first, the cells' small counts after)."""
    out = []
    for start in range(0, tree.n, chunk):
        s = slice(start, min(start + chunk, tree.n))
        t = Text(s.stop - s.start)
        t.constant(str(window))
        t.ints(tree.ids[s])
        parent = tree.parent[s]
        t.ints(np.maximum(parent, 0), null=parent < 0)
        t.strings(tree.paths[s])
        t.ints(np.stack([tree.depth[s], tree.lo[s], tree.hi[s]], axis=1))
        t.bools(tree.active[s])
        t.bools(tree.is_cell[s])
        t.strings(tree.school_kinds[s])
        for values in (tree.k12_cell, tree.he_subcell, tree.he_student_cell, tree.exempt, lagging):
            t.bools(values[s])
        t.ints(totals_[s])
        out.append(t.render())
    return b"".join(out)
