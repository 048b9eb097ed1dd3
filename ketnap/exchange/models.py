"""An import: the uploaded file (kept with its SHA-256), what the preview found row by row, and where the work
stands (checking and committing may run as a background task)."""

from django.conf import settings
from django.db import models

from ketnap.accounts.scoping import ScopedQuerySet


class ImportJob(models.Model):
    class Kind(models.TextChoices):
        PERSONS = "persons", "Người"
        TREE = "tree", "Cây tổ chức và trường học"

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Chờ kiểm tra"
        CHECKING = "checking", "Đang kiểm tra"
        CHECKED = "checked", "Đã kiểm tra, chờ ghi"
        COMMITTING = "committing", "Đang ghi"
        COMMITTED = "committed", "Đã ghi"
        FAILED = "failed", "Không ghi được"
        UNREADABLE = "unreadable", "Không đọc được tệp"

    kind = models.CharField("loại", max_length=10, choices=Kind.choices)
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="đơn vị"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    content = models.BinaryField()
    encoding = models.CharField("bảng mã chọn", max_length=20, blank=True)
    encoding_used = models.CharField("bảng mã đã đọc", max_length=20, blank=True)
    encoding_guessed = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UPLOADED)
    background = models.BooleanField(default=False)
    result = models.JSONField(default=dict, blank=True)  # {"counts", "headers", "rows": [RowPlan…], "notes"}
    decisions = models.JSONField(default=dict, blank=True)  # {row: "create" | "update" | "skip"}
    error = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)  # of the running check or commit
    committed_at = models.DateTimeField(null=True, blank=True)
    written = models.JSONField(default=dict, blank=True)

    SCOPE_FIELDS = ("unit__path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "lần nhập dữ liệu"

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def counts(self) -> dict:
        return self.result.get("counts", {})

    @property
    def running(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.COMMITTING)
