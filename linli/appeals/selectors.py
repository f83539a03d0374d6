"""Every read of appeals a user triggers: scoped querysets (department liaisons see what is
assigned to their department: AppealQuerySet.restrict), filters, the clock, supervision."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.appeals.choices import CLOCK_STATUSES, DONE_STATUSES, OPEN_STATUSES, Alert, Status
from linli.appeals.models import Appeal, Category, Department, Project
from linli.core import workcalendar
from linli.core.scoping import path_prefix_condition
from linli.territory.choices import NodeKind
from linli.territory.models import Node

LIST_SELECT = ("node", "grid", "category", "handler_node", "handler_department", "handler_user")


def appeals_visible(*, user: User, action: str = "view") -> QuerySet[Appeal]:
    return Appeal.objects.restrict(user, action).select_related(*LIST_SELECT)


def may_register_somewhere(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.grants.paths("appeal", "add")))


def may_use_appeals(user: User) -> bool:
    from linli.appeals.models import liaison_department_ids

    if not user.is_authenticated:
        return False
    return (
        user.is_superuser or bool(user.grants.paths("appeal", "view")) or bool(liaison_department_ids(user))
    )


def may_supervise_somewhere(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.grants.paths("appeal", "supervise")))


@dataclass
class AppealFilter:
    status: str = ""  # a Status value, "open", "done" or ""
    category: Category | None = None
    node: Node | None = None  # under this place
    source: str = ""
    alert: str = ""  # "warning", "overdue", "late" (either)
    q: str = ""
    mine: bool = False  # handled by the user (liaison: their departments)


def appeal_search(*, user: User, filters: AppealFilter) -> QuerySet[Appeal]:
    qs = appeals_visible(user=user)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status == "done":
        qs = qs.filter(status__in=DONE_STATUSES)
    elif filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if filters.category is not None:
        qs = qs.filter(Q(category=filters.category) | Q(category__parent=filters.category))
    if filters.node is not None:
        qs = qs.filter(path_prefix_condition("node__path", [filters.node.path], qs.db))
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.alert == "late":
        qs = qs.filter(
            Q(alert__in=[Alert.WARNING, Alert.OVERDUE]) | Q(response_overdue=True), status__in=OPEN_STATUSES
        )
    elif filters.alert in (Alert.WARNING, Alert.OVERDUE):
        qs = qs.filter(alert=filters.alert, status__in=OPEN_STATUSES)
    if filters.q:
        text = filters.q.strip()[:50]
        qs = qs.filter(Q(title__icontains=text) | Q(description__icontains=text) | Q(address__icontains=text))
    if filters.mine:
        qs = qs.filter(_handled_by(user))
    return qs


def _handled_by(user: User) -> Q:
    from linli.appeals.models import liaison_department_ids

    condition = Q(handler_user=user)
    departments = liaison_department_ids(user)
    if departments:
        condition |= Q(handler_department_id__in=departments)
    paths = user.grants.paths("appeal", "change")
    for path in paths:
        condition |= Q(handler_node__path=path)
    return condition


def supervision(*, user: User) -> QuerySet[Appeal]:
    """Open appeals that are late or nearly so, in the user's area, most urgent first."""
    return (
        appeals_visible(user=user)
        .filter(status__in=OPEN_STATUSES)
        .filter(Q(alert__in=[Alert.WARNING, Alert.OVERDUE]) | Q(response_overdue=True))
        .order_by("handle_due_at")
    )


def categories() -> QuerySet[Category]:
    return (
        Category.objects.filter(active=True).select_related("parent").order_by("parent__sort", "sort", "code")
    )


def departments_visible(*, user: User) -> QuerySet[Department]:
    return Department.objects.restrict(user, "view").select_related("node")


def projects_visible(*, user: User) -> QuerySet[Project]:
    return Project.objects.restrict(user, "view").select_related("community", "node", "lead")


def timeline(*, appeal: Appeal):
    """The appeal's transitions with their photos (the appeal was loaded scoped)."""
    return appeal.transitions.select_related("actor").prefetch_related("photos").order_by("created_at", "id")


# --- the clock ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    state: str  # "ok", "warning", "overdue", "stopped", "done"
    label: str
    due_at: datetime.datetime | None
    left_hours: float | None  # working hours left (negative: over by)


