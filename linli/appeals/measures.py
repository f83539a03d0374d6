"""Measures of the appeal loop per grid, community and street over any period.

Formulas (the README copies these). The population is the appeals REGISTERED in the
period [start, end) whose place lies under the unit (grid, community or street), counted
by their state now:

- volume (诉求量) V: appeals registered, except those merged into another appeal (a
  duplicate is the same problem: it counts once, in the appeal it was merged into);
- handled base B = V − cancelled (withdrawn appeals need no handling);
- response rate (响应率) = appeals responded to (accepted or a first progress note) within
  the response limit / B;
- closure rate (结案率) = appeals closed (办结 or rated) / B;
- on-time closure rate (按期结案率) = closed appeals whose (last) close came by the handling
  due date as it stood then / closed appeals. Extensions approved one level up move the
  due date; escalation does not; a rework (不满意) starts a fresh handling limit, and the
  close after it is measured against that;
- satisfaction rate (满意率) = (满意 + 基本满意) / rated appeals, by the last rating (an
  appeal rated 不满意 goes back to handling and counts again when it is rated after rework);
- rework rate (返工率) = appeals sent back at least once by a 不满意 rating / appeals closed
  at least once;
- average response time = mean working hours (office hours on the working-day calendar)
  from registration to the first response, over the responded appeals of B;
- average handling time = mean working hours from registration to the (last) close, over
  the closed appeals.

A rate with an empty denominator is None (shown "—"), never 0 or 100 %.
Everything is one aggregate query per call (conditional counts over indexed columns):
working hours and on-time are stored on the appeal when it is responded to and closed.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.appeals.choices import DONE_STATUSES, Rating, Status
from linli.appeals.models import Appeal
from linli.core.errors import ValidationFailed
from linli.core.scoping import path_prefix_condition
from linli.territory.choices import GRID_KINDS, NodeKind
from linli.territory.models import Node

FIRST_YEAR, LAST_YEAR = 2000, 2100


def _aggregates() -> dict:
    base = ~Q(status=Status.CANCELLED)
    closed = base & Q(status__in=DONE_STATUSES)
    return {
        "volume": Count("id"),
        "cancelled": Count("id", filter=Q(status=Status.CANCELLED)),
        "responded_on_time": Count(
            "id", filter=base & Q(responded_at__isnull=False, responded_at__lte=F("response_due_at"))
        ),
        "closed": Count("id", filter=closed),
        "closed_on_time": Count("id", filter=closed & Q(closed_on_time=True)),
        "rated": Count("id", filter=Q(status=Status.RATED)),
        "satisfied": Count(
            "id", filter=Q(status=Status.RATED, rating__in=[Rating.SATISFIED, Rating.BASICALLY])
        ),
        "closed_once": Count("id", filter=base & Q(close_count__gt=0)),
        "reworked": Count("id", filter=base & Q(close_count__gt=0, rework_count__gt=0)),
        "avg_response_hours": Avg("response_hours", filter=base),
        "avg_handle_hours": Avg("handle_hours", filter=closed),
    }


@dataclass
class Measures:
    volume: int = 0
    cancelled: int = 0
    responded_on_time: int = 0
    closed: int = 0
    closed_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    closed_once: int = 0
    reworked: int = 0
    avg_response_hours: float | None = None
    avg_handle_hours: float | None = None

    @property
    def base(self) -> int:
        return self.volume - self.cancelled

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def response_rate(self):
        return self._rate(self.responded_on_time, self.base)

    @property
    def closure_rate(self):
        return self._rate(self.closed, self.base)

    @property
    def on_time_rate(self):
        return self._rate(self.closed_on_time, self.closed)

    @property
    def satisfaction_rate(self):
        return self._rate(self.satisfied, self.rated)

    @property
    def rework_rate(self):
        return self._rate(self.reworked, self.closed_once)

    def as_dict(self) -> dict:
        data = asdict(self)
        for key in ("avg_response_hours", "avg_handle_hours"):
            if data[key] is not None:
                data[key] = round(data[key], 1)
        data.update(
            base=self.base,
            response_rate=self.response_rate,
            closure_rate=self.closure_rate,
            on_time_rate=self.on_time_rate,
            satisfaction_rate=self.satisfaction_rate,
            rework_rate=self.rework_rate,
        )
        return data


def _population(node: Node, start: datetime.datetime, end: datetime.datetime) -> QuerySet[Appeal]:
    return (
        Appeal.objects.filter(
            path_prefix_condition("node__path", [node.path]), registered_at__gte=start, registered_at__lt=end
        )
        .exclude(status=Status.MERGED)
        .order_by()
    )


def measures(node: Node, start: datetime.datetime, end: datetime.datetime) -> Measures:
    return Measures(**_population(node, start, end).aggregate(**_aggregates()))


def measures_by_unit(
    node: Node, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[Node, Measures]]:
    """The units one level below `node` that appeals are counted by: the grids of a
    community, the communities of a street (or of a district's streets), with their measures;
    units without appeals included (a zero is news too)."""
    if node.kind == NodeKind.COMMUNITY:
        units = list(
            Node.objects.filter(parent=node, kind__in=GRID_KINDS, retired_at__isnull=True).order_by("code")
        )
        key = "grid_id"
    elif node.kind in (NodeKind.STREET, NodeKind.DISTRICT):
        units = list(
            Node.objects.filter(
                path_prefix_condition("path", [node.path]), kind=NodeKind.COMMUNITY, retired_at__isnull=True
            ).order_by("code")
        )
        key = "grid__parent_id"
    else:
        return []
    rows = {row.pop(key): row for row in _population(node, start, end).values(key).annotate(**_aggregates())}
    return [(unit, Measures(**rows.get(unit.pk, {}))) for unit in units]


def measures_by_grid(
    node: Node, start: datetime.datetime, end: datetime.datetime
) -> list[tuple[Node, Measures]]:
    """Every grid under `node` (itself, if it is a grid), with its measures."""
    grids = list(
        Node.objects.filter(
            path_prefix_condition("path", [node.path]), kind__in=GRID_KINDS, retired_at__isnull=True
        )
        .select_related("parent")
        .order_by("code")
    )
    rows = {
        row.pop("grid_id"): row
        for row in _population(node, start, end).values("grid_id").annotate(**_aggregates())
    }
    return [(grid, Measures(**rows.get(grid.pk, {}))) for grid in grids]


def monthly(node: Node, months: int = 12, now: datetime.datetime | None = None) -> list[tuple[str, Measures]]:
    """The last `months` calendar months (local time), oldest first."""
    now = timezone.localtime(now or timezone.now())
    first = now.date().replace(day=1)
    for _month in range(months - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    rows = {
        _month_label(row.pop("month")): row
        for row in _population(node, start, now + datetime.timedelta(seconds=1))
        .annotate(month=TruncMonth("registered_at", tzinfo=timezone.get_current_timezone()))
        .values("month")
        .annotate(**_aggregates())
    }
    series = []
    day = first
    for _month in range(months):
        label = day.strftime("%Y-%m")
        series.append((label, Measures(**rows.get(label, {}))))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return series


def _month_label(value) -> str:
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value).strftime("%Y-%m")
            if timezone.is_aware(value)
            else value.strftime("%Y-%m")
        )
    return value.strftime("%Y-%m")


def period(start: datetime.date | None, end: datetime.date | None, *, today: datetime.date | None = None):
    """[start, end] in local dates → aware datetimes [start 00:00, day after end 00:00).
    Default: the current month."""
    today = today or timezone.localdate()
    start = start or today.replace(day=1)
    end = end or today
    if end < start:
        start, end = end, start
    if start.year < FIRST_YEAR or end.year > LAST_YEAR:
        raise ValidationFailed(
            _("Choose a period between %(a)d and %(b)d.") % {"a": FIRST_YEAR, "b": LAST_YEAR},
            code="period_invalid",
            field="start",
        )
    tz = timezone.get_current_timezone()
    return (
        datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )
