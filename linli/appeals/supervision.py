"""The supervision scan (督办), run by the scheduler every LINLI_APPEAL_SCAN_MINUTES.

It reads only indexed deadline columns and marks each appeal at most once per event:
1. warning: the handling clock passed LINLI_APPEAL_WARNING_PERCENT of its limit
   (handle_warn_at) → alert "warning", the handler is told;
2. overdue: the handling limit passed (handle_due_at) → alert "overdue", the handler and
   the supervisors one level up are told, and an assigned appeal is escalated one level
   up the tree (automatic escalation, a transition row with no actor);
3. response overdue: nobody responded within the response limit → the handler and the
   supervisors of the appeal's place are told;
4. postponed appeals whose date has come resume, with the working time they had left.

Each mark is a conditional UPDATE (alert still what the scan read), so two scans running at
once (two workers) notify and escalate once. Marks reset when the clock changes (rework,
approved extension, resume).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from linli.appeals import routing, services, workflow
from linli.appeals.choices import CLOCK_STATUSES, Alert, Status
from linli.appeals.models import Appeal
from linli.core.errors import DomainError
from linli.notices.services import notify

logger = logging.getLogger("linli.appeals")
BATCH = 1000
SELECT = ("node", "grid", "handler_node", "handler_department__node", "handler_user")


@dataclass
class ScanResult:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0
    response_overdue: int = 0
    resumed: int = 0
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "errors"} | {"errors": len(self.errors)}


def scan(now=None) -> ScanResult:
    from django.conf import settings

    now = now or timezone.now()
    result = ScanResult()
    # Messages go out in the site's language, whoever's request last ran in this process.
    with override(settings.LANGUAGE_CODE):
        _resume_postponed(now, result)
        _warn(now, result)
        _overdue(now, result)
        _response_overdue(now, result)
    if result.errors:
        logger.warning(
            "supervision scan: %d appeal(s) could not be processed: %s", len(result.errors), result.errors[:5]
        )
    return result


def _batches(queryset):
    """Primary keys in batches, re-reading after each one: processed rows leave the filter."""
    last = 0
    while True:
        ids = list(queryset.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _handler_key(appeal: Appeal) -> tuple:
    return (appeal.handler_kind, appeal.handler_node_id, appeal.handler_department_id, appeal.handler_user_id)


def _warn(now, result: ScanResult) -> None:
    due = Appeal.objects.filter(
        status__in=CLOCK_STATUSES, alert=Alert.NONE, handle_warn_at__lte=now, handle_due_at__gt=now
    )
    for ids in _batches(due):
        with transaction.atomic():
            claimed = list(
                Appeal.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(pk__in=ids, alert=Alert.NONE)
                .select_related(*SELECT)
            )
            Appeal.objects.filter(pk__in=[a.pk for a in claimed], alert=Alert.NONE).update(
                alert=Alert.WARNING
            )
            by_handler: dict[tuple, list[Appeal]] = defaultdict(list)
            for appeal in claimed:
                by_handler[_handler_key(appeal)].append(appeal)
            for group in by_handler.values():
                recipients = routing.handler_recipients(group[0]) if group[0].handler_kind else []
                if not recipients:
                    recipients = routing.people_at(
                        group[0].grid.path if group[0].grid_id else group[0].node.path
                    )
                for appeal in group:
                    notify(
                        users=recipients,
                        kind="appeal.warning",
                        title=_("Due soon: %(t)s") % {"t": appeal.title},
                        body=_("Handling is due at %(due)s.")
                        % {"due": timezone.localtime(appeal.handle_due_at).strftime("%Y-%m-%d %H:%M")},
                        url=services._url(appeal),
                    )
            result.warned += len(claimed)


def _overdue(now, result: ScanResult) -> None:
    due = Appeal.objects.filter(
        status__in=CLOCK_STATUSES, alert__in=[Alert.NONE, Alert.WARNING], handle_due_at__lte=now
    )
    for ids in _batches(due):
        for pk in ids:
            try:
                escalated = _overdue_one(pk)
            except DomainError as exc:
                result.errors.append(f"{pk}: {exc.code}")
                continue
            if escalated is None:
                continue
            result.overdue += 1
            result.escalated += int(escalated)


@transaction.atomic
def _overdue_one(pk: int) -> bool | None:
    """Mark one appeal overdue; escalate it when it is assigned. None: another scan did."""
    claimed = Appeal.objects.filter(
        pk=pk, status__in=CLOCK_STATUSES, alert__in=[Alert.NONE, Alert.WARNING]
    ).update(alert=Alert.OVERDUE)
    if not claimed:
        return None
    appeal = Appeal.objects.select_related(*SELECT).get(pk=pk)
    before = appeal.handler_label()
    upper = workflow.upper_path(appeal)
    notify(
        users=routing.handler_recipients(appeal) if appeal.handler_kind else [],
        kind="appeal.overdue",
        title=_("Overdue: %(t)s") % {"t": appeal.title},
        body=_("The handling limit passed at %(due)s.")
        % {"due": timezone.localtime(appeal.handle_due_at).strftime("%Y-%m-%d %H:%M")},
        url=services._url(appeal),
    )
    escalated = False
    if workflow.status_refusal(appeal, "escalate") is None and routing.next_level(appeal) is not None:
        services.appeal_escalate(actor=None, appeal=appeal, note=_("Handling limit passed."))
        escalated = True
    # Supervisors one level above the handler that let it run late (or of its place).
    supervisors = routing.supervisors_of(upper or (appeal.grid.path if appeal.grid_id else appeal.node.path))
    notify(
        users=supervisors,
        kind="appeal.overdue",
        title=_("Overdue at %(h)s: %(t)s") % {"h": before or appeal.get_status_display(), "t": appeal.title},
        url=services._url(appeal),
    )
    return escalated


def _response_overdue(now, result: ScanResult) -> None:
    due = Appeal.objects.filter(
        Q(status__in=[Status.REGISTERED, Status.STUDIED, Status.ASSIGNED, Status.RETURNED]),
        responded_at__isnull=True,
        response_overdue=False,
        response_due_at__lte=now,
    )
    for ids in _batches(due):
        for pk in ids:
            with transaction.atomic():
                if not Appeal.objects.filter(pk=pk, response_overdue=False, responded_at__isnull=True).update(
                    response_overdue=True
                ):
                    continue
                appeal = Appeal.objects.select_related(*SELECT).get(pk=pk)
                users = routing.supervisors_of(appeal.node.path)
                if appeal.handler_kind:
                    users += routing.handler_recipients(appeal)
                notify(
                    users=users,
                    kind="appeal.response_overdue",
                    title=_("No response yet: %(t)s") % {"t": appeal.title},
                    url=services._url(appeal),
                )
                result.response_overdue += 1


def _resume_postponed(now, result: ScanResult) -> None:
    today = timezone.localdate(now)
    due = Appeal.objects.filter(status=Status.POSTPONED, postponed_until__lte=today)
    for ids in _batches(due):
        for pk in ids:
            try:
                appeal = services.appeal_resume(
                    actor=None, appeal=Appeal(pk=pk), note=_("The postponement ended.")
                )
            except DomainError as exc:
                result.errors.append(f"{pk}: {exc.code}")
                continue
            result.resumed += 1
            services._notify_handler(
                appeal, kind="appeal.resumed", title=_("Resumed: %(t)s") % {"t": appeal.title}
            )
