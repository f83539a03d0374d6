"""Reads on accounts, and the rules of who may administer whom.

A user is "in my area" when any of their active role assignments sits on a node inside a
path where I hold ("account", "administer"). There is no ScopedModel for users (a user
lives in several places at once), so users_administrable() is their scoped queryset.

Granting follows two rules (see can_grant):
- never more than I have: for every record kind, the granted role's actions are a subset
  of what my own roles give me at that node;
- the administering roles (street officer, community secretary) are granted only by
  someone who holds an administering role of equal or higher rank strictly above the node:
  a secretary cannot make another secretary of their own community, nor a street officer.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import ADMINISTRATOR_ROLES, GRANTS, Role, actions_for
from linli.territory.choices import NodeKind
from linli.territory.models import Node

# Rank among the administering roles: who may create whom.
ADMIN_RANK: dict[str, int] = {Role.STREET_OFFICER: 2, Role.COMMUNITY_SECRETARY: 1}

# Kinds of node a role is usually bound to in the page's node menu. Units and dwellings
# would make the menu thousands long; the API still accepts any node in the area.
MENU_NODE_KINDS = [k for k in NodeKind.values if k not in (NodeKind.UNIT, NodeKind.DWELLING)]


def administer_paths(user: User) -> list[str]:
    return user.grants.paths("account", "administer")


def _path_condition(lookup: str, paths: list[str]) -> Q:
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{lookup}__startswith": path})
    return condition


def _assignments_in_area(user: User) -> QuerySet[RoleAssignment]:
    active = RoleAssignment.objects.filter(ended_at__isnull=True)
    if user.is_superuser:
        return active
    paths = administer_paths(user)
    if not paths:
        return active.none()
    return active.filter(_path_condition("node__path", paths))


def users_administrable(*, user: User) -> QuerySet[User]:
    """The accounts the user may see in the administration pages and API."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    paths = administer_paths(user)
    if not paths:
        return User.objects.none()
    in_area = RoleAssignment.objects.filter(ended_at__isnull=True).filter(
        _path_condition("node__path", paths)
    )
    return User.objects.filter(pk__in=in_area.values("user_id"))


def users_for_listing(*, user: User, q: str = "", status: str = "") -> QuerySet[User]:
    """users_administrable with what a list shows: roles inside the caller's area (roles
    elsewhere are not the caller's business) and whether two-factor is on."""
    qs = users_administrable(user=user)
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "disabled":
        qs = qs.filter(is_active=False)
    roles = _assignments_in_area(user).select_related("node").order_by("node__path", "role")
    return (
        qs.annotate(has_two_factor=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related(Prefetch("role_assignments", queryset=roles, to_attr="area_roles"))
        .order_by("username")
    )


def user_administrable_or_404(*, actor: User, public_id, request=None) -> User:
    """The only way a page or endpoint loads an account to administer it."""
    try:
        return users_for_listing(user=actor).get(public_id=public_id)
    except (ValueError, TypeError, ValidationError):
        raise Http404 from None
    except User.DoesNotExist:
        # The account may exist outside the actor's area: leave a trace of the attempt.
        if User.objects.filter(public_id=public_id).exists():
            from linli.core import audit

            audit.record(
                actor=actor,
                action="scope.denied",
                target_type="accounts.user",
                target_repr=str(public_id),
                request=request,
            )
        raise Http404 from None


def assignment_or_404(*, actor: User, user: User, public_id) -> RoleAssignment:
    try:
        return _assignments_in_area(actor).select_related("node", "user").get(user=user, public_id=public_id)
    except (ValueError, TypeError, ValidationError, RoleAssignment.DoesNotExist):
        raise Http404 from None


def active_assignments(*, user: User) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(user=user, ended_at__isnull=True)
        .select_related("node")
        .order_by("node__path", "role")
    )


def administrable_nodes(*, user: User, kinds: list[str] | None = None) -> QuerySet[Node]:
    """Nodes where the user may bind a role: inside their administer paths, not retired."""
    qs = Node.objects.filter(retired_at__isnull=True)
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    if user.is_superuser:
        return qs
    paths = administer_paths(user)
    if not paths:
        return qs.none()
    return qs.filter(_path_condition("path", paths))


def actions_at(*, user: User, kind: str, path: str) -> set[str]:
    """What the user's own roles allow on `kind` at the node with this path."""
    actions: set[str] = set()
    for role, held_path in user.grants.assignments:
        if path.startswith(held_path):
            actions |= actions_for(role, kind)
    return actions


def can_grant_at(*, actor: User, role: str, path: str) -> bool:
    if role not in Role.values:
        return False
    if actor.is_superuser:
        return True
    if not actor.grants.allows("account", "administer", path):
        return False
    for kind, actions in GRANTS.get(role, {}).items():
        if not actions <= actions_at(user=actor, kind=kind, path=path):
            return False
    if role in ADMIN_RANK:
        needed = ADMIN_RANK[role]
        above = [r for r, held in actor.grants.assignments if path.startswith(held) and path != held]
        if not any(ADMIN_RANK.get(r, 0) >= needed for r in above):
            return False
    return True


def can_grant(*, actor: User, role: str, node: Node) -> bool:
    return can_grant_at(actor=actor, role=role, path=node.path)


def grantable_roles(*, actor: User, nodes) -> list[tuple[str, str]]:
    """The roles the actor may grant on at least one of these nodes, as choices."""
    paths = [n.path for n in nodes]
    return [
        (value, label)
        for value, label in Role.choices
        if any(can_grant_at(actor=actor, role=value, path=p) for p in paths)
    ]


def can_manage(*, actor: User, user: User) -> bool:
    """Disable, enable, reset: only for accounts none of whose active roles is beyond what
    the actor could grant. A superuser account is managed only by a superuser."""
    if actor.pk == user.pk:
        return False
    if actor.is_superuser:
        return True
    if user.is_superuser:
        return False
    assignments = active_assignments(user=user)
    return bool(assignments) and all(
        can_grant_at(actor=actor, role=a.role, path=a.node.path) for a in assignments
    )


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user: User) -> bool:
    """LINLI_REQUIRE_2FA applies to the administering roles and to superusers, who can do
    everything they can."""
    if not settings.LINLI_REQUIRE_2FA:
        return False
    return user.is_superuser or bool(user.grants.roles() & set(ADMINISTRATOR_ROLES))
