"""Helpers for the account routes' entries in linli/core/tests/scoping_cases.py. Each
returns the world, after putting grid A's worker in the state the route needs, so that
every persona's request meets the same state."""

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.test import World

ADMINS = ["street_officer", "secretary"]
NON_ADMINS = ["grid_worker_a", "grid_worker_b", "outsider"]
SCOPE_PASSWORD = "Quiet-river-2741"


def extra_role(w: World) -> RoleAssignment:
    """A second role of grid A's worker, so that ending one is not refused as the last."""
    assignment, _ = RoleAssignment.objects.get_or_create(
        user=w.grid_worker_a, role=Role.VOLUNTEER, node=w.grid_a, ended_at=None
    )
    return assignment


def worker_enabled(w: World) -> World:
    User.objects.filter(pk=w.grid_worker_a.pk).update(is_active=True)
    return w


def worker_disabled(w: World) -> World:
    User.objects.filter(pk=w.grid_worker_a.pk).update(is_active=False)
    return w
