"""Periodic jobs: what the scheduler enqueues, and how often.

Later capabilities add their scans here (appeal deadlines, care visits due).
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from linli.appeals.tasks import supervise_appeals
from linli.core.tasks import linli_task


@linli_task
def seal_audit_log() -> int:
    from linli.core import audit

    return audit.seal()


@linli_task
def purge_audit_log() -> int:
    """Delete audit rows older than LINLI_AUDIT_RETENTION_DAYS, moving the chain's anchor."""
    from linli.core import audit

    return audit.purge().purged


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    task: object


PERIODIC_JOBS = [
    PeriodicJob("audit.seal", timedelta(seconds=30), seal_audit_log),
    PeriodicJob("audit.purge", timedelta(days=1), purge_audit_log),
    # Appeal deadlines: warnings, overdue marks, automatic escalation (linli/appeals/supervision.py).
    PeriodicJob(
        "appeals.supervise", timedelta(minutes=settings.LINLI_APPEAL_SCAN_MINUTES), supervise_appeals
    ),
]
