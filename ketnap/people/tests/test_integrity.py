"""Integrity you can prove: `ketnap verify-audit` finds a changed audit row (its time too), deleted newest rows,
a head rewritten without the key, and a changed, deleted or inserted ledger event; `--anchor` re-signs."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from ketnap.core.audit import audit
from ketnap.core.models import AuditHead, AuditLog
from ketnap.people import actions
from ketnap.people.integrity import fill_chains, verify_chains
from ketnap.people.models import PersonEvent
from ketnap.testing import make_person, prepare_applicant

pytestmark = pytest.mark.django_db


def verify(*args) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_audit", *args, stdout=out, stderr=err)
    except SystemExit as exc:
        return int(exc.code), out.getvalue() + err.getvalue()
    return 0, out.getvalue() + err.getvalue()


def sql(statement, params=()):
    with connection.cursor() as cur:
        cur.execute(statement, params)


@pytest.fixture
def recorded(tree):
    person = make_person(tree.cell_student)
    prepare_applicant(person, tree.users["cell_clerk"], start=datetime.date(2025, 10, 10))
    return person


def test_a_clean_record_verifies(recorded):
    code, text = verify()
    assert code == 0, text
    assert "nguyên vẹn" in text and "7 sự kiện" in text
    assert AuditHead.objects.get().count == AuditLog.objects.count() == 7


def test_a_changed_audit_time_is_found(recorded):
    row = AuditLog.objects.order_by("id")[2]
    sql("UPDATE core_auditlog SET at = %s WHERE id = %s", [row.at - datetime.timedelta(days=3), row.pk])
    code, text = verify()
    assert code == 1 and "Chuỗi nhật ký bị phá vỡ" in text and str(row.pk) in text


def test_deleting_the_newest_audit_rows_is_found(recorded):
    newest = AuditLog.objects.order_by("-id")[:2]
    sql("DELETE FROM core_auditlog WHERE id IN (%s, %s)", [r.pk for r in newest])
    code, text = verify()
    assert code == 1 and "dấu neo" in text
    assert "Chuỗi nhật ký bị phá vỡ" not in text  # the remaining chain is intact: only the head shows it


def test_a_head_rewritten_without_the_key_is_found(recorded):
    last = AuditLog.objects.order_by("-id").first()
    sql("DELETE FROM core_auditlog WHERE id = %s", [last.pk])
    previous = AuditLog.objects.order_by("-id").first()
    sql("UPDATE core_audithead SET count = count - 1, last_id = %s, last_hash = %s",
        [previous.pk, previous.row_hash])  # fmt: skip
    code, text = verify()
    assert code == 1 and "Chữ ký của dấu neo không đúng" in text


def test_anchor_re_signs_after_a_key_change_but_not_over_a_broken_chain(recorded, settings):
    settings.KETNAP_AUDIT_KEY = "a-new-audit-key-kept-outside-the-database"
    assert verify()[0] == 1
    code, text = verify("--anchor")
    assert code == 0, text
    assert AuditLog.objects.order_by("-id").first().action == "audit.anchor"
    sql(
        "UPDATE core_auditlog SET summary = 'sửa lén' WHERE id = %s",
        [AuditLog.objects.order_by("id").first().pk],
    )
    assert verify("--anchor")[0] == 1  # a broken chain is never re-signed


def test_a_changed_deleted_or_inserted_ledger_event_is_found(recorded):
    events = list(recorded.events.order_by("id"))
    sql("UPDATE people_personevent SET occurred_on = %s WHERE id = %s", ["2025-01-01", events[3].pk])
    total, bad = verify_chains()
    assert total == 7 and bad == [(recorded.pk, events[3].pk)]
    code, text = verify()
    assert code == 1 and "Sổ sự kiện bị sửa: 1 sự kiện của 1 người" in text

    fill_chains()  # a repair re-chains (and that is audited by whoever runs it); now delete one
    sql("DELETE FROM people_personevent WHERE id = %s", [events[2].pk])
    assert verify_chains()[1] == [
        (recorded.pk, events[3].pk)
    ]  # the next event no longer follows its predecessor

    fill_chains()
    with transaction.atomic():  # an event slipped in by SQL, bypassing the write path: no valid hash
        sql("INSERT INTO people_personevent (person_id, kind, occurred_on, recorded_at, org_id, data, note, "
            "prev_hash, row_hash) VALUES (%s, 'comments', '2025-12-01', '2026-01-01 00:00:00', %s, '{}', '', '', '')",
            [recorded.pk, recorded.unit_id])  # fmt: skip
    assert len(verify_chains()[1]) == 1


def test_every_way_of_writing_an_event_chains_it(recorded, tree):
    # the one write path, a correction, and a direct create all leave a valid chain
    letter = recorded.events.get(kind="comments")
    actions.correct_event(letter, acting_user=tree.users["cell_clerk"], void=True, note="Ghi nhầm")
    PersonEvent.objects.create(person=recorded, kind="mentor_assigned", occurred_on=datetime.date(2026, 1, 2),
                               org=recorded.unit, data={})  # fmt: skip
    assert verify_chains() == (9, [])


def test_audit_rows_written_in_one_transaction_move_the_head_once_each(tree):
    with transaction.atomic():
        for i in range(3):
            audit(actor=None, action="test.row", summary=f"dòng {i}")
    head = AuditHead.objects.get()
    assert (
        head.count == AuditLog.objects.count()
        and head.last_hash == AuditLog.objects.order_by("-id")[0].row_hash
    )
