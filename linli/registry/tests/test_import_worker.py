"""The import through the real worker (django-tasks-db): started after commit, and after a
crash in the middle the retried task resumes without registering anyone twice."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from linli.registry import importing
from linli.registry.demo import citizen_id_for
from linli.registry.importing import import_job_start
from linli.registry.models import EventKind, ImportJob, ImportStatus, Resident, ResidentEvent
from linli.registry.tests.test_import import HEADER, job_for, xlsx

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run_worker():
    call_command("worker", "--batch", "--interval", "0")


def test_worker_crash_then_retry_resumes_every_row_exactly_once(world, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_ROWS", 3)
    rows = [
        [
            f"居民{i}",
            citizen_id_for("370811", datetime.date(1970, 1, 1 + i), 100 + 2 * i),
            "户主" if i == 0 else "子",
            "",
            "",
            "",
            "",
            "1号楼1单元101",
            "",
        ]
        for i in range(8)
    ]
    job = job_for(world, xlsx([HEADER] + rows))
    import_job_start(actor=world.root, job=job)
    assert DBTaskResult.objects.count() == 1

    real_apply = importing._apply_row
    applied = []

    def crashing(planner, number, values):
        if len(applied) == 4:
            raise RuntimeError("worker died")
        applied.append(number)
        return real_apply(planner, number, values)

    monkeypatch.setattr(importing, "_apply_row", crashing)
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.RUNNING and job.last_row == 4 and Resident.objects.count() == 3

    # The retry is scheduled with a back-off; make it due now and let a healthy worker run it.
    monkeypatch.setattr(importing, "_apply_row", real_apply)
    DBTaskResult.objects.filter(status="READY").update(run_after=timezone.now())
    run_worker()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.counts == {"create": 8}
    assert [o["row"] for o in job.outcomes] == list(range(2, 10))
    assert Resident.objects.count() == 8
    assert ResidentEvent.objects.filter(kind=EventKind.CREATED).count() == 8
    assert ImportJob.objects.count() == 1
