"""Indicator arithmetic on plain records (rules.indicators), with answers worked out by hand."""

import datetime as dt
import math
from fractions import Fraction

import pytest

from ketnap.rules import Calendar
from ketnap.rules import indicators as ind
from ketnap.rules.indicators import EventRec, LinkRec, PersonRec, SchoolRec, UnitRec

D = dt.date
SY25 = ind.school_year(2025)  # 01/09/2025 – 31/08/2026
CAL = Calendar()


# ---------------------------------------------------------------------------------------------- windows


def test_the_school_year_runs_from_1_september_to_31_august():
    assert (SY25.start, SY25.end) == (D(2025, 9, 1), D(2026, 8, 31))
    assert SY25.key == "SY2025" and SY25.label == "2025–2026"
    assert ind.school_year_of(D(2026, 8, 31)) == 2025
    assert ind.school_year_of(D(2026, 9, 1)) == 2026


def test_the_school_year_start_is_configurable():
    w = ind.school_year(2025, (8, 15))
    assert (w.start, w.end) == (D(2025, 8, 15), D(2026, 8, 14))
    assert ind.school_year_of(D(2026, 8, 14), (8, 15)) == 2025
    assert ind.school_year_of(D(2026, 8, 15), (8, 15)) == 2026


def test_calendar_year_windows_and_keys_round_trip():
    w = ind.calendar_year(2026)
    assert (w.start, w.end, w.key, w.label) == (D(2026, 1, 1), D(2026, 12, 31), "CY2026", "2026")
    assert ind.window_from_key("CY2026") == w
    assert ind.window_from_key("SY2025") == SY25
    with pytest.raises(ValueError):
        ind.window_from_key("XX2025")


# ---------------------------------------------------------------------------------------------- values


def test_a_share_needs_a_denominator_and_a_count_does_not():
    share, count = ind.INDICATORS["K12_CELL_TWO"], ind.INDICATORS["HE_ADMISSIONS"]
    assert ind.value_of(share, {"k12_cells_two": 2, "k12_cells": 3}) == pytest.approx(2 / 3)
    assert ind.value_of(share, {"k12_cells_two": 0, "k12_cells": 0}) is None
    assert ind.value_of(count, {"he_admitted": 1075}) == 1075


def test_more_than_60_percent_means_strictly_more():
    excellent = ind.INDICATORS["HE_EXCELLENT_YOUTH"]
    assert ind.meets(excellent, 0.60, 0.6) is False
    assert ind.meets(excellent, 0.601, 0.6) is True
    assert ind.meets(ind.INDICATORS["K12_CELL_TWO"], 1.0, 1.0) is True
    assert ind.meets(ind.INDICATORS["HE_ADMISSIONS"], 999, 1000) is False


def test_shares_are_compared_exactly_not_on_rounded_percentages():
    two, subcells = ind.INDICATORS["K12_CELL_TWO"], ind.INDICATORS["HE_SUBCELLS"]
    # 2,999 of 3,000 cells is 99.9666…%: it shows as 100.0 % rounded to 0.1 %, but misses a 100 % target.
    almost = ind.ratio_of(two, {"k12_cells_two": 2999, "k12_cells": 3000})
    assert almost == Fraction(2999, 3000)
    assert ind.meets(two, almost, 1.0) is False
    assert ind.meets(two, ind.ratio_of(two, {"k12_cells_two": 3000, "k12_cells": 3000}), 1.0) is True
    # 7,003 of 10,000 is 70.03 %: it exceeds "> 70 %" (rounded to 0.1 % it would read 70.0 % and fail).
    above = ind.ratio_of(subcells, {"he_subcells_ok": 7003, "he_subcells": 10000})
    assert ind.meets(subcells, above, 0.7) is True
    assert ind.meets(subcells, Fraction(7, 10), 0.7) is False  # exactly 70 % is not more than 70 %
    # 21/30 is exactly 70 %: "≥ 70 %" is met (a float target typed as 0.7 is read as 7/10)
    assert ind.meets(two, Fraction(21, 30), 0.7) is True
    assert ind.exact(0.7) == Fraction(7, 10) and ind.exact(0.03) == Fraction(3, 100)


