"""check(): stage folding, every finding, deadlines and dates, table-driven over edits of the spec example."""

import datetime as dt

import pytest

from ketnap.rules import (
    RULES,
    STAGES,
    Calendar,
    Dossier,
    Event,
    Params,
    Person,
    Unit,
    check,
    fold,
    parse,
    vote_passes,
)

from .factory import SPEC_OUTPUT, D, add, drop, edit, event, rule_ids, run, spec, until

CELL = "2026-04-02"  # the example's cell vote


def at_cell_vote(**person):
    """The example as it stood on the day of the cell vote."""
    obj = until(spec(), CELL)
    obj["person"].update(person)
    return obj


def with_introducer(obj, **introducer):
    event(obj, "member_introduction")["introducer"].update(introducer)
    return obj


def cert(date):
    obj = at_cell_vote()
    return edit(obj, "awareness_class", date=date)


def recognition_votes(*counts, last="2027-07-30"):
    obj = until(spec(), "2027-05-24")
    for i, (members, in_favour) in enumerate(counts):
        add(obj, "recognition_vote", f"2027-05-{25 + i}", official_members=members, in_favour=in_favour)
    obj["as_of"] = last
    return obj


def grassroots(obj):
    obj["unit"] = {"cell_is_grassroots": True}
    return drop(obj, "committee_vote")


def _recognition_on(date):
    """The example with its recognition vote (and its file) moved to ``date``."""
    obj = spec()
    for kind in ("self_review", "helper_comments", "recognition_comments"):
        edit(obj, kind, date=date)
    return edit(obj, "recognition_vote", date=date)


def _over_60(last):
    """The example for a person who is 61 at the cell vote, up to ``last``."""
    obj = until(spec(), last)
    obj["person"]["birth_date"] = "1965-04-01"
    return obj


