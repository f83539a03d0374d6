from django.db.models import Count, Q, QuerySet

from linli.accounts.models import User
from linli.territory.choices import NodeKind
from linli.territory.models import Node


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
