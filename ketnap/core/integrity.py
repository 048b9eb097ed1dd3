"""Integrity you can prove: digests of the audit log and of every person's ledger, and the audit log's head.

- The audit log is one hash chain: each row's `row_hash` covers the previous row's hash and the row's content,
  its time included (`AuditLog.content_digest`).
- Its head — the number of rows and the last hash — is kept in `AuditHead` with an HMAC under a key that is
  not in the database (`settings.KETNAP_AUDIT_KEY`, by default derived from SECRET_KEY), updated in the same
  transaction as every audit row: deleting the newest rows, or rewriting the head without the key, shows.
- Every person's ledger is its own hash chain (`PersonEvent.row_hash`, in insertion order), so a changed,
  deleted or inserted event shows.
`ketnap verify-audit` checks all three (`verify_all`).
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

UTC = datetime.UTC


def canonical_time(value: datetime.datetime | None) -> str | None:
    """A timestamp as it is hashed: UTC, ISO 8601 with microseconds (the same after a database round trip)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def digest(parts: list[Any]) -> str:
    payload = json.dumps(parts, cls=DjangoJSONEncoder, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_key() -> bytes:
    configured = getattr(settings, "KETNAP_AUDIT_KEY", "") or ""
    if configured:
        return configured.encode()
    return hashlib.sha256(b"ketnap-audit-head:" + settings.SECRET_KEY.encode()).digest()


def head_mac(count: int, last_hash: str, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), f"{count}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def audit_digest(prev_hash: str, row) -> str:
    """The hash of one audit row, chained to the previous row's hash; the row's time is part of it."""
    return digest([
        prev_hash,
        canonical_time(row.at),
        row.actor_id,
        row.action,
        row.object_type,
        row.object_id,
        row.unit_id,
        row.summary,
        row.before,
        row.after,
    ])  # fmt: skip


def event_digest(prev_hash: str, event) -> str:
    """The hash of one ledger event, chained to the person's previous event (its id is not part of it, so it
    can be computed before the row is written)."""
    return digest([
        prev_hash,
        event.person_id,
        event.kind,
        event.occurred_on,
        canonical_time(event.recorded_at),
        event.actor_id,
        event.org_id,
        event.data,
        event.corrects_id,
        event.note,
    ])  # fmt: skip
