import datetime

from django.db.models import Count, Q, QuerySet

from linli.accounts.models import User
from linli.core.scoping import path_prefix_condition
from linli.territory.choices import NodeKind
from linli.territory.models import Duty, Node, Place, PlaceKind, Responsibility


def nodes_visible(*, user: User, kind: str | None = None, parent: Node | None = None) -> QuerySet[Node]:
    qs = Node.objects.restrict(user, "view").filter(retired_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs


def top_nodes(*, user: User) -> QuerySet[Node]:
    """The highest nodes the user may see: where their own place in the tree begins."""
    if user.is_superuser:
        return Node.objects.filter(parent__isnull=True, retired_at__isnull=True)
    paths = user.grants.paths("territory", "view")
    return Node.objects.filter(path__in=paths, retired_at__isnull=True)


def subtree_counts(*, node: Node) -> dict[str, int]:
    """How many places of each kind lie under the node (itself excluded)."""
    rows = (
        Node.objects.filter(path__startswith=node.path, retired_at__isnull=True)
        .exclude(pk=node.pk)
        .values("kind")
        .annotate(n=Count("id"))
    )
    counts = dict.fromkeys(NodeKind.values, 0)
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


def children_with_counts(*, user: User, node: Node) -> QuerySet[Node]:
    return nodes_visible(user=user, parent=node).annotate(
        child_count=Count("children", filter=Q(children__retired_at__isnull=True))
    )


def ancestors(*, node: Node) -> list[Node]:
    ids = node.ancestor_ids()[:-1]
    by_id = {n.pk: n for n in Node.objects.filter(pk__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


# --- places and responsibilities (places_services.py, responsibility_services.py) --------


def _in_subtree(field: str, node: Node) -> Q:
    return path_prefix_condition(field, [node.path])


def places_visible(
    *,
    user: User,
    kind: str | None = None,
    node: Node | None = None,
    small_shop: bool | None = None,
    q: str = "",
    include_retired: bool = False,
) -> QuerySet[Place]:
    """Places the user may see; `node` narrows to a grid or anything above it."""
    qs = Place.objects.restrict(user, "view").select_related("grid")
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if node is not None:
        qs = qs.filter(_in_subtree("grid__path", node))
    if small_shop is True:
        qs = qs.exclude(small_shop_kind="")
    elif small_shop is False:
        qs = qs.filter(small_shop_kind="")
    q = " ".join((q or "").replace("\x00", "").split())
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(address__icontains=q) | Q(credit_code=q.upper()))
    return qs


def place_counts(*, node: Node) -> dict[str, int]:
    """Live places of each kind in the node's subtree, with "small_shops" (五小) and "total"."""
    rows = (
        Place.objects.filter(_in_subtree("grid__path", node), retired_at__isnull=True)
        .values("kind")
        .annotate(n=Count("id"), small=Count("id", filter=~Q(small_shop_kind="")))
        .order_by()
    )
    counts = dict.fromkeys(PlaceKind.values, 0)
    small = 0
    for row in rows:
        counts[row["kind"]] = row["n"]
        small += row["small"]
    counts["small_shops"] = small
    counts["total"] = sum(counts[k] for k in PlaceKind.values)
    return counts


def responsibility_counts(*, node: Node) -> dict[str, int]:
    """Current holders in the node's subtree (the node included), by duty; grid workers
    split into full-time and part-time."""
    rows = (
        Responsibility.objects.filter(_in_subtree("node__path", node), ended_at__isnull=True)
        .values("duty", "employment")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = dict.fromkeys(Duty.values, 0)
    counts.update({"grid_workers_full_time": 0, "grid_workers_part_time": 0})
    for row in rows:
        counts[row["duty"]] += row["n"]
        if row["duty"] == Duty.GRID_WORKER:
            key = "grid_workers_full_time" if row["employment"] == "full_time" else "grid_workers_part_time"
            counts[key] += row["n"]
    return counts


def responsibilities_visible(
    *,
    user: User,
    node: Node | None = None,
    duty: str | None = None,
    status: str = "current",
    on: datetime.date | None = None,
) -> QuerySet[Responsibility]:
    """status: "current", "ended" or "all"; `on` keeps the terms held on that day."""
    qs = Responsibility.objects.restrict(user, "view").select_related("node", "user")
    if node is not None:
        qs = qs.filter(node=node)
    if duty:
        qs = qs.filter(duty=duty)
    if status == "current":
        qs = qs.filter(ended_at__isnull=True)
    elif status == "ended":
        qs = qs.filter(ended_at__isnull=False)
    if on is not None:
        qs = qs.filter(_held_on(on))
    return qs


def _held_on(day: datetime.date) -> Q:
    # ended_on is the first day without the duty (models/responsibility.py).
    return Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def responsible_on(
    node: Node, on: datetime.date, *, user: User | None = None, with_ancestors: bool = False
) -> list[Responsibility]:
    """Who was responsible for the node on that day, deepest place first: its own people
    and, with `with_ancestors`, those of the places above it (a building's grid chief).
    `user` None reads unscoped (the system asking); else only what the user may see."""
    nodes = node.ancestor_ids() if with_ancestors else [node.pk]
    qs = Responsibility.objects.all() if user is None else Responsibility.objects.restrict(user, "view")
    rows = list(qs.filter(node_id__in=nodes).filter(_held_on(on)).select_related("node", "user"))
    duty_order = {duty: index for index, duty in enumerate(Duty.values)}
    rows.sort(key=lambda r: (-r.node.depth, duty_order[r.duty], r.started_on, r.pk))
    return rows


def people_now(*, user: User, node: Node) -> list[Responsibility]:
    """The node's current holders the user may see: grid chief first, then grid workers,
    building head, party organisation, member in charge."""
    order = {duty: index for index, duty in enumerate(Duty.values)}
    rows = list(responsibilities_visible(user=user, node=node, status="current"))
    rows.sort(key=lambda r: (order[r.duty], r.started_on, r.pk))
    return rows


def area_leads(*, user: User, community: Node) -> list[tuple[str, list[Node]]]:
    """包片 on a community's page: each current member in charge with the grids they
    hold, in code order."""
    rows = (
        responsibilities_visible(user=user, duty=Duty.AREA_LEAD, status="current")
        .filter(node__parent=community)
        .order_by("node__code")
    )
    grouped: dict[tuple[str, int | None], list[Node]] = {}
    for row in rows:
        grouped.setdefault((row.person_name, row.user_id), []).append(row.node)
    return [(name, grids) for (name, _user), grids in grouped.items()]
