"""Who can handle an appeal: the levels of the tree above its place, the departments that
serve it, the staff who may handle it by proxy (代办), and the next level up.

"小事不出楼院，大事不出社区": the default handler is the grid (the lowest level that can act);
escalation goes grid → community → street, and a department or a proxy hands back up to
the street or the community.
"""

from __future__ import annotations

from dataclasses import dataclass

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import GRANTS
from linli.appeals.choices import HandlerKind
from linli.appeals.models import Appeal, Department
from linli.territory.choices import GRID_KINDS, NodeKind
from linli.territory.models import Node

LEVEL_NODE_KINDS = {
    HandlerKind.GRID: GRID_KINDS,
    HandlerKind.COMMUNITY: {NodeKind.COMMUNITY},
    HandlerKind.STREET: {NodeKind.STREET},
}
LEVELS = [HandlerKind.GRID, HandlerKind.COMMUNITY, HandlerKind.STREET]


def level_nodes(node: Node) -> dict[str, Node]:
    """The grid, community and street containing `node` (itself included), by handler kind."""
    found: dict[str, Node] = {}
    for ancestor in Node.objects.filter(pk__in=node.ancestor_ids()).order_by("depth"):
        for kind, node_kinds in LEVEL_NODE_KINDS.items():
            if ancestor.kind in node_kinds:
                found[kind] = ancestor
    return found


def grid_of(node: Node) -> Node | None:
    return level_nodes(node).get(HandlerKind.GRID)


@dataclass(frozen=True)
class HandlerChoice:
    kind: str
    node: Node | None = None
    department: Department | None = None
    user: User | None = None

    @property
    def key(self) -> str:
        """A form value that names the choice without integer ids."""
        if self.kind == HandlerKind.DEPARTMENT:
            return f"department:{self.department.public_id}"
        if self.kind == HandlerKind.PROXY:
            return f"proxy:{self.user.public_id}"
        return f"{self.kind}:{self.node.public_id}"

    @property
    def label(self) -> str:
        if self.kind == HandlerKind.DEPARTMENT:
            return f"{self.department.name} ({self.department.get_kind_display()})"
        if self.kind == HandlerKind.PROXY:
            return f"{HandlerKind.PROXY.label}: {self.user}"
        return f"{self.node.name} ({HandlerKind(self.kind).label})"

    def fields(self) -> dict:
        return {
            "handler_kind": self.kind,
            "handler_node": self.node,
            "handler_department": self.department,
            "handler_user": self.user,
        }


def _within(actor: User, path: str) -> bool:
    return actor.is_superuser or actor.grants.allows("appeal", "change", path)


def _roles_that_handle() -> list[str]:
    return [role for role, kinds in GRANTS.items() if "change" in kinds.get("appeal", set())]


def handler_options(actor: User, appeal: Appeal) -> list[HandlerChoice]:
    """The handlers `actor` may route `appeal` to: levels, departments and proxies inside
    the actor's own area (a grid worker routes to the grid; going higher is escalation)."""
    options: list[HandlerChoice] = []
    levels = level_nodes(appeal.node)
    for kind in LEVELS:
        node = levels.get(kind)
        if node is not None and _within(actor, node.path):
            options.append(HandlerChoice(kind=kind, node=node))
    ancestor_ids = appeal.node.ancestor_ids()
    departments = Department.objects.filter(active=True, node_id__in=ancestor_ids).select_related("node")
    options += [
        HandlerChoice(kind=HandlerKind.DEPARTMENT, department=d)
        for d in departments
        if _within(actor, d.node.path)
    ]
    proxies = (
        RoleAssignment.objects.filter(
            ended_at__isnull=True,
            role__in=_roles_that_handle(),
            node_id__in=ancestor_ids,
            user__is_active=True,
        )
        .select_related("user", "node")
        .order_by("node__depth", "user__username")
    )
    seen: set[int] = set()
    for assignment in proxies:
        if assignment.user_id in seen or not _within(actor, assignment.node.path):
            continue
        seen.add(assignment.user_id)
        options.append(HandlerChoice(kind=HandlerKind.PROXY, user=assignment.user))
    return options


def find_option(actor: User, appeal: Appeal, key: str) -> HandlerChoice | None:
    return next((o for o in handler_options(actor, appeal) if o.key == key), None)


def default_handler(appeal: Appeal) -> HandlerChoice | None:
    """The lowest level above the appeal's place: its grid, else its community."""
    levels = level_nodes(appeal.node)
    for kind in LEVELS:
        if kind in levels:
            return HandlerChoice(kind=kind, node=levels[kind])
    return None


def next_level(appeal: Appeal) -> HandlerChoice | None:
    """One level up from the current handler, or None at the top."""
    levels = level_nodes(appeal.node)
    up = {
        HandlerKind.GRID: HandlerKind.COMMUNITY,
        HandlerKind.COMMUNITY: HandlerKind.STREET,
        HandlerKind.DEPARTMENT: HandlerKind.STREET,
        HandlerKind.PROXY: HandlerKind.COMMUNITY,
    }.get(appeal.handler_kind)
    # A level missing from the tree (a grid straight under a street) is skipped.
    while up is not None and up not in levels:
        up = {HandlerKind.COMMUNITY: HandlerKind.STREET}.get(up)
    return HandlerChoice(kind=up, node=levels[up]) if up else None


def handler_recipients(appeal: Appeal) -> list[User]:
    """The accounts that act for the current handler (for notifications)."""
    kind = appeal.handler_kind
    if kind == HandlerKind.PROXY and appeal.handler_user_id:
        return [appeal.handler_user]
    if kind == HandlerKind.DEPARTMENT and appeal.handler_department_id:
        return list(
            User.objects.filter(appeal_departments__department=appeal.handler_department_id, is_active=True)
        )
    if appeal.handler_node_id:
        return _assigned_at(appeal.handler_node.path, exact=True)
    return []


def supervisors_of(path: str) -> list[User]:
    """Accounts holding "supervise" on appeals at `path` (assigned at it or above)."""
    roles = [role for role, kinds in GRANTS.items() if "supervise" in kinds.get("appeal", set())]
    ids = [int(part) for part in path.strip("/").split("/") if part]
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__ended_at__isnull=True,
            role_assignments__role__in=roles,
            role_assignments__node_id__in=ids,
        ).distinct()
    )


def _assigned_at(path: str, *, exact: bool) -> list[User]:
    """Accounts that may change appeals and are assigned exactly at `path` (the people of
    that grid/community/street), falling back to those above when nobody is."""
    roles = _roles_that_handle()
    base = User.objects.filter(
        is_active=True, role_assignments__ended_at__isnull=True, role_assignments__role__in=roles
    )
    users = list(base.filter(role_assignments__node__path=path).distinct())
    if users or not exact:
        return users
    ids = [int(part) for part in path.strip("/").split("/") if part]
    return list(base.filter(role_assignments__node_id__in=ids).distinct())


def people_at(path: str) -> list[User]:
    """Who works on appeals at exactly this place (else the nearest level above)."""
    return _assigned_at(path, exact=True)
