"""Login protection: lockout per account and per address (django-axes) with a Vietnamese page and an admin
unlock; two factors (django-otp: TOTP app + single-use backup codes) required for the roles of the setting,
optional for the others; logout everywhere; password validators."""

import datetime

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketnap.core.models import AuditLog
from ketnap.testing import TEST_PASSWORD

pytestmark = pytest.mark.django_db
LOGIN = "/dang-nhap/"
NOW = datetime.datetime(2026, 11, 30, 8, 0, tzinfo=datetime.UTC)


def login(client, username, password, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def code(device, at: datetime.datetime) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = at.timestamp()
    return f"{totp.token():0{device.digits}d}"


# ------------------------------------------------------------------------------------------ lockout


def test_five_wrong_passwords_lock_the_account_even_for_the_right_password(client, tree, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        page = login(client, "cell_clerk", "sai-mat-khau")
        assert page.status_code == 200 and not logged_in(client)
    locked = login(client, "cell_clerk", "sai-mat-khau")  # the fifth failure locks
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Tạm khóa đăng nhập" in text and "15 phút" in text and "quản trị viên" in text
    page = login(client, "cell_clerk", TEST_PASSWORD)  # 130 wrong then right no longer works
    assert page.status_code == 429 and not logged_in(client)


def test_the_lock_is_per_account_and_per_address(tree, settings):
    settings.AXES_FAILURE_LIMIT = 5
    attacker = Client(REMOTE_ADDR="203.0.113.7")
    for name in ("a1", "a2", "a3", "a4", "a5"):  # five different names from one address
        login(attacker, name, "x")
    assert login(attacker, "cell_viewer", TEST_PASSWORD).status_code == 429  # the address is locked
    other = Client(REMOTE_ADDR="198.51.100.2")  # the same account from elsewhere still works
    login(other, "cell_viewer", TEST_PASSWORD)
    assert logged_in(other)


def test_the_lock_lifts_after_the_cooloff(client, tree, settings):
    settings.AXES_FAILURE_LIMIT = 5
    with time_machine.travel(NOW, tick=False):
        for _ in range(5):
            login(client, "cell_clerk", "sai")
        assert login(client, "cell_clerk", TEST_PASSWORD).status_code == 429
    with time_machine.travel(NOW + datetime.timedelta(minutes=16), tick=False):
        login(client, "cell_clerk", TEST_PASSWORD)
        assert logged_in(client)


def test_an_admin_sees_the_lock_and_unlocks(client, tree, settings):
    settings.AXES_FAILURE_LIMIT = 5
    clerk = Client()
    for _ in range(5):
        login(clerk, "cell_clerk", "sai")
    admin = Client()
    admin.force_login(tree.users["city_admin"])
    page = admin.get(reverse("admin-user", args=[tree.users["cell_clerk"].pk])).content.decode()
    assert "Tạm khóa do nhập sai mật khẩu nhiều lần" in page and 'id="unlock-login"' in page
    response = admin.post(reverse("admin-user-unlock", args=[tree.users["cell_clerk"].pk]))
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="user.unlock", object_id=str(tree.users["cell_clerk"].pk)).exists()
    login(clerk, "cell_clerk", TEST_PASSWORD)
    assert logged_in(clerk)


def test_only_an_admin_of_the_users_units_unlocks(client, tree):
    client.force_login(tree.users["uni_committee"])  # no admin role
    assert client.post(reverse("admin-user-unlock", args=[tree.users["cell_clerk"].pk])).status_code == 403


# ------------------------------------------------------------------------------------------ two factors


@pytest.fixture
def required(settings):
    settings.KETNAP_2FA_REQUIRED_ROLES = ["committee", "admin"]


def set_up_two_factors(client, at) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "<svg" in text and 'id="two-factor-secret"' in text
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    wrong = client.post(
        reverse("two-factor-setup"), {"token": "000000" if code(device, at) != "000000" else "1"}
    )
    assert "Mã không đúng" in wrong.content.decode()
    with time_machine.travel(
        at + datetime.timedelta(seconds=5), tick=False
    ):  # a wrong code throttles a moment
        done = client.post(reverse("two-factor-setup"), {"token": code(device, at)})
    assert done.status_code == 200
    codes = [c.strip() for c in done.context["codes"]]
    assert len(codes) == 10 and all(len(c) == 8 for c in codes)
    device.refresh_from_db()
    assert device.confirmed
    return device, codes


def test_a_committee_member_must_set_up_two_factors_before_anything_else(client, tree, required):
    with time_machine.travel(NOW, tick=False):
        login(client, "uni_committee", TEST_PASSWORD)
        assert logged_in(client)
        response = client.get("/nguoi/")
        assert response.status_code == 302 and response["Location"].startswith(reverse("two-factor-setup"))
        hx = client.get("/nguoi/", HTTP_HX_REQUEST="true")
        assert hx.status_code == 204 and hx["HX-Redirect"] == reverse("two-factor-setup")
        set_up_two_factors(client, NOW)
        assert client.get("/nguoi/").status_code == 200
    assert AuditLog.objects.filter(action="user.two_factor_on").count() == 1


def test_the_next_login_asks_for_the_code_and_a_backup_code_works_once(tree, required):
    with time_machine.travel(NOW, tick=False):
        first = Client()
        login(first, "uni_committee", TEST_PASSWORD)
        device, codes = set_up_two_factors(first, NOW)
    later = NOW + datetime.timedelta(minutes=5)
    with time_machine.travel(later, tick=False):
        c = Client()
        login(c, "uni_committee", TEST_PASSWORD)
        assert c.get("/nguoi/")["Location"].startswith(reverse("two-factor-verify"))
        bad = c.post(reverse("two-factor-verify"), {"token": "12345678"})
        assert "Mã không đúng" in bad.content.decode() and c.get("/nguoi/").status_code == 302
    later = later + datetime.timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        ok = c.post(reverse("two-factor-verify"), {"token": code(device, later), "next": "/nguoi/"})
        assert ok.status_code == 302 and ok["Location"] == "/nguoi/"
        assert c.get("/nguoi/").status_code == 200
        # a backup code, once
        for expected in (True, False):
            d = Client()
            login(d, "uni_committee", TEST_PASSWORD)
            d.post(reverse("two-factor-verify"), {"token": codes[0]})
            assert (d.get("/nguoi/").status_code == 200) is expected


def test_the_verify_page_does_not_redirect_off_site(tree, required):
    with time_machine.travel(NOW, tick=False):
        c = Client()
        login(c, "uni_committee", TEST_PASSWORD)
        device, _ = set_up_two_factors(c, NOW)
    at = NOW + datetime.timedelta(minutes=2)
    with time_machine.travel(at, tick=False):
        c = Client()
        login(c, "uni_committee", TEST_PASSWORD)
        response = c.post(
            reverse("two-factor-verify"), {"token": code(device, at), "next": "https://evil.example/"}
        )
        assert response["Location"] == "/"


def test_two_factors_are_optional_for_a_viewer_and_can_be_turned_on(client, tree, required):
    with time_machine.travel(NOW, tick=False):
        login(client, "cell_viewer", TEST_PASSWORD)
        assert client.get("/nguoi/").status_code == 200  # no setup required
        device, _ = set_up_two_factors(client, NOW)
    at = NOW + datetime.timedelta(minutes=3)
    with time_machine.travel(at, tick=False):
        c = Client()
        login(c, "cell_viewer", TEST_PASSWORD)
        assert c.get("/nguoi/").status_code == 302  # once set up, the code is asked
        c.post(reverse("two-factor-verify"), {"token": code(device, at)})
        assert c.get("/nguoi/").status_code == 200


def test_a_deployment_can_require_two_factors_for_everyone(client, tree, settings):
    settings.KETNAP_2FA_REQUIRED_ROLES = ["all"]
    login(client, "cell_viewer", TEST_PASSWORD)
    assert client.get("/nguoi/")["Location"].startswith(reverse("two-factor-setup"))


def test_without_the_setting_nobody_is_asked(client, tree, settings):
    settings.KETNAP_2FA_REQUIRED_ROLES = []  # what `make demo` runs with: the demo logs in without a phone
    login(client, "city_admin", TEST_PASSWORD)
    assert client.get("/nguoi/").status_code == 200


def test_an_admin_turns_off_a_lost_phone_and_the_user_sets_up_again(tree, required):
    with time_machine.travel(NOW, tick=False):
        user_client = Client()
        login(user_client, "uni_committee", TEST_PASSWORD)
        set_up_two_factors(user_client, NOW)
        admin = Client()
        admin.force_login(tree.users["city_admin"])
        session = admin.session
        session.pop("ketnap_two_factor", None)
        session.save()
        uid = tree.users["uni_committee"].pk
        assert "Đã bật" in admin.get(reverse("admin-user", args=[uid])).content.decode()
        no_reason = admin.post(reverse("admin-user-two-factor-off", args=[uid]), {"reason": ""})
        assert no_reason.status_code == 302 and TOTPDevice.objects.filter(user_id=uid).exists()
        admin.post(reverse("admin-user-two-factor-off", args=[uid]), {"reason": "Mất điện thoại"})
        assert not TOTPDevice.objects.filter(user_id=uid).exists()
        assert AuditLog.objects.filter(action="user.two_factor_off", object_id=str(uid)).exists()
        assert not logged_in(user_client) or user_client.get("/nguoi/").status_code == 302  # logged out
        again = Client()
        login(again, "uni_committee", TEST_PASSWORD)
        assert again.get("/nguoi/")["Location"].startswith(reverse("two-factor-setup"))


# ------------------------------------------------------------------------------------------ sessions, passwords


def test_logout_everywhere_ends_the_other_browsers_too(tree):
    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        login(c, "cell_clerk", TEST_PASSWORD)
        assert c.get("/nguoi/").status_code == 200
    response = laptop.post(reverse("logout-everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert phone.get("/nguoi/").status_code == 302  # the phone's session is gone
    assert AuditLog.objects.filter(action="user.logout_everywhere").count() == 1


def test_an_admin_logs_a_user_out_everywhere(tree):
    clerk = Client()
    login(clerk, "cell_clerk", TEST_PASSWORD)
    admin = Client()
    admin.force_login(tree.users["city_admin"])
    admin.post(reverse("admin-user-logout", args=[tree.users["cell_clerk"].pk]))
    assert clerk.get("/nguoi/").status_code == 302
    assert admin.get("/nguoi/").status_code == 200  # the admin's own session stays


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("ngan-qua", "ít nhất 10"),
        ("1234567890123", "toàn chữ số"),
        ("password123", "quá phổ biến"),
        ("nguyenvanan-2026", "giống"),
    ],
)
def test_password_validators(tree, password, why):
    from django.contrib.auth import get_user_model

    user = get_user_model()(username="nguyenvanan", first_name="An")
    with pytest.raises(ValidationError) as error:
        validate_password(password, user)
    assert why in " ".join(error.value.messages).lower() or why in " ".join(error.value.messages)
