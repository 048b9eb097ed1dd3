"""Indicator arithmetic on plain records (rules.indicators), with answers worked out by hand."""

import datetime as dt

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


def test_status_is_on_track_only_while_the_window_is_open():
    i = ind.INDICATORS["HE_ADMISSIONS"]
    assert ind.status(i, 400, 1000, final=False, projected=1100) == "on_track"
    assert ind.status(i, 400, 1000, final=True, projected=1100) == "behind"
    assert ind.status(i, 1000, 1000, final=True) == "met"
    assert ind.status(i, 1000, None, final=True) == "none"


def test_the_projection_weights_the_dossiers_in_progress():
    i = ind.INDICATORS["HE_ADMISSIONS"]
    totals = {"he_admitted": 100, "he_proj_sympathiser": 20, "he_proj_applicant": 10, "he_proj_approved": 100}
    # 100 + 0.35·20 + 0.85·10 + 0.97·100 = 212.5 → 212 (round half to even)
    assert ind.projected_value(i, totals) == 212


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
    reach = ind.unit_flags(nodes[10], {"admitted": 1, "proj_approved": 1})
    assert reach["k12_cells_two_reach"] == 1


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
    person = PersonRec(1, 10, "lecturer", True, "OFFICIAL", party_age_from=D(2025, 12, 1))
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
    assert c1[("SY2025", 10)] == {"sources": 1, "pool_end": 1, "proj_sympathiser": 1}  # 01/11/2025 + 240 d
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
