"""Time limits: how long response and handling may take, on the working-day calendar.

The limit for an appeal is looked up by category and urgency: the category's own
TimeLimit row, else its parent's (up the tree), else the row without a category, else
BUILT_IN below. Limits are counted in working hours or working days of
linli/core/workcalendar.py (public holidays and 调休 make-up days included):

- response_due_at = registration + response limit (签收/响应);
- handle_due_at   = registration + handling limit (办结), recomputed when the category or
  urgency changes before assignment, from the moment of rework (不满意), by an approved
  extension, and when a postponed appeal resumes (with the working time that was left);
- handle_warn_at  = the moment LINLI_APPEAL_WARNING_PERCENT of the handling limit's working
  time has passed: the supervision scan warns then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from linli.appeals.choices import LimitUnit, Urgency
from linli.appeals.models import Category, TimeLimit
from linli.core import workcalendar


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str

    def due(self, start: datetime) -> datetime:
        if self.unit == LimitUnit.DAYS:
            return workcalendar.add_working_days(start, self.amount)
        return workcalendar.add_working_hours(start, self.amount)

    def __str__(self) -> str:
        return f"{self.amount} {LimitUnit(self.unit).label}"


@dataclass(frozen=True)
class Limits:
    response: Limit
    handle: Limit


# Used when no TimeLimit row applies (the data migration seeds the same defaults as rows).
BUILT_IN: dict[str, Limits] = {
    Urgency.NORMAL: Limits(Limit(8, LimitUnit.HOURS), Limit(5, LimitUnit.DAYS)),
    Urgency.URGENT: Limits(Limit(2, LimitUnit.HOURS), Limit(2, LimitUnit.DAYS)),
    Urgency.CRITICAL: Limits(Limit(1, LimitUnit.HOURS), Limit(8, LimitUnit.HOURS)),
}


def _row_limits(row: TimeLimit) -> Limits:
    return Limits(Limit(row.response_amount, row.response_unit), Limit(row.handle_amount, row.handle_unit))


def limits_for(category: Category | None, urgency: str) -> Limits:
    chain = category.lineage() if category is not None else []
    rows = {
        row.category_id: row
        for row in TimeLimit.objects.filter(
            Q(category__in=[c.pk for c in chain]) | Q(category__isnull=True), urgency=urgency
        )
    }
    for node in chain:
        if node.pk in rows:
            return _row_limits(rows[node.pk])
    if None in rows:
        return _row_limits(rows[None])
    return BUILT_IN.get(urgency, BUILT_IN[Urgency.NORMAL])


def warn_at(start: datetime, due: datetime) -> datetime:
    """When LINLI_APPEAL_WARNING_PERCENT of the working time from start to due has passed."""
    total = workcalendar.working_hours_between(start, due)
    share = settings.LINLI_APPEAL_WARNING_PERCENT / 100
    return workcalendar.add_working_hours(start, timedelta(seconds=total.total_seconds() * share))


def working_hours(start: datetime, end: datetime) -> float:
    return round(workcalendar.working_hours_between(start, end).total_seconds() / 3600, 2)


def intake_dues(*, category: Category | None, urgency: str, start: datetime) -> dict:
    """The due dates set on intake (and when a study changes category or urgency)."""
    limits = limits_for(category, urgency)
    handle_due = limits.handle.due(start)
    return {
        "response_due_at": limits.response.due(start),
        "handle_due_at": handle_due,
        "handle_warn_at": warn_at(start, handle_due),
    }


def handling_dues(*, category: Category | None, urgency: str, start: datetime) -> dict:
    """A fresh handling clock from `start` (rework after 不满意)."""
    handle_due = limits_for(category, urgency).handle.due(start)
    return {"handle_due_at": handle_due, "handle_warn_at": warn_at(start, handle_due)}


def extended_dues(*, due: datetime, now: datetime, amount: int, unit: str) -> dict:
    """An approved extension adds its time to the current due date (or to now, when the
    appeal is already overdue: more time from a moment in the past would be no time)."""
    base = max(due, now)
    new_due = Limit(amount, unit).due(base)
    return {"handle_due_at": new_due, "handle_warn_at": warn_at(now, new_due)}


def remaining(*, due: datetime, now: datetime) -> timedelta:
    """Working time left on a clock (zero when it has run out)."""
    left = workcalendar.working_hours_between(now, due)
    return max(left, timedelta(0))


def resumed_dues(*, left: timedelta, now: datetime) -> dict:
    new_due = workcalendar.add_working_hours(now, left)
    return {"handle_due_at": new_due, "handle_warn_at": warn_at(now, new_due)}
