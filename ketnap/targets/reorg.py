"""Targets follow a merge (a receiver of `orgs.actions.unit_merged`): the absorbed unit's targets and "no source
left" records of the windows that have not ended by the merge go to the absorbing unit, unless it has its own
for that indicator and window (then they stay, with the absorbed unit's history). Ended windows keep theirs."""

from ketnap.targets import conf
from ketnap.targets.models import NoSourceRecord, Target


def on_unit_merged(*, source, target, on, report: dict, **kwargs) -> None:
    moved = 0
    for row in Target.objects.filter(unit=source):
        if conf.window(row.window).end < on:
            continue
        if Target.objects.filter(unit=target, indicator=row.indicator, window=row.window).exists():
            continue
        Target.objects.filter(pk=row.pk).update(unit=target)
        moved += 1
    for rec in NoSourceRecord.objects.filter(unit=source):
        if conf.window(rec.window).end < on:
            continue
        if NoSourceRecord.objects.filter(unit=target, window=rec.window).exists():
            continue
        NoSourceRecord.objects.filter(pk=rec.pk).update(unit=target)
        moved += 1
    report["targets"] = moved
