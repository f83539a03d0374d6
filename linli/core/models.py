"""Kernel tables: the audit log, the worker heartbeat and the scheduler's bookkeeping."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One row per write, login, denial, reveal or export. Append-only.

    Rows are inserted inside the caller's transaction (a rolled-back write leaves no
    trace, a committed one always does). The hash chain is added afterwards by the
    sealer (core/audit.py) in `seq` order, so writers never queue on one global lock.
    """

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True, db_index=True)
    target_repr = models.CharField(max_length=200, blank=True)
    # Territory path of the record, so the audit page can be scoped like everything else.
    node_path = models.CharField(max_length=255, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # Filled in by the sealer; null until then.
    seq = models.BigIntegerField(null=True, blank=True, unique=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["actor", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.action}"


class AuditAnchor(models.Model):
    """Where verification starts after old rows were purged: the last purged row's seq and
    hash. One row, updated by the purge."""

    seq = models.BigIntegerField()
    row_hash = models.CharField(max_length=64)
    purged_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"anchor at seq {self.seq}"


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=100, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.worker_id


class PeriodicJobRun(models.Model):
    """Last time each periodic job was enqueued. A conditional update on this row is what
    keeps two schedulers on two machines from enqueueing the same run twice."""

    name = models.CharField(max_length=100, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
