"""Sessions end after a configurable idle time (and stay alive while the user works); passwords are at least 10
characters, not all digits, not common, not like the user name."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_an_idle_session_ends_and_a_working_one_goes_on(client, tree, settings):
    settings.SESSION_COOKIE_AGE = 600  # ten minutes of idle time
    start = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(tree.users["cell_clerk"])
        assert client.get(reverse("home")).status_code == 200
        for _ in range(4):  # working: a request every 7 minutes for 28 minutes
            traveller.shift(datetime.timedelta(minutes=7))
            assert client.get(reverse("home")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=11))  # then idle longer than the window
        response = client.get(reverse("home"))
        assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


@pytest.mark.parametrize("password", ["ngắn-9ký", "1234567890123", "password123", "cell_clerk2026"])
def test_weak_passwords_are_refused(tree, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=tree.users["cell_clerk"])


def test_a_good_password_is_accepted(tree):
    validate_password("Mùa thu Hà Nội 2026!", user=tree.users["cell_clerk"])
