"""What the permission matrix (test_url_matrix.py) found, beyond the matrix itself: the reminder sweeps are the
city's (they run for every user and their page lists every user's digest with the address), so an administrator
of one ward may neither open nor run them, and the inbox does not offer the link."""

import pytest
from django.urls import reverse

from ketnap.accounts.models import RoleAssignment
from ketnap.interorg.models import BackgroundTask

pytestmark = pytest.mark.django_db


@pytest.fixture
def ward_admin(tree, django_user_model):
    user = django_user_model.objects.create_user(username="admin_a", password="x")
    RoleAssignment.objects.create(user=user, unit=tree.ward_a, role="admin")
    return user


def test_an_administrator_of_a_ward_may_not_see_or_run_the_city_reminders(client, tree, ward_admin):
    client.force_login(ward_admin)
    assert client.get(reverse("reminder-runs")).status_code == 403
    assert client.post(reverse("reminder-runs")).status_code == 403
    assert not BackgroundTask.objects.exists()
    assert reverse("reminder-runs") not in client.get(reverse("inbox")).content.decode()


def test_the_city_administrator_runs_them_from_the_inbox(client, tree):
    client.force_login(tree.users["city_admin"])
    assert reverse("reminder-runs") in client.get(reverse("inbox")).content.decode()
    assert client.post(reverse("reminder-runs")).status_code == 302
    assert BackgroundTask.objects.count() == 1