# (case id, dossier, rule ids that must be found, rule ids that must not)
CASES = [
    ("spec example", spec(), set(), set(RULES)),
    # --- AGE_MIN: 18th birthday the day before / on / after the vote ---
    ("18 the day before", at_cell_vote(birth_date="2008-04-01"), set(), {"AGE_MIN"}),
    ("18 on the vote day", at_cell_vote(birth_date="2008-04-02"), set(), {"AGE_MIN"}),
    ("18 the day after", at_cell_vote(birth_date="2008-04-03"), {"AGE_MIN"}, set()),
    (
        "born 29/02, vote 28/02",
        edit(at_cell_vote(birth_date="2008-02-29"), "cell_vote", date="2026-02-28"),
        {"AGE_MIN"},
        set(),
    ),
    # --- AGE_MAX: at most fully 60 = before the 61st birthday ---
    ("61 the day after", at_cell_vote(birth_date="1965-04-03"), set(), {"AGE_MAX"}),
    ("61 on the vote day", at_cell_vote(birth_date="1965-04-02"), {"AGE_MAX"}, set()),
    ("61 the day before", at_cell_vote(birth_date="1965-04-01"), {"AGE_MAX"}, set()),
    ("primary school only", at_cell_vote(education="primary"), {"EDUCATION_MIN"}, set()),
    ("lower secondary", at_cell_vote(education="lower_secondary"), set(), {"EDUCATION_MIN"}),
    # --- AWARENESS_CERT(_VALID): 59 / 60 / 61 months old, and 60 months + 1 day ---
    ("no certificate", drop(at_cell_vote(), "awareness_class"), {"AWARENESS_CERT"}, {"AWARENESS_CERT_VALID"}),
    ("certificate 59 months old", cert("2021-05-02"), set(), {"AWARENESS_CERT", "AWARENESS_CERT_VALID"}),
    ("certificate 60 months old", cert("2021-04-02"), set(), {"AWARENESS_CERT_VALID"}),
    ("certificate 60 months + 1 day", cert("2021-04-01"), {"AWARENESS_CERT_VALID"}, {"AWARENESS_CERT"}),
    ("certificate 61 months old", cert("2021-03-02"), {"AWARENESS_CERT_VALID"}, set()),
    ("certificate the day of the vote", cert(CELL), set(), {"AWARENESS_CERT"}),
    ("no application", drop(at_cell_vote(), "application"), {"APPLICATION"}, set()),
    (
        "application after the biography",
        edit(at_cell_vote(), "application", date="2026-01-11"),
        {"APPLICATION"},
        {"BIOGRAPHY"},
    ),
    (
        "application the day of the biography",
        edit(at_cell_vote(), "application", date="2026-01-10"),
        set(),
        {"APPLICATION"},
    ),
    ("no biography", drop(at_cell_vote(), "biography"), {"BIOGRAPHY"}, {"APPLICATION"}),
    (
        "youth, not a Youth Union member",
        at_cell_vote(youth_union_member=False),
        {"YOUTH_UNION_MEMBER"},
        set(),
    ),
    (
        "31, not a Youth Union member",
        at_cell_vote(birth_date="1995-01-01", youth_union_member=False),
        {"INTRODUCERS"},
        {"YOUTH_UNION_MEMBER"},
    ),
    ("no Youth Union resolution", drop(at_cell_vote(), "youth_union_introduction"), {"INTRODUCERS"}, set()),
    (
        "no introducing member",
        drop(at_cell_vote(), "member_introduction"),
        {"INTRODUCERS"},
        {"INTRODUCER_OFFICIAL", "INTRODUCER_COWORK"},
    ),
    (
        "no Youth Union: trade union + 1 member",
        (
            lambda o: (
                o.update(unit={"has_youth_union": False}),
                add(drop(o, "youth_union_introduction"), "trade_union_introduction", "2026-02-01"),
            )[1]
        )(at_cell_vote()),
        set(),
        {"INTRODUCERS", "YOUTH_UNION_MEMBER"},
    ),
    (
        "no Youth Union, only 1 member",
        (lambda o: (o.update(unit={"has_youth_union": False}), drop(o, "youth_union_introduction"))[1])(
            at_cell_vote()
        ),
        {"INTRODUCERS"},
        set(),
    ),
    (
        "over 30: two members",
        add(
            at_cell_vote(birth_date="1990-01-01"),
            "member_introduction",
            "2026-02-02",
            introducer={"official_since": "2010-01-01", "cowork_since": "2020-01-01"},
        ),
        set(),
        {"INTRODUCERS"},
    ),
    (
        "introducer still probationary",
        with_introducer(at_cell_vote(), official_since="2026-02-02"),
        {"INTRODUCER_OFFICIAL"},
        {"INTRODUCER_COWORK"},
    ),
    (
        "introducer official that day",
        with_introducer(at_cell_vote(), official_since="2026-02-01"),
        set(),
        {"INTRODUCER_OFFICIAL"},
    ),
    (
        "introducer 11 months together",
        with_introducer(at_cell_vote(), cowork_since="2025-03-02"),
        {"INTRODUCER_COWORK"},
        set(),
    ),
    (
        "introducer exactly 12 months",
        with_introducer(at_cell_vote(), cowork_since="2025-02-01"),
        set(),
        {"INTRODUCER_COWORK"},
    ),
    (
        "replacement introducer is exempt",
        with_introducer(at_cell_vote(), cowork_since="2026-01-01", replacement=True),
        set(),
        {"INTRODUCER_COWORK"},
    ),
    ("no comments", drop(at_cell_vote(), "comments"), {"COMMENTS"}, set()),
    ("no verification", drop(at_cell_vote(), "verification"), {"VERIFICATION"}, set()),
    (
        "verification not concluded",
        edit(at_cell_vote(), "verification", concluded=False),
        {"VERIFICATION"},
        set(),
    ),
    (
        "verification the day of the vote",
        edit(at_cell_vote(), "verification", date=CELL),
        set(),
        {"VERIFICATION"},
    ),
    ("verification after the vote", edit(spec(), "verification", date="2026-04-03"), {"VERIFICATION"}, set()),
    (
        "comments 12 months + 1 day old",
        edit(at_cell_vote(), "comments", date="2025-04-01"),
        {"DOSSIER_FRESH"},
        set(),
    ),
    (
        "comments exactly 12 months old",
        edit(at_cell_vote(), "comments", date="2025-04-02"),
        set(),
        {"DOSSIER_FRESH"},
    ),
    (
        "introduction 14 months old",
        (
            lambda o: (
                edit(o, "member_introduction", date="2025-02-01"),
                edit(o, "youth_union_introduction", date="2025-02-01"),
            )[1]
        )(with_introducer(at_cell_vote(), cowork_since="2024-01-01")),
        {"DOSSIER_FRESH"},
        {"INTRODUCER_COWORK"},
    ),
    # --- votes: 2/3 in exact integer arithmetic ---
    ("cell vote 8 of 12", edit(at_cell_vote(), "cell_vote", in_favour=8), set(), {"CELL_VOTE"}),
    (
        "cell vote 8 of 13",
        edit(at_cell_vote(), "cell_vote", official_members=13, in_favour=8),
        {"CELL_VOTE"},
        set(),
    ),
    (
        "cell vote 9 of 14",
        edit(at_cell_vote(), "cell_vote", official_members=14, in_favour=9),
        {"CELL_VOTE"},
        set(),
    ),
    (
        "cell vote 9 of 13",
        edit(at_cell_vote(), "cell_vote", official_members=13, in_favour=9),
        set(),
        {"CELL_VOTE"},
    ),
    (
        "cell vote 10 of 14",
        edit(at_cell_vote(), "cell_vote", official_members=14, in_favour=10),
        set(),
        {"CELL_VOTE"},
    ),
    (
        "failed vote then a passing one",
        add(
            edit(until(spec(), "2026-04-30"), "cell_vote", in_favour=7),
            "cell_vote",
            "2026-04-20",
            official_members=12,
            in_favour=10,
        ),
        set(),
        {"CELL_VOTE"},
    ),
    (
        "committee vote 5 of 9",
        edit(until(spec(), "2026-04-10"), "committee_vote", in_favour=5),
        {"COMMITTEE_VOTE"},
        set(),
    ),
    (
        "committee vote 6 of 9",
        edit(until(spec(), "2026-04-10"), "committee_vote", in_favour=6),
        set(),
        {"COMMITTEE_VOTE"},
    ),
    (
        "authorised decision 5 of 9",
        edit(until(spec(), "2026-05-10"), "decision", in_favour=5),
        {"DECIDER"},
        set(),
    ),
    (
        "higher committee decides",
        (lambda o: [event(o, "decision").pop(k) for k in ("authorized", "members", "in_favour")] and o)(
            until(spec(), "2026-05-10")
        ),
        set(),
        {"DECIDER"},
    ),
    # --- deadlines missed ---
    (
        "decision late",
        edit(until(spec(), "2026-07-20"), "decision", date="2026-07-01", received="2026-07-01"),
        {"DECISION_DUE"},
        {"CEREMONY_DUE"},
    ),
    ("decision overdue", drop(until(spec(), "2026-07-01"), "decision"), {"DECISION_DUE"}, set()),
    ("decision due today", drop(until(spec(), "2026-06-30"), "decision"), set(), {"DECISION_DUE"}),
    (
        "ceremony late",
        edit(until(spec(), "2026-07-01"), "ceremony", date="2026-06-22"),
        {"CEREMONY_DUE"},
        set(),
    ),
    (
        "ceremony late with consent",
        add(
            edit(until(spec(), "2026-07-01"), "ceremony", date="2026-06-22"), "ceremony_consent", "2026-06-10"
        ),
        set(),
        {"CEREMONY_DUE"},
    ),
    ("no new-member class", drop(spec(), "new_member_class"), {"NEW_MEMBER_CLASS"}, set()),
    (
        "new-member class after the vote",
        edit(spec(), "new_member_class", date="2027-05-26"),
        {"NEW_MEMBER_CLASS"},
        set(),
    ),
    (
        "recognition decision without vote or class",
        drop(drop(spec(), "new_member_class"), "recognition_vote"),
        {"NEW_MEMBER_CLASS", "RECOGNITION_REVIEW_DUE", "STEP_ORDER"},
        {"RECOGNITION_DECISION_DUE"},
    ),
    (
        "recognition review late",
        (
            lambda o: (
                edit(o, "recognition_vote", date="2027-07-01"),
                edit(o, "recognition_decision", date="2027-07-02"),
            )[1]
        )(spec()),
        {"RECOGNITION_REVIEW_DUE"},
        set(),
    ),
    (
        "recognition decision late",
        edit(spec(), "recognition_decision", date="2027-07-07"),
        {"RECOGNITION_DECISION_DUE"},
        set(),
    ),
    ("recognition vote 8 of 13", recognition_votes((13, 8)), {"CELL_VOTE"}, {"THREE_VOTES"}),
    (
        "recognition votes: 2 fail, third passes",
        recognition_votes((13, 8), (13, 8), (13, 9)),
        set(),
        {"CELL_VOTE", "THREE_VOTES"},
    ),
    (
        "three recognition votes fail",
        recognition_votes((13, 8), (13, 7), (12, 7)),
        {"THREE_VOTES", "CELL_VOTE"},
        set(),
    ),
    # --- version 2: the path's order -------------------------------------------------------------------------
    (
        "committee vote without a cell vote",
        drop(until(spec(), "2026-04-10"), "cell_vote"),
        {"STEP_ORDER"},
        {"STEP_REPEATED"},
    ),
    (
        "committee vote the day of the cell vote",
        edit(until(spec(), "2026-04-10"), "committee_vote", date=CELL),
        set(),
        {"STEP_ORDER"},
    ),
    (
        "committee vote the day before the cell vote",
        edit(until(spec(), "2026-04-10"), "committee_vote", date="2026-04-01"),
        {"STEP_ORDER"},
        set(),
    ),
    (
        "committee vote after a failed cell vote",
        edit(until(spec(), "2026-04-10"), "cell_vote", in_favour=7),
        {"STEP_ORDER", "CELL_VOTE"},
        set(),
    ),
    (
        "decision without a committee vote",
        drop(until(spec(), "2026-05-06"), "committee_vote"),
        {"STEP_ORDER"},
        {"DECIDER"},
    ),
    (
        "grassroots cell: decision right after the cell vote",
        grassroots(drop(until(spec(), "2026-05-06"), "committee_vote")),
        set(),
        {"STEP_ORDER"},
    ),
    (
        "decision before the cell vote",
        edit(until(spec(), "2026-05-06"), "decision", date="2026-04-01", received="2026-04-01"),
        {"STEP_ORDER"},
        set(),
    ),
    (
        "ceremony without a decision",
        drop(until(spec(), "2026-05-19"), "decision"),
        {"STEP_ORDER"},
        set(),
    ),
    (
        "ceremony the day of the decision",
        edit(until(spec(), "2026-05-19"), "ceremony", date="2026-05-06"),
        set(),
        {"STEP_ORDER"},
    ),
    (
        "new-member class before the ceremony",  # out of its place, so it does not count for the recognition
        edit(spec(), "new_member_class", date="2026-05-18"),
        {"STEP_ORDER", "NEW_MEMBER_CLASS"},
        set(),
    ),
    (
        "member biography before the ceremony",
        edit(spec(), "member_biography", date="2026-05-18"),
        {"STEP_ORDER", "MEMBER_BIOGRAPHY_DUE"},
        set(),
    ),
    (
        "recognition decision without a passing vote",
        edit(spec(), "recognition_vote", in_favour=8),
        {"STEP_ORDER", "CELL_VOTE"},
        set(),
    ),
    # --- STEP_REPEATED: one decision, one ceremony, one recognition decision ---
    (
        "a second decision",
        add(until(spec(), "2026-05-10"), "decision", "2026-05-10", received="2026-05-10"),
        {"STEP_REPEATED"},
        {"STEP_ORDER"},
    ),
    (
        "a second ceremony",
        add(until(spec(), "2026-05-25"), "ceremony", "2026-05-25"),
        {"STEP_REPEATED"},
        set(),
    ),
    (
        "a second recognition decision",
        add(spec(), "recognition_decision", "2027-06-15"),
        {"STEP_REPEATED"},
        set(),
    ),
    (
        "votes may repeat",
        add(until(spec(), "2026-04-10"), "committee_vote", "2026-04-10", members=9, in_favour=8),
        set(),
        {"STEP_REPEATED", "STEP_ORDER"},
    ),
    (
        "a decision after a failed authorised one is not a repeat",
        add(
            edit(drop(until(spec(), "2026-05-20"), "ceremony"), "decision", in_favour=5),
            "decision",
            "2026-05-20",
            received="2026-05-20",
        ),
        set(),  # the latest decision counts: the failed authorised vote is no longer reported
        {"STEP_REPEATED", "STEP_ORDER", "DECIDER"},
    ),
    # --- PROBATION_COMPLETE: ceremony 19/05/2026, probation ends 19/05/2027 ---
    ("recognition vote the day before", _recognition_on("2027-05-18"), {"PROBATION_COMPLETE"}, set()),
    ("recognition vote the day probation ends", _recognition_on("2027-05-19"), set(), {"PROBATION_COMPLETE"}),
    (
        "recognition vote six months early",
        _recognition_on("2026-11-20"),
        {"PROBATION_COMPLETE", "STEP_ORDER"},  # the decision that follows has no passing vote
        set(),
    ),
    # --- CELL_SIZE: 2 / 3 official members ---
    (
        "cell of 2 official members",
        edit(until(spec(), CELL), "cell_vote", official_members=2, in_favour=2),
        {"CELL_SIZE"},
        {"CELL_VOTE"},
    ),
    (
        "cell of 3 official members",
        edit(until(spec(), CELL), "cell_vote", official_members=3, in_favour=2),
        set(),
        {"CELL_SIZE", "CELL_VOTE"},
    ),
    (
        "recognition vote in a cell of 2",
        edit(spec(), "recognition_vote", official_members=2, in_favour=2),
        {"CELL_SIZE", "STEP_ORDER"},
        set(),
    ),
    # --- RECOGNITION_FILE: 10-, 11-, 12-KNĐ on or before the vote ---
    ("no self-review", drop(spec(), "self_review"), {"RECOGNITION_FILE"}, set()),
    ("no helper's comments", drop(spec(), "helper_comments"), {"RECOGNITION_FILE"}, set()),
    ("no consolidated comments", drop(spec(), "recognition_comments"), {"RECOGNITION_FILE"}, set()),
    (
        "consolidated comments the day of the vote",
        edit(spec(), "recognition_comments", date="2027-05-25"),
        set(),
        {"RECOGNITION_FILE"},
    ),
    (
        "consolidated comments the day after the vote",
        edit(spec(), "recognition_comments", date="2027-05-26"),
        {"RECOGNITION_FILE"},
        set(),
    ),
    # --- AGE_MAX with the standing board's consent ---
    ("61, no consent, no decision yet", at_cell_vote(birth_date="1965-04-01"), {"AGE_MAX"}, set()),
    (
        "61, consent before the decision",
        add(_over_60("2026-05-06"), "age_consent", "2026-05-05"),
        set(),
        {"AGE_MAX"},
    ),
    (
        "61, consent the day of the decision",
        add(_over_60("2026-05-06"), "age_consent", "2026-05-06"),
        set(),
        {"AGE_MAX"},
    ),
    (
        "61, consent after the decision",
        add(_over_60("2026-05-10"), "age_consent", "2026-05-07"),
        {"AGE_MAX"},
        set(),
    ),
    # --- MEMBER_BIOGRAPHY_DUE: 30 working days after the ceremony (19/05/2026 → 30/06/2026) ---
    (
        "member biography on its due date",
        edit(spec(), "member_biography", date="2026-06-30"),
        set(),
        {"MEMBER_BIOGRAPHY_DUE"},
    ),
    (
        "member biography a day late",
        edit(spec(), "member_biography", date="2026-07-01"),
        {"MEMBER_BIOGRAPHY_DUE"},
        set(),
    ),
    ("no member biography", drop(spec(), "member_biography"), {"MEMBER_BIOGRAPHY_DUE"}, set()),
]


