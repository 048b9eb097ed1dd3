"""The register of document numbers (sổ đăng ký văn bản đi): one row per numbered paper.

Numbers run per issuing unit and per year (``seq``: 1, 2, 3 … each year); the number written on the paper
(``05-NQ/CB``) is stored as issued, so a reprint shows it again even if the way numbers are written changes.
A paper is identified by ``key`` (its form and the ledger entry it records, e.g. ``6-KNĐ:412``): one key, one
number, for ever. A number typed into the ledger (a decision's number, given by the committee that signed it)
is recorded here too, so the register never hands it out again (``seq`` is empty when it cannot be read as
this unit's number of that year, or when that sequence number is already taken).
"""

from django.conf import settings
from django.db import models

from ketnap.accounts.scoping import ScopedQuerySet


class PaperNumber(models.Model):
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.PROTECT, related_name="paper_numbers", verbose_name="nơi ban hành"
    )
    year = models.PositiveSmallIntegerField("năm")
    seq = models.PositiveIntegerField("số thứ tự", null=True, blank=True)
    number = models.CharField("số, ký hiệu", max_length=60)
    form = models.CharField("mẫu", max_length=20)
    key = models.CharField(max_length=80, unique=True)
    person = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="paper_numbers"
    )
    event = models.ForeignKey(
        "people.PersonEvent", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    typed = models.BooleanField("số do người dùng ghi trong sổ sự kiện", default=False)
    issued_on = models.DateField("ngày của văn bản", null=True, blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELDS = ("unit__path", "person__unit__path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["unit_id", "year", "seq", "id"]
        verbose_name = "số văn bản"
        verbose_name_plural = "sổ đăng ký văn bản"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "seq"], name="papers_one_seq_per_unit_year"),
        ]

    def __str__(self):
        return self.number
