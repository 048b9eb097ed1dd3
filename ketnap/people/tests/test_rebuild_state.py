"""`ketnap rebuild-state`: replaying the ledgers finds tampered caches, and fixes them."""

import datetime
import io

import pytest
from django.core.management import call_command

from ketnap.core.models import AuditLog
from ketnap.people.models import Person, Stage

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def seeded(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed", "--size", "small", "--today", TODAY.isoformat(), stdout=io.StringIO())


def check() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("rebuild_state", "--check", stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_a_clean_ledger_has_no_drift(seeded):
    code, out = check()
    assert code == 0
    assert f"Đã kiểm tra {Person.objects.count()} người" in out


def test_it_reports_a_tampered_stage_and_exits_1(seeded):
    person = Person.objects.filter(stage=Stage.APPLICANT).first()
    Person.objects.filter(pk=person.pk).update(stage=Stage.OFFICIAL)
    code, out = check()
    assert code == 1
    line = next(line for line in out.splitlines() if line.startswith(f"{person.pk}\t"))
    assert line.split("\t") == [str(person.pk), person.full_name, "stage", "OFFICIAL", "APPLICANT"]
    assert "1 người sai lệch" in out


def test_it_reports_a_tampered_date(seeded):
    person = Person.objects.exclude(probation_end=None).first()
    Person.objects.filter(pk=person.pk).update(
        probation_end=person.probation_end + datetime.timedelta(days=1)
    )
    code, out = check()
    assert code == 1 and "\tprobation_end\t" in out


def test_without_check_it_fixes_the_cache_with_an_audit_row_per_person(seeded):
    tampered = list(Person.objects.filter(stage=Stage.SOURCE)[:3])
    Person.objects.filter(pk__in=[p.pk for p in tampered]).update(stage=Stage.WITHDRAWN, warning_count=9)
    out = io.StringIO()
    call_command("rebuild_state", stdout=out)
    assert "sửa 3 người" in out.getvalue()
    assert set(Person.objects.filter(pk__in=[p.pk for p in tampered]).values_list("stage", flat=True)) == {
        "SOURCE"
    }
    assert check()[0] == 0
    rows = AuditLog.objects.filter(action="person.rebuild_state").order_by("object_id")
    assert sorted(int(r.object_id) for r in rows) == sorted(p.pk for p in tampered)  # one row per person
    for row in rows:
        assert row.before["stage"] == "WITHDRAWN" and row.after["stage"] == "SOURCE"
        assert row.before["warning_count"] == 9
    call_command("verify_audit", stdout=io.StringIO())


def test_verify_audit_exits_1_on_an_edited_row(seeded):
    AuditLog.objects.filter(action="demo.seed").update(summary="sửa tay")
    with pytest.raises(SystemExit) as exc:
        call_command("verify_audit", stdout=io.StringIO(), stderr=io.StringIO())
    assert exc.value.code == 1
