"""Two factors in Chromium: a committee member sets up an authenticator app at the first login (QR code and typed
key), keeps the backup codes, and logs in again with a backup code."""

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from ketnap.testing import TEST_PASSWORD, build_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def password_step(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("#login-button")


def test_a_committee_member_sets_up_two_factors_and_logs_in_with_a_backup_code(live_server, page, settings):
    settings.KETNAP_2FA_REQUIRED_ROLES = ["committee", "admin"]
    build_tree()
    password_step(page, live_server, "uni_committee")
    expect(page).to_have_url(f"{live_server.url}/xac-thuc/thiet-lap/?next=/")
    expect(page.locator("#two-factor-qr svg")).to_be_visible()
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    code = f"{TOTP(key).token():06d}"  # what the phone's app would show now
    page.fill("#id_token", code)
    page.click("#two-factor-setup-button")
    codes = page.locator("#backup-codes li")
    expect(codes).to_have_count(10)
    backup = codes.first.inner_text().replace(" ", "")
    page.click("#two-factor-continue")
    expect(page.locator("#logout-button")).to_be_attached()

    password_step(page, live_server, "uni_committee")
    expect(page.locator("#id_token")).to_be_visible()  # the code is asked before anything else
    page.goto(f"{live_server.url}/nguoi/")
    expect(page).to_have_url(f"{live_server.url}/xac-thuc/?next=/nguoi/")
    page.fill("#id_token", backup)
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{live_server.url}/nguoi/")
    expect(page.locator("#logout-button")).to_be_attached()
