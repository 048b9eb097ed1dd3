"""``check-dossier`` end to end through cli.main: the spec example, exit statuses, every invalid input."""

import datetime as dt
import io
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ketnap.rules.cli import main

from .factory import SPEC_OUTPUT, add, drop, edit, event, spec

TODAY = dt.date(2027, 8, 1)


def cli(argv, stdin="", today=TODAY):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, io.StringIO(stdin), out, err, today)
    return code, out.getvalue(), err.getvalue()


def check_json(obj, today=TODAY):
    return cli(["-"], json.dumps(obj, ensure_ascii=False), today)


def test_the_spec_example_from_a_file(tmp_path):
    path = tmp_path / "dossier.json"
    path.write_text(json.dumps(spec(), ensure_ascii=False, indent=2), encoding="utf-8")
    code, out, err = cli([str(path)])
    assert (code, err) == (0, "")
    assert json.loads(out) == SPEC_OUTPUT
    assert list(json.loads(out)) == ["stage", "findings", "deadlines", "dates"]
    assert list(json.loads(out)["dates"]) == ["probation_end", "official_date", "party_age_from"]


def test_the_spec_example_from_stdin_with_the_subcommand_name():
    code, out, err = cli(["check-dossier", "-"], json.dumps(spec()))
    assert (code, err) == (0, "")
    assert json.loads(out) == SPEC_OUTPUT
    assert out.startswith('{\n  "stage": "OFFICIAL"')  # indent 2


def test_as_of_defaults_to_today():
    obj = spec()
    del obj["as_of"]
    code, out, _ = check_json(obj, today=TODAY)
    assert code == 0 and json.loads(out) == SPEC_OUTPUT
    code, _, err = check_json(obj, today=dt.date(2027, 6, 1))  # the recognition decision is in the future
    assert code == 2 and "events[17].date" in err


def test_unknown_fields_are_ignored():
    obj = spec()
    obj["comment"] = "x"
    obj["person"]["name"] = "Nguyễn Văn A"
    event(obj, "ceremony")["place"] = "Hội trường"
    obj["unit"]["kind"] = "cell"
    assert check_json(obj)[1] == check_json(spec())[1]


def test_defaults():
    obj = spec()
    del obj["unit"]
    for key in ("received", "authorized", "members", "in_favour"):
        del event(obj, "decision")[key]  # decided by the higher committee's standing board, received that day
    del event(obj, "member_introduction")["introducer"]["replacement"]
    code, out, _ = check_json(obj)
    assert code == 0
    result = json.loads(out)
    assert result["deadlines"][1] == {
        "rule": "CEREMONY_DUE",
        "due": "2026-06-17",
        "done": "2026-05-19",
        "met": True,
    }


def test_exit_1_on_an_error_and_messages_in_vietnamese():
    obj = edit(spec(), "cell_vote", official_members=13, in_favour=8)
    code, out, err = check_json(obj)
    assert (code, err) == (1, "")
    result = json.loads(out)
    # A failed vote does not move the stage, and every later step of the path lacks its predecessor.
    assert result["stage"] == "APPLICANT"
    finding, *rest = result["findings"]
    assert {f["rule"] for f in rest} == {"STEP_ORDER"}
    assert rest[0]["date"] == "2026-04-10"  # the committee vote
    assert result["deadlines"] == []
    assert finding == {
        "rule": "CELL_VOTE",
        "severity": "error",
        "date": "2026-04-02",
        "message": "Nghị quyết của chi bộ chưa đạt: 8/13 đảng viên chính thức tán thành, cần ít nhất hai phần ba "
        "(9); chi bộ chưa đề nghị kết nạp.",
        "source": "Điều lệ Đảng 2011, Điều 4.3; QĐ 294-QĐ/TW pt 9.3.2",
    }
    assert "Nghị quyết" in out  # ensure_ascii=False


def test_exit_0_with_only_warnings():
    obj = edit(spec(), "recognition_decision", date="2027-07-07")
    code, out, _ = check_json(obj)
    assert code == 0
    assert [f["severity"] for f in json.loads(out)["findings"]] == ["warning"]


def without(obj, *path):
    *parents, key = path
    target = obj
    for p in parents:
        target = target[p]
    del target[key]
    return obj


