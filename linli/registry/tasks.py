"""Background work of the registry."""

from linli.core.tasks import linli_task


@linli_task
def run_import_task(job_id: int) -> dict:
    # A crash (or a failed attempt) is retried by linli_task; run_import resumes after the
    # last committed row, so a retry never registers anyone twice.
    from linli.registry.importing import run_import

    job = run_import(job_id)
    return {"status": job.status, "processed": job.processed}
