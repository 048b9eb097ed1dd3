from django.conf import settings
from django.db import models

from ketnap.accounts.roles import Role


class RoleAssignment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("vai trò", max_length=20, choices=Role.choices)

    class Meta:
        unique_together = [("user", "unit", "role")]
        verbose_name = "phân quyền"

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} @ {self.unit}"


class AccountState(models.Model):
    """What Ketnap keeps about an account beyond Django's user: a password set by an administrator must be
    changed by its owner at the next login (`accounts.middleware.PasswordChangeRequiredMiddleware`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="ketnap_state"
    )
    must_change_password = models.BooleanField("phải đổi mật khẩu", default=False)
    disabled_reason = models.CharField("lý do khóa", max_length=300, blank=True)

    class Meta:
        verbose_name = "trạng thái tài khoản"

    def __str__(self):
        return f"{self.user}"