def test_a_target_below_the_texts_default_is_below_the_floor():
    excellent, count = ind.INDICATORS["HE_EXCELLENT_YOUTH"], ind.INDICATORS["HE_ADMISSIONS"]
    assert ind.below_floor(excellent, 0.4) is True  # 40 % for "> 60 %"
    assert ind.below_floor(excellent, 0.6) is False and ind.below_floor(excellent, 0.75) is False
    assert ind.below_floor(count, 10) is False  # a count is split among the units: no floor per unit


def test_status_is_on_track_only_while_the_window_is_open():
    i = ind.INDICATORS["HE_ADMISSIONS"]
    assert ind.status(i, 400, 1000, final=False, projected=1100) == "on_track"
    assert ind.status(i, 400, 1000, final=True, projected=1100) == "behind"
    assert ind.status(i, 1000, 1000, final=True) == "met"
    assert ind.status(i, 1000, None, final=True) == "none"


def test_a_stage_model_learns_the_share_and_the_lead_time_from_history():
    # 100 entered "approved by the cell"; 80 of them admitted: 40 within 30 days, 40 within 31–60 days.
    m = ind.StageModel("APPROVED", 100, (40, 40, 0, 0, 0))
    assert m.share == Fraction(4, 5) and m.decided == 80
    # the lead-time distribution, linear inside a bin: half of the admissions by day 30, all by day 60
    assert m.cdf(15) == pytest.approx(0.25) and m.cdf(30) == pytest.approx(0.5) and m.cdf(60) == 1.0
    assert m.lead_quantile(0.5) == pytest.approx(30)
    # a dossier 15 days in the stage with 30 days left: 0.8·(F(45) − F(15)) / (1 − 0.8·F(15))
    #   = 0.8·(0.75 − 0.25) / (1 − 0.2) = 0.5
    assert m.probability(15, 30) == pytest.approx(0.5)
    # 45 days in the stage: 0.8·(F(75) − F(45)) / (1 − 0.8·F(45)) = 0.8·0.25 / 0.4 = 0.5
    assert m.probability(45, 30) == pytest.approx(0.5)
    # 100 days in: every admission came by day 60, none is expected any more
    assert m.probability(100, 30) == 0.0
    # an applicant stuck for two years: no admission in the histogram came that late
    stuck = ind.StageModel("APPLICANT", 100, (10, 30, 20, 10, 0))
    assert ind.lead_bin("APPLICANT", 730) == 4 and stuck.probability(ind.bin_age("APPLICANT", 4), 274) == 0.0
    # no time left, or no history: nothing
    assert (
        m.probability(15, 0) == 0.0 and ind.StageModel("APPROVED", 0, (0, 0, 0, 0)).probability(15, 30) == 0.0
    )


def test_a_unit_with_too_little_history_learns_from_its_parent():
    params = ind.Params(projection_min_entered=30, projection_min_decided=10)
    cell = {"approved": 5, "lead_apr0": 5, "applicants": 40, "lead_app1": 20}  # 5 entries: too few
    ward = {"approved": 200, "lead_apr0": 150, "applicants": 300, "lead_app1": 100}
    models = ind.choose_models([(7, cell), (3, ward)], params)
    assert models["APPROVED"].unit_id == 3 and models["APPROVED"].share == Fraction(3, 4)
    assert models["APPLICANT"].unit_id == 7 and models["APPLICANT"].share == Fraction(1, 2)
    assert models["SYMPATHISER"].unit_id == 3 and models["SYMPATHISER"].entered == 0  # nobody has any


