"""What each weakness list holds and in which order, on a small hand-built tree whose answer is worked out
here (the lists are read the way a nation-sized database can serve them: an index in the list's order, a
count that stops at 1,000):

    Thành ủy (city)
    ├── ward P ─ K1 (K-12 cell, founded 2010: 3 in the pool, nothing admitted)
    │          ├ K2 (K-12 cell, founded 2010: 4 in the pool, 1 admitted in 2023–2024)
    │          ├ K3 (K-12 cell, founded 01/01/2024: 2 in the pool, nothing admitted — too young)
    │          └ K4 (K-12 cell, founded 2010: nothing in the pool, 1 admitted in 2025–2026)
    └── upper U ─ G1 "Đảng ủy trường H1" (school "Trường Đại học Z", no full-time staff, 2 members)
                │   └ S1 (student cell, live)
                ├ G2 "Đảng ủy trường H2" (school "Trường Cao đẳng B", no full-time staff, 2 members)
                │   └ S2 (student cell, dissolved 01/01/2025)
                ├ G3 "Đảng ủy trường H3" (school "Trường Đại học A", full-time staff, 2 members)
                └ G4 "Đảng ủy trường H4" (school "Trường Đại học C", no full-time staff, 1 member)

The school year is 2025–2026 ("today" 01/06/2026); the thresholds are set low for the small tree: a pool of
at least 2 (W_POOL_GT_ADMISSIONS), 2 members (W_MANY_MEMBERS_NO_STAFF).
"""

import datetime as dt

import pytest

from ketnap.rules import indicators as ind
from ketnap.targets import conf, queries, rollups
from ketnap.targets.tests.builders import K, admitted, person, school, unit

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 1)
SY25 = "SY2025"


@pytest.fixture(autouse=True)
def low_thresholds(settings):
    settings.KETNAP_INDICATOR_PARAMS = {"pool_min": 2, "staff_members": 2}


@pytest.fixture
def t():
    t = type("T", (), {})()
    t.city = unit("Thành ủy", K.CITY)
    t.p = unit("Phường P", K.WARD, t.city, founded=D(2015, 1, 1), links=[])
    t.k1 = unit("Chi bộ K1", K.GRASSROOTS_CELL, t.p, founded=D(2010, 1, 1), cell_kind="staff")
    t.k2 = unit("Chi bộ K2", K.GRASSROOTS_CELL, t.p, founded=D(2010, 1, 1), cell_kind="staff")
    t.k3 = unit("Chi bộ K3", K.GRASSROOTS_CELL, t.p, founded=D(2024, 1, 1), cell_kind="staff",
                links=[(t.p, D(2024, 1, 1), None)])  # fmt: skip
    t.k4 = unit("Chi bộ K4", K.GRASSROOTS_CELL, t.p, founded=D(2010, 1, 1), cell_kind="staff")
    for cell in (t.k1, t.k2, t.k3, t.k4):
        school(f"Trường {cell.name}", "primary", cell, t.p)
    t.u = unit("Đảng ủy khối U", K.UPPER, t.city)
    t.g = [unit(f"Đảng ủy trường H{i}", K.GRASSROOTS, t.u) for i in (1, 2, 3, 4)]
    t.s1 = unit("Chi bộ Sinh viên 1", K.CELL, t.g[0], founded=D(2015, 1, 1), cell_kind="student")
    t.s2 = unit("Chi bộ Sinh viên 2", K.CELL, t.g[1], founded=D(2015, 1, 1), cell_kind="student")
    t.s2.dissolved_on = D(2025, 1, 1)
    t.s2.save(update_fields=["dissolved_on"])
    names = ["Trường Đại học Z", "Trường Cao đẳng B", "Trường Đại học A", "Trường Đại học C"]
    levels = ["university", "college", "university", "university"]
    t.schools = [school(n, lv, g, t.p) for n, lv, g in zip(names, levels, t.g)]
    t.schools[2].has_full_time_party_staff = True
    t.schools[2].save(update_fields=["has_full_time_party_staff"])
    for g, n in zip(t.g, (2, 2, 2, 1)):
        for _ in range(n):
            admitted(g, D(2024, 3, 1))
    for cell, n in ((t.k1, 3), (t.k2, 4), (t.k3, 2)):
        for _ in range(n):
            person(cell, [("source_identified", D(2025, 9, 10))])
    admitted(t.k2, D(2023, 10, 2))
    admitted(t.k4, D(2025, 10, 2))
    rollups.build(conf.default_windows(TODAY), as_of=TODAY)
    t.user = None
    return t


def weakness(t, wid, at=None):
    row = queries.row_at((at or t.city).pk, SY25)
    kind, items = queries.weakness(t.user, row, wid, TODAY)
    return kind, list(items)


def test_cells_with_a_large_pool_and_few_admissions_largest_pool_first(t):
    # K2: pool 4, 0 admitted this year; K1: pool 3; K3: pool 2 (2 is the minimum); K4: no pool
    kind, items = weakness(t, "W_POOL_GT_ADMISSIONS")
    assert kind == "units"
    assert [(r.unit.name, r.pool_end) for r in items] == [
        ("Chi bộ K2", 4),
        ("Chi bộ K1", 3),
        ("Chi bộ K3", 2),
    ]


def test_cells_that_never_admit_in_three_school_years_in_the_trees_order(t):
    # K1: nothing since 2023–2024; K2 admitted in 2023–2024, K4 in 2025–2026; K3 founded 01/01/2024 (inside
    # the three years); the student cells S1 (no admission) is old enough, S2 is dissolved
    kind, items = weakness(t, "W_CELLS_NEVER_ADMIT")
    assert [r.unit.name for r in items] == ["Chi bộ K1", "Chi bộ Sinh viên 1"]
    assert [r.unit.name for r in weakness(t, "W_CELLS_NEVER_ADMIT", t.p)[1]] == ["Chi bộ K1"]


def test_schools_with_many_members_and_no_full_time_staff_by_name(t):
    # H1 and H2: 2 members, no staff; H3 has staff; H4 has 1 member
    kind, items = weakness(t, "W_MANY_MEMBERS_NO_STAFF")
    assert kind == "schools"
    assert [(s.name, n) for s, n in items] == [("Trường Cao đẳng B", 2), ("Trường Đại học Z", 2)]
    assert weakness(t, "W_MANY_MEMBERS_NO_STAFF", t.p)[1] == []


def test_higher_education_schools_without_a_live_student_cell_by_name(t):
    # H1 has the live S1; H2's only student cell is dissolved; H3 and H4 have none
    kind, items = weakness(t, "W_HE_NO_STUDENT_CELL")
    assert kind == "schools"
    assert [s.name for s, _ in items] == ["Trường Cao đẳng B", "Trường Đại học A", "Trường Đại học C"]
    assert weakness(t, "W_HE_NO_STUDENT_CELL", t.g[2])[1][0][0].name == "Trường Đại học A"
    assert weakness(t, "W_HE_NO_STUDENT_CELL", t.g[0])[1] == []


def test_the_thresholds_are_the_directives_by_default(settings, t):
    settings.KETNAP_INDICATOR_PARAMS = {}
    assert (ind.DEFAULT_PARAMS.pool_min, ind.DEFAULT_PARAMS.staff_members) == (5, 100)
    assert weakness(t, "W_POOL_GT_ADMISSIONS")[1] == []  # no pool of 5
    assert weakness(t, "W_MANY_MEMBERS_NO_STAFF")[1] == []  # no school of 100 members
