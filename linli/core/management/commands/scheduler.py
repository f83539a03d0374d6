"""Enqueues the periodic jobs of linli/core/jobs.py when they are due.

Several schedulers may run (one per machine): a conditional update on PeriodicJobRun
lets exactly one of them enqueue each run.
"""

import signal
import threading

from django.core.management.base import BaseCommand
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone

from linli.core.jobs import PERIODIC_JOBS
from linli.core.models import PeriodicJobRun


def run_due_jobs(now=None) -> list[str]:
    """Enqueue every job whose interval has passed; return the names enqueued."""
    now = now or timezone.now()
    started = []
    for job in PERIODIC_JOBS:
        PeriodicJobRun.objects.get_or_create(name=job.name)
        with transaction.atomic():
            claimed = PeriodicJobRun.objects.filter(
                Q(last_run_at__isnull=True) | Q(last_run_at__lte=now - job.every), name=job.name
            ).update(last_run_at=now)
            if claimed:
                job.task.enqueue()
                started.append(job.name)
    return started


class Command(BaseCommand):
    help = "Run the scheduler that enqueues periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due and exit.")
        parser.add_argument("--tick", type=float, default=5.0)

    def handle(self, *, once: bool, tick: float, **options):
        if once:
            for name in run_due_jobs():
                self.stdout.write(f"enqueued {name}")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *a: stop.set())
        signal.signal(signal.SIGINT, lambda *a: stop.set())
        while not stop.is_set():
            close_old_connections()
            run_due_jobs()
            stop.wait(tick)
