"""Runs the background worker (django-tasks-db's Worker) and reports a heartbeat that
/readyz checks."""

import logging
import os
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker

from linli.core.models import WorkerHeartbeat


def beat(worker_id: str) -> None:
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults={"seen_at": timezone.now()})


class Command(BaseCommand):
    help = "Run the background worker (tasks) with a heartbeat for /readyz."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")

    def handle(self, *, interval: float, batch: bool, **options):
        logging.getLogger("django_tasks").setLevel(
            logging.INFO if options["verbosity"] > 1 else logging.WARNING
        )
        worker_id = f"{socket.gethostname()}-{os.getpid()}"[:100]
        stop = threading.Event()

        def heartbeat_loop():
            while not stop.is_set():
                try:
                    close_old_connections()
                    beat(worker_id)
                except Exception:  # noqa: BLE001 - a missed beat must not kill the worker
                    logging.getLogger("linli").exception("worker heartbeat failed")
                finally:
                    connection.close()
                stop.wait(settings.LINLI_WORKER_HEARTBEAT_SECONDS)

        beat(worker_id)
        if not batch:
            # A batch run drains the queue and exits: one beat is enough, and no second
            # connection competes with it (SQLite in tests).
            threading.Thread(target=heartbeat_loop, name="heartbeat", daemon=True).start()
        worker = Worker(
            queue_names=["*"],
            interval=interval,
            batch=batch,
            backend_name="default",
            startup_delay=not batch,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
        finally:
            stop.set()
            WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()
