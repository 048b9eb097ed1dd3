import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from ketnap.accounts.models import RoleAssignment
from ketnap.core.models import AuditLog

pytestmark = pytest.mark.django_db


def test_add_user_creates_the_user_and_grants_the_role_with_audit(tree, monkeypatch):
    monkeypatch.setenv("KETNAP_NEW_PASSWORD", "mot-mat-khau-dai-2026")
    call_command(
        "add_user",
        "p.benthanh.bithu",
        "--unit",
        "P-BENTHANH",
        "--role",
        "secretary",
        "--full-name",
        "Trần Văn Bình",
    )
    user = get_user_model().objects.get(username="p.benthanh.bithu")
    assert user.check_password("mot-mat-khau-dai-2026") and user.first_name == "Bình"
    assert RoleAssignment.objects.get(user=user).unit == tree.ward_a
    assert AuditLog.objects.filter(action="account.create").exists()
    assert AuditLog.objects.filter(action="account.grant").exists()


def test_add_user_refuses_a_weak_password_and_an_unknown_unit(tree, monkeypatch):
    monkeypatch.setenv("KETNAP_NEW_PASSWORD", "123")
    with pytest.raises(CommandError):
        call_command("add_user", "x", "--unit", "P-BENTHANH", "--role", "viewer")
    with pytest.raises(CommandError):
        call_command("add_user", "x", "--unit", "KHONG-CO", "--role", "viewer")
    assert not get_user_model().objects.filter(username="x").exists()
