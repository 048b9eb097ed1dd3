"""The party-organisation tree (effective-dated), schools and authorisations to admit."""

from django.db import models
from django.db.models import Q

from ketnap.accounts.scoping import ScopedQuerySet
from ketnap.core.text import fold

PATH_STEP = 8  # "00000123." : 7 digits and a dot per level


def path_segment(pk: int) -> str:
    return f"{pk:07d}."


class OrgUnit(models.Model):
    class Kind(models.TextChoices):
        CITY = "city", "Thành ủy"
        UPPER = "upper", "Đảng ủy cấp trên cơ sở"
        WARD = "ward", "Đảng ủy phường, xã, đặc khu"
        GRASSROOTS = "grassroots", "Đảng ủy cơ sở"
        GRASSROOTS_CELL = "grassroots_cell", "Chi bộ cơ sở"
        CELL = "cell", "Chi bộ trực thuộc"

    class CellKind(models.TextChoices):
        NONE = "", "—"
        STAFF = "staff", "Chi bộ cán bộ, giảng viên, giáo viên"
        STUDENT = "student", "Chi bộ sinh viên, học sinh"
        MERGED = "merged", "Chi bộ sinh hoạt ghép"

    name = models.CharField("tên", max_length=200)
    code = models.CharField("mã", max_length=40, unique=True)
    kind = models.CharField("loại", max_length=20, choices=Kind.choices)
    cell_kind = models.CharField("loại chi bộ", max_length=10, choices=CellKind.choices, blank=True)
    founded_on = models.DateField("ngày thành lập", null=True, blank=True)
    dissolved_on = models.DateField("ngày giải thể", null=True, blank=True)
    has_youth_union = models.BooleanField("có tổ chức Đoàn", default=True)
    # The current parent and the materialized path of the current tree ("0000001.0000007.").
    # History lives in OrgLink; the path is a cache rebuilt by orgs.actions.move_unit.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name="cấp trên",
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    search_key = models.CharField(max_length=255, editable=False, default="", db_index=True)

    SCOPE_FIELDS = ("path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = "tổ chức đảng"
        verbose_name_plural = "tổ chức đảng"
        # the first levels of a large tree in tree order (the unit lists of orgs.queries.unit_options)
        indexes = [
            models.Index(fields=["depth", "path"], name="orgs_unit_depth_path"),
            models.Index(fields=["cell_kind", "path"], name="orgs_unit_cell_kind"),  # the student cells…
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_cell(self) -> bool:
        return self.kind in (self.Kind.CELL, self.Kind.GRASSROOTS_CELL)

    @property
    def is_grassroots(self) -> bool:
        return self.kind in (self.Kind.GRASSROOTS, self.Kind.GRASSROOTS_CELL)

    def is_active_on(self, day) -> bool:
        return (self.founded_on is None or self.founded_on <= day) and (
            self.dissolved_on is None or day < self.dissolved_on
        )

    def ancestors(self):
        """Ancestors in the current tree, root first (one query)."""
        ids = [int(s) for s in self.path.split(".") if s][:-1]
        by_id = OrgUnit.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]

    def grassroots(self):
        """The grassroots organisation this unit belongs to (itself if it is one)."""
        if self.is_grassroots or self.kind in (self.Kind.WARD,):
            return self
        for unit in reversed(self.ancestors()):
            if unit.is_grassroots or unit.kind == self.Kind.WARD:
                return unit
        return None

    def subtree(self):
        return OrgUnit.objects.filter(path__startswith=self.path)

    def scope_filter(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}path__startswith": self.path})


# Which kinds of unit may sit under which (creating and moving a unit respect it).
CHILD_KINDS = {
    OrgUnit.Kind.CITY: [
        OrgUnit.Kind.UPPER,
        OrgUnit.Kind.WARD,
        OrgUnit.Kind.GRASSROOTS,
        OrgUnit.Kind.GRASSROOTS_CELL,
    ],
    OrgUnit.Kind.UPPER: [OrgUnit.Kind.UPPER, OrgUnit.Kind.GRASSROOTS, OrgUnit.Kind.GRASSROOTS_CELL],
    OrgUnit.Kind.WARD: [OrgUnit.Kind.GRASSROOTS, OrgUnit.Kind.GRASSROOTS_CELL, OrgUnit.Kind.CELL],
    OrgUnit.Kind.GRASSROOTS: [OrgUnit.Kind.CELL],
}


class OrgLink(models.Model):
    """Parent history: child was under parent from valid_from until valid_to (exclusive)."""

    child = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="child_links")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["child_id", "valid_from"]
        indexes = [models.Index(fields=["parent", "valid_from"])]

    def __str__(self):
        return f"{self.child} ⊂ {self.parent} từ {self.valid_from:%d/%m/%Y}"