def test_the_forecast_is_a_range_around_the_expected_admissions():
    m = ind.StageModel("APPROVED", 100, (40, 40, 0, 0, 0))
    none = ind.StageModel("APPLICANT", 0, (0,) * 5)
    models = {"APPROVED": m, "APPLICANT": none, "SYMPATHISER": ind.StageModel("SYMPATHISER", 0, (0,) * 5)}
    # 3 admitted; 2 approved dossiers in the first age bin (taken as 15 days old); 30 days left
    fc = ind.forecast(3, {"APPROVED": [2, 0, 0, 0, 0]}, models, 30)
    assert fc.expected == pytest.approx(3 + 2 * 0.5)  # each has a chance of 0.5
    # the range: the share at the ends of its 90 % Wilson interval, ± 1.645·√(Σ p(1 − p)), whole persons
    z, n, k = 1.645, 100, 80
    centre = (k / n + z * z / (2 * n)) / (1 + z * z / n)
    half = z * ((k / n) * (1 - k / n) / n + z * z / (4 * n * n)) ** 0.5 / (1 + z * z / n)
    lo_share, hi_share = centre - half, centre + half  # ≈ 0.7267, 0.8575
    p_lo = lo_share * 0.5 / (1 - lo_share * 0.25)
    p_hi = hi_share * 0.5 / (1 - hi_share * 0.25)
    low = max(3, math.floor(3 + 2 * p_lo - z * (2 * p_lo * (1 - p_lo)) ** 0.5))
    high = min(5, math.ceil(3 + 2 * p_hi + z * (2 * p_hi * (1 - p_hi)) ** 0.5))
    assert (fc.low, fc.high) == (low, high) == (3, 5)
    assert fc.low <= fc.expected <= fc.high
    # nothing in progress: the range is what is admitted
    assert (ind.forecast(3, {}, models, 30).low, ind.forecast(3, {}, models, 30).high) == (3, 3)


def test_every_directive_indicator_of_the_domain_book_is_registered_once():
    assert list(ind.DIRECTIVE_IDS) == [
        "K12_SCHOOLS_WITH_ORG", "K12_CELL_TWO", "K12_CELL_TEACHER", "HE_ADMISSIONS", "HE_EXCELLENT_YOUTH",
        "HE_SUBCELLS", "HE_STUDENT_CELLS", "ADMISSIONS_PER_MEMBERS",
    ]  # fmt: skip
    for i in ind.ALL_INDICATORS.values():
        assert i.num in ind.TOTAL_FIELDS and (i.den is None or i.den in ind.TOTAL_FIELDS)
        assert i.name and i.explanation and i.window_kind in ("SY", "CY")


def test_median():
    assert ind.median([]) is None
    assert ind.median([5, 1, 3]) == 3
    assert ind.median([4, 1, 3, 2]) == 2.5


# ---------------------------------------------------------------------------------------------- the tree


def tree():
    """city 1 → wards 2, 3; cell 10 was under ward 3 until 01/02/2026, then under ward 2; upper 4 → university
    committee 5 → student cells 20 (founded 01/09/2024), 21 (30/09/2025), 22 (31/08/2025), staff cell 23."""
    units = [
        UnitRec(1, "city", "", None, None, None),
        UnitRec(2, "ward", "", D(2025, 7, 1), None, 1),
        UnitRec(3, "ward", "", D(2025, 7, 1), None, 1),
        UnitRec(10, "grassroots_cell", "staff", D(2010, 1, 1), None, 2),
        UnitRec(11, "grassroots_cell", "staff", D(2010, 1, 1), None, 3),
        UnitRec(4, "upper", "", None, None, 1),
        UnitRec(5, "grassroots", "", None, None, 4),
        UnitRec(20, "cell", "student", D(2024, 9, 1), None, 5),
        UnitRec(21, "cell", "student", D(2025, 9, 30), None, 5),
        UnitRec(22, "cell", "student", D(2025, 8, 31), None, 5),
        UnitRec(23, "cell", "staff", D(2000, 1, 1), None, 5),
    ]
    links = [
        LinkRec(2, 1, D(2025, 7, 1), None),
        LinkRec(3, 1, D(2025, 7, 1), None),
        LinkRec(10, 3, D(2025, 7, 1), D(2026, 2, 1)),
        LinkRec(10, 2, D(2026, 2, 1), None),
        LinkRec(11, 3, D(2025, 7, 1), None),
    ]
    schools = [
        SchoolRec(100, "primary", 10, 3),
        SchoolRec(101, "lower_secondary", 11, 3),
        SchoolRec(102, "kindergarten", None, 3),
        SchoolRec(103, "university", 5, 2),
    ]
    return units, links, schools


