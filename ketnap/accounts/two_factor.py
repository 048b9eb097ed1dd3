"""Two factors (django-otp): a TOTP app, and ten single-use backup codes for the day the phone is lost.

Required for the roles of settings.KETNAP_2FA_REQUIRED_ROLES ("all": everyone), optional for the others.
"""

from __future__ import annotations

import base64
import io
import secrets

from django.conf import settings
from django.db import transaction
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ketnap.core.audit import audit

BACKUP_CODES = 10


def required_for(user) -> bool:
    roles = set(settings.KETNAP_2FA_REQUIRED_ROLES)
    if not roles:
        return False
    if "all" in roles:
        return True
    return user.roles.filter(role__in=roles).exists()


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def state_after_password(user) -> str:
    """ "verify" (give the code), "setup" (set a device up first) or "" (nothing to do)."""
    if has_device(user):
        return "verify"
    return "setup" if required_for(user) else ""


def pending_device(user) -> TOTPDevice:
    """The device being set up (a new secret for each new setup until it is confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name="Ứng dụng xác thực", confirmed=False)


def provisioning_svg(device: TOTPDevice) -> str:
    """The QR code of the otpauth:// address, as inline SVG (no image library, allowed by the page's CSP)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def confirm_setup(request, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the device with a first code; returns the new backup codes (shown once), or None if wrong."""
    if not device.verify_token((token or "").replace(" ", "")):
        return None
    user = request.user
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save()
        codes = new_backup_codes(user)
        audit(actor=user, action="user.two_factor_on", obj=user, summary="Bật xác thực hai lớp")
    otp_login(request, device)
    return codes


def new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="Mã dự phòng", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def verify(request, token: str) -> bool:
    """A code from the app or a backup code (used once)."""
    device = match_token(request.user, (token or "").replace(" ", "")[:16])
    if device is None:
        return False
    otp_login(request, device)
    return True


def disable(user, *, acting_user, reason: str) -> None:
    """Remove a user's second factor (a lost phone): the next login sets it up again if required. Audited."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        audit(actor=acting_user, action="user.two_factor_off", obj=user,
              summary=f"Tắt xác thực hai lớp của {user.get_full_name() or 'người dùng'}: {reason}"[:500])  # fmt: skip
