"""locate: deepest node, outside → none, scoping, batches, and freshness across processes."""

import json

import numpy as np
import pytest

from linli.territory import coords, locate
from linli.territory.geo_services import boundary_clear, boundary_set, locate_ids, locate_point, locate_points
from linli.territory.models import Node
from linli.territory.services import node_create
from linli.territory.tests.geo_fixtures import (
    IN_GRID_A,
    IN_GRID_B,
    IN_OTHER_GRID,
    OUTSIDE,
    rect,
    world_boundaries,
)


@pytest.fixture
def drawn(world):
    return world_boundaries(world)


def test_the_deepest_node_wins(drawn):
    # The point lies in the street, the community and grid A.
    assert locate_point(*IN_GRID_A) == drawn.grid_a
    assert locate_point(*IN_OTHER_GRID) == drawn.other_grid


def test_outside_every_boundary_is_none(drawn):
    assert locate_point(*OUTSIDE) is None


def test_a_point_in_a_community_but_in_no_grid_is_the_community(drawn):
    boundary_clear(actor=drawn.root, node=drawn.grid_b)
    assert locate_point(*IN_GRID_B) == drawn.community


def test_a_dedicated_grid_inside_an_ordinary_grid_wins(drawn):
    school = node_create(
        actor=drawn.root,
        kind="dedicated_grid",
        dedicated_kind="school",
        code="370114002001009",
        name="学校",
        parent=drawn.community,
    )
    boundary_set(actor=drawn.root, node=school, geometry=rect(117.503, 117.507, 36.705, 36.715))
    assert locate_point(*IN_GRID_A).code == "370114002001009"
    assert locate_point(117.512, 36.72) == drawn.grid_a


def test_points_in_gcj02_and_bd09_are_converted_first(drawn):
    # Just inside grid A's eastern edge in WGS-84; the same place in GCJ-02 coordinates
    # lies ~500 m further east, which read as WGS-84 would be grid B.
    wgs = (117.5145, 36.71)
    gcj = coords.wgs84_to_gcj02(*wgs)
    bd = coords.wgs84_to_bd09(*wgs)
    assert locate_point(*gcj) == drawn.grid_b
    assert locate_point(*gcj, crs=coords.GCJ02) == drawn.grid_a
    assert locate_point(*bd, crs=coords.BD09) == drawn.grid_a


def test_batch_keeps_the_order_of_the_points(drawn):
    points = [IN_OTHER_GRID, OUTSIDE, IN_GRID_A, IN_GRID_B, IN_GRID_A]
    assert locate_points(points) == [drawn.other_grid, None, drawn.grid_a, drawn.grid_b, drawn.grid_a]


def test_locate_ids_is_vectorised_and_agrees_with_single_points(drawn):
    rng = np.random.default_rng(3)
    lng = rng.uniform(117.49, 117.57, 5000)
    lat = rng.uniform(36.68, 36.74, 5000)
    ids = locate_ids(lng, lat)
    expected = {drawn.grid_a.pk, drawn.grid_b.pk, drawn.other_grid.pk, locate.NOT_FOUND}
    assert set(ids.tolist()) == expected
    for i in range(0, 5000, 250):
        node = locate_point(lng[i], lat[i])
        assert (node.pk if node else locate.NOT_FOUND) == ids[i]


def test_a_retired_node_is_not_answered(drawn):
    from django.utils import timezone

    from linli.territory.geo_services import boundaries_changed

    Node.objects.filter(pk=drawn.other_grid.pk).update(retired_at=timezone.now())
    boundaries_changed()  # what the tree's retire must call
    assert locate_point(*IN_OTHER_GRID) == drawn.other_community


# --- scoping --------------------------------------------------------------------------------


def test_scoped_to_what_the_user_may_see(drawn):
    assert locate_point(*IN_GRID_A, user=drawn.grid_worker_a) == drawn.grid_a
    assert locate_point(*IN_GRID_A, user=drawn.street_officer) == drawn.grid_a
    # Grid B's worker sees neither grid A nor the community around it.
    assert locate_point(*IN_GRID_A, user=drawn.grid_worker_b) is None
    assert locate_point(*IN_GRID_A, user=drawn.outsider) is None
    assert locate_point(*IN_OTHER_GRID, user=drawn.secretary) is None


def test_a_building_head_gets_nothing_above_their_building(drawn):
    assert locate_point(*IN_GRID_A, user=drawn.building_head) is None


