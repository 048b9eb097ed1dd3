"""checklist(): what is done and what is missing for the current step."""

import datetime as dt

import pytest

from ketnap.rules import Calendar, checklist, parse

from .factory import D, add, drop, edit, run, spec, until

CAL = Calendar()


def items(obj):
    dossier, as_of, calendar = parse(obj, dt.date(2027, 8, 1))
    return checklist(dossier, as_of, calendar)


def statuses(obj):
    return {i.rule: i.status for i in items(obj)}


def test_before_the_vote_it_lists_eligibility_at_as_of():
    obj = until(spec(), "2026-03-01")
    got = statuses(obj)
    assert got == {
        "AGE_MIN": "ok",
        "AGE_MAX": "ok",
        "EDUCATION_MIN": "ok",
        "AWARENESS_CERT": "ok",
        "AWARENESS_CERT_VALID": "ok",
        "APPLICATION": "ok",
        "BIOGRAPHY": "ok",
        "YOUTH_UNION_MEMBER": "ok",
        "INTRODUCERS": "ok",
        "INTRODUCER_OFFICIAL": "ok",
        "INTRODUCER_COWORK": "ok",
        "COMMENTS": "ok",
        "VERIFICATION": "missing",
        "DOSSIER_FRESH": "ok",
        "CELL_VOTE": "missing",
    }


def test_a_sympathiser_sees_what_is_missing():
    obj = until(spec(), "2025-11-01")
    got = statuses(obj)
    for rule in ("APPLICATION", "BIOGRAPHY", "INTRODUCERS", "COMMENTS", "VERIFICATION", "CELL_VOTE"):
        assert got[rule] == "missing"
    assert "INTRODUCER_OFFICIAL" not in got and "DOSSIER_FRESH" not in got


def test_an_item_has_a_label_a_message_and_a_source():
    item = next(i for i in items(until(spec(), "2026-03-01")) if i.rule == "VERIFICATION")
    assert item.label == "Thẩm tra, xác minh lý lịch"
    assert item.message.startswith("Chưa có kết luận thẩm tra") and "01/03/2026" in item.message
    assert item.source == "HD 06-HD/TW pt 3.4"
    ok = next(i for i in items(until(spec(), "2026-03-01")) if i.rule == "AWARENESS_CERT")
    assert ok.message == "Học ngày 10/10/2025."


def test_as_of_is_the_prospective_vote_date():
    obj = until(spec(), "2026-03-01")
    obj["person"]["birth_date"] = "2008-03-02"  # 18 tomorrow
    assert statuses(obj)["AGE_MIN"] == "error"
    obj["as_of"] = "2026-03-02"
    assert statuses(obj)["AGE_MIN"] == "ok"


def test_after_a_failed_vote_the_next_vote_is_prepared():
    obj = edit(until(spec(), "2026-04-09"), "cell_vote", in_favour=7)
    got = items(obj)
    vote = next(i for i in got if i.rule == "CELL_VOTE")
    assert vote.status == "error" and "7/12" in vote.message


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("2026-04-02", {"COMMITTEE_VOTE": "missing", "DECISION_DUE": "missing"}),
        ("2026-04-10", {"DECIDER": "missing", "DECISION_DUE": "missing"}),
        ("2026-05-06", {"CEREMONY_DUE": "missing"}),
        (
            "2026-05-19",
            {
                "MEMBER_BIOGRAPHY_DUE": "missing",
                "PROBATION_COMPLETE": "missing",
                "NEW_MEMBER_CLASS": "missing",
                "RECOGNITION_FILE": "missing",
                "RECOGNITION_REVIEW_DUE": "missing",
                "CELL_VOTE": "missing",
            },
        ),  # fmt: skip
        (
            "2027-05-25",
            {
                "MEMBER_BIOGRAPHY_DUE": "ok",
                "PROBATION_COMPLETE": "ok",
                "NEW_MEMBER_CLASS": "ok",
                "RECOGNITION_FILE": "ok",
                "RECOGNITION_REVIEW_DUE": "ok",
                "CELL_VOTE": "ok",
                "RECOGNITION_DECISION_DUE": "missing",
            },
        ),  # fmt: skip
        ("2027-06-10", {}),
    ],
)
def test_each_step_has_its_checklist(last, expected):
    assert statuses(until(spec(), last)) == expected


def test_deadline_items_tell_the_working_days_left():
    (committee, decision) = items(until(spec(), "2026-04-02"))
    assert committee.message == "Đảng ủy cơ sở chưa xét, đề nghị kết nạp."
    assert decision.message == "Hạn 30/06/2026, còn 60 ngày làm việc."
    assert decision.source == "QĐ 294-QĐ/TW pt 4.3.1"


def test_a_missed_deadline_is_a_warning_item():
    obj = drop(drop(until(spec(), "2026-07-01"), "decision"), "ceremony")
    decision = next(i for i in items(obj) if i.rule == "DECISION_DUE")
    assert decision.status == "warning" and "30/06/2026" in decision.message


def test_an_invalid_decision_is_an_error_item():
    obj = edit(until(spec(), "2026-05-10"), "decision", in_favour=5)
    decider = next(i for i in items(obj) if i.rule == "DECIDER")
    assert decider.status == "error" and "5/9" in decider.message


def test_three_failed_votes_show_in_the_checklist():
    obj = until(spec(), "2027-05-24")
    for i in range(3):
        add(obj, "recognition_vote", f"2027-05-2{5 + i}", official_members=13, in_favour=8)
    obj["as_of"] = "2027-06-01"
    got = statuses(obj)
    assert got["THREE_VOTES"] == "warning" and got["CELL_VOTE"] == "error"


