"""Targets per unit and window, "no source left" records, and the indicator rollup.

* `Target`: the value a unit must reach for one indicator in one window ("SY2025" = school year 2025–2026,
  "CY2026" = calendar year 2026). A unit sets the targets of its children; without one, a share indicator
  inherits the nearest ancestor's target and finally the directive's default (rules.indicators).
* `NoSourceRecord`: a K-12 cell recorded as having no source left for a school year (the K-12 exemption).
* `Rollup`: one row per unit and window, the unit placed in the tree as it stood at the window's end, with
  the totals of its subtree. It is a cache of the ledger: written only by `ketnap.targets.rollups` (rebuilt
  by `ketnap rebuild-rollups`, kept current in the same transaction as every ledger event), never by hand.
"""

from django.conf import settings
from django.db import models

from ketnap.accounts.scoping import ScopedQuerySet
from ketnap.rules.indicators import ALL_INDICATORS, TOTAL_FIELDS

# (population flag, numerator flag, index name) of each cell indicator's list (rules.indicators: population_flag,
# ok_flag)
CELL_LISTS = [
    ("k12_cells", "k12_cells_two", "targets_rollup_k12_two"),
    ("k12_cells", "k12_cells_teacher", "targets_rollup_k12_teacher"),
    ("he_subcells", "he_subcells_ok", "targets_rollup_he_sub"),
    ("he_student_cells", "he_student_cells_ok", "targets_rollup_he_student"),
]
INDICATOR_CHOICES = [(i.id, f"{i.id} — {i.name}") for i in ALL_INDICATORS.values()]


