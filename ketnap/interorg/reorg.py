"""Requests follow a merge of the organisations they are between (a receiver of `orgs.actions.unit_merged`):
the open ones (draft, sent, received) are re-addressed to the absorbing unit, so that someone can still answer
them; closed ones keep who sent and answered them. A unit with open requests is not dissolved."""

from django.db.models import Q

from ketnap.interorg.models import OPEN_STATUSES, Request, Status

LIVE = (Status.DRAFT, *OPEN_STATUSES)
FIELDS = ("sender", "receiver", "origin", "into")


def on_unit_merged(*, source, target, report: dict, **kwargs) -> None:
    live = Request.objects.filter(status__in=LIVE)
    moved: set[int] = set()
    for field in FIELDS:
        ids = list(live.filter(**{field: source}).values_list("pk", flat=True))
        Request.objects.filter(pk__in=ids).update(**{field: target})
        moved.update(ids)
    report["requests"] = len(moved)
    report["request_ids"] = sorted(moved)


def on_unit_contents(*, unit, found: list, **kwargs) -> None:
    count = Request.objects.filter(status__in=LIVE).filter(Q(sender=unit) | Q(receiver=unit)).count()
    if count:
        found.append(("requests", count, f"{count} văn bản giữa các tổ chức chưa xong"))