def test_a_cell_moved_mid_year_hangs_under_its_parent_at_the_window_end():
    units, links, schools = tree()
    nodes = ind.window_tree(units, links, schools, SY25)
    assert nodes[10].parent_id == 2
    assert nodes[10].path == "0000001.0000002.0000010."
    # …and under its old parent in the year that ended before the move
    earlier = ind.window_tree(units, links, schools, ind.school_year(2024))
    assert earlier[10].parent_id == 3


def test_student_cells_count_only_when_founded_12_months_before_the_window_end():
    nodes = ind.window_tree(*tree(), SY25)
    # window end 31/08/2026: 31/08/2025 is exactly 12 months before (in), 30/09/2025 is 11 months (out)
    assert nodes[20].he_student_cell and nodes[22].he_student_cell
    assert not nodes[21].he_student_cell
    assert all(nodes[c].he_subcell for c in (20, 21, 22, 23))


def test_k12_schools_without_an_organisation_count_at_their_ward():
    nodes = ind.window_tree(*tree(), SY25)
    # a school with an organisation counts at it, one without at its ward
    assert (nodes[10].k12_schools, nodes[10].k12_schools_org) == (1, 1)
    assert (nodes[3].k12_schools, nodes[3].k12_schools_org) == (1, 0)  # the kindergarten 102
    totals = ind.totals_for_tree(nodes, {})
    assert (totals[2]["k12_schools"], totals[2]["k12_schools_org"]) == (1, 1)  # 100, through the moved cell
    assert (totals[3]["k12_schools"], totals[3]["k12_schools_org"]) == (2, 1)  # 101 and 102
    assert (totals[1]["k12_schools"], totals[1]["k12_schools_org"]) == (3, 2)  # the university is not K-12
    assert nodes[10].k12_cell and nodes[11].k12_cell and not nodes[20].k12_cell


def test_units_founded_after_the_window_are_not_in_it_and_dissolved_ones_keep_their_last_parent():
    units, links, schools = tree()
    units.append(UnitRec(30, "grassroots_cell", "staff", D(2026, 10, 1), None, 2))
    units.append(UnitRec(31, "grassroots_cell", "staff", D(2015, 1, 1), D(2026, 1, 15), 3))
    nodes = ind.window_tree(units, links, schools, SY25)
    assert 30 not in nodes
    assert nodes[31].parent_id == 3 and not nodes[31].active and not nodes[31].k12_cell


def test_subtree_numbering():
    nodes = ind.window_tree(*tree(), SY25)
    root, ward = nodes[1], nodes[2]
    assert (root.lo, root.hi) == (1, len(nodes))
    inside = {n.id for n in nodes.values() if ward.lo <= n.lo <= ward.hi}
    assert inside == {2, 10}


# ---------------------------------------------------------------------------------------------- flags


def test_the_k12_exemption_takes_a_cell_out_of_the_population():
    units, links, schools = tree()
    nodes = ind.window_tree(units, links, schools, SY25, exempt_ids=[11])
    totals = ind.totals_for_tree(nodes, {10: {"admitted": 2, "admitted_teacher": 1}})
    assert totals[1]["k12_cells"] == 1  # cell 11 (no admission) is exempt
    assert totals[1]["k12_cells_two"] == 1 and totals[1]["k12_cells_teacher"] == 1
    assert totals[1]["lagging"] == 4  # the four cells under the university committee, none admitted


def test_a_cell_with_one_admission_meets_neither_k12_threshold_of_two_nor_teacher_when_not_a_teacher():
    nodes = ind.window_tree(*tree(), SY25)
    flags = ind.unit_flags(nodes[10], {"admitted": 1})
    assert flags.get("k12_cells") == 1 and "k12_cells_two" not in flags and "k12_cells_teacher" not in flags
    assert flags["lagging"] == 1
    # its chance of a second admission, in thousandths, with its dossiers in progress bringing 0.999 of a person
    # (a Poisson count of that mean): 1 − e^−0.999 = 0.6318…
    reach = ind.unit_flags(nodes[10], {"admitted": 1, "proj_milli": 999})
    assert reach["k12_cells_two_reach"] == round(1000 * (1 - math.exp(-0.999))) == 632
    # none admitted: two more needed, 1 − e^−λ(1 + λ) with λ = 1.5: 0.4421…
    two = ind.unit_flags(nodes[10], {"proj_milli": 1500})
    assert two["k12_cells_two_reach"] == round(1000 * (1 - math.exp(-1.5) * 2.5)) == 442
    assert "k12_cells_two_reach" not in ind.unit_flags(nodes[10], {"admitted": 1})  # nothing in progress
    assert ind.unit_flags(nodes[10], {"admitted": 2})["k12_cells_two_reach"] == 1000  # met already


