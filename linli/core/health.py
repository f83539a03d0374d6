"""/healthz and /readyz (CONTRACT.md)."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


def _database_ok() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", with its reason
        return f"database: {type(exc).__name__}"
    return None


def _migrations_ok() -> str | None:
    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if pending:
        return f"migrations: {len(pending)} not applied"
    return None


def _worker_ok() -> str | None:
    from linli.core.models import WorkerHeartbeat

    since = timezone.now() - timedelta(seconds=settings.LINLI_WORKER_STALE_SECONDS)
    if not WorkerHeartbeat.objects.filter(seen_at__gte=since).exists():
        return f"worker: no heartbeat in the last {settings.LINLI_WORKER_STALE_SECONDS} s"
    return None


@never_cache
def readyz(request):
    missing = []
    problem = _database_ok()
    if problem:
        missing.append(problem)
    else:
        missing += [p for p in (_migrations_ok(), _worker_ok()) if p]
    if missing:
        return JsonResponse({"status": "unavailable", "missing": missing}, status=503)
    return JsonResponse({"status": "ok"})
