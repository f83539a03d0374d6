"""Background work: enqueue after commit only, retry with backoff, give up as FAILED."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linli.core.management.commands.scheduler import run_due_jobs
from linli.core.models import PeriodicJobRun, WorkerHeartbeat
from linli.core.tasks import backoff_seconds, enqueue_on_commit
from linli.core.tests import sample_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker():
    call_command("worker", "--batch", "--interval", "0")


def test_task_enqueued_in_a_rolled_back_transaction_never_runs():
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(sample_tasks.remember, "rolled back")
        raise RuntimeError("boom")
    assert DBTaskResult.objects.count() == 0


def test_task_enqueued_in_a_committed_transaction_runs_after_commit():
    with transaction.atomic():
        enqueue_on_commit(sample_tasks.remember, "committed")
        assert DBTaskResult.objects.count() == 0
    assert DBTaskResult.objects.count() == 1
    run_worker()
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_failing_task_is_retried_with_backoff_then_kept_as_failed(settings):
    settings.LINLI_TASK_MAX_ATTEMPTS = 3
    sample_tasks.always_fails.enqueue("x")
    run_worker()
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.args_kwargs["kwargs"]["_attempt"] == 2
    assert retry.run_after > timezone.now() + timedelta(seconds=backoff_seconds(1) - 5)
    # Make the retries due now instead of waiting for the backoff.
    for _ in range(2):
        DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
        run_worker()
    statuses = list(DBTaskResult.objects.order_by("enqueued_at").values_list("status", flat=True))
    assert statuses == ["SUCCESSFUL", "SUCCESSFUL", "FAILED"]
    failed = DBTaskResult.objects.get(status="FAILED")
    assert failed.args_kwargs["kwargs"]["_attempt"] == 3
    assert "deliberate failure" in failed.exception_class_path + str(failed.traceback)


def test_backoff_grows_and_is_capped(settings):
    settings.LINLI_TASK_BACKOFF_SECONDS = 30
    assert [backoff_seconds(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert backoff_seconds(20) == 3600


def test_worker_reports_a_heartbeat_and_removes_it_on_exit():
    from linli.core.management.commands.worker import beat

    beat("w-test")
    assert WorkerHeartbeat.objects.filter(worker_id="w-test").exists()
    run_worker()
    # The batch worker's own heartbeat row is removed when it stops.
    assert WorkerHeartbeat.objects.count() == 1


def test_scheduler_enqueues_each_due_job_once():
    now = timezone.now()
    first = run_due_jobs(now)
    assert "audit.seal" in first
    assert run_due_jobs(now + timedelta(seconds=1)) == []
    later = run_due_jobs(now + timedelta(minutes=5))
    assert "audit.seal" in later
    assert PeriodicJobRun.objects.get(name="audit.seal").last_run_at == now + timedelta(minutes=5)
