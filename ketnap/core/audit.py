"""Write one audit row in the caller's transaction, chained to the previous row by hash."""

from django.db import connection, transaction
from django.utils import timezone

from ketnap.core.integrity import head_mac
from ketnap.core.models import AuditHead, AuditLog

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
        at=timezone.now(),
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
    _move_head(row)
    return row


def _move_head(row: AuditLog) -> None:
    """The head follows the new row (same transaction): count, last id and hash, and their HMAC."""
    head = AuditHead.objects.filter(pk=1).first() or AuditHead(pk=1)
    count = head.count + 1 if head.pk and head.last_id else AuditLog.objects.count()
    head.count, head.last_id, head.last_hash = count, row.pk, row.row_hash
    head.mac = head_mac(count, row.row_hash)
    head.save()


def anchor_head() -> AuditHead:
    """Sign the head as the log stands now (after a key rotation, once `verify_chain` is clean)."""
    last = AuditLog.objects.order_by("-id").values_list("pk", "row_hash").first() or (0, "")
    count = AuditLog.objects.count()
    head, _ = AuditHead.objects.update_or_create(
        pk=1,
        defaults={"count": count, "last_id": last[0], "last_hash": last[1], "mac": head_mac(count, last[1])},
    )
    return head


def verify_head() -> list[str]:
    """What is wrong with the head (Vietnamese), or nothing: newest rows deleted, rows added around the
    actions, or a head rewritten without the key."""
    problems = []
    head = AuditHead.objects.filter(pk=1).first()
    count = AuditLog.objects.count()
    last = AuditLog.objects.order_by("-id").values_list("pk", "row_hash").first() or (0, "")
    if head is None:
        if count:
            problems.append("Thiếu dấu neo của nhật ký (chưa từng được ký).")
        return problems
    if head.mac != head_mac(head.count, head.last_hash):
        problems.append("Chữ ký của dấu neo không đúng: dấu neo bị sửa, hoặc khóa kiểm toán đã đổi.")
    if head.count != count:
        problems.append(
            f"Số dòng nhật ký là {count}, dấu neo ghi {head.count}: có dòng bị xóa hoặc thêm ngoài hệ thống."
        )
    if (head.last_id, head.last_hash) != tuple(last):
        problems.append(
            "Dòng cuối của nhật ký không phải dòng dấu neo ghi: các dòng mới nhất đã bị xóa hoặc thay."
        )
    return problems


def verify_chain() -> list[int]:
    """Ids of audit rows whose hash does not match their content or predecessor."""
    bad, prev = [], ""
    for row in AuditLog.objects.order_by("id").iterator(chunk_size=2000):
        if row.prev_hash != prev or row.row_hash != row.content_digest(prev):
            bad.append(row.id)
        prev = row.row_hash
    return bad


def read_log(request, action: str, *, obj=None, unit=None, summary: str = "") -> None:
    """Who read what (a person page opened, a list exported): one row, outside any transaction."""
    from ketnap.core.models import ReadLog

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    ReadLog.objects.create(
        actor=user,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        unit=unit,
        summary=summary[:500],
        path=request.get_full_path()[:500],
    )
