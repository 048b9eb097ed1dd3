"""Action tests: the ledger, the cached state and the audit row move together, or not at all."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from ketnap.core.models import AuditLog
from ketnap.people import actions
from ketnap.people.models import Person, PersonEvent
from ketnap.testing import make_person, prepare_applicant

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def applicant(tree):
    person = make_person(tree.cell_student)
    return prepare_applicant(person, tree.users["cell_secretary"])


def test_each_step_writes_event_state_and_audit_row(tree):
    person = make_person(tree.cell_student)
    audit_before = AuditLog.objects.count()
    actions.record_awareness_class(person, acting_user=tree.users["cell_clerk"], occurred_on=D(2025, 10, 10))
    person.refresh_from_db()
    assert person.stage == "SYMPATHISER"
    assert person.stage_since == D(2025, 10, 10)
    assert person.events.count() == 1
    row = AuditLog.objects.order_by("-id").first()
    assert AuditLog.objects.count() == audit_before + 1
    assert row.action == "person.awareness_class"
    assert row.actor == tree.users["cell_clerk"]
    assert row.before["stage"] == "SOURCE" and row.after["stage"] == "SYMPATHISER"


def test_cell_vote_below_two_thirds_is_refused_with_citation_and_writes_nothing(applicant, tree):
    events_before = applicant.events.count()
    audits_before = AuditLog.objects.count()
    with pytest.raises(actions.ActionRefused) as exc:
        actions.record_cell_vote(
            applicant,
            acting_user=tree.users["cell_secretary"],
            occurred_on=D(2026, 4, 2),
            official_members=13,
            in_favour=8,
        )
    refusal = exc.value.refusals[0]
    assert refusal.rule == "CELL_VOTE"
    assert "Điều lệ" in refusal.source or "QĐ" in refusal.source
    applicant.refresh_from_db()
    assert applicant.stage == "APPLICANT"
    assert applicant.events.count() == events_before
    assert AuditLog.objects.count() == audits_before


def test_cell_vote_nine_of_thirteen_moves_the_stage_and_sets_the_decision_deadline(applicant, tree):
    actions.record_cell_vote(
        applicant,
        acting_user=tree.users["cell_secretary"],
        occurred_on=D(2026, 4, 2),
        official_members=13,
        in_favour=9,
    )
    applicant.refresh_from_db()
    assert applicant.stage == "CELL_APPROVED"
    assert applicant.next_due == D(2026, 6, 30)
    assert applicant.next_due_rule == "DECISION_DUE"


def test_whole_path_to_official_member(applicant, tree):
    sec, committee = tree.users["cell_secretary"], tree.users["uni_committee"]
    actions.record_cell_vote(
        applicant, acting_user=sec, occurred_on=D(2026, 4, 2), official_members=12, in_favour=9
    )
    actions.record_committee_vote(
        applicant, acting_user=committee, occurred_on=D(2026, 4, 10), members=9, in_favour=7
    )
    actions.record_decision(
        applicant,
        acting_user=committee,
        occurred_on=D(2026, 5, 6),
        decider=tree.uni,
        received=D(2026, 5, 8),
        members=9,
        in_favour=8,
        number="123-QĐ/ĐU",
    )
    applicant.refresh_from_db()
    assert applicant.stage == "ADMITTED"
    assert applicant.party_age_from == D(2026, 5, 6)
    actions.record_simple(applicant, "ceremony", acting_user=sec, occurred_on=D(2026, 5, 19))
    actions.record_simple(applicant, "new_member_class", acting_user=sec, occurred_on=D(2026, 8, 20))
    applicant.refresh_from_db()
    assert applicant.stage == "PROBATIONARY"
    assert applicant.probation_end == D(2027, 5, 19)
    assert applicant.is_member


def test_decision_by_unauthorised_grassroots_committee_is_refused(applicant, tree):
    from ketnap.orgs.models import Authorization

    Authorization.objects.all().delete()
    actions.record_cell_vote(
        applicant,
        acting_user=tree.users["cell_secretary"],
        occurred_on=D(2026, 4, 2),
        official_members=12,
        in_favour=9,
    )
    actions.record_committee_vote(
        applicant, acting_user=tree.users["uni_committee"], occurred_on=D(2026, 4, 10), members=9, in_favour=7
    )
    with pytest.raises(actions.ActionRefused) as exc:
        actions.record_decision(
            applicant,
            acting_user=tree.users["uni_committee"],
            occurred_on=D(2026, 5, 6),
            decider=tree.uni,
            members=9,
            in_favour=8,
        )
    assert exc.value.refusals[0].rule == "DECIDER"
    # The directly higher committee may decide without an authorisation.
    actions.record_decision(
        applicant, acting_user=tree.users["upper_committee"], occurred_on=D(2026, 5, 6), decider=tree.upper
    )
    applicant.refresh_from_db()
    assert applicant.stage == "ADMITTED"


def test_roles_are_enforced(applicant, tree):
    with pytest.raises(PermissionDenied):
        actions.record_cell_vote(
            applicant,
            acting_user=tree.users["cell_clerk"],
            occurred_on=D(2026, 4, 2),
            official_members=12,
            in_favour=9,
        )
    with pytest.raises(PermissionDenied):
        actions.record_document(
            applicant, "comments", acting_user=tree.users["cell_viewer"], occurred_on=D(2026, 3, 1)
        )


def test_out_of_scope_user_gets_404(applicant, tree):
    with pytest.raises(Http404):
        actions.record_document(
            applicant, "comments", acting_user=tree.users["ward_a"], occurred_on=D(2026, 3, 1)
        )


def test_future_dates_and_bad_counts_are_rejected(applicant, tree):
    sec = tree.users["cell_secretary"]
    with pytest.raises(ValidationError):
        actions.record_cell_vote(
            applicant, acting_user=sec, occurred_on=D(2099, 1, 1), official_members=12, in_favour=9
        )
    with pytest.raises(ValidationError):
        actions.record_cell_vote(
            applicant, acting_user=sec, occurred_on=D(2026, 4, 2), official_members=12, in_favour=13
        )
    with pytest.raises(ValidationError):
        actions.record_cell_vote(
            applicant, acting_user=sec, occurred_on=D(2026, 4, 2), official_members=-1, in_favour=0
        )


def test_ineligible_applicant_is_refused_at_the_vote(tree):
    person = make_person(tree.cell_student, birth_date=D(2008, 4, 3))  # 18 only on 03/04/2026
    person = prepare_applicant(person, tree.users["cell_secretary"])
    with pytest.raises(actions.ActionRefused) as exc:
        actions.record_cell_vote(
            person,
            acting_user=tree.users["cell_secretary"],
            occurred_on=D(2026, 4, 2),
            official_members=12,
            in_favour=12,
        )
    assert "AGE_MIN" in {r.rule for r in exc.value.refusals}


def test_ledger_refuses_update_and_delete(applicant):
    event = applicant.events.first()
    event.note = "sửa"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        PersonEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(TypeError):
        PersonEvent.objects.filter(pk=event.pk).delete()


def test_correction_is_a_new_event_and_changes_the_projection(tree):
    person = make_person(tree.cell_student)
    clerk = tree.users["cell_clerk"]
    ev = actions.record_awareness_class(person, acting_user=clerk, occurred_on=D(2025, 10, 10))
    actions.correct_event(ev, acting_user=clerk, occurred_on=D(2025, 10, 12), note="Ghi nhầm ngày")
    person.refresh_from_db()
    assert person.events.count() == 2
    assert person.stage_since == D(2025, 10, 12)
    actions.correct_event(ev, acting_user=clerk, void=True, note="Không học lớp này")
    person.refresh_from_db()
    assert person.stage == "SOURCE"
    with pytest.raises(ValidationError):
        actions.correct_event(ev, acting_user=clerk, void=True)  # a reason is required


def test_identify_source_validates_citizen_id(tree):
    fields = dict(
        family_name="Lê",
        middle_name="Thị",
        given_name="Hoa",
        birth_date=D(2005, 1, 2),
        gender="F",
        education="upper_secondary",
        school_role="student",
    )
    with pytest.raises(ValidationError):
        actions.identify_source(
            acting_user=tree.users["cell_clerk"],
            unit=tree.cell_student,
            occurred_on=D(2025, 9, 15),
            citizen_id="12345",
            **fields,
        )
    assert not Person.objects.filter(given_name="Hoa").exists()
    person = actions.identify_source(
        acting_user=tree.users["cell_clerk"],
        unit=tree.cell_student,
        occurred_on=D(2025, 9, 15),
        citizen_id="079205001234",
        **fields,
    )
    assert person.stage == "SOURCE"
    assert person.events.get().kind == "source_identified"


def test_closed_dossier_takes_no_new_steps(applicant, tree):
    actions.record_simple(
        applicant, "withdrawal", acting_user=tree.users["cell_secretary"], occurred_on=D(2026, 3, 1),
        note="Xin rút vì chuyển công tác",
    )  # fmt: skip
    applicant.refresh_from_db()
    assert applicant.stage == "WITHDRAWN"
    assert applicant.next_due is None
    with pytest.raises(ValidationError):
        actions.record_document(
            applicant, "comments", acting_user=tree.users["cell_secretary"], occurred_on=D(2026, 3, 2)
        )


def test_audit_chain_detects_tampering(applicant):
    from ketnap.core.audit import verify_chain

    assert verify_chain() == []
    row = AuditLog.objects.order_by("id").first()
    AuditLog.objects.filter(pk=row.pk).update(summary="đã bị sửa")
    assert verify_chain() == [row.pk]
