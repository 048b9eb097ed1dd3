"""Least visibility between organisations: a draft stays with its sender until it is sent; the receiver of a
letter about another subtree's person sees only what the letter needs (name, school, class), not the person's
stage, holder or birth date; inbox rows link to a person page only where the user can open it."""

import pytest
from django.urls import reverse

from ketnap.interorg import actions, queries
from ketnap.interorg.models import Kind

from .conftest import applicant_to_verify, today

pytestmark = pytest.mark.django_db


def draft_verification(tree):
    person = applicant_to_verify(tree, tree.cell_student)
    return actions.create_request(acting_user=tree.users["uni_committee"], kind=Kind.VERIFICATION, person=person,
                                  sender=tree.uni, receiver=tree.ward_b, created_on=today())  # fmt: skip


def test_a_draft_is_visible_only_to_its_senders_side(client, tree):
    draft = draft_verification(tree)
    ward = tree.users["ward_b"]
    assert not queries.requests_for(ward).filter(pk=draft.pk).exists()
    client.force_login(ward)
    assert client.get(reverse("request-detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("request-list")).content.decode().count(f"/lien-to-chuc/{draft.pk}/") == 0
    client.force_login(tree.users["uni_committee"])
    assert client.get(reverse("request-detail", args=[draft.pk])).status_code == 200
    actions.send_request(draft, acting_user=tree.users["uni_committee"], sent_on=today())
    client.force_login(ward)
    assert client.get(reverse("request-detail", args=[draft.pk])).status_code == 200


def test_the_receiver_sees_only_what_the_letter_needs(client, tree):
    draft = draft_verification(tree)
    person = draft.person
    person.faculty_class = "Lớp 21CTT1"
    person.save()
    actions.send_request(draft, acting_user=tree.users["uni_committee"], sent_on=today())
    client.force_login(tree.users["ward_b"])
    page = client.get(reverse("request-detail", args=[draft.pk])).content.decode()
    assert person.full_name in page and "Lớp 21CTT1" in page
    assert 'id="request-holder"' not in page and person.birth_date.strftime("%d/%m/%Y") not in page
    assert "Đối tượng kết nạp" not in page  # no stage badge for a person of another subtree
    assert f'href="/nguoi/{person.pk}/"' not in page
    inbox = client.get(reverse("inbox")).content.decode()
    assert person.full_name in inbox and f'href="/nguoi/{person.pk}/"' not in inbox
    client.force_login(tree.users["uni_committee"])  # the person's own side sees everything
    page = client.get(reverse("request-detail", args=[draft.pk])).content.decode()
    assert 'id="request-holder"' in page and f'href="/nguoi/{person.pk}/"' in page


def test_after_the_answer_the_receiver_sees_the_letter_as_it_was(client, tree):
    draft = draft_verification(tree)
    person = draft.person
    person.faculty_class = "Lớp 21CTT1"
    person.save()
    actions.send_request(draft, acting_user=tree.users["uni_committee"], sent_on=today())
    draft.refresh_from_db()
    assert draft.person_letter["class"] == "Lớp 21CTT1" and draft.person_letter["name"] == person.full_name
    actions.receive_request(draft, acting_user=tree.users["ward_b"], received_on=today())
    actions.answer_request(draft, acting_user=tree.users["ward_b"], answered_on=today(), answer="Tốt",
                           concluded=True)  # fmt: skip
    # later the person's own side changes the record: the ward keeps seeing what it was sent
    person.refresh_from_db()
    person.faculty_class = "Lớp 22CTT9"
    person.save()
    client.force_login(tree.users["ward_b"])
    page = client.get(reverse("request-detail", args=[draft.pk])).content.decode()
    assert "Lớp 21CTT1" in page and "Lớp 22CTT9" not in page
    assert 'id="request-holder"' not in page
