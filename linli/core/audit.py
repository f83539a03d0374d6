"""The audit log: record() from every service; seal() adds the hash chain; verify() walks it."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction

from linli.core.models import AuditAnchor, AuditEntry

# Field names whose values never reach the audit log in clear.
REDACTED_FIELDS = {"password", "citizen_id", "id_number", "phone", "mobile", "tags", "token"}
REDACTED = "***"


def redact(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (REDACTED if any(word in key for word in REDACTED_FIELDS) else _plain(value))
        for key, value in values.items()
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def client_ip(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    *,
    actor,
    action: str,
    target=None,
    target_type: str = "",
    target_repr: str = "",
    node_path: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
    request=None,
    extra: dict[str, Any] | None = None,
) -> AuditEntry:
    changes: dict[str, Any] = {}
    if before is not None:
        changes["before"] = redact(before)
    if after is not None:
        changes["after"] = redact(after)
    if extra:
        changes["extra"] = redact(extra)
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_repr = target_repr or str(target)[:200]
        if not node_path and hasattr(target, "scope_path"):
            node_path = target.scope_path()
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_username=getattr(actor, "username", "") if authenticated else "",
        action=action,
        target_type=target_type,
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        target_repr=target_repr[:200],
        node_path=node_path,
        changes=changes,
        reason=reason[:500],
        ip=client_ip(request),
    )


def row_digest(entry: AuditEntry, seq: int, prev_hash: str) -> str:
    payload = json.dumps(
        [
            seq,
            prev_hash,
            entry.pk,
            entry.created_at.isoformat(),
            entry.actor_id,
            entry.actor_username,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.target_repr,
            entry.node_path,
            entry.changes,
            entry.reason,
            entry.ip,
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _chain_head() -> tuple[int, str]:
    last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").first()
    if last is not None:
        return last.seq, last.row_hash
    anchor = AuditAnchor.objects.first()
    if anchor is not None:
        return anchor.seq, anchor.row_hash
    return 0, ""


def seal(batch: int = 5000) -> int:
    """Chain every committed, unsealed row. Returns how many were sealed.

    Runs under select_for_update of the anchor-less head so that two sealers cannot chain
    the same rows: on PostgreSQL the row lock, on SQLite the IMMEDIATE transaction.
    """
    sealed = 0
    while True:
        with transaction.atomic():
            _lock_sealer()
            seq, prev = _chain_head()
            rows = list(AuditEntry.objects.filter(seq__isnull=True).order_by("id")[:batch])
            if not rows:
                return sealed
            for entry in rows:
                seq += 1
                entry.seq = seq
                entry.prev_hash = prev
                entry.row_hash = row_digest(entry, seq, prev)
                prev = entry.row_hash
            AuditEntry.objects.bulk_update(rows, ["seq", "prev_hash", "row_hash"])
            sealed += len(rows)


def _lock_sealer() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(4242001)")