def put(obj, path, value):
    *parents, key = path
    target = obj
    for p in parents:
        target = target[p]
    target[key] = value
    return obj


def replacement_without_cowork():
    obj = spec()
    intro = event(obj, "member_introduction")["introducer"]
    intro["replacement"] = True
    del intro["cowork_since"]
    return obj


def test_a_replacement_introducer_needs_no_cowork_date():
    assert check_json(replacement_without_cowork())[0] == 0


INVALID = [
    # missing required fields
    ("no person", without(spec(), "person"), "person"),
    ("no birth date", without(spec(), "person", "birth_date"), "person.birth_date"),
    ("no education", without(spec(), "person", "education"), "person.education"),
    ("null birth date", put(spec(), ("person", "birth_date"), None), "person.birth_date"),
    ("verification without concluded", without(spec(), "events", 6, "concluded"), "events[6].concluded"),
    (
        "cell vote without members",
        without(spec(), "events", 7, "official_members"),
        "events[7].official_members",
    ),
    ("cell vote without in_favour", without(spec(), "events", 7, "in_favour"), "events[7].in_favour"),
    ("committee vote without members", without(spec(), "events", 8, "members"), "events[8].members"),
    ("authorised decision without counts", without(spec(), "events", 9, "members"), "events[9].members"),
    (
        "recognition vote without in_favour",
        without(spec(), "events", 16, "in_favour"),
        "events[16].in_favour",
    ),
    ("introduction without introducer", without(spec(), "events", 4, "introducer"), "events[4].introducer"),
    (
        "introducer without official_since",
        without(spec(), "events", 4, "introducer", "official_since"),
        "events[4].introducer.official_since",
    ),
    (
        "introducer without cowork_since",
        without(spec(), "events", 4, "introducer", "cowork_since"),
        "events[4].introducer.cowork_since",
    ),
    ("event without kind", without(spec(), "events", 0, "kind"), "events[0].kind"),
    ("event without date", without(spec(), "events", 0, "date"), "events[0].date"),
    # wrong types
    ("count as text", put(spec(), ("events", 7, "official_members"), "12"), "events[7].official_members"),
    ("count as bool", put(spec(), ("events", 7, "in_favour"), True), "events[7].in_favour"),
    ("count as decimal", put(spec(), ("events", 8, "members"), 9.0), "events[8].members"),
    ("concluded as text", put(spec(), ("events", 6, "concluded"), "true"), "events[6].concluded"),
    ("authorized as number", put(spec(), ("events", 9, "authorized"), 1), "events[9].authorized"),
    (
        "youth union member as text",
        put(spec(), ("person", "youth_union_member"), "yes"),
        "person.youth_union_member",
    ),
    ("unit as list", put(spec(), ("unit",), []), "unit"),
    ("has_youth_union as text", put(spec(), ("unit", "has_youth_union"), "no"), "unit.has_youth_union"),
    ("person as text", put(spec(), ("person",), "x"), "person"),
    ("events as object", put(spec(), ("events",), {}), "events"),
    ("event as list", put(spec(), ("events", 2), ["biography"]), "events[2]"),
    ("kind as number", put(spec(), ("events", 2, "kind"), 3), "events[2].kind"),
    ("education unknown", put(spec(), ("person", "education"), "high_school"), "person.education"),
    ("introducer as text", put(spec(), ("events", 4, "introducer"), "Trần B"), "events[4].introducer"),
    # dates
    ("date without zero padding", put(spec(), ("events", 0, "date"), "2025-10-1"), "events[0].date"),
    ("impossible date", put(spec(), ("events", 0, "date"), "2026-02-30"), "events[0].date"),
    ("dd/mm/yyyy", put(spec(), ("person", "birth_date"), "15/03/2007"), "person.birth_date"),
    ("date and time", put(spec(), ("events", 0, "date"), "2025-10-10T00:00:00"), "events[0].date"),
    ("compact date", put(spec(), ("events", 0, "date"), "20251010"), "events[0].date"),
    ("date with spaces", put(spec(), ("events", 0, "date"), " 2025-10-10"), "events[0].date"),
    ("date as number", put(spec(), ("events", 0, "date"), 20251010), "events[0].date"),
    ("impossible as_of", put(spec(), ("as_of",), "2027-13-01"), "as_of"),
    ("impossible received", put(spec(), ("events", 9, "received"), "2026-05-32"), "events[9].received"),
    (
        "impossible official_since",
        put(spec(), ("events", 4, "introducer", "official_since"), "2019-02-29"),
        "events[4].introducer.official_since",
    ),
    (
        "bad non-working day",
        put(spec(), ("non_working_days",), ["2027-04-15", "15/04/2027"]),
        "non_working_days[1]",
    ),
    ("working days not a list", put(spec(), ("working_days",), "2026-08-22"), "working_days"),
    # counts
    ("negative count", put(spec(), ("events", 7, "official_members"), -1), "events[7].official_members"),
    ("negative in_favour", put(spec(), ("events", 8, "in_favour"), -3), "events[8].in_favour"),
    ("in_favour above members", put(spec(), ("events", 7, "in_favour"), 13), "events[7].in_favour"),
    ("decision in_favour above members", put(spec(), ("events", 9, "in_favour"), 10), "events[9].in_favour"),
    (
        "negative count of a non-authorised decision",
        put(put(spec(), ("events", 9, "authorized"), False), ("events", 9, "members"), -9),
        "events[9].members",
    ),
    # kinds, order
    ("unknown kind", put(spec(), ("events", 11, "kind"), "political_class"), "events[11].kind"),
    ("event after as_of", put(spec(), ("as_of",), "2027-06-09"), "events[17].date"),
    # decision_extension
    ("extension of 0 days", add(spec(), "decision_extension", "2026-06-01", days=0), "events[18].days"),
    ("negative extension", add(spec(), "decision_extension", "2026-06-01", days=-5), "events[18].days"),
    ("extension as text", add(spec(), "decision_extension", "2026-06-01", days="10"), "events[18].days"),
    ("extension as bool", add(spec(), "decision_extension", "2026-06-01", days=True), "events[18].days"),
    ("extension as decimal", add(spec(), "decision_extension", "2026-06-01", days=1.5), "events[18].days"),
    ("extension without days", add(spec(), "decision_extension", "2026-06-01"), "events[18].days"),
    ("extension of 31 days", add(spec(), "decision_extension", "2026-06-01", days=31), "events[18].days"),
    # version 2: dates between 1930-02-03 and 2100-12-31; no event before the birth date
    ("birth date 1930-02-02", put(spec(), ("person", "birth_date"), "1930-02-02"), "person.birth_date"),
    ("event 2100-12-31 is in range", None, None),
    ("as_of 2101-01-01", put(spec(), ("as_of",), "2101-01-01"), "as_of"),
    ("event dated 1900", put(spec(), ("events", 0, "date"), "1900-01-01"), "events[0].date"),
    ("received in 2101", put(spec(), ("events", 9, "received"), "2101-01-01"), "events[9].received"),
    (
        "introducer official since 1929",
        put(spec(), ("events", 4, "introducer", "official_since"), "1929-12-31"),
        "events[4].introducer.official_since",
    ),
    ("non-working day in 1800", put(spec(), ("non_working_days",), ["1800-01-01"]), "non_working_days[0]"),
    ("event before the birth date", put(spec(), ("events", 0, "date"), "2007-03-14"), "events[0].date"),
    # not a dossier at all
    ("a list", [spec()], "$"),
    ("a string", "dossier", "$"),
]


