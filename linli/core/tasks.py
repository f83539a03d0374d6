"""Background work on Django's Tasks API (django-tasks backport, database backend).

`linli_task` wraps a function so that a failure is retried with exponential backoff and,
after LINLI_TASK_MAX_ATTEMPTS, the last attempt stays FAILED: the administrator finds
exactly the given-up tasks under "Task results" in /admin/, status FAILED.

`enqueue_on_commit` is the one way services start background work: the task is enqueued
only when the surrounding transaction commits, never for a write that rolled back.
"""

from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

logger = logging.getLogger("linli.tasks")

ATTEMPT_KWARG = "_attempt"


def backoff_seconds(attempt: int) -> int:
    """Delay before attempt `attempt + 1`: base, 2×base, 4×base … capped at one hour."""
    return min(settings.LINLI_TASK_BACKOFF_SECONDS * 2 ** (attempt - 1), 3600)


def linli_task(func=None, *, max_attempts: int | None = None, **task_options):
    def decorate(fn):
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any):
            attempt = kwargs.pop(ATTEMPT_KWARG, 1)
            limit = max_attempts or settings.LINLI_TASK_MAX_ATTEMPTS
            try:
                return fn(*args, **kwargs)
            except Exception as exc:
                if attempt >= limit:
                    logger.error("task %s gave up after %d attempts: %r", fn.__name__, attempt, exc)
                    raise
                delay = backoff_seconds(attempt)
                wrapped.using(run_after=timezone.now() + timedelta(seconds=delay)).enqueue(
                    *args, **kwargs, **{ATTEMPT_KWARG: attempt + 1}
                )
                logger.warning(
                    "task %s attempt %d failed (%r); retry in %d s", fn.__name__, attempt, exc, delay
                )
                return {"retried": True, "attempt": attempt, "error": repr(exc)[:500]}

        wrapped = task(**task_options)(run)
        return wrapped

    return decorate(func) if func is not None else decorate


def enqueue_on_commit(task_obj, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))
