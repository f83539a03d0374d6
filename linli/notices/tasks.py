"""Delivery of notifications after commit (services enqueue these with enqueue_on_commit)."""

from linli.core.tasks import linli_task


@linli_task
def deliver_notifications(notification_ids: list[int]) -> int:
    from linli.notices import channels
    from linli.notices.models import Notification

    sent = 0
    for row in Notification.objects.filter(pk__in=notification_ids).select_related("user"):
        message = channels.StaffMessage(
            kind=row.kind, recipient=str(row.user), title=row.title, body=row.body, url=row.url
        )
        if channels.send_staff(message):
            sent += 1
    return sent
