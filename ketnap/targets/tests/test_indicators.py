"""The directive's indicators on a small hand-built tree; every expected number is worked out in the comments.

The same ledger is counted two ways: by a rebuild of the rollup from scratch, and incrementally (each
person added through `rollups.person_changed`, as `people.actions` do); both must give the hand answers.

School year 2025–2026 (SY2025) = 01/09/2025 – 31/08/2026.

    Thành ủy (city)
    ├── ward W1 ─ K1 (primary, cell)         ─ K3 (kindergarten, cell; "no source left" in SY2025)
    │            └ K2 (lower secondary) — under W2 until 01/02/2026, then moved to W1
    ├── ward W2 ─ K5 (upper secondary, cell founded 01/03/2026)
    │            (kindergarten S4 without a party organisation, located in W2)
    └── upper U ─ university committee G ─ SV_OLD (student cell, founded 01/09/2024)
                                          ├ SV_NEW (student cell, founded 30/09/2025: 11 months before 31/08/2026)
                                          └ STAFF (staff cell)
"""

import datetime as dt

import pytest

from ketnap.targets import queries, rollups
from ketnap.targets.models import NoSourceRecord
from ketnap.targets.tests.builders import K, admitted, person, school, unit, votes

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture(params=["rebuilt", "incremental"])
def city(request):
    incremental = request.param == "incremental"
    t = type("T", (), {})()
    t.city = unit("Thành ủy", K.CITY)
    t.w1 = unit("Phường 1", K.WARD, t.city, founded=D(2025, 7, 1))
    t.w2 = unit("Phường 2", K.WARD, t.city, founded=D(2025, 7, 1))
    t.k1 = unit("K1", K.GRASSROOTS_CELL, t.w1, founded=D(2010, 1, 1), cell_kind="staff")
    t.k2 = unit("K2", K.GRASSROOTS_CELL, t.w1, founded=D(2010, 1, 1), cell_kind="staff",
                links=[(t.w2, D(2025, 7, 1), D(2026, 2, 1)), (t.w1, D(2026, 2, 1), None)])  # fmt: skip
    t.k3 = unit("K3", K.GRASSROOTS_CELL, t.w1, founded=D(2010, 1, 1), cell_kind="staff")
    t.k5 = unit("K5", K.GRASSROOTS_CELL, t.w2, founded=D(2026, 3, 1), cell_kind="staff")
    t.upper = unit("U", K.UPPER, t.city)
    t.g = unit("G", K.GRASSROOTS, t.upper)
    t.sv_old = unit("SV_OLD", K.CELL, t.g, founded=D(2024, 9, 1), cell_kind="student")
    t.sv_new = unit("SV_NEW", K.CELL, t.g, founded=D(2025, 9, 30), cell_kind="student")
    t.staff = unit("STAFF", K.CELL, t.g, founded=D(2000, 1, 1), cell_kind="staff")
    school("S1", "primary", t.k1, t.w1)
    school("S2", "lower_secondary", t.k2, t.w2)
    school("S3", "kindergarten", t.k3, t.w1)
    school("S4", "kindergarten", None, t.w2)
    school("S5", "upper_secondary", t.k5, t.w2)
    school("H", "university", t.g, t.w1)
    NoSourceRecord.objects.create(
        unit=t.k3, window="SY2025", reason="Không còn quần chúng ưu tú", recorded_on=D(2026, 5, 4)
    )
    if incremental:
        rollups.build([queries.window("SY2025"), queries.window("SY2024"), queries.window("CY2026")])
    inc = {"incremental": incremental}

    # K1: a teacher admitted on 31/08/2025 (previous year), a teacher on 01/09/2025, a staff member on
    # 31/08/2026, a pupil on 01/09/2026 (next year). Teacher X admitted in K1 on 15/10/2025, then transferred
    # to K5 on 10/03/2026.
    admitted(t.k1, D(2025, 8, 31), **inc)
    admitted(t.k1, D(2025, 9, 1), **inc)
    admitted(t.k1, D(2026, 8, 31), role="staff", **inc)
    admitted(t.k1, D(2026, 9, 1), role="pupil", **inc)
    t.x = person(t.k5, [("source_identified", D(2024, 10, 1), {}, t.k1), *votes(D(2025, 10, 15), t.k1),
                        ("decision", D(2025, 10, 15), {}, t.k1),
                        ("unit_changed", D(2026, 3, 10), {"to_id": t.k5.pk}, t.k1)], **inc)  # fmt: skip
    # K2: two admissions in October 2025 while it was under W2, one of them a teacher.
    admitted(t.k2, D(2025, 10, 20), **inc)
    admitted(t.k2, D(2025, 10, 21), role="staff", **inc)
    # K5 and K3 admit nobody. SV_OLD: an excellent student on 31/08/2026, a student on 01/09/2026.
    admitted(t.sv_old, D(2026, 8, 31), role="student", excellent=True, **inc)
    admitted(t.sv_old, D(2026, 9, 1), role="student", **inc)
    # STAFF: a lecturer (not excellent) in March 2026. SV_NEW: nobody.
    admitted(t.staff, D(2026, 3, 2), role="lecturer", **inc)
    if not incremental:
        rollups.build([queries.window("SY2025"), queries.window("SY2024"), queries.window("CY2026")])
    return t


def values(unit, key):
    return queries.values_at(unit.pk, key)