def test_api_single_point(drawn, client):
    client.force_login(drawn.grid_worker_a)
    response = client.get(f"/api/v1/geo/locate?lng={IN_GRID_A[0]}&lat={IN_GRID_A[1]}")
    assert response.status_code == 200
    assert response.json()["node"]["code"] == drawn.grid_a.code
    assert response.json()["node"]["id"] == str(drawn.grid_a.public_id)
    response = client.get(f"/api/v1/geo/locate?lng={IN_GRID_B[0]}&lat={IN_GRID_B[1]}")
    assert response.json()["node"] is None


def test_api_batch_is_scoped(drawn, client):
    client.force_login(drawn.grid_worker_b)
    points = [list(IN_GRID_A), list(IN_GRID_B), list(OUTSIDE)]
    response = client.post(
        "/api/v1/geo/locate", json.dumps({"points": points}), content_type="application/json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["codes"] == [None, drawn.grid_b.code, None]
    assert list(data["nodes"]) == [drawn.grid_b.code]


def test_api_batch_is_limited_to_10000_points(drawn, client):
    client.force_login(drawn.street_officer)
    body = {"points": [list(IN_GRID_A)] * 10_001}
    response = client.post("/api/v1/geo/locate", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
    body = {"points": [list(IN_GRID_A)] * 10_000, "crs": "wgs84"}
    response = client.post("/api/v1/geo/locate", json.dumps(body), content_type="application/json")
    assert response.status_code == 200 and set(response.json()["codes"]) == {drawn.grid_a.code}


# --- freshness ------------------------------------------------------------------------------


def test_the_same_process_sees_its_own_change_at_once(drawn, settings):
    settings.LINLI_LOCATE_CHECK_SECONDS = 3600
    assert locate_point(*IN_GRID_A) == drawn.grid_a
    boundary_set(actor=drawn.root, node=drawn.grid_a, geometry=rect(117.50, 117.501))
    assert locate_point(*IN_GRID_A) == drawn.community


def test_another_process_notices_a_change_after_its_check_interval(drawn):
    """Two indexes stand for two app processes. The change is written as another process
    would write it (the boundary rows and the revision token), without touching the
    indexes; each notices only once its own check interval has passed."""
    eager = locate.LocateIndex(check_interval=0)
    lazy = locate.LocateIndex(check_interval=3600)
    a = np.array([IN_GRID_A[0]])
    b = np.array([IN_GRID_A[1]])
    assert eager.locate(a, b)[0] == drawn.grid_a.pk
    assert lazy.locate(a, b)[0] == drawn.grid_a.pk
    rebuilt = (eager.rebuilds, lazy.rebuilds)

    from linli.territory.geo_services import boundaries_changed

    # Grid A shrinks away from the point: it now falls in the community.
    drawn.grid_a.boundary.geometry = rect(117.50, 117.501)
    drawn.grid_a.boundary.save()
    boundaries_changed()

    assert eager.locate(a, b)[0] == drawn.community.pk
    assert lazy.locate(a, b)[0] == drawn.grid_a.pk  # still within its interval: stale
    lazy._checked_at -= 3600  # the interval passes
    assert lazy.locate(a, b)[0] == drawn.community.pk
    assert (eager.rebuilds, lazy.rebuilds) == (rebuilt[0] + 1, rebuilt[1] + 1)


def test_no_rebuild_while_nothing_changed(drawn):
    index = locate.LocateIndex(check_interval=0)
    for _ in range(3):
        index.locate([IN_GRID_A[0]], [IN_GRID_A[1]])
    assert index.rebuilds == 1


def test_an_index_without_any_boundary_answers_none(db):
    index = locate.LocateIndex(check_interval=0)
    assert index.locate([117.5], [36.7]).tolist() == [locate.NOT_FOUND]


def test_api_refuses_coordinates_that_are_not_on_earth(drawn, client):
    client.force_login(drawn.street_officer)
    assert client.get("/api/v1/geo/locate?lng=nan&lat=36.7").status_code == 422
    assert client.get("/api/v1/geo/locate?lng=117.5&lat=91").status_code == 422
    body = {"points": [[117.5, 36.7], [361, 0]]}
    response = client.post("/api/v1/geo/locate", json.dumps(body), content_type="application/json")
    assert response.status_code == 422
