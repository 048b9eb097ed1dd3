"""Two committee members editing the same targets: a row one changed since the other opened the form is not
silently overwritten; rows the second user left alone keep the first user's value."""

import datetime

import pytest
from django.urls import reverse

from ketnap.core.models import AuditLog
from ketnap.targets import actions, conf
from ketnap.targets.models import Target

pytestmark = pytest.mark.django_db


def opened_form(client, tree, key):
    url = reverse("targets-assign", args=[tree.ward_a.pk]) + f"?chi-so=K12_CELL_TWO&ky={key}"
    page = client.get(url)
    assert page.status_code == 200
    return url, page.content.decode()


def test_a_stale_target_row_is_refused_with_the_current_value(client, tree):
    key = conf.current_school_year(datetime.date.today()).key
    ward = tree.users["ward_a"]
    actions.set_target(acting_user=ward, unit=tree.cell_a, indicator="K12_CELL_TWO", window=key, value=0.5)
    client.force_login(ward)
    url, page = opened_form(client, tree, key)
    assert f'name="o-{tree.cell_a.pk}" value="50.0"' in page
    # meanwhile someone else sets 60%
    actions.set_target(acting_user=ward, unit=tree.cell_a, indicator="K12_CELL_TWO", window=key, value=0.6)
    response = client.post(url, {"indicator": "K12_CELL_TWO", f"t-{tree.cell_a.pk}": "80",
                                 f"o-{tree.cell_a.pk}": "50.0"})  # fmt: skip
    assert response.status_code == 200
    text = response.content.decode()
    assert "Người khác vừa đổi chỉ tiêu này thành 60,0%" in text
    assert Target.objects.get(unit=tree.cell_a, indicator="K12_CELL_TWO").value == 0.6
    assert f'name="o-{tree.cell_a.pk}" value="60.0"' in text  # sent again after reading: accepted
    client.post(
        url, {"indicator": "K12_CELL_TWO", f"t-{tree.cell_a.pk}": "80", f"o-{tree.cell_a.pk}": "60.0"}
    )
    assert Target.objects.get(unit=tree.cell_a, indicator="K12_CELL_TWO").value == 0.8
    assert AuditLog.objects.filter(action="target.set").count() == 3


def test_a_row_the_user_did_not_touch_keeps_the_other_users_change(client, tree):
    key = conf.current_school_year(datetime.date.today()).key
    ward = tree.users["ward_a"]
    client.force_login(ward)
    url, page = opened_form(client, tree, key)
    assert f'name="o-{tree.cell_a.pk}" value=""' in page
    actions.set_target(acting_user=ward, unit=tree.cell_a, indicator="K12_CELL_TWO", window=key, value=0.7)
    response = client.post(
        url, {"indicator": "K12_CELL_TWO", f"t-{tree.cell_a.pk}": "", f"o-{tree.cell_a.pk}": ""}
    )
    assert response.status_code == 302
    assert Target.objects.get(unit=tree.cell_a, indicator="K12_CELL_TWO").value == 0.7


def test_the_action_refuses_an_expected_value_that_is_no_longer_there(tree):
    from django.core.exceptions import ValidationError

    key = conf.current_school_year(datetime.date.today()).key
    ward = tree.users["ward_a"]
    with pytest.raises(ValidationError):
        actions.set_target(acting_user=ward, unit=tree.cell_a, indicator="K12_CELL_TWO", window=key, value=0.4,
                           expected=0.3)  # fmt: skip
    assert not Target.objects.exists()
    actions.set_target(acting_user=ward, unit=tree.cell_a, indicator="K12_CELL_TWO", window=key, value=0.4,
                       expected=None)  # fmt: skip
    assert Target.objects.get().value == 0.4