# ---------------------------------------------------------------------------------------------- persons


def ev(kind, day, org, data=None, id=None, corrects=None):
    return EventRec(id, kind, day, org, data or {}, corrects)


def test_admitted_on_31_august_counts_in_the_year_ending_then_and_on_1_september_in_the_next():
    windows = [ind.school_year(2025), ind.school_year(2026)]
    p1 = PersonRec(1, 10, "teacher", stage="ADMITTED", party_age_from=D(2026, 8, 31))
    p2 = PersonRec(2, 10, "teacher", stage="ADMITTED", party_age_from=D(2026, 9, 1))
    c1 = ind.contributions(p1, [ev("decision", D(2026, 8, 31), 10, id=1)], windows, CAL)
    c2 = ind.contributions(p2, [ev("decision", D(2026, 9, 1), 10, id=2)], windows, CAL)
    assert (
        c1[("SY2025", 10)]["admitted"] == 1
        and ("SY2026", 10) not in c1
        or "admitted" not in c1.get(("SY2026", 10), {})
    )
    assert c2[("SY2026", 10)]["admitted"] == 1 and "admitted" not in c2.get(("SY2025", 10), {})
    # party age from the decision: a member at the end of SY2025 only in the first case
    assert c1[("SY2025", 10)]["members_end"] == 1 and "members_end" not in c2.get(("SY2025", 10), {})


def test_a_transfer_mid_year_keeps_the_admission_where_it_was_made_and_moves_the_membership():
    person = PersonRec(1, 11, "teacher", stage="PROBATIONARY", party_age_from=D(2025, 10, 15))
    events = [
        ev("source_identified", D(2024, 10, 1), 10, id=1),
        ev("decision", D(2025, 10, 15), 10, id=2),
        ev("unit_changed", D(2026, 3, 10), 10, {"to_id": 11}, id=3),
    ]
    c = ind.contributions(person, events, [SY25], CAL)
    assert c[("SY2025", 10)] == {"admitted": 1, "admitted_teacher": 1}
    assert c[("SY2025", 11)] == {"members_end": 1}


def test_a_voided_decision_is_not_an_admission_and_a_corrected_date_moves_it():
    person = PersonRec(1, 10, "teacher", stage="APPLICANT")
    events = [
        ev("decision", D(2026, 8, 31), 10, id=1),
        ev("decision", D(2026, 8, 31), 12, {"void": True}, 2, 1),
    ]
    assert ind.contributions(person, events, [SY25], CAL) == {}
    moved = [ev("decision", D(2026, 8, 31), 10, id=1), ev("decision", D(2026, 9, 2), 12, {}, 2, 1)]
    c = ind.contributions(person, moved, [SY25, ind.school_year(2026)], CAL)
    assert c == {("SY2026", 10): {"admitted": 1, "admitted_teacher": 1}}  # the original's org is kept


def test_an_imported_member_is_a_member_from_the_decision_date_but_never_an_admission():
    """An existing member entered by import was admitted elsewhere: not an admission of the importing unit."""
    person = PersonRec(1, 10, "lecturer", "OFFICIAL", party_age_from=D(2025, 12, 1))
    events = [
        ev("member_imported", D(2026, 1, 5), 10, {"stage": "OFFICIAL", "party_age_from": "2025-12-01"}, 1)
    ]
    c = ind.contributions(person, events, [SY25], CAL)
    assert c[("SY2025", 10)] == {"members_end": 1}


