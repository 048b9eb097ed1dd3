"""Targets of the demo city and its indicator rollup (called at the end of `ketnap seed`).

* The city raises its count target for higher education to 1,100 in the current school year and gives each
  upper committee its share, in proportion to last year's admissions (largest remainders).
* The city asks Đảng ủy ĐHQG-HCM for more than 80% of its sub-cells admitting (inherited by its subtree).
* Two small K-12 cells are recorded as having no source left this school year.
Then the rollup of the dashboards' windows is built. The seed's one audit row ("demo.seed") covers it.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from ketnap.targets import conf, rollups
from ketnap.targets.models import NoSourceRecord, Rollup, Target

CITY_HE_TARGET = 1100
NO_SOURCE_REASON = (
    "Chi bộ chỉ có ít giáo viên, nhân viên và đều đã là đảng viên; không còn quần chúng ưu tú để bồi dưỡng "
    "trong năm học."
)


def split(total: int, weights: dict[int, float]) -> dict[int, int]:
    """`total` split in proportion to `weights` (largest remainders; ties by key)."""
    whole = sum(weights.values())
    if not weights or whole <= 0:
        return {}
    shares = {k: total * w / whole for k, w in weights.items()}
    out = {k: int(v) for k, v in shares.items()}
    for k in sorted(shares, key=lambda k: (out[k] - shares[k], k))[: total - sum(out.values())]:
        out[k] += 1
    return out


def seed_targets(city, today: dt.date, lap=None) -> None:
    root = city.by_code["TU"]
    current = conf.current_school_year(today)
    previous = conf.window(f"SY{current.year - 1}")
    with transaction.atomic():
        rollups.build(conf.default_windows(today))
        last = dict(
            Rollup.objects.filter(window=previous.key, parent_id=root.pk, he_admitted__gt=0).values_list(
                "unit_id", "he_admitted"
            )
        )
        targets = [Target(unit=root, indicator="HE_ADMISSIONS", window=current.key, value=CITY_HE_TARGET,
                          note="Nghị quyết Ban Thường vụ Thành ủy (dữ liệu mẫu)")]  # fmt: skip
        for unit_id, value in split(CITY_HE_TARGET, last).items():
            targets.append(Target(unit_id=unit_id, indicator="HE_ADMISSIONS", window=current.key, value=value,
                                  note="Thành ủy giao theo kết quả năm học trước (dữ liệu mẫu)"))  # fmt: skip
        dhqg = city.by_code.get("DHQG")
        if dhqg is not None:
            targets.append(Target(unit=dhqg, indicator="HE_SUBCELLS", window=current.key, value=0.8,
                                  note="Thành ủy giao (dữ liệu mẫu)"))  # fmt: skip
        Target.objects.bulk_create(targets)

        # "no source left" for two small K-12 cells with nobody in their pool at the year's end (the action
        # refuses it for a cell with a pool; the demo writes the rows directly, so it keeps to the same rule)
        empty = Rollup.objects.filter(window=current.key, k12_cell=True, active=True, pool_end=0)
        cells = list(empty.order_by("members_end", "unit_id").values_list("unit_id", flat=True)[:2])
        for unit_id in cells:
            NoSourceRecord.objects.create(unit_id=unit_id, window=current.key, reason=NO_SOURCE_REASON,
                                          recorded_on=today)  # fmt: skip
            rollups.set_exempt(unit_id, current.key, True)
    if lap:
        lap("chỉ tiêu mẫu và bảng tổng hợp chỉ số")