INVALID = [c for c in INVALID if c[1] is not None]


@pytest.mark.parametrize(("obj", "path"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_input_exits_2_naming_the_field(obj, path):
    code, out, err = check_json(obj)
    assert code == 2
    assert out == ""
    vi, en = err.splitlines()
    assert vi.startswith("Lỗi: hồ sơ không hợp lệ — ") and f"— {path}: " in vi
    assert en.startswith("Error: invalid dossier — ") and f"— {path}: " in en


def test_the_reason_is_given_in_both_languages():
    code, _, err = check_json(put(spec(), ("events", 3, "date"), "2026-02-30"))
    assert code == 2
    assert err == (
        "Lỗi: hồ sơ không hợp lệ — events[3].date: ngày 2026-02-30 không tồn tại.\n"
        "Error: invalid dossier — events[3].date: the date 2026-02-30 does not exist.\n"
    )
    _, _, err = check_json(put(spec(), ("events", 7, "official_members"), "12"))
    assert "số đếm phải là số nguyên" in err and "a count must be an integer" in err


@pytest.mark.parametrize(
    ("argv", "stdin"),
    [
        (["-"], "{not json"),
        (["-"], ""),
        (["-"], '{"as_of": NaN}'),
        (["/nonexistent/dossier.json"], ""),
        ([], ""),
        (["a.json", "b.json"], ""),
    ],
)
def test_unreadable_input_exits_2(argv, stdin):
    code, out, err = cli(argv, stdin)
    assert code == 2 and out == "" and err


def test_a_file_that_is_not_utf8_exits_2(tmp_path):
    path = tmp_path / "dossier.json"
    path.write_bytes(json.dumps(spec(), ensure_ascii=False).encode("utf-16"))
    code, out, err = cli([str(path)])
    assert code == 2 and out == "" and str(path) in err


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "dossier.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(spec()).encode())
    assert cli([str(path)])[0] == 0


def test_help():
    code, out, _ = cli(["--help"])
    assert code == 0 and "check-dossier" in out


def test_only_an_empty_dossier_is_a_source():
    obj = drop(spec(), "x")
    obj["events"] = []
    code, out, _ = check_json(obj)
    assert code == 0 and json.loads(out) == {"stage": "SOURCE", "findings": [], "deadlines": [], "dates": {}}


def test_dates_on_the_bounds_are_valid():
    obj = spec()
    obj["as_of"] = "2100-12-31"
    obj["non_working_days"] = ["1930-02-03", "2100-12-31"]
    assert check_json(obj)[0] == 0
    obj = spec()
    obj["person"]["birth_date"] = "1930-02-03"
    code, out, _ = check_json(obj)
    assert code == 1 and "AGE_MAX" in out  # 96 at the vote: a finding, not bad input
    obj = spec()
    event(obj, "awareness_class")["date"] = "2007-03-15"  # the birth date itself is not before it
    assert check_json(obj)[0] in (0, 1)


def test_as_of_from_the_clock_outside_the_bounds_exits_2():
    obj = spec()
    del obj["as_of"]
    code, out, err = check_json(obj, today=dt.date(2101, 1, 1))
    assert code == 2 and out == "" and "as_of" in err


@pytest.mark.parametrize("depth", [64, 65, 100_000])
def test_nesting_deeper_than_64_levels_exits_2(depth):
    # ``depth`` levels in all: the dossier object, then lists nested in an ignored field.
    inner = "[" * (depth - 1) + "]" * (depth - 1)
    text = json.dumps(spec())[:-1] + ', "extra": ' + inner + "}"
    code, out, err = cli(["-"], text)
    if depth <= 64:
        assert code == 0 and out
    else:
        assert code == 2 and out == "" and "64" in err and "Traceback" not in err


def test_brackets_inside_strings_do_not_count_as_nesting():
    obj = spec()
    obj["note"] = "[" * 200 + '{\\"' * 10
    assert check_json(obj)[0] == 0


# --- no input may produce a traceback --------------------------------------------------------------------------

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.sampled_from(["2026-02-30", "2026-04-02", "1930-02-02", "2101-01-01", "cell_vote", "decision"]),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


def _paths(obj, prefix=()):
    yield prefix
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(obj, list):
        for i, value in enumerate(obj):
            yield from _paths(value, (*prefix, i))


SPEC_PATHS = [p for p in _paths(spec()) if p]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(SPEC_PATHS), JSON), min_size=1, max_size=3))
def test_any_edit_of_the_example_exits_0_1_or_2(edits):
    obj = spec()
    for path, value in edits:
        try:
            put(obj, path, value)
        except (KeyError, IndexError, TypeError):
            continue
    code, out, err = check_json(obj)
    assert code in (0, 1, 2)
    assert (code == 2) == (out == "") and (code == 2) == bool(err)


@settings(max_examples=200, deadline=None)
@given(JSON)
def test_any_json_value_exits_0_1_or_2(value):
    code, out, err = check_json(value)
    assert code in (0, 1, 2) and "Traceback" not in err


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_any_text_exits_0_1_or_2(text):
    code, out, err = cli(["-"], text)
    assert code in (0, 1, 2) and "Traceback" not in err