def test_pool_members_and_projection_at_the_window_end():
    w = SY25
    source = PersonRec(1, 10, "pupil", stage="SYMPATHISER", stage_since=D(2025, 11, 1))
    withdrawn = PersonRec(2, 10, "pupil", stage="WITHDRAWN", stage_since=D(2026, 5, 1))
    removed = PersonRec(
        3, 10, "teacher", stage="REMOVED", stage_since=D(2025, 12, 1), party_age_from=D(2024, 1, 2)
    )
    c1 = ind.contributions(source, [ev("source_identified", D(2025, 10, 1), 10, id=1)], [w], CAL)
    assert c1[("SY2025", 10)] == {"sources": 1, "pool_end": 1}  # no projection snapshot: no pipeline count
    c2 = ind.contributions(withdrawn, [ev("source_identified", D(2025, 10, 1), 10, id=1)], [w], CAL)
    assert c2[("SY2025", 10)] == {"sources": 1}
    c3 = ind.contributions(removed, [], [w], CAL)
    assert c3 == {("SY2025", 10): {"members_start": 1}}


def test_recognised_on_time_within_60_working_days_of_the_probation_end():
    w = SY25
    person = PersonRec(1, 10, "teacher", stage="OFFICIAL", probation_end=D(2025, 10, 1))
    due = CAL.add_working_days(D(2025, 10, 1), 60)
    on = ind.contributions(person, [ev("recognition_decision", due, 10, id=1)], [w], CAL)
    late = ind.contributions(
        person, [ev("recognition_decision", due + dt.timedelta(days=1), 10, id=1)], [w], CAL
    )
    assert on[("SY2025", 10)]["recognised_on_time"] == 1
    assert "recognised_on_time" not in late[("SY2025", 10)]


def test_the_fast_list_flags_equal_the_reference_flags():
    import itertools
    import random

    rng = random.Random(4)
    for k12, exempt, sub, student in itertools.product([False, True], repeat=4):
        node = ind.Node(1, "cell", None, is_cell=True, active=True, k12_cell=k12, exempt=exempt, he_subcell=sub,
                        he_student_cell=student)  # fmt: skip
        for _ in range(30):
            counts = {f: rng.choice([0, 0, 1, 2, 3]) for f in ind.PERSON_FIELDS}
            values = [counts.get(f, 0) for f in ind.TOTAL_FIELDS]
            ind._flags_into(node, values)
            flags = ind.unit_flags(node, counts)
            assert {f: values[ind.FIELD_INDEX[f]] for f in ind.FLAG_FIELDS} == {
                f: flags.get(f, 0) for f in ind.FLAG_FIELDS
            }


def test_own_counts_as_lists_or_mappings_give_the_same_totals():
    import random

    rng = random.Random(7)
    nodes = ind.window_tree(*tree(), SY25, exempt_ids=[11])
    own = {uid: {f: rng.randint(0, 3) for f in ind.PERSON_FIELDS} for uid in nodes if rng.random() < 0.7}
    as_lists = {uid: [c[f] for f in ind.PERSON_FIELDS] for uid, c in own.items()}
    a, b = ind.totals_for_tree(nodes, own), ind.totals_for_tree(nodes, as_lists)
    assert {k: v.as_dict() for k, v in a.items()} == {k: v.as_dict() for k, v in b.items()}
    # and equal to adding own_totals and unit_flags by hand, children first
    expected = {}
    for node in sorted(nodes.values(), key=lambda n: n.lo, reverse=True):
        t = expected.setdefault(node.id, {})
        for f, x in ind.own_totals(node, own.get(node.id, {})).items():
            t[f] = t.get(f, 0) + x
        for f, x in ind.unit_flags(node, t).items():
            t[f] = t.get(f, 0) + x
        if node.parent_id is not None:
            p = expected.setdefault(node.parent_id, {})
            for f, x in t.items():
                p[f] = p.get(f, 0) + x
    for uid, t in expected.items():
        assert {f: x for f, x in a[uid].as_dict().items() if x} == {f: x for f, x in t.items() if x}
    # the cells whose own flag "lagging" is set, collected on the way, are those unit_flags names
    lagging: set[int] = set()
    c = ind.totals_for_tree(nodes, own, lagging)
    assert lagging == {uid for uid, node in nodes.items() if ind.unit_flags(node, c[uid]).get("lagging")}
    assert lagging and lagging != {uid for uid, node in nodes.items() if node.is_cell}


