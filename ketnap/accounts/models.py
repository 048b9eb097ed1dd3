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