class School(models.Model):
    class Level(models.TextChoices):
        KINDERGARTEN = "kindergarten", "Mầm non"
        PRIMARY = "primary", "Tiểu học"
        LOWER_SECONDARY = "lower_secondary", "Trung học cơ sở"
        UPPER_SECONDARY = "upper_secondary", "Trung học phổ thông"
        MULTI_LEVEL = "multi_level", "Nhiều cấp học"
        PROFESSIONAL_SECONDARY = "professional_secondary", "Trung cấp chuyên nghiệp"
        COLLEGE = "college", "Cao đẳng"
        UNIVERSITY = "university", "Đại học"

    K12_LEVELS = (
        Level.KINDERGARTEN,
        Level.PRIMARY,
        Level.LOWER_SECONDARY,
        Level.UPPER_SECONDARY,
        Level.MULTI_LEVEL,
    )
    HE_LEVELS = (Level.PROFESSIONAL_SECONDARY, Level.COLLEGE, Level.UNIVERSITY)

    name = models.CharField("tên trường", max_length=200)
    code = models.CharField("mã trường", max_length=40, unique=True)
    level = models.CharField("cấp học", max_length=30, choices=Level.choices)
    is_public = models.BooleanField("công lập", default=True)
    ward = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools_located",
        verbose_name="phường, xã",
    )
    party_org = models.ForeignKey(
        OrgUnit,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schools",
        verbose_name="tổ chức đảng",
    )
    has_full_time_party_staff = models.BooleanField("có cán bộ chuyên trách công tác đảng", default=False)
    search_key = models.CharField(max_length=255, editable=False, default="", db_index=True)

    SCOPE_FIELDS = ("party_org__path", "ward__path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "trường học"
        verbose_name_plural = "trường học"
        indexes = [models.Index(fields=["name", "id"], name="orgs_school_name")]  # lists by name, paged

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_key = fold(f"{self.name} {self.code}")
        super().save(*args, **kwargs)

    @property
    def is_higher_education(self) -> bool:
        return self.level in self.HE_LEVELS


class Authorization(models.Model):
    """A grassroots committee authorised (ủy quyền) to decide admissions, for a period."""

    grantor = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="authorizations_granted")
    grantee = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="authorizations")
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    document_number = models.CharField("số văn bản", max_length=60, blank=True)

    SCOPE_FIELDS = ("grantee__path", "grantor__path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = "ủy quyền kết nạp"

    def __str__(self):
        return f"{self.grantee} ({self.valid_from:%d/%m/%Y})"

    def covers(self, day) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class OrgName(models.Model):
    """An earlier name of a unit: it was called ``name`` until ``valid_to`` (exclusive). Renaming a unit keeps
    its old name here (``orgs.actions.rename_unit``), so history pages and letters can still name it."""

    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="former_names")
    name = models.CharField("tên trước đây", max_length=200)
    valid_to = models.DateField("dùng đến ngày")
    reason = models.CharField("lý do", max_length=300, blank=True)

    class Meta:
        ordering = ["unit_id", "-valid_to", "-id"]
        verbose_name = "tên trước đây"

    def __str__(self):
        return f"{self.name} (đến {self.valid_to:%d/%m/%Y})"