def test_the_open_windows_pipeline_counts_dossiers_by_stage_and_age_leaving_out_stale_and_blocked():
    as_of = D(2026, 6, 1)
    snap = ind.Projection(as_of, 91, {"SYMPATHISER": (100, 50, 0, 0, 0), "APPLICANT": (600, 300, 0, 0, 0),
                                      "APPROVED": (900, 500, 0, 0, 0)})  # fmt: skip
    applicant = PersonRec(1, 10, "teacher", stage="APPLICANT", stage_since=D(2026, 4, 1))  # 61 days: bin 0
    late = PersonRec(2, 10, "staff", stage="CELL_APPROVED", stage_since=D(2026, 3, 1),
                     next_due=D(2026, 5, 26))  # its decision was due before 1/6: left out  # fmt: skip
    blocked = PersonRec(3, 10, "staff", stage="APPLICANT", stage_since=D(2026, 5, 1), error_count=1)
    old = PersonRec(4, 10, "staff", stage="SYMPATHISER", stage_since=D(2025, 9, 1))  # 273 days: bin 1
    got = {p.id: ind.contributions(p, [], [w], CAL, projections={w.key: snap}) for p in (applicant, late, blocked, old)
           for w in [SY25]}  # fmt: skip
    assert got[1][("SY2025", 10)] == {"now_app0": 1, "proj_milli": 600, "proj_teacher_milli": 600}
    assert got[2][("SY2025", 10)] == {"now_stale": 1}
    assert got[3][("SY2025", 10)] == {"now_blocked": 1}
    assert got[4][("SY2025", 10)] == {"now_sym1": 1, "proj_milli": 50}
    # a window without a snapshot (over, or not open) gets no pipeline counters
    assert ind.contributions(applicant, [], [SY25], CAL) == {}


def test_flows_count_persons_once_per_window_at_their_first_event():
    person = PersonRec(1, 10, "teacher", stage="SYMPATHISER", stage_since=D(2025, 10, 1))
    events = [
        ev("awareness_class", D(2025, 10, 1), 10, id=1),
        ev("awareness_class", D(2026, 2, 1), 10, id=2),  # the class taken again in the same school year
    ]
    c = ind.contributions(person, events, [SY25, ind.calendar_year(2025), ind.calendar_year(2026)], CAL)
    assert c[("SY2025", 10)] == {"sympathisers": 1}  # one person, not two events
    assert c[("CY2025", 10)] == {"sympathisers": 1} and c[("CY2026", 10)] == {"sympathisers": 1}


def test_an_excellent_youth_union_member_is_one_with_the_unions_introduction_before_the_decision():
    person = PersonRec(1, 10, "student", stage="ADMITTED", party_age_from=D(2026, 3, 2))
    with_4knd = [
        ev("youth_union_introduction", D(2026, 1, 5), 10, id=1),
        ev("decision", D(2026, 3, 2), 10, id=2),
    ]
    after = [ev("decision", D(2026, 3, 2), 10, id=2), ev("youth_union_introduction", D(2026, 3, 9), 10, id=3)]
    assert ind.contributions(person, with_4knd, [SY25], CAL)[("SY2025", 10)]["admitted_excellent"] == 1
    assert "admitted_excellent" not in ind.contributions(person, after, [SY25], CAL)[("SY2025", 10)]


def test_a_decision_records_its_lead_time_from_each_stage():
    person = PersonRec(1, 10, "staff", stage="ADMITTED", party_age_from=D(2026, 3, 2))
    events = [
        ev("awareness_class", D(2025, 5, 1), 10, id=1),  # 305 days before: SYMPATHISER bin 1 (181–365)
        ev("application", D(2025, 11, 20), 10, id=2),  # 102 days: APPLICANT bin 1 (91–180)
        ev("cell_vote", D(2026, 2, 10), 10, id=3),  # 20 days: APPROVED bin 0 (≤ 30)
        ev("decision", D(2026, 3, 2), 10, id=4),
    ]
    c = ind.contributions(person, events, [SY25], CAL)[("SY2025", 10)]
    assert {k: v for k, v in c.items() if k.startswith("lead_")} == {
        "lead_sym1": 1,
        "lead_app1": 1,
        "lead_apr0": 1,
    }
    assert (c["applicants"], c["approved"], c["admitted"]) == (1, 1, 1)
