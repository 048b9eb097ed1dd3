"""The rollup's array arithmetic (targets.arrays) gives the rule book's numbers: every unit's totals and flags
equal `rules.indicators.totals_for_tree` on random trees, and the COPY text is the rows' values as PostgreSQL
reads them. The binary rows of PostgreSQL's COPY are read back exactly."""

import datetime
import math
import random

import numpy as np
import pytest
from django.db import connection

from ketnap.rules import indicators as ind
from ketnap.targets import arrays
from ketnap.targets.models import window_code, window_key

KINDS = ["cell", "grassroots_cell", "grassroots", "committee", "ward"]
LEVELS = ["university", "college", "primary", "lower_secondary", "upper_secondary", "kindergarten"]


def random_tree(rng: random.Random, n: int):
    units = []
    for i in range(1, n + 1):
        parent = None if i == 1 else rng.randint(1, i - 1)
        founded = rng.choice([None, datetime.date(2020, 1, 1), datetime.date(2025, 6, 1)])
        dissolved = rng.choice([None, None, None, datetime.date(2026, 3, 1)])
        units.append(ind.UnitRec(i, rng.choice(KINDS), rng.choice(["student", "teacher", ""]), founded,
                                 dissolved, parent))  # fmt: skip
    schools = [
        ind.SchoolRec(j, rng.choice(LEVELS), rng.choice([None, *range(1, n + 1)]), rng.randint(1, n))
        for j in range(1, n // 2 + 2)
    ]
    return units, schools


def random_counts(rng: random.Random, size: int) -> np.ndarray:
    own = np.zeros((size, arrays.N_PERSON), np.int64)
    for u in range(size):
        if rng.random() < 0.7:
            own[u] = [rng.choice([0, 0, 0, 1, 2, 3, rng.randint(0, 5000), rng.randint(0, 10**7)])
                      for _ in range(arrays.N_PERSON)]  # fmt: skip
    return own


def expected_text(code: int, nodes, totals, lagging) -> str:
    def text(v):
        if v is None:
            return "\\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        return str(v)

    lines = []
    for node in nodes.values():
        values = [code, node.id, node.parent_id, node.path, node.depth, node.lo, node.hi, node.active,
                  node.is_cell, node.school_kind, node.k12_cell, node.he_subcell, node.he_student_cell,
                  node.exempt, node.id in lagging, *totals[node.id].values]  # fmt: skip
        lines.append("\t".join(map(text, values)) + "\n")
    return "".join(lines)


@pytest.mark.parametrize("seed", range(40))
def test_the_arrays_give_the_rule_books_totals_flags_and_rows(seed):
    rng = random.Random(seed)
    units, schools = random_tree(rng, rng.randint(1, 80))
    window = rng.choice([ind.school_year(2025), ind.calendar_year(2026)])
    exempt = [u.id for u in units if rng.random() < 0.15]
    nodes = ind.window_tree(units, [], schools, window=window, exempt_ids=exempt)
    size = len(units) + rng.choice([-3, 0, 4])  # units past the counters' end have none
    own = random_counts(rng, max(size, 0))
    for _ in range(
        rng.choice([0, 1, 3])
    ):  # runs of counters that are 0 everywhere (a closed window's projections)
        start = rng.randrange(arrays.N_PERSON)
        own[:, start : start + rng.randint(1, 25)] = 0
    lagging: set[int] = set()
    reference = ind.totals_for_tree(
        nodes, {u: own[u].tolist() for u in range(len(own)) if own[u].any()}, lagging
    )

    tree = arrays.Tree(nodes)
    totals, flags = arrays.totals(tree, own, arrays.Workspace())

    for i, node in enumerate(tree.nodes):
        assert totals[i].tolist() == reference[node.id].values, node
        assert bool(flags[i]) == (node.id in lagging)
    code = window_code(window.key)
    assert arrays.rows_text(
        code, tree, totals, flags, chunk=rng.choice([1, 7, 1000])
    ).decode() == expected_text(code, nodes, reference, lagging)


def test_a_reused_workspace_gives_each_window_its_own_totals():
    rng = random.Random(7)
    work = arrays.Workspace()
    for n in (50, 20, 70):
        units, schools = random_tree(rng, n)
        nodes = ind.window_tree(units, [], schools, window=ind.school_year(2025))
        own = random_counts(rng, n + 1)
        reference = ind.totals_for_tree(nodes, {u: own[u].tolist() for u in range(n + 1) if own[u].any()})
        totals, _ = arrays.totals(arrays.Tree(nodes), own, work)
        assert [totals[i].tolist() for i in range(len(nodes))] == [reference[u].values for u in nodes]


@pytest.mark.parametrize("need", [1, 2])
def test_the_chance_of_reaching_a_threshold_is_the_rule_books_to_the_thousandth(need):
    done = np.array([0, 0, 1, 1, 2, 0, 1, 3, 0, 1] * 300)
    rng = random.Random(need)
    expected = np.array([rng.choice([0, 1, 499, 500, 1500, rng.randint(0, 10**6)]) for _ in done])
    got = arrays.reach_milli(done, need, expected)
    assert got.tolist() == [ind.reach_milli(int(d), need, int(e)) for d, e in zip(done, expected)]
    assert math.isclose(ind.reach_milli(0, 1, 1000), 632)


def test_numbers_of_every_width_and_nulls_are_written_as_copy_text():
    values = np.array([0, 9, 10, 99, 100, 123456789, 10**12, 7])
    text = arrays.Text(len(values))
    text.ints(values, null=values == 7)
    text.ints(np.stack([values, values * 2], axis=1))
    text.bools(values > 50)
    text.strings(["", "a.b.", "x", "", "0000001.", "", "", "z"])
    text.constant("20251")
    lines = text.render().decode().splitlines()
    assert lines[0] == "0\t0\t0\tf\t\t20251"
    assert lines[5] == "123456789\t123456789\t246913578\tt\t\t20251"
    assert lines[6] == f"{10**12}\t{10**12}\t{2 * 10**12}\tt\t\t20251"
    assert lines[7] == "\\N\t7\t14\tf\tz\t20251"
    with pytest.raises(ValueError):
        arrays.Text(1).ints(np.array([-1]))


def test_the_window_codes_round_trip_and_refuse_what_is_not_a_window():
    assert window_code("SY2025") == 20251 and window_code("CY2026") == 20262
    assert window_key(20251) == "SY2025" and window_key(20262) == "CY2026"
    for bad in ("XY2025", "SY20", "SYabcd", ""):
        with pytest.raises(ValueError):
            window_code(bad)
    with pytest.raises(ValueError):
        window_key(20253)


@pytest.mark.django_db
def test_rows_read_by_binary_copy_are_the_querys_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("binary COPY is PostgreSQL's")
    sql = "SELECT g, g * 1000003 - 5, -g FROM generate_series(1::bigint, %s) g"
    with connection.cursor() as cur:
        old = arrays.BATCH_BYTES
        arrays.BATCH_BYTES = 4096  # many batches, records split across them
        try:
            got = np.concatenate(list(arrays.query_batches(cur, sql, [20_000], 3, "postgresql")))
        finally:
            arrays.BATCH_BYTES = old
    g = np.arange(1, 20_001)
    assert got.tolist() == np.stack([g, g * 1000003 - 5, -g], axis=1).tolist()
    with pytest.raises(ValueError), connection.cursor() as cur:
        list(arrays.query_batches(cur, "SELECT NULL::bigint", [], 1, "postgresql"))


@pytest.mark.django_db
def test_integer_columns_read_back_are_the_querys_numbers():
    sql = "SELECT g %% 3, g, g * 1000003 - 5, -g FROM (SELECT value AS g FROM ({}) AS v) AS s".format(
        "SELECT generate_series(1::bigint, %s) AS value"
        if connection.vendor == "postgresql"
        else "WITH RECURSIVE n(value) AS (SELECT 1 UNION ALL SELECT value + 1 FROM n WHERE value < %s) "
        "SELECT value FROM n"
    )
    with connection.cursor() as cur:
        got = arrays.grouped_columns(cur, sql, [20_000], 3, connection.vendor)
    assert sorted(got) == [0, 1, 2]
    for key, (g, big, neg) in got.items():
        assert sorted(g.tolist()) == [x for x in range(1, 20_001) if x % 3 == key]
        assert (big == g * 1000003 - 5).all() and (neg == -g).all()  # each group's columns stay aligned
    with pytest.raises((ValueError, TypeError)), connection.cursor() as cur:  # a NULL never shifts a column
        arrays.grouped_columns(cur, "SELECT 0, 1 UNION ALL SELECT 0, NULL", [], 1, connection.vendor)


def moving_tree(rng: random.Random, n: int):
    """A tree with a history: ids with gaps, units founded and dissolved, parents changed by links (some
    to units dissolved meanwhile, some to ids that are no unit, some making a cycle), schools anywhere."""
    ids = sorted(rng.sample(range(1, 40 * n + 2), n)) if rng.random() < 0.5 else list(range(1, n + 1))
    if rng.random() < 0.2:
        ids = [i + 20_000_000 for i in ids]  # far from 0: looked up by search, not by a table
    day = datetime.date
    dates = [None, day(2019, 5, 1), day(2025, 6, 1), day(2025, 12, 31), day(2026, 1, 1), day(2026, 3, 1),
             day(2026, 8, 31), day(2026, 9, 1)]  # fmt: skip
    units, links = [], []
    for k, uid in enumerate(ids):
        parent = None if k == 0 or rng.random() < 0.03 else ids[rng.randrange(k)]
        if parent is not None and rng.random() < 0.03:
            parent = 10**9 + k  # no such unit
        founded = rng.choice(dates)
        dissolved = rng.choice([None, None, None, *dates[1:]])
        if founded and dissolved and dissolved <= founded:
            dissolved = None
        units.append(ind.UnitRec(uid, rng.choice(KINDS), rng.choice(["student", "teacher", ""]), founded,
                                 dissolved, parent))  # fmt: skip
        for _ in range(rng.choice([0, 0, 0, 1, 2, 3])):
            start = day(2024, 1, 1) + datetime.timedelta(days=rng.randrange(1200))
            end = rng.choice([None, start + datetime.timedelta(days=rng.randrange(1, 400))])
            target = rng.choice([*ids, 10**9]) if rng.random() < 0.9 else uid
            links.append(ind.LinkRec(uid, target, start, end))
    rng.shuffle(links)
    schools = [
        ind.SchoolRec(j, rng.choice(LEVELS), rng.choice([None, 10**9, *ids]), rng.choice([None, 10**9, *ids]))
        for j in range(1, n // 2 + 2)
    ]
    rng.shuffle(units)
    return units, links, schools


@pytest.mark.parametrize("seed", range(80))
def test_the_window_tree_by_arrays_is_the_rule_books(seed):
    rng = random.Random(1000 + seed)
    units, links, schools = moving_tree(rng, rng.choice([1, 2, 5, 30, 120]))
    data = ind.prepare_tree(units, links, schools)
    prep = arrays.TreeArrays.from_data(data)
    for window in (
        ind.school_year(2025),
        ind.calendar_year(2026),
        ind.school_year(2026),
        ind.calendar_year(2025),
    ):
        exempt = [u.id for u in units if rng.random() < 0.15]
        params = ind.Params(student_cell_age_months=rng.choice([0, 6, 12]))
        expected = arrays.Tree(ind.window_tree(data, window=window, exempt_ids=exempt, params=params))
        got = arrays.window_tree(prep, window, exempt, params)
        assert got.n == expected.n
        for name in ("ids", "parent", "depth", "lo", "hi", "active", "is_cell", "k12_cell", "he_subcell",
                     "he_student_cell", "exempt", "he", "k12_schools", "k12_schools_org"):  # fmt: skip
            assert getattr(got, name).tolist() == getattr(expected, name).tolist(), (name, window.key)
        assert got.paths == expected.paths
        assert got.school_kinds == expected.school_kinds