def test_nothing_left_after_an_exit():
    assert items(add(until(spec(), "2026-05-01"), "withdrawal", "2026-05-01")) == []


def test_the_checklist_agrees_with_check_at_the_vote_date():
    from ketnap.rules import check

    obj = edit(until(spec(), "2026-04-02"), "comments", date="2025-03-01")
    dossier, _, calendar = parse(obj, D("2026-04-02"))
    errors = {f.rule for f in check(dossier, D("2026-04-02"), calendar).findings}
    before = until(drop(spec(), "cell_vote"), "2026-04-02")
    edit(before, "comments", date="2025-03-01")
    dossier, _, calendar = parse(before, D("2026-04-02"))
    bad = {i.rule for i in checklist(dossier, D("2026-04-02"), calendar) if i.status != "ok"} - {"CELL_VOTE"}
    assert errors == bad == {"DOSSIER_FRESH"}


def test_the_probationer_checklist_names_the_missing_recognition_papers():
    obj = drop(until(spec(), "2027-05-20"), "helper_comments")
    (file_item,) = [i for i in items(obj) if i.rule == "RECOGNITION_FILE"]
    assert (
        file_item.status == "missing" and "11-KNĐ" in file_item.message and "10-KNĐ" not in file_item.message
    )
    (probation,) = [i for i in items(obj) if i.rule == "PROBATION_COMPLETE"]
    assert probation.status == "ok" and "19/05/2027" in probation.message


def test_over_60_without_consent_is_a_warning_in_the_checklist():
    obj = until(spec(), "2026-03-20")
    obj["person"]["birth_date"] = "1965-03-01"
    assert statuses(obj)["AGE_MAX"] == "warning"
    add(obj, "age_consent", "2026-03-19")
    assert statuses(obj)["AGE_MAX"] == "ok"


def steps(obj, **kw):
    dossier, as_of, calendar = parse(obj, dt.date(2027, 8, 1))
    from ketnap.rules import review

    return review(dossier, as_of, calendar, **kw).next_steps


@pytest.mark.parametrize(
    ("last", "grassroots", "offered", "not_offered"),
    [
        ("2026-03-15", False, {"cell_vote", "youth_union_introduction", "member_introduction", "withdrawal"},
         {"trade_union_introduction", "committee_vote", "decision", "ceremony"}),
        ("2026-04-02", False, {"committee_vote", "decision_extension"}, {"decision", "cell_vote", "ceremony"}),
        ("2026-04-02", True, {"decision"}, {"committee_vote", "cell_vote"}),
        ("2026-04-10", False, {"decision"}, {"committee_vote", "ceremony"}),
        ("2026-05-06", False, {"ceremony", "ceremony_consent"}, {"decision", "recognition_vote"}),
        ("2026-05-19", False, {"member_biography", "self_review", "removal"},
         {"recognition_vote", "recognition_decision", "ceremony"}),
        ("2027-05-21", False, {"recognition_vote"}, {"recognition_decision"}),
        ("2027-05-25", False, {"recognition_decision"}, {"recognition_vote", "ceremony"}),
        ("2027-06-10", False, set(), {"recognition_decision", "removal"}),
    ],
)  # fmt: skip
def test_the_steps_offered_follow_the_path(last, grassroots, offered, not_offered):
    obj = until(spec(), last)
    if grassroots:
        obj["unit"] = {"cell_is_grassroots": True}
        obj["events"] = [e for e in obj["events"] if e["kind"] != "committee_vote"]
    got = steps(obj)
    assert offered <= got and not (not_offered & got)


def test_no_step_is_offered_once_withdrawn_and_the_trade_union_only_where_it_may_introduce():
    assert steps(add(until(spec(), "2026-03-15"), "withdrawal", "2026-03-15")) == frozenset()
    obj = until(spec(), "2026-03-15")
    obj["unit"] = {"has_youth_union": False}
    got = steps(obj)
    assert "trade_union_introduction" in got and "youth_union_introduction" not in got


def test_a_step_out_of_place_is_an_error_in_the_checklist_with_the_findings_words():
    small = edit(until(spec(), "2026-04-02"), "cell_vote", official_members=2, in_favour=2)
    (item,) = [i for i in items(small) if i.rule == "CELL_SIZE"]
    assert item.status == "error" and "2 đảng viên chính thức" in item.message
    assert "CELL_VOTE" not in statuses(small)  # not "ok": the vote does not count
    early = until(spec(), "2026-11-20")
    for kind in ("self_review", "helper_comments", "recognition_comments"):
        add(early, kind, "2026-11-19")
    add(early, "recognition_vote", "2026-11-20", official_members=13, in_favour=12)
    assert statuses(early)["PROBATION_COMPLETE"] == "error"


def test_papers_before_the_ceremony_count_neither_in_the_check_nor_in_the_checklist():
    obj = until(spec(), "2027-05-24")
    for kind in ("self_review", "helper_comments", "recognition_comments"):
        edit(obj, kind, date="2026-05-18")  # the day before the ceremony
    assert statuses(obj)["RECOGNITION_FILE"] == "missing"
    add(obj, "recognition_vote", "2027-05-24", official_members=13, in_favour=12)
    obj["as_of"] = "2027-05-24"
    result_rules = {f.rule for f in run(obj).findings}
    assert {"STEP_ORDER", "RECOGNITION_FILE"} <= result_rules
