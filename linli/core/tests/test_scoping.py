"""ScopedQuerySet.restrict: prefix matching on materialised paths, on both databases."""

import pytest

from linli.accounts.models import RoleAssignment
from linli.accounts.roles import Role
from linli.core.scoping import path_prefix_condition
from linli.territory.models import Node
from linli.test import make_user

pytestmark = pytest.mark.django_db


def _node(pk: int, path: str, kind: str = "grid") -> Node:
    return Node.objects.create(pk=pk, kind=kind, code=f"c{pk}", name=f"n{pk}", path=path)


def test_prefix_never_matches_a_sibling_whose_id_shares_digits():
    _node(1, "/1/", "community")
    _node(17, "/1/17/")
    _node(170, "/1/170/")
    _node(1717, "/1/17/1717/", "compound")
    matched = set(Node.objects.filter(path_prefix_condition("path", ["/1/17/"])).values_list("pk", flat=True))
    assert matched == {17, 1717}


def test_restrict_unions_several_grants_and_ignores_ended_ones():
    _node(1, "/1/", "community")
    _node(2, "/1/2/")
    _node(3, "/1/3/")
    _node(4, "/1/4/")
    user = make_user("two_grids", Role.GRID_WORKER, Node.objects.get(pk=2))
    RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, node=Node.objects.get(pk=3))
    from django.utils import timezone

    RoleAssignment.objects.create(
        user=user, role=Role.GRID_WORKER, node=Node.objects.get(pk=4), ended_at=timezone.now()
    )
    user = type(user).objects.get(pk=user.pk)  # grants are cached per user object
    assert set(Node.objects.restrict(user).values_list("pk", flat=True)) == {2, 3}


def test_no_grant_for_the_action_means_nothing():
    _node(1, "/1/", "community")
    user = make_user("grid", Role.GRID_WORKER, Node.objects.get(pk=1))
    assert Node.objects.restrict(user, "delete").count() == 0
    assert Node.objects.restrict(None).count() == 0


def test_inactive_user_sees_nothing():
    _node(1, "/1/", "community")
    user = make_user("gone", Role.COMMUNITY_SECRETARY, Node.objects.get(pk=1))
    user.is_active = False
    assert Node.objects.restrict(user).count() == 0
