"""Two users acting on the same request: an answer sent from a page opened before someone else changed the
request is refused with its current state; the same step sent twice is recorded once."""

import pytest
from django.urls import reverse

from ketnap.core.models import AuditLog
from ketnap.interorg import actions
from ketnap.interorg.models import Kind, Request, Status

from .conftest import member, today

pytestmark = pytest.mark.django_db


def sent_transfer(tree):
    person = member(tree, tree.cell_student, family_name="Lê", middle_name="Văn", given_name="Hùng")
    return actions.send_new(acting_user=tree.users["uni_committee"], kind=Kind.TRANSFER, person=person,
                            sender=tree.uni, receiver=tree.ward_b, sent_on=today(), trigger="graduation")  # fmt: skip


def version_of(page: str) -> str:
    marker = 'name="version" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def test_a_step_from_a_stale_page_is_refused_with_the_current_state(client, tree):
    request = sent_transfer(tree)
    client.force_login(tree.users["ward_b"])
    page = client.get(reverse("request-detail", args=[request.pk])).content.decode()
    version = version_of(page)
    # meanwhile a colleague records the receipt
    actions.receive_request(
        Request.objects.get(pk=request.pk), acting_user=tree.users["ward_b"], received_on=today()
    )
    response = client.post(reverse("request-act", args=[request.pk, "tra-lai"]), {
        "returned_on": today().strftime("%d/%m/%Y"), "reason": "Không cư trú", "version": version,
    })  # fmt: skip
    assert response.status_code == 200
    assert "vừa được người khác thay đổi" in response.content.decode()
    assert Request.objects.get(pk=request.pk).status != Status.RETURNED
    fresh = version_of(response.content.decode())
    assert fresh != version  # the page now carries the current version: sent again, it is accepted
    again = client.post(reverse("request-act", args=[request.pk, "tra-lai"]), {
        "returned_on": today().strftime("%d/%m/%Y"), "reason": "Không cư trú", "version": fresh,
    })  # fmt: skip
    assert again.status_code == 302 and Request.objects.get(pk=request.pk).status == Status.RETURNED


def test_the_same_step_sent_twice_is_recorded_once(client, tree):
    request = sent_transfer(tree)
    client.force_login(tree.users["ward_b"])
    data = {"returned_on": today().strftime("%d/%m/%Y"), "reason": "Không cư trú", "form_token": "t" * 32}
    first = client.post(reverse("request-act", args=[request.pk, "tra-lai"]), data)
    second = client.post(reverse("request-act", args=[request.pk, "tra-lai"]), data)
    assert first.status_code == 302 and second.status_code in (200, 302)
    assert AuditLog.objects.filter(action__contains="return").count() == 1
