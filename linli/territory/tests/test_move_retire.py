"""Moving a subtree (paths, codes and everyone's scope follow) and retiring places."""

import pytest

from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.territory.models import Node
from linli.territory.services import node_move, node_retire


def reload(user):
    return type(user).objects.get(pk=user.pk)


def test_moving_a_grid_moves_its_subtree_codes_and_scope(world):
    dwelling_codes_before = set(
        Node.objects.filter(path__startswith=world.grid_a.path).values_list("code", flat=True)
    )
    node_move(
        actor=world.street_officer,
        node=world.grid_a,
        new_parent=world.other_community,
        new_code="370114002002009",
    )
    grid = Node.objects.get(pk=world.grid_a.pk)
    dwelling = Node.objects.get(pk=world.dwelling_a.pk)
    assert grid.parent_id == world.other_community.pk
    assert grid.path == f"{world.other_community.path}{grid.pk}/"
    assert dwelling.path.startswith(grid.path) and dwelling.depth == world.dwelling_a.depth
    assert dwelling.code == "370114002002009" + world.dwelling_a.code[len(world.grid_a.code) :]
    assert len(dwelling_codes_before) == Node.objects.filter(path__startswith=grid.path).count()
    # The grid worker's scope followed the grid; the old community's secretary lost it.
    assert Node.objects.restrict(reload(world.grid_worker_a)).filter(pk=dwelling.pk).exists()
    assert not Node.objects.restrict(reload(world.secretary)).filter(pk=dwelling.pk).exists()
    entry = AuditEntry.objects.get(action="territory.node.move")
    assert entry.changes["before"]["code"] == world.grid_a.code


def test_move_refuses_a_clashing_code_and_changes_nothing(world):
    with pytest.raises(ValidationFailed, match="already in use"):
        node_move(
            actor=world.street_officer,
            node=world.grid_a,
            new_parent=world.other_community,
            new_code=world.other_grid.code,
        )
    assert Node.objects.get(pk=world.grid_a.pk).parent_id == world.community.pk
    assert Node.objects.get(pk=world.dwelling_a.pk).code == world.dwelling_a.code


def test_move_refuses_wrong_parent_kind_and_cycles(world):
    with pytest.raises(ValidationFailed, match="cannot be placed under"):
        node_move(actor=world.root, node=world.grid_a, new_parent=world.street, new_code="370114002009")
    with pytest.raises(ValidationFailed, match="under itself"):
        node_move(actor=world.root, node=world.community, new_parent=world.grid_a, new_code="x")


def test_secretary_cannot_move_a_grid_into_another_community(world):
    with pytest.raises(PermissionDenied):
        node_move(
            actor=world.secretary,
            node=world.grid_a,
            new_parent=world.other_community,
            new_code="370114002002009",
        )


def test_retire_needs_empty_subtree_and_keeps_the_row(world):
    with pytest.raises(ValidationFailed, match="places under it first"):
        node_retire(actor=world.secretary, node=world.grid_b)
    node_retire(actor=world.secretary, node=world.dwelling_b)
    retired = Node.objects.get(pk=world.dwelling_b.pk)
    assert retired.retired_at is not None
    assert (
        not Node.objects.restrict(reload(world.secretary))
        .filter(retired_at__isnull=True, pk=retired.pk)
        .exists()
    )
    with pytest.raises(ValidationFailed, match="already been retired"):
        node_retire(actor=world.secretary, node=retired)


def test_grid_worker_cannot_retire(world):
    with pytest.raises(PermissionDenied):
        node_retire(actor=world.grid_worker_a, node=world.dwelling_a)


def test_move_and_retire_pages(client, world):
    client.force_login(world.street_officer)
    response = client.post(
        f"/territory/{world.grid_b.public_id}/move/",
        {"parent_code": world.other_community.code, "code": "370114002002007"},
    )
    assert response.status_code == 302
    assert Node.objects.get(pk=world.grid_b.pk).code == "370114002002007"
    response = client.post(f"/territory/{world.grid_a.public_id}/move/", {"parent_code": "999", "code": "1"})
    assert response.status_code == 422
    assert "No place with this code" in response.content.decode()
    response = client.post(f"/territory/{world.dwelling_a2.public_id}/retire/")
    assert response.status_code == 302
    assert Node.objects.get(pk=world.dwelling_a2.pk).retired_at is not None
    response = client.post(f"/territory/{world.grid_a.public_id}/rename/", {"name": "  "})
    assert response.status_code == 422


def test_move_and_retire_in_the_api(client, world):
    from linli.accounts.services import token_issue

    raw, _ = token_issue(user=world.street_officer)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    response = client.post(
        f"/api/v1/territory/nodes/{world.grid_b.public_id}/move",
        {"parent_id": str(world.other_community.public_id), "code": "370114002002006"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200 and response.json()["code"] == "370114002002006"
    response = client.post(f"/api/v1/territory/nodes/{world.dwelling_a.public_id}/retire", **auth)
    assert response.status_code == 200 and response.json()["retired_at"]
    response = client.post(f"/api/v1/territory/nodes/{world.grid_a.public_id}/retire", **auth)
    assert response.status_code == 422


def test_retire_refuses_a_place_with_current_duties_or_places(world):
    from linli.territory.places_services import place_create
    from linli.territory.responsibility_services import responsibility_appoint, responsibility_end

    for place in (
        Node.objects.filter(path__startswith=world.grid_b.path).exclude(pk=world.grid_b.pk).order_by("-depth")
    ):
        node_retire(actor=world.secretary, node=place)
    grid_b = Node.objects.get(pk=world.grid_b.pk)
    duty = responsibility_appoint(
        actor=world.secretary, node=grid_b, duty="grid_worker", person_name="王网格", employment="full_time"
    )
    with pytest.raises(ValidationFailed, match="End the duties"):
        node_retire(actor=world.secretary, node=grid_b)
    responsibility_end(actor=world.secretary, responsibility=duty)
    place_create(actor=world.secretary, kind="bank", name="农商银行", grid=grid_b)
    with pytest.raises(ValidationFailed, match="places of its grid"):
        node_retire(actor=world.secretary, node=grid_b)