def test_k12_schools_with_an_organisation(city):
    # S1 (K1), S2 (K2), S3 (K3), S5 (K5, founded 01/03/2026 ≤ 31/08/2026) have one, S4 has none: 4/5
    assert values(city.city, "SY2025")["K12_SCHOOLS_WITH_ORG"] == pytest.approx(4 / 5)
    # W1: S1, S3 and S2 (its cell K2 is under W1 at the year's end): 3/3. W2: S4 (located there), S5: 1/2
    assert values(city.w1, "SY2025")["K12_SCHOOLS_WITH_ORG"] == 1
    assert values(city.w2, "SY2025")["K12_SCHOOLS_WITH_ORG"] == pytest.approx(1 / 2)


def test_the_k12_exemption_and_the_cell_moved_mid_year(city):
    # Population: K1, K2, K5 (K3 exempt). K1 admitted 3 in SY2025 (01/09/2025, X on 15/10/2025, 31/08/2026),
    # K2 admitted 2, K5 none (X's admission stays with K1 after the transfer).
    v = values(city.city, "SY2025")
    assert v["K12_CELL_TWO"] == pytest.approx(2 / 3)
    assert v["K12_CELL_TEACHER"] == pytest.approx(2 / 3)  # K1 (two teachers), K2 (one); K5 none
    # K2 moved from W2 to W1 on 01/02/2026: it counts under W1 at the year's end.
    assert values(city.w1, "SY2025")["K12_CELL_TWO"] == 1  # K1, K2 of 2
    assert values(city.w2, "SY2025")["K12_CELL_TWO"] == 0  # K5 of 1
    t = queries.totals_at(city.w1.pk, "SY2025")
    assert (t["k12_cells"], t["k12_cells_two"], t["admitted"]) == (2, 2, 5)
    # In the year before, K2 was under W2 on that year's last day (31/08/2025).
    assert queries.parent_at(city.k2.pk, "SY2024") == city.w2.pk
    assert queries.parent_at(city.k2.pk, "SY2025") == city.w1.pk


def test_without_the_exemption_k3_would_count(city):
    # The record lifted: K3 (no admission) joins the population: two 2/4.
    record = NoSourceRecord.objects.get(unit=city.k3)
    record.delete()
    rollups.set_exempt(city.k3.pk, "SY2025", False)
    assert values(city.city, "SY2025")["K12_CELL_TWO"] == pytest.approx(2 / 4)
    assert rollups.check([queries.window("SY2025")]) == []


def test_admitted_on_31_august_versus_1_september(city):
    # K1: 31/08/2025 → SY2024; 01/09/2025 → SY2025; 31/08/2026 → SY2025; 01/09/2026 → SY2026 (not built).
    assert queries.totals_at(city.k1.pk, "SY2024")["admitted"] == 1
    assert queries.totals_at(city.k1.pk, "SY2025")["admitted"] == 3
    assert queries.totals_at(city.sv_old.pk, "SY2025")["admitted"] == 1


def test_a_transfer_mid_year(city):
    # X: admitted by K1 on 15/10/2025, held by K5 from 10/03/2026.
    assert queries.totals_at(city.k5.pk, "SY2025")["admitted"] == 0
    k1, k5 = queries.totals_at(city.k1.pk, "SY2025"), queries.totals_at(city.k5.pk, "SY2025")
    # members at the year's end: K1 has its three 2025–26 admissions minus X, plus the 31/08/2025 one: 3;
    # K5 has X.
    assert (k1["members_end"], k5["members_end"]) == (3, 1)
    assert queries.totals_at(city.k1.pk, "SY2025")["members_start"] == 1  # the 31/08/2025 admission


def test_higher_education(city):
    v = values(city.city, "SY2025")
    # Admitted in SY2025 in the university: SV_OLD 31/08/2026 (excellent), STAFF 02/03/2026: 2
    assert v["HE_ADMISSIONS"] == 2
    assert v["HE_EXCELLENT_YOUTH"] == pytest.approx(1 / 2)
    # Subcells of G: SV_OLD (1), SV_NEW (0), STAFF (1): 2/3
    assert v["HE_SUBCELLS"] == pytest.approx(2 / 3)
    # Student cells founded ≥ 12 months before 31/08/2026: SV_OLD only (SV_NEW is 11 months old): 1/1
    assert v["HE_STUDENT_CELLS"] == 1
    t = queries.totals_at(city.city.pk, "SY2025")
    assert (t["he_student_cells"], t["he_student_cells_ok"]) == (1, 1)


def test_admissions_against_membership_in_the_calendar_year(city):
    # Members on 31/12/2025: K1's 31/08/2025, 01/09/2025, X (15/10/2025); K2's two (October 2025): 5.
    # Admitted in 2026: K1 31/08/2026, 01/09/2026; SV_OLD 31/08/2026, 01/09/2026; STAFF 02/03/2026: 5.
    t = queries.totals_at(city.city.pk, "CY2026")
    assert (t["members_start"], t["admitted"]) == (5, 5)
    assert values(city.city, "CY2026")["ADMISSIONS_PER_MEMBERS"] == 1.0


def test_the_lagging_cells(city):
    # K5 (no admission), SV_NEW (a subcell without admission); K3 is exempt; SV_OLD, STAFF, K1, K2 are fine.
    assert {r.unit_id for r in queries.lagging_rows(city.city.pk, "SY2025")} == {city.k5.pk, city.sv_new.pk}


def test_the_incremental_rows_equal_a_rebuild(city):
    assert rollups.check([queries.window(k) for k in ("SY2024", "SY2025", "CY2026")]) == []
