"""Audit log and the editable working-day calendar."""

import hashlib
import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models


class AuditLog(models.Model):
    """One row per action, written in the same transaction as the change (Zulip's RealmAuditLog).

    Rows are chained by hash: `row_hash = sha256(previous_hash + content)`, so editing or deleting
    a row in the database shows up in `ketnap verify-audit`.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT)
    summary = models.CharField(max_length=500, blank=True)
    before = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["object_type", "object_id"])]
        ordering = ["-id"]

    def content_digest(self, prev_hash: str) -> str:
        payload = json.dumps(
            [
                prev_hash,
                self.actor_id,
                self.action,
                self.object_type,
                self.object_id,
                self.unit_id,
                self.summary,
                self.before,
                self.after,
            ],
            cls=DjangoJSONEncoder,
            sort_keys=True,
            ensure_ascii=False,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type}#{self.object_id}"


class CalendarOverride(models.Model):
    """Government announcements on top of the statutory calendar (`holidays`, country VN)."""

    date = models.DateField(unique=True)
    is_working_day = models.BooleanField(
        help_text="Đánh dấu nếu là ngày làm việc bù (thứ Bảy làm việc); bỏ trống nếu là ngày nghỉ thêm."
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        kind = "làm việc" if self.is_working_day else "nghỉ"
        return f"{self.date:%d/%m/%Y} ({kind})"
