"""Reads of the kernel's tables that a user triggers: the audit log."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.core.models import AuditEntry


def can_view_audit(user: User | None) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or bool(user.grants.paths("audit", "view"))


def audit_entries_visible(*, user: User) -> QuerySet[AuditEntry]:
    """The audit rows the user may read.

    Rows placed in the tree: those under one of the user's ("audit", "view") paths.
    Rows without a place (logins, failed logins, token use): those whose actor is an
    account all of whose role assignments, past and present, lie inside the user's area,
    so that a secretary sees the logins of her grid workers but not of the street officer
    above her, nor of someone who also works elsewhere. Superusers see everything.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return AuditEntry.objects.none()
    if user.is_superuser:
        return AuditEntry.objects.all()
    paths = user.grants.paths("audit", "view")
    if not paths:
        return AuditEntry.objects.none()
    placed = Q()
    inside = Q()
    for path in paths:
        placed |= Q(node_path__startswith=path)
        inside |= Q(node__path__startswith=path)
    people_inside = RoleAssignment.objects.filter(inside).values("user_id")
    people_also_outside = RoleAssignment.objects.exclude(inside).values("user_id")
    unplaced = (
        Q(node_path="", actor_id__in=people_inside)
        & ~Q(actor_id__in=people_also_outside)
        & Q(actor_id__isnull=False)
    )
    return AuditEntry.objects.filter(placed | unplaced)


def audit_actions(*, user: User) -> list[str]:
    """The actions that occur among the rows the user may read (for the filter's choices)."""
    rows = audit_entries_visible(user=user).order_by("action").values_list("action", flat=True).distinct()
    return list(rows)


def _start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def audit_entries_filtered(
    *,
    user: User,
    person: str = "",
    record: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """The visible rows, newest first, narrowed by the audit page's filters. Dates are whole
    days in the local time zone, both ends included."""
    qs = audit_entries_visible(user=user)
    if person:
        qs = qs.filter(actor_username__icontains=person)
    if record:
        qs = qs.filter(
            Q(target_type__icontains=record)
            | Q(target_id__icontains=record)
            | Q(target_repr__icontains=record)
        )
    if action:
        qs = qs.filter(action=action)
    if date_from:
        qs = qs.filter(created_at__gte=_start_of_day(date_from))
    if date_to:
        qs = qs.filter(created_at__lt=_start_of_day(date_to + timedelta(days=1)))
    return qs.order_by("-id")