@pytest.mark.parametrize(("obj", "found", "absent"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_findings(obj, found, absent):
    ids = rule_ids(run(obj))
    assert found <= ids
    assert not (absent & ids)


EMITTABLE = {
    "AGE_MIN",
    "AGE_MAX",
    "EDUCATION_MIN",
    "AWARENESS_CERT",
    "AWARENESS_CERT_VALID",
    "APPLICATION",
    "BIOGRAPHY",
    "YOUTH_UNION_MEMBER",
    "INTRODUCERS",
    "INTRODUCER_OFFICIAL",
    "INTRODUCER_COWORK",
    "COMMENTS",
    "VERIFICATION",
    "DOSSIER_FRESH",
    "CELL_VOTE",
    "COMMITTEE_VOTE",
    "DECIDER",
    "DECISION_DUE",
    "CEREMONY_DUE",
    "NEW_MEMBER_CLASS",
    "RECOGNITION_REVIEW_DUE",
    "RECOGNITION_DECISION_DUE",
    "THREE_VOTES",
    "MEMBER_BIOGRAPHY_DUE",
    "STEP_ORDER",
    "STEP_REPEATED",
    "PROBATION_COMPLETE",
    "CELL_SIZE",
    "RECOGNITION_FILE",
}


def test_every_rule_check_can_emit_is_reached_by_a_case():
    emitted = set().union(*(rule_ids(run(obj)) for _, obj, _, _ in CASES))
    assert emitted == EMITTABLE
    assert emitted <= set(RULES)


def test_findings_carry_severity_date_message_and_source():
    for _, obj, _, _ in CASES:
        for finding in run(obj).findings:
            rule = RULES[finding.rule]
            if finding.rule == "AGE_MAX" and "cần văn bản đồng ý" in finding.message:
                assert finding.severity == "warning"  # over 60 without consent, no decision yet
                continue
            assert finding.severity == rule.severity
            assert finding.severity == (
                "warning" if finding.rule.endswith("_DUE") or finding.rule == "THREE_VOTES" else "error"
            )
            assert finding.message and "{" not in finding.message
            assert finding.source


def test_the_expired_certificate_of_the_domain_book():
    obj = until(spec(), "2025-02-03")
    obj["events"] = [
        {"kind": "awareness_class", "date": "2020-01-15"},
        {"kind": "cell_vote", "date": "2025-02-03", "official_members": 10, "in_favour": 10},
    ]
    finding = next(f for f in run(obj).findings if f.rule == "AWARENESS_CERT_VALID")
    assert finding.to_json() == {
        "rule": "AWARENESS_CERT_VALID",
        "severity": "error",
        "date": "2025-02-03",
        "message": "Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng đã quá 60 tháng (học ngày 15/01/2020, "
        "chi bộ xét ngày 03/02/2025); người vào Đảng phải học lại lớp bồi dưỡng.",
        "source": "HD 01-HD/TW pt 5.4",  # the guidance in force on 3/2/2025 (06-HD/TW only from 9/6/2025)
    }


@pytest.mark.parametrize(
    ("vote_date", "source"),
    [
        ("2024-06-03", "QĐ 24-QĐ/TW pt 1.1.1"),
        ("2025-03-03", "QĐ 232-QĐ/TW pt 1.1.1"),
        ("2026-04-02", "QĐ 294-QĐ/TW pt 1.1.1"),
    ],
)
def test_a_finding_cites_the_text_in_force_on_the_step_date(vote_date, source):
    obj = edit(at_cell_vote(birth_date="2010-01-01"), "cell_vote", date=vote_date)
    obj["events"] = [e for e in obj["events"] if e["date"] <= vote_date]
    (finding,) = [f for f in run(obj).findings if f.rule == "AGE_MIN"]
    assert finding.source == source
    assert finding.date == D(vote_date)


@pytest.mark.parametrize(
    ("members", "in_favour", "passes"),
    [
        (12, 8, True),
        (13, 8, False),
        (14, 9, False),
        (13, 9, True),
        (14, 10, True),
        (3, 2, True),
        (3, 1, False),
        (0, 0, False),
        (1, 1, True),
        (9, 6, True),
        (9, 5, False),
    ],
)
def test_two_thirds_in_integers(members, in_favour, passes):
    assert vote_passes(in_favour, members) is passes


def test_no_cell_vote_no_eligibility_findings():
    obj = until(spec(), "2026-03-20")
    obj["events"] = [e for e in obj["events"] if e["kind"] in ("application", "awareness_class")]
    obj["person"]["birth_date"] = "2012-01-01"  # far too young, but nobody has voted yet
    result = run(obj)
    assert result.findings == []
    assert result.stage == "APPLICANT"


# --- stage folding ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("last", "stage"),
    [
        ("2025-10-09", "SOURCE"),
        ("2025-10-10", "SYMPATHISER"),
        ("2026-01-05", "APPLICANT"),
        ("2026-03-31", "APPLICANT"),
        ("2026-04-02", "CELL_APPROVED"),
        ("2026-04-10", "COMMITTEE_APPROVED"),
        ("2026-05-06", "ADMITTED"),
        ("2026-05-19", "PROBATIONARY"),
        ("2027-06-09", "PROBATIONARY"),
        ("2027-06-10", "OFFICIAL"),
    ],
)
def test_stage_along_the_example(last, stage):
    assert run(until(spec(), last)).stage == stage


@pytest.mark.parametrize(
    ("obj", "stage"),
    [
        (edit(until(spec(), "2026-04-09"), "cell_vote", in_favour=7), "APPLICANT"),  # below threshold
        (edit(until(spec(), "2026-04-30"), "committee_vote", in_favour=5), "CELL_APPROVED"),
        (edit(until(spec(), "2026-05-10"), "decision", in_favour=5), "COMMITTEE_APPROVED"),
        (
            (lambda o: o.update(unit={"cell_is_grassroots": True}) or o)(until(spec(), "2026-04-02")),
            "COMMITTEE_APPROVED",
        ),
        (
            (lambda o: o.update(unit={"cell_is_grassroots": True}) or edit(o, "committee_vote", in_favour=0))(
                until(spec(), "2026-04-30")
            ),
            "COMMITTEE_APPROVED",
        ),
        (
            add(until(spec(), "2026-04-09"), "cell_vote", "2026-04-08", official_members=12, in_favour=2),
            "CELL_APPROVED",
        ),  # a later vote below threshold does not move the stage
        (add(until(spec(), "2026-05-01"), "withdrawal", "2026-05-01"), "WITHDRAWN"),
        (add(until(spec(), "2026-09-01"), "removal", "2026-09-01"), "REMOVED"),
        (
            add(
                add(until(spec(), "2026-04-10"), "withdrawal", "2026-04-05"),
                "cell_vote",
                "2026-04-08",
                official_members=3,
                in_favour=3,
            ),
            "WITHDRAWN",
        ),
        (add(until(spec(), "2025-12-01"), "application", "2025-11-01"), "APPLICANT"),
        (
            {"as_of": "2026-01-01", "person": {"birth_date": "2000-01-01", "education": "university"}},
            "SOURCE",
        ),
    ],
)
def test_stage_folding(obj, stage):
    assert run(obj).stage == stage


def test_a_later_failing_vote_is_reported():
    obj = add(until(spec(), "2026-04-30"), "cell_vote", "2026-04-20", official_members=12, in_favour=2)
    (finding,) = run(obj).findings
    assert (finding.rule, finding.date) == ("CELL_VOTE", D("2026-04-20"))
    assert "2/12" in finding.message


def test_eligibility_is_checked_at_the_latest_cell_vote():
    # The first vote (3/2) came before the 18th birthday (1/3); the repeated vote (2/4) after it.
    obj = edit(at_cell_vote(birth_date="2008-03-01"), "cell_vote", date="2026-02-03", in_favour=2)
    assert "AGE_MIN" in rule_ids(run(obj))
    add(obj, "cell_vote", CELL, official_members=12, in_favour=9)
    assert rule_ids(run(obj)) == set()


# --- deadlines and dates ----------------------------------------------------------------------------------------


def deadlines(result):
    return [(d.rule, str(d.due), d.done and str(d.done), d.met) for d in result.deadlines]


def test_the_spec_example():
    result = run(spec())
    assert result.to_json() == SPEC_OUTPUT
    assert fold is check


def no_decision(last):
    return drop(drop(until(spec(), last), "decision"), "ceremony")


def late_ceremony(*consent):
    obj = edit(until(spec(), "2026-07-01"), "ceremony", date="2026-06-22")
    for date in consent:
        add(obj, "ceremony_consent", date)
    return obj


ADMISSION_DONE = [
    ("DECISION_DUE", "2026-06-30", "2026-05-06", True),
    ("CEREMONY_DUE", "2026-06-19", "2026-05-19", True),
]
REVIEW_OPEN = ("RECOGNITION_REVIEW_DUE", "2027-06-30", None, None)
BIOGRAPHY_DONE = ("MEMBER_BIOGRAPHY_DUE", "2026-06-30", "2026-06-15", True)
BIOGRAPHY_OPEN = ("MEMBER_BIOGRAPHY_DUE", "2026-06-30", None, None)

DEADLINE_CASES = [
    ("cell approved", until(spec(), "2026-04-02"), [("DECISION_DUE", "2026-06-30", None, None)]),
    (
        "decided",
        until(spec(), "2026-05-06"),
        [("DECISION_DUE", "2026-06-30", "2026-05-06", True), ("CEREMONY_DUE", "2026-06-19", None, None)],
    ),
    (
        "probationary: the review deadline is known",
        until(spec(), "2026-05-19"),
        [*ADMISSION_DONE, BIOGRAPHY_OPEN, REVIEW_OPEN],
    ),
    ("decision overdue", no_decision("2026-07-01"), [("DECISION_DUE", "2026-06-30", None, False)]),
    (
        "extension +10",
        add(no_decision("2026-07-01"), "decision_extension", "2026-06-01", days=10),
        [("DECISION_DUE", "2026-07-14", None, None)],
    ),
    (
        "extensions capped at +30",
        add(
            add(no_decision("2026-07-01"), "decision_extension", "2026-06-01", days=20),
            "decision_extension",
            "2026-06-02",
            days=25,
        ),
        [("DECISION_DUE", "2026-08-11", None, None)],
    ),
    (
        "extension after the decision",
        add(until(spec(), "2026-05-10"), "decision_extension", "2026-05-08", days=10),
        [("DECISION_DUE", "2026-06-30", "2026-05-06", True), ("CEREMONY_DUE", "2026-06-19", None, None)],
    ),
    (
        "extension of the recognition decision",
        add(
            drop(until(spec(), "2027-07-10"), "recognition_decision"),
            "decision_extension",
            "2027-06-01",
            days=5,
        ),
        [
            *ADMISSION_DONE,
            BIOGRAPHY_DONE,
            ("RECOGNITION_REVIEW_DUE", "2027-06-30", "2027-05-25", True),
            ("RECOGNITION_DECISION_DUE", "2027-07-13", None, None),
        ],
    ),
    (
        "late ceremony",
        late_ceremony(),
        [
            ("DECISION_DUE", "2026-06-30", "2026-05-06", True),
            ("CEREMONY_DUE", "2026-06-19", "2026-06-22", False),
            ("MEMBER_BIOGRAPHY_DUE", "2026-08-03", None, None),
            ("RECOGNITION_REVIEW_DUE", "2027-08-03", None, None),
        ],
    ),
    (
        "late ceremony with consent",
        late_ceremony("2026-06-15"),
        [
            ("DECISION_DUE", "2026-06-30", "2026-05-06", True),
            ("CEREMONY_DUE", "2026-06-19", "2026-06-22", True),
            ("MEMBER_BIOGRAPHY_DUE", "2026-08-03", None, None),
            ("RECOGNITION_REVIEW_DUE", "2027-08-03", None, None),
        ],
    ),
    (
        "consent, ceremony not yet held",
        drop(late_ceremony("2026-06-15"), "ceremony"),
        [("DECISION_DUE", "2026-06-30", "2026-05-06", True), ("CEREMONY_DUE", "2026-06-19", None, None)],
    ),
    (
        "withdrawn before the due date: dropped",
        add(until(spec(), "2026-05-01"), "withdrawal", "2026-05-01"),
        [],
    ),
    ("withdrawn on the due date: dropped", add(no_decision("2026-06-30"), "withdrawal", "2026-06-30"), []),
    (
        "withdrawn after a missed deadline: stays missed",
        add(no_decision("2026-07-15"), "withdrawal", "2026-07-15"),
        [("DECISION_DUE", "2026-06-30", None, False)],
    ),
    (
        "removed in probation: met deadlines stay, the open one goes",
        add(until(spec(), "2026-09-01"), "removal", "2026-09-01"),
        [*ADMISSION_DONE, BIOGRAPHY_DONE],
    ),
    (
        "grassroots cell",
        grassroots(until(spec(), "2026-04-20")),
        [("DECISION_DUE", "2026-06-30", None, None)],
    ),
    (
        "repeated cell vote: from the latest that passed",
        add(
            edit(until(spec(), "2026-04-09"), "cell_vote", in_favour=7),
            "cell_vote",
            "2026-04-08",
            official_members=12,
            in_favour=8,
        ),
        [("DECISION_DUE", "2026-07-06", None, None)],
    ),
]


@pytest.mark.parametrize(
    ("obj", "expected"), [c[1:] for c in DEADLINE_CASES], ids=[c[0] for c in DEADLINE_CASES]
)
def test_deadlines(obj, expected):
    assert deadlines(run(obj)) == expected


def test_a_missed_deadline_is_a_warning_dated_at_the_due_date():
    result = run(drop(drop(drop(until(spec(), "2026-07-01"), "decision"), "ceremony"), "member_biography"))
    (finding,) = result.findings
    assert (finding.rule, finding.severity, finding.date) == ("DECISION_DUE", "warning", D("2026-06-30"))
    assert finding.source == "QĐ 294-QĐ/TW pt 4.3.1"
    assert "30/06/2026" in finding.message and "02/04/2026" in finding.message


def test_decision_deadline_across_tet_and_the_2026_swap():
    # Cell vote 10/2/2026: Tết 16-20/2, Hùng Kings in lieu 27/4, 30/4, 1/5 → 60th working day 15/5/2026.
    obj = until(spec(), "2026-02-10")
    obj["events"] = [e for e in obj["events"] if e["kind"] != "awareness_class"]
    add(obj, "cell_vote", "2026-02-10", official_members=3, in_favour=3)
    assert deadlines(run(obj)) == [("DECISION_DUE", "2026-05-15", None, None)]
    # Decision received Thursday 20/8/2026: Saturday 22/8 worked, Monday 31/8 and 1-2/9 off.
    obj = until(spec(), "2026-08-20")
    obj["events"] = [e for e in obj["events"] if e["kind"] not in ("ceremony", "new_member_class")]
    edit(obj, "decision", date="2026-08-20", received="2026-08-20")
    edit(obj, "cell_vote", date="2026-08-01")
    edit(obj, "committee_vote", date="2026-08-05")
    result = run(obj)
    assert [d.due for d in result.deadlines if d.rule == "CEREMONY_DUE"] == [D("2026-10-05")]
    # ... which is one working day later when the Saturday swap is withdrawn
    obj["working_days"] = []
    obj["non_working_days"] = ["2026-08-22"]
    assert [d.due for d in run(obj).deadlines if d.rule == "CEREMONY_DUE"] == [D("2026-10-06")]


def test_probation_from_29_february():
    obj = until(spec(), "2028-03-01")
    obj["events"] = [e for e in obj["events"] if not e["kind"].startswith(("recognition", "new_member"))]
    for e in obj["events"]:
        if e["kind"] in ("decision", "ceremony"):
            e.update(date="2028-02-29", received="2028-02-29")
    edit(obj, "cell_vote", date="2028-01-04")
    edit(obj, "committee_vote", date="2028-01-10")
    result = run(obj)
    assert result.dates == {"party_age_from": D("2028-02-29"), "probation_end": D("2029-02-28")}
    review = next(d for d in result.deadlines if d.rule == "RECOGNITION_REVIEW_DUE")
    assert review.start == D("2029-02-28") and review.met is None


@pytest.mark.parametrize(
    ("last", "dates"),
    [
        ("2026-04-30", {}),
        ("2026-05-06", {"party_age_from": "2026-05-06"}),
        ("2026-05-19", {"party_age_from": "2026-05-06", "probation_end": "2027-05-19"}),
        (
            "2027-06-10",
            {"party_age_from": "2026-05-06", "probation_end": "2027-05-19", "official_date": "2027-05-19"},
        ),
    ],
)
def test_dates(last, dates):
    assert run(until(spec(), last)).to_json()["dates"] == dates


def test_official_date_is_the_end_of_probation_even_when_late():
    obj = (
        lambda o: (
            edit(o, "recognition_vote", date="2027-07-20"),
            edit(o, "recognition_decision", date="2027-07-30"),
        )[1]
    )(spec())
    assert run(obj).dates["official_date"] == D("2027-05-19")


def test_params_can_be_overridden():
    obj = cert("2021-04-01")  # 60 months + 1 day: expired under the default 60
    assert "AWARENESS_CERT_VALID" in rule_ids(run(obj))
    assert "AWARENESS_CERT_VALID" not in rule_ids(run(obj, params=Params(cert_validity_months=72)))
    result = run(until(spec(), "2026-04-02"), params=Params(decision_days=30))
    assert result.deadlines[0].due == D("2026-05-19")
    majority = Params(vote_numerator=1, vote_denominator=2)
    assert "CELL_VOTE" not in rule_ids(run(edit(at_cell_vote(), "cell_vote", in_favour=6), params=majority))


def test_plain_records_without_json():
    # The Django side builds records directly; dates inside data may be ISO strings.
    events = [
        Event("awareness_class", D("2025-10-10")),
        Event("cell_vote", D("2026-04-02"), {"official_members": 3, "in_favour": 3}),
        Event("committee_vote", D("2026-04-10"), {"members": 5, "in_favour": 4}),
        Event("decision", D("2026-05-06"), {"received": "2026-05-08"}),
    ]
    dossier = Dossier(Person(D("2000-01-01"), "university", youth_union_member=True), Unit(), events)
    result = check(dossier, D("2026-05-10"), Calendar())
    assert result.stage == "ADMITTED"
    assert [(d.rule, d.due) for d in result.deadlines] == [
        ("DECISION_DUE", D("2026-06-30")),
        ("CEREMONY_DUE", D("2026-06-19")),
    ]
    assert result.stage in STAGES


def test_events_after_as_of_are_ignored_by_check():
    dossier = Dossier(Person(D("2000-01-01"), "university"), Unit(), [Event("application", D("2026-05-01"))])
    assert check(dossier, D("2026-04-30"), Calendar()).stage == "SOURCE"


def test_check_is_fast():
    import time

    from ketnap.rules import parse

    dossier, as_of, cal = parse(spec(), dt.date(2027, 8, 1))
    check(dossier, as_of, cal)
    start = time.perf_counter()
    for _ in range(500):
        check(dossier, as_of, cal)
    assert (time.perf_counter() - start) / 500 < 0.001


def test_a_failed_recognition_vote_cites_the_recognition_rules():
    (finding,) = [f for f in run(recognition_votes((13, 8))).findings if f.rule == "CELL_VOTE"]
    assert finding.source == "Điều lệ Đảng 2011, Điều 5.2; QĐ 294-QĐ/TW pt 4.2a"
    assert finding.message.startswith(
        "Nghị quyết của chi bộ xét công nhận đảng viên chính thức chưa đạt: 8/13"
    )


# --- version 2: an invalid step moves no stage and opens no deadline ---------------------------------------------


def _issue_dossier():
    """The issue's case: committee vote, decision and ceremony for a person who never had a cell vote."""
    obj = until(spec(), "2026-05-19")
    obj["events"] = [e for e in obj["events"] if e["kind"] in ("committee_vote", "decision", "ceremony")]
    return obj


@pytest.mark.parametrize(
    ("case", "obj", "stage", "deadline_rules"),
    [
        ("no cell vote at all", _issue_dossier(), "SOURCE", []),
        (
            "decision without a committee vote",
            drop(until(spec(), "2026-05-10"), "committee_vote"),
            "CELL_APPROVED",
            ["DECISION_DUE"],
        ),
        (
            "a second decision changes nothing",
            add(until(spec(), "2026-05-10"), "decision", "2026-05-09", received="2026-05-09"),
            "ADMITTED",
            ["DECISION_DUE", "CEREMONY_DUE"],
        ),
        (
            "recognition six months early",
            add(
                until(spec(), "2026-11-20"),
                "recognition_vote",
                "2026-11-20",
                official_members=13,
                in_favour=12,
            ),
            "PROBATIONARY",
            ["DECISION_DUE", "CEREMONY_DUE", "MEMBER_BIOGRAPHY_DUE", "RECOGNITION_REVIEW_DUE"],
        ),
        (
            "recognition decision after an early vote",
            add(
                add(
                    until(spec(), "2026-11-21"),
                    "recognition_vote",
                    "2026-11-20",
                    official_members=13,
                    in_favour=12,
                ),
                "recognition_decision",
                "2026-11-21",
            ),
            "PROBATIONARY",
            ["DECISION_DUE", "CEREMONY_DUE", "MEMBER_BIOGRAPHY_DUE", "RECOGNITION_REVIEW_DUE"],
        ),
        (
            "a cell of two",
            edit(until(spec(), CELL), "cell_vote", official_members=2, in_favour=2),
            "APPLICANT",
            [],
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and " " in v else "",
)
def test_an_invalid_step_moves_no_stage(case, obj, stage, deadline_rules):
    result = run(obj)
    assert result.stage == stage
    assert [d.rule for d in result.deadlines] == deadline_rules
    if case == "recognition six months early":
        assert "official_date" not in result.dates
        (finding,) = [f for f in result.findings if f.rule == "PROBATION_COMPLETE"]
        assert finding.date == D("2026-11-20") and "19/05/2027" in finding.message


def test_the_issue_dossier_reports_each_step_out_of_order():
    result = run(_issue_dossier())
    assert [(f.rule, f.date.isoformat()) for f in result.findings] == [
        ("STEP_ORDER", "2026-04-10"),
        ("STEP_ORDER", "2026-05-06"),
        ("STEP_ORDER", "2026-05-19"),
    ]
    assert all(f.severity == "error" and f.source.startswith("Điều lệ Đảng 2011") for f in result.findings)


def test_same_day_steps_count_in_the_path_order_whatever_their_order_in_the_file():
    obj = until(spec(), "2026-04-02")
    add(obj, "committee_vote", "2026-04-02", members=9, in_favour=7)
    obj["events"].insert(0, obj["events"].pop())  # the committee vote first in the file
    assert run(obj).stage == "COMMITTEE_APPROVED" and "STEP_ORDER" not in rule_ids(run(obj))


def test_an_imported_decision_needs_no_earlier_steps():
    obj = {
        "as_of": "2026-06-01",
        "person": {"birth_date": "1990-01-01", "education": "university"},
        "events": [
            {"kind": "decision", "date": "2025-05-06", "imported": True},
            {"kind": "ceremony", "date": "2025-05-19", "imported": True},
        ],
    }
    dossier, as_of, calendar = parse(obj, D("2027-08-01"), extensions=True)  # as the web application reads it
    result = check(dossier, as_of, calendar)
    assert result.stage == "PROBATIONARY" and result.findings == []
    assert "MEMBER_BIOGRAPHY_DUE" not in [d.rule for d in result.deadlines]
    # `ketnap check-dossier` keeps to the public contract: an unknown field is ignored
    result = run(obj)
    assert result.stage == "SOURCE" and "STEP_ORDER" in rule_ids(result)


def test_age_max_is_a_warning_until_a_decision_then_an_error():
    before = run(_over_60(CELL))
    (finding,) = [f for f in before.findings if f.rule == "AGE_MAX"]
    assert finding.severity == "warning" and "văn bản đồng ý" in finding.message
    after = run(_over_60("2026-05-06"))
    (finding,) = [f for f in after.findings if f.rule == "AGE_MAX"]
    assert finding.severity == "error" and finding.date == D(CELL)


def test_the_trade_union_route_past_youth_age_is_a_parameter():
    # 36 at the vote, a Youth Union exists; introduced by the trade union's resolution and one member.
    obj = at_cell_vote(birth_date="1990-01-01")
    obj = add(drop(obj, "youth_union_introduction"), "trade_union_introduction", "2026-02-01")
    assert "INTRODUCERS" in rule_ids(run(obj))  # default: two members are needed
    assert "INTRODUCERS" not in rule_ids(run(obj, params=Params(trade_union_route="outside_youth_age")))
    young = add(drop(at_cell_vote(), "youth_union_introduction"), "trade_union_introduction", "2026-02-01")
    assert "INTRODUCERS" in rule_ids(run(young, params=Params(trade_union_route="outside_youth_age")))
