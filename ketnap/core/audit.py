"""Write one audit row in the caller's transaction, chained to the previous row by hash."""

from django.db import connection, transaction

from ketnap.core.models import AuditLog

_LOCK_KEY = 7_421_001


def audit(
    *,
    actor,
    action: str,
    obj=None,
    object_type: str = "",
    object_id="",
    unit=None,
    summary="",
    before=None,
    after=None,
) -> AuditLog:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit() must run inside the action's transaction")
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # serialise the hash chain
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
    prev = AuditLog.objects.order_by("-id").values_list("row_hash", flat=True).first() or ""
    row = AuditLog(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type or (obj._meta.label_lower if obj is not None else ""),
        object_id=str(object_id or (obj.pk if obj is not None else "")),
        unit=unit,
        summary=summary[:500],
        before=before,
        after=after,
        prev_hash=prev,
    )
    row.row_hash = row.content_digest(prev)
    row.save()
    return row


def verify_chain() -> list[int]:
    """Ids of audit rows whose hash does not match their content or predecessor."""
    bad, prev = [], ""
    for row in AuditLog.objects.order_by("id").iterator(chunk_size=2000):
        if row.prev_hash != prev or row.row_hash != row.content_digest(prev):
            bad.append(row.id)
        prev = row.row_hash
    return bad
