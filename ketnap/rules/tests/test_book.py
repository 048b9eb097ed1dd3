"""The rule book: every id of DOMAIN.md §3, messages, citations per period, parameters, helper dates."""

import dataclasses
import datetime as dt
import re
import string

import pytest

from ketnap.rules import (
    DOCUMENTS,
    RULES,
    Calendar,
    Params,
    graduate_hold_until,
    member_biography_due,
    probation_end,
    transfer_present_due,
    transfer_start_due,
    transfer_unreceived,
)
from ketnap.rules.book import document_on

D = dt.date.fromisoformat

DOMAIN_IDS = """AGE_MIN AGE_MAX EDUCATION_MIN AWARENESS_CERT AWARENESS_CERT_VALID APPLICATION BIOGRAPHY
YOUTH_UNION_MEMBER INTRODUCERS INTRODUCER_OFFICIAL INTRODUCER_COWORK COMMENTS VERIFICATION DOSSIER_FRESH CELL_VOTE
COMMITTEE_VOTE DECIDER DECISION_DUE CEREMONY_DUE MEMBER_BIOGRAPHY_DUE PROBATION_END NEW_MEMBER_CLASS
RECOGNITION_REVIEW_DUE RECOGNITION_DECISION_DUE OFFICIAL_DATE THREE_VOTES PARTY_AGE TRANSFER_START_DUE
TRANSFER_PRESENT_DUE TRANSFER_UNRECEIVED GRADUATE_HOLD STEP_ORDER STEP_REPEATED PROBATION_COMPLETE CELL_SIZE
RECOGNITION_FILE""".split()


def test_every_domain_rule_is_in_the_book():
    assert list(RULES) == DOMAIN_IDS


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_rule_shape(rule):
    assert rule.severity in ("error", "warning")
    assert rule.mark in ("P", "S", "U", "P/U", "S/U")
    assert rule.refs and rule.title
    # Vietnamese with its diacritics, no leftover English
    assert re.search(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", rule.message.lower())
    for variant, template in [(None, rule.message), *rule.variants.items()]:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        text = rule.text(variant, **dict.fromkeys(fields, dt.date(2026, 4, 2)))
        assert "{" not in text and ("02/04/2026" in text) == bool(fields)


@pytest.mark.parametrize(
    ("rule", "on", "source"),
    [
        ("AGE_MIN", "2024-06-01", "QĐ 24-QĐ/TW pt 1.1.1"),
        ("AGE_MIN", "2025-01-19", "QĐ 24-QĐ/TW pt 1.1.1"),
        ("AGE_MIN", "2025-01-20", "QĐ 232-QĐ/TW pt 1.1.1"),
        ("AGE_MIN", "2025-06-30", "QĐ 232-QĐ/TW pt 1.1.1"),
        ("AGE_MIN", "2025-07-01", "QĐ 294-QĐ/TW pt 1.1.1"),
        ("AGE_MIN", "2026-04-02", "QĐ 294-QĐ/TW pt 1.1.1"),
        ("AWARENESS_CERT_VALID", "2025-02-03", "HD 01-HD/TW pt 5.4"),
        ("AWARENESS_CERT_VALID", "2025-06-08", "HD 01-HD/TW pt 5.4"),
        ("AWARENESS_CERT_VALID", "2025-06-09", "HD 06-HD/TW pt 5.4"),
        ("AGE_MAX", "2026-01-01", "QĐ 294-QĐ/TW pt 1.1.1–1.1.2; HD 06-HD/TW pt 1.1"),
        ("APPLICATION", "2024-01-01", "Điều lệ Đảng 2011, Điều 4.1; HD 01-HD/TW pt 3"),
        ("YOUTH_UNION_MEMBER", "2024-01-01", "Điều lệ Đảng 2011, Điều 4.1"),
        ("YOUTH_UNION_MEMBER", "2026-01-01", "Điều lệ Đảng 2011, Điều 4.1"),
        ("MEMBER_BIOGRAPHY_DUE", "2026-01-01", "HD 12-HD/BTCTW pt 2.2"),
        ("AGE_MIN", "2019-01-01", "QĐ 29-QĐ/TW điểm 1.1a"),  # 2016-2021: the 2016 text, its own numbering
        ("AGE_MIN", "2015-01-01", "QĐ 29-QĐ/TW điểm 1.1a"),  # before the table: the earliest text known
        ("AWARENESS_CERT_VALID", "2019-01-01", "HD 01-HD/TW (2016)"),  # its point not verified: the text
        ("AGE_MAX", "2019-01-01", "QĐ 29-QĐ/TW điểm 1.1a–b; HD 01-HD/TW (2016) pt 1.1"),
        (
            "DECIDER",
            "2019-01-01",
            "Điều lệ Đảng 2011, Điều 4.3, Điều 23; QĐ 29-QĐ/TW điểm 4.3.2; HD 01-HD/TW (2016)",
        ),
        ("MEMBER_BIOGRAPHY_DUE", "2019-01-01", "HD 09-HD/BTCTW"),
        ("MEMBER_BIOGRAPHY_DUE", "2022-01-18", "HD 12-HD/BTCTW pt 2.2"),
        ("CELL_SIZE", "2026-01-01", "Điều lệ Đảng 2011, Điều 21.2, Điều 24.1"),
    ],
)
def test_the_citation_follows_the_text_in_force(rule, on, source):
    assert RULES[rule].source_on(D(on)) == source


def test_the_period_table_is_data_that_can_be_overridden():
    table = [*DOCUMENTS, {"family": "QD", "code": "999-QĐ/TW", "label": "QĐ 999-QĐ/TW", "from": "2030-01-01"}]
    assert RULES["AGE_MIN"].source_on(D("2030-01-01"), table) == "QĐ 999-QĐ/TW pt 1.1.1"
    assert RULES["AGE_MIN"].source_on(D("2029-12-31"), table) == "QĐ 294-QĐ/TW pt 1.1.1"
    assert document_on("HD", D("2026-01-01"))["code"] == "06-HD/TW"
    assert RULES["AGE_MIN"].source == "QĐ 294-QĐ/TW pt 1.1.1"


def test_params_defaults():
    p = Params()
    assert (p.cert_validity_months, p.dossier_fresh_months) == (60, 12)
    assert (p.decision_days, p.ceremony_days, p.recognition_review_days, p.recognition_decision_days) == (
        60, 30, 30, 30,
    )  # fmt: skip
    assert p.extension_max_days == 30 and (p.vote_numerator, p.vote_denominator) == (2, 3)
    assert dataclasses.replace(p, decision_days=45).decision_days == 45


CAL = Calendar()


def test_helper_dates():
    assert probation_end(D("2028-02-29")) == D("2029-02-28")
    assert member_biography_due(D("2026-05-19"), CAL) == D("2026-06-30")
    assert transfer_start_due(D("2026-04-02"), CAL) == D("2026-06-30")
    assert transfer_present_due(D("2026-05-08"), CAL) == D("2026-06-19")
    assert graduate_hold_until(D("2026-06-30")) == D("2027-06-30")
    assert not transfer_unreceived(D("2026-01-31"), D("2026-04-30"))
    assert transfer_unreceived(D("2026-01-31"), D("2026-05-01"))
    assert transfer_start_due(D("2026-04-02"), CAL, Params(transfer_start_days=1)) == D("2026-04-03")
