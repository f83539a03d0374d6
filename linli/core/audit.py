"""The audit log: record() from every service; seal() adds the hash chain; verify() walks it.

Rows are written by record() inside the caller's transaction, without a hash. The sealer
(a periodic job) gives each committed row the next `seq` and chains it:
row_hash = sha256(canonical row content + seq + prev_hash). verify() recomputes the chain,
so a row that was altered or removed afterwards is found and named.

Purging old rows (retention, LINLI_AUDIT_RETENTION_DAYS) deletes the oldest part of the
chain and, in the same transaction, moves the AuditAnchor to the last purged row: the chain
then starts from the anchor instead of from seq 1.

What the chain cannot show on its own: rows cut off at the newest end, or the whole log
and its anchor replaced. Comparing `audit_verify`'s output with an earlier run (or a copy
of the head hash kept elsewhere) covers that.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from linli.core.models import AuditAnchor, AuditEntry

# Field names whose values never reach the audit log in clear.
REDACTED_FIELDS = {"password", "citizen_id", "id_number", "phone", "mobile", "tags", "token"}
REDACTED = "***"

# Bump when the canonical form below changes; old rows keep verifying only with the old one.
DIGEST_VERSION = 1
# Floats beyond this are stored as text: PostgreSQL's jsonb would give them back as
# integers (1e+16 -> 10000000000000000), and the digest must not depend on the database.
_FLOAT_LIMIT = 1e15


def redact(values: dict[str, Any]) -> dict[str, Any]:
    return {
        key: (REDACTED if any(word in key for word in REDACTED_FIELDS) else _plain(value))
        for key, value in values.items()
    }


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) and abs(value) < _FLOAT_LIMIT else str(value)
    return _clean_text(value if isinstance(value, str) else str(value))


def _clean_text(text: str) -> str:
    # PostgreSQL refuses NUL and lone surrogates in text and jsonb: an audit row must never
    # be the reason a write fails.
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


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
    actor_username: str = "",
    ip: str | None = None,
) -> AuditEntry:
    """Write one audit row. `actor_username` names an actor that is not an account (a
    failed login's username); `ip` is used when there is no request to read it from."""
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
    if authenticated:
        actor_username = actor.username
    return AuditEntry.objects.create(
        actor=actor if authenticated else None,
        actor_username=_clean_text(actor_username)[:150],
        action=action,
        target_type=target_type,
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        target_repr=_clean_text(target_repr)[:200],
        node_path=node_path,
        changes=changes,
        reason=_clean_text(reason)[:500],
        ip=client_ip(request) or ip,
    )


# --- the digest ------------------------------------------------------------------------------


def _canonical_time(value: datetime) -> str:
    # PostgreSQL hands back timestamptz in the connection's zone, SQLite a UTC value;
    # isoformat() drops ".000000" when the microseconds are zero. Pin all of it down.
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _canonical_ip(value: str | None) -> str | None:
    # PostgreSQL's inet and Python spell IPv6 differently (and Python 3.13 changed how it
    # spells IPv4-mapped addresses): the address's bytes do not change.
    if not value:
        return None
    try:
        return ipaddress.ip_address(value).packed.hex()
    except ValueError:
        return value


def _canonical_json(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(key): _canonical_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical_json(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def row_digest(entry: AuditEntry, seq: int, prev_hash: str) -> str:
    """The hash of one row, from values that read back the same from SQLite and PostgreSQL.

    The actor is covered through actor_username, not actor_id: deleting an account sets
    actor_id to NULL (on_delete=SET_NULL), which must not break the chain.
    """
    payload = json.dumps(
        [
            DIGEST_VERSION,
            seq,
            prev_hash,
            entry.pk,
            _canonical_time(entry.created_at),
            entry.actor_username,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.target_repr,
            entry.node_path,
            _canonical_json(entry.changes),
            entry.reason,
            _canonical_ip(entry.ip),
        ],
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


# --- sealing ---------------------------------------------------------------------------------


def _lock_sealer() -> None:
    """Serialise everything that moves the chain (seal, purge) inside the current transaction.

    PostgreSQL: a transaction-level advisory lock. SQLite: the IMMEDIATE transaction
    (settings) already holds the database's write lock.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(4242001)")


def _anchor() -> tuple[int, str]:
    anchor = AuditAnchor.objects.order_by("pk").first()
    return (anchor.seq, anchor.row_hash) if anchor is not None else (0, "")


def _chain_head() -> tuple[int, str]:
    last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").first()
    if last is not None:
        return last.seq, last.row_hash
    return _anchor()


def seal(batch: int = 5000) -> int:
    """Chain every committed, unsealed row, in id order. Returns how many were sealed.

    Under the sealer lock, so two sealers (two workers) never chain the same rows: the
    second one waits, then finds them sealed.
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


# --- verification ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainProblem:
    """The first thing wrong with the chain, and the row where it shows."""

    kind: str  # altered | removed | relinked | misplaced | unsealed
    entry_id: int
    seq: int | None
    created_at: datetime
    action: str
    detail: str

    def __str__(self) -> str:
        return (
            f"row id={self.entry_id} seq={self.seq} created_at={_canonical_time(self.created_at)} "
            f"action={self.action}: {self.kind}: {self.detail}"
        )


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    anchor_seq: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


class AuditChainBroken(Exception):
    def __init__(self, problem: ChainProblem):
        super().__init__(str(problem))
        self.problem = problem


def _problem(entry: AuditEntry, kind: str, detail: str) -> ChainProblem:
    return ChainProblem(kind, entry.pk, entry.seq, entry.created_at, entry.action, detail)


class _Walker:
    """Checks rows one by one, in seq order, against the chain so far."""

    def __init__(self, anchor_seq: int, anchor_hash: str):
        self.expected_seq = anchor_seq + 1
        self.prev_hash = anchor_hash
        self.checked = 0

    def check(self, entry: AuditEntry) -> ChainProblem | None:
        if entry.row_hash != row_digest(entry, entry.seq, entry.prev_hash):
            return _problem(entry, "altered", "its content does not match its stored hash")
        if entry.seq < self.expected_seq:
            return _problem(
                entry, "misplaced", f"seq {entry.seq} lies before the chain position {self.expected_seq}"
            )
        if entry.seq > self.expected_seq:
            missing = (
                f"seq {self.expected_seq}"
                if entry.seq == self.expected_seq + 1
                else f"seq {self.expected_seq} to {entry.seq - 1}"
            )
            return _problem(entry, "removed", f"the row(s) before it ({missing}) are missing")
        if entry.prev_hash != self.prev_hash:
            return _problem(
                entry,
                "relinked",
                "its prev_hash is not the hash of the row before it: "
                "that row was altered and re-hashed, or rows were replaced",
            )
        self.expected_seq = entry.seq + 1
        self.prev_hash = entry.row_hash
        self.checked += 1
        return None


def _walk(rows: Iterable[AuditEntry], anchor_seq: int, anchor_hash: str) -> tuple[int, ChainProblem | None]:
    walker = _Walker(anchor_seq, anchor_hash)
    for entry in rows:
        problem = walker.check(entry)
        if problem is not None:
            return walker.checked, problem
    return walker.checked, None


def verify(*, attempts: int = 3) -> VerifyResult:
    """Seal what is pending, then walk the chain from the anchor (or seq 1) in seq order.

    Returns the number of rows verified and the first problem, if any. A purge that moves
    the anchor while we walk would look like removed rows: the walk is repeated then.
    """
    try:
        seal()
    except DatabaseError as exc:
        pending = AuditEntry.objects.filter(seq__isnull=True).order_by("id").first()
        if pending is not None:
            return VerifyResult(
                0, _anchor()[0], _problem(pending, "unsealed", f"the row cannot be sealed ({exc})")
            )
    for _ in range(attempts):
        anchor_seq, anchor_hash = _anchor()
        rows = AuditEntry.objects.filter(seq__isnull=False).order_by("seq").iterator(chunk_size=2000)
        checked, problem = _walk(rows, anchor_seq, anchor_hash)
        if problem is None or _anchor() == (anchor_seq, anchor_hash):
            return VerifyResult(checked, anchor_seq, problem)
    return VerifyResult(checked, anchor_seq, problem)


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    purged: int
    cutoff: datetime
    anchor_seq: int


def purge_cutoff(now: datetime | None = None) -> datetime:
    return (now or timezone.now()) - timedelta(days=settings.LINLI_AUDIT_RETENTION_DAYS)


def purge(*, now: datetime | None = None, batch: int = 5000, dry_run: bool = False) -> PurgeResult:
    """Delete sealed rows older than the retention, oldest first in seq order.

    Only the front of the chain goes: purging stops at the first row (in seq order) that is
    still within the retention, so the remaining chain has no holes. Each batch deletes its
    rows and moves the anchor to the last of them in one transaction. A purged segment is
    verified first; if it was tampered with, nothing is deleted (AuditChainBroken), so a
    purge never destroys the evidence.
    """
    cutoff = purge_cutoff(now)
    if dry_run:
        return _purge_preview(cutoff)
    purged = 0
    while True:
        with transaction.atomic():
            _lock_sealer()
            anchor_seq, anchor_hash = _anchor()
            rows = list(AuditEntry.objects.filter(seq__isnull=False).order_by("seq")[:batch])
            doomed = []
            for entry in rows:
                if entry.created_at >= cutoff:
                    break
                doomed.append(entry)
            if not doomed:
                return PurgeResult(purged, cutoff, anchor_seq)
            _, problem = _walk(doomed, anchor_seq, anchor_hash)
            if problem is not None:
                raise AuditChainBroken(problem)
            last = doomed[-1]
            AuditEntry.objects.filter(seq__gte=doomed[0].seq, seq__lte=last.seq).delete()
            anchor = AuditAnchor.objects.order_by("pk").first() or AuditAnchor()
            anchor.seq = last.seq
            anchor.row_hash = last.row_hash
            anchor.save()
            purged += len(doomed)
            if len(doomed) < len(rows) or len(rows) < batch:
                return PurgeResult(purged, cutoff, last.seq)


def _purge_preview(cutoff: datetime) -> PurgeResult:
    """How many rows a purge would delete now, and where the anchor would move."""
    count, last_seq = 0, _anchor()[0]
    rows = AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values_list("seq", "created_at")
    for seq, created_at in rows.iterator(chunk_size=5000):
        if created_at >= cutoff:
            break
        count, last_seq = count + 1, seq
    return PurgeResult(count, cutoff, last_seq)