def clock(appeal: Appeal, now: datetime.datetime | None = None) -> Clock:
    """Where the appeal stands against its handling limit, in working hours."""
    now = now or timezone.now()
    if appeal.status in DONE_STATUSES or appeal.status in (Status.CANCELLED, Status.MERGED):
        if appeal.closed_at and appeal.status in DONE_STATUSES:
            label = _("Closed on time") if appeal.closed_on_time else _("Closed late")
        else:
            label = appeal.get_status_display()
        return Clock("done", label, appeal.handle_due_at, None)
    if appeal.status == Status.POSTPONED:
        return Clock("stopped", _("Clock stopped (postponed)"), None, None)
    if appeal.handle_due_at is None:
        return Clock("ok", "", None, None)
    left = workcalendar.working_hours_between(now, appeal.handle_due_at).total_seconds() / 3600
    if left <= 0:
        return Clock(
            "overdue",
            _("Overdue by %(h).1f working hours") % {"h": -left},
            appeal.handle_due_at,
            round(left, 1),
        )
    state = "warning" if appeal.handle_warn_at and now >= appeal.handle_warn_at else "ok"
    return Clock(state, _("%(h).1f working hours left") % {"h": left}, appeal.handle_due_at, round(left, 1))


def clock_running(appeal: Appeal) -> bool:
    return appeal.status in CLOCK_STATUSES


# --- places --------------------------------------------------------------------------------------

PLACE_KINDS = [
    NodeKind.GRID,
    NodeKind.DEDICATED_GRID,
    NodeKind.COMPOUND,
    NodeKind.BUILDING,
    NodeKind.UNIT,
    NodeKind.DWELLING,
]
LABEL_FROM = {NodeKind.COMMUNITY, *PLACE_KINDS}


def _add_condition(user: User) -> Q | None:
    if user.is_superuser:
        return None
    paths = user.grants.paths("appeal", "add")
    return path_prefix_condition("path", paths) if paths else Q(pk__in=[])


def place_labels(nodes: list[Node]) -> dict[int, str]:
    """ "新世纪社区 第一网格 金星苑 2号楼 4单元" for each node (one query for all ancestors)."""
    ids = {i for node in nodes for i in node.ancestor_ids()}
    names = {n.pk: (n.kind, n.name) for n in Node.objects.filter(pk__in=ids).only("pk", "kind", "name")}
    labels = {}
    for node in nodes:
        parts = [names[i][1] for i in node.ancestor_ids() if i in names and names[i][0] in LABEL_FROM]
        labels[node.pk] = " ".join(parts)
    return labels


def place_search(*, user: User, text: str, limit: int = 20) -> list[Node]:
    """Places the user may register appeals at whose labels contain every word typed; the
    last word must be in the place's own name (金星苑 2号楼 → the building)."""
    terms = text.split()
    if not terms:
        return []
    queryset = Node.objects.filter(kind__in=PLACE_KINDS, retired_at__isnull=True, name__icontains=terms[-1])
    condition = _add_condition(user)
    if condition is not None:
        queryset = queryset.filter(condition)
    candidates = list(queryset.order_by("depth", "path")[:200])
    labels = place_labels(candidates)
    found = []
    for node in candidates:
        if all(term in labels[node.pk] for term in terms[:-1]):
            node.label = labels[node.pk]
            found.append(node)
        if len(found) >= limit:
            break
    return found


def place_for_address(*, user: User, address: str) -> Node | None:
    """The deepest place whose name, and whose ancestors' names, all appear in an address
    as a hotline operator wrote it ("双山街道金星苑小区2号楼4单元401"). None when no
    compound or grid matches, or two match equally well."""
    text = "".join(address.split())
    if not text:
        return None
    condition = _add_condition(user)
    level = Node.objects.filter(
        kind__in=[NodeKind.COMPOUND, NodeKind.GRID, NodeKind.DEDICATED_GRID], retired_at__isnull=True
    )
    if condition is not None:
        level = level.filter(condition)
    matches = [n for n in level.only("pk", "name", "path", "kind", "depth") if n.name and n.name in text]
    if not matches:
        return None
    longest = max(len(n.name) for n in matches)
    best = [n for n in matches if len(n.name) == longest]
    if len(best) != 1:
        return None
    node = best[0]
    while True:
        children = [
            c
            for c in Node.objects.filter(parent=node, retired_at__isnull=True)
            if c.name and _mentions(text, c)
        ]
        if not children:
            return node
        longest = max(len(c.name) for c in children)
        choice = [c for c in children if len(c.name) == longest]
        if len(choice) != 1:
            return node
        node = choice[0]


def _mentions(text: str, node: Node) -> bool:
    """The name appears and is not the tail of a longer number ("1号楼" inside "11号楼")."""
    name = node.name
    names = [name]
    if node.kind == NodeKind.DWELLING and name.endswith("室"):
        names.append(name[:-1])  # "401" for "401室"
    for candidate in names:
        start = text.find(candidate)
        while start != -1:
            if start == 0 or not (text[start - 1].isdigit() and candidate[0].isdigit()):
                return True
            start = text.find(candidate, start + 1)
    return False