class Target(models.Model):
    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="targets",
                             verbose_name="tổ chức đảng")  # fmt: skip
    indicator = models.CharField("chỉ số", max_length=40, choices=INDICATOR_CHOICES)
    window = models.CharField("kỳ", max_length=8, help_text="SY2025 = năm học 2025–2026; CY2026 = năm 2026")
    value = models.FloatField("chỉ tiêu", help_text="tỷ lệ từ 0 đến 1, hoặc một số lượng")
    note = models.CharField("ghi chú", max_length=300, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    set_at = models.DateTimeField(auto_now=True)

    SCOPE_FIELDS = ("unit__path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "chỉ tiêu"
        verbose_name_plural = "chỉ tiêu"
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator", "window"], name="targets_one_per_window")
        ]
        indexes = [models.Index(fields=["window", "indicator"])]

    def __str__(self):
        return f"{self.indicator} {self.window} @ {self.unit_id}: {self.value}"


class NoSourceRecord(models.Model):
    """The cell has no source left for the school year: it leaves the K-12 cell indicators' population."""

    unit = models.ForeignKey("orgs.OrgUnit", on_delete=models.PROTECT, related_name="no_source_records",
                             verbose_name="chi bộ")  # fmt: skip
    window = models.CharField("năm học", max_length=8)
    reason = models.TextField("lý do")
    recorded_on = models.DateField("ngày ghi nhận")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    SCOPE_FIELDS = ("unit__path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "ghi nhận không còn nguồn"
        verbose_name_plural = "ghi nhận không còn nguồn"
        constraints = [models.UniqueConstraint(fields=["unit", "window"], name="targets_no_source_once")]

    def __str__(self):
        return f"{self.unit_id} {self.window}"


WINDOW_KINDS = {"SY": 1, "CY": 2}
WINDOW_KIND_OF = {v: k for k, v in WINDOW_KINDS.items()}


def window_code(key: str) -> int:
    """The number a window key is stored as in the rollup: year × 10 + 1 for a school year, + 2 for a calendar
    year ("SY2025" → 20251, "CY2026" → 20262)."""
    kind, year = key[:2], key[2:]
    if kind not in WINDOW_KINDS or not year.isdigit() or not 1000 <= int(year) <= 3000:
        raise ValueError(f"not a window key: {key!r}")
    return int(year) * 10 + WINDOW_KINDS[kind]


def window_key(code: int) -> str:
    year, kind = divmod(int(code), 10)
    if kind not in WINDOW_KIND_OF:
        raise ValueError(f"not a window code: {code!r}")
    return f"{WINDOW_KIND_OF[kind]}{year}"


class WindowKeyField(models.SmallIntegerField):
    """A window key ("SY2025", "CY2026") in Python, a small integer in the database (`window_code`). Every rollup
    index starts with the window: sorting 4 M integer keys instead of text ones halves each index build of a
    full rebuild at nation scale (the lagging cells by pool: 7.9 → 3.9 s)."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else window_key(value)

    def to_python(self, value):
        if value is None or isinstance(value, str):
            return value
        return window_key(value)

    def get_prep_value(self, value):
        if value is None or isinstance(value, int):
            return value
        return window_code(str(value))


class RollupWindow(models.Model):
    """A window whose rollup rows exist (and are kept current)."""

    key = models.CharField(max_length=8, unique=True)
    built_at = models.DateTimeField()
    tree_stamp = models.CharField(max_length=100, blank=True)
    units = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    # The open window's projection snapshot (rules.indicators.Projection as JSON): the day its dossiers in
    # progress are counted as of, and the whole tree's expected admissions per stage and age. None: closed.
    projection = models.JSONField(null=True, blank=True)
    # A tree change from this day is waiting for the background rebuild (large trees): the rows still show
    # the tree as it was, and the dashboards say so.
    tree_changed_on = models.DateField(null=True, blank=True)
    # The day a refresh of the projection was queued (one a day).
    refresh_queued_on = models.DateField(null=True, blank=True)

    def __str__(self):
        return self.key


class Rollup(models.Model):
    window = WindowKeyField()
    # A cache row: no database constraint (it is rebuilt in bulk); the unit's tree position at the window's end.
    # No index of its own: every query names the window, and (window, unit) is unique (a full rebuild builds
    # each index again, ≈ 2 s each at nation scale).
    unit = models.ForeignKey(
        "orgs.OrgUnit", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    parent_id = models.BigIntegerField(null=True)
    path = models.CharField(max_length=255)
    depth = models.PositiveSmallIntegerField(default=0)
    lo = models.PositiveIntegerField()
    hi = models.PositiveIntegerField()
    active = models.BooleanField(default=True)
    is_cell = models.BooleanField(default=False)
    school_kind = models.CharField(max_length=3, blank=True)
    k12_cell = models.BooleanField(default=False)
    he_subcell = models.BooleanField(default=False)
    he_student_cell = models.BooleanField(default=False)
    exempt = models.BooleanField(default=False)
    own_lagging = models.BooleanField(default=False)

    SCOPE_FIELDS = ("unit__path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["window", "unit"], name="targets_rollup_unit")]
        indexes = [
            models.Index(fields=["window", "parent_id"], name="targets_rollup_parent"),
            models.Index(fields=["window", "lo"], name="targets_rollup_lo"),
            models.Index(fields=["window", "own_lagging", "lo"], name="targets_rollup_lagging"),
            # the lagging cells of a big subtree, largest pool first (the dashboards' list), without a sort
            models.Index(
                fields=["window", "own_lagging", "-pool_end", "unit"], name="targets_rollup_lag_pool"
            ),
            # weakness lists: the live cells, largest pool first (W_POOL_GT_ADMISSIONS); the live cells that
            # admitted nobody in the window, in the tree's order (W_CELLS_NEVER_ADMIT)
            models.Index(
                fields=["window", "-pool_end", "unit"],
                condition=models.Q(is_cell=True, active=True),
                name="targets_rollup_cell_pool",
            ),
            models.Index(
                fields=["window", "lo"],
                condition=models.Q(is_cell=True, active=True, admitted=0),
                name="targets_rollup_idle",
            ),
            # the cells behind a cell indicator, those missing it first, in the tree's order (the list's
            # order: the first page of a nation's 400,000 cells without a sort); partial: the population only
            *[
                models.Index(
                    fields=["window", ok, "lo"],
                    condition=models.Q(**{population: 1, "is_cell": True}),
                    name=name,
                )
                for population, ok, name in CELL_LISTS
            ],
        ]

    def __str__(self):
        return f"{self.window} {self.unit_id}"

    def totals(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in TOTAL_FIELDS}


# One integer column per total (rules.indicators.TOTAL_FIELDS is the single list of them).
for _name in TOTAL_FIELDS:
    Rollup.add_to_class(_name, models.IntegerField(default=0))
