"""Audit log and the editable working-day calendar."""

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from ketnap.core.integrity import audit_digest


class AuditLog(models.Model):
    """One row per action, written in the same transaction as the change (Zulip's RealmAuditLog).

    Rows are chained by hash: `row_hash = sha256(previous_hash + content)`, so editing or deleting
    a row in the database shows up in `ketnap verify-audit`.
    """

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)  # part of the row's hash
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
        return audit_digest(prev_hash, self)

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type}#{self.object_id}"


class AuditHead(models.Model):
    """The audit log's head — its number of rows and last hash — with an HMAC under a key kept outside the
    database (ketnap.core.integrity). One row, updated with every audit row in the same transaction."""

    count = models.PositiveBigIntegerField(default=0)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    mac = models.CharField(max_length=64, blank=True)

    def __str__(self):
        return f"{self.count} dòng, {self.last_hash[:12]}…"


class ReadLog(models.Model):
    """Who read what: a person page opened, a list exported (kept and shown with the audit log to admins)."""

    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    action = models.CharField(max_length=64, db_index=True)  # "person.view", "export", …
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey("orgs.OrgUnit", null=True, blank=True, on_delete=models.PROTECT)
    summary = models.CharField(max_length=500, blank=True)
    path = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["actor", "at"])]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.action} {self.object_type}#{self.object_id}"


class FormToken(models.Model):
    """A form sent once: the token a page puts in each form, taken in the same transaction as the action it
    runs, so a double click or a second tab records the step once (`core.perform.run_action`)."""

    token = models.CharField(max_length=64, primary_key=True)
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)

    def __str__(self):
        return self.token


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
