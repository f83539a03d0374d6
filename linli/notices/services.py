"""Writing notifications. The in-app rows are written in the caller's transaction (they
exist exactly when the change that caused them does); the external channels are sent by a
task enqueued after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from linli.accounts.models import User
from linli.core.tasks import enqueue_on_commit
from linli.notices import channels
from linli.notices.models import Notification
from linli.notices.tasks import deliver_notifications


@transaction.atomic
def notify(
    *,
    users: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    exclude: User | None = None,
) -> list[Notification]:
    """One in-app notification per distinct active user (but not `exclude`, the person who
    caused it), and the external channels after commit."""
    seen: set[int] = set()
    rows = []
    for user in users:
        if user is None or user.pk in seen or not user.is_active:
            continue
        if exclude is not None and user.pk == exclude.pk:
            continue
        seen.add(user.pk)
        rows.append(Notification(user=user, kind=kind, title=title[:200], body=body, url=url[:300]))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    if channels.external_enabled():
        # SQLite and PostgreSQL both return the new primary keys from bulk_create.
        ids = [row.pk for row in created]
        enqueue_on_commit(deliver_notifications, ids)
    return created


def mark_read(*, user: User, public_id=None) -> int:
    """Mark one of the user's own notifications read, or all of them (public_id None)."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if public_id is not None:
        rows = rows.filter(public_id=public_id)
    return rows.update(read_at=timezone.now())
