"""The map page, its GeoJSON endpoint, the grid card, the export, the demo outlines."""

import json
import re

import pytest

from linli.territory import geojson
from linli.territory.geo_services import locate_point
from linli.territory.models import Boundary, Node
from linli.territory.tests.geo_fixtures import world_boundaries


@pytest.fixture
def drawn(world):
    return world_boundaries(world)


def _codes(collection):
    return {f["properties"]["code"] for f in collection["features"]}


def test_a_grid_worker_sees_their_grid_a_street_officer_all_grids(drawn, client):
    client.force_login(drawn.grid_worker_a)
    assert _codes(client.get("/api/v1/geo/boundaries").json()) == {drawn.grid_a.code}
    client.force_login(drawn.street_officer)
    assert _codes(client.get("/api/v1/geo/boundaries").json()) == {
        drawn.street.code,
        drawn.community.code,
        drawn.other_community.code,
        drawn.grid_a.code,
        drawn.grid_b.code,
        drawn.other_grid.code,
    }
    client.force_login(drawn.outsider)
    assert _codes(client.get("/api/v1/geo/boundaries").json()) == set()


def test_boundaries_filtered_by_kind_and_root(drawn, client):
    client.force_login(drawn.street_officer)
    data = client.get(f"/api/v1/geo/boundaries?kind=grid&root={drawn.community.public_id}").json()
    assert _codes(data) == {drawn.grid_a.code, drawn.grid_b.code}
    # A root outside one's area is not found.
    client.force_login(drawn.grid_worker_a)
    assert client.get(f"/api/v1/geo/boundaries?root={drawn.community.public_id}").status_code == 404


def test_boundaries_in_gcj02_for_gcj02_tiles(drawn, client):
    client.force_login(drawn.grid_worker_a)
    data = client.get("/api/v1/geo/boundaries?crs=gcj02").json()
    assert data["coordinate_system"] == "gcj02"
    west = min(x for x, _ in data["features"][0]["geometry"]["coordinates"][0])
    assert west > 117.504  # GCJ-02 moves Zhangqiu east by about 500 m


def test_map_page_passes_everything_through_data_attributes(drawn, client, settings):
    settings.LINLI_TILE_URL = "https://tiles.example.cn/{z}/{x}/{y}.png"
    client.force_login(drawn.secretary)
    response = client.get("/territory/map/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-tile-url="https://tiles.example.cn/{z}/{x}/{y}.png"' in page
    assert 'data-boundaries-url="/api/v1/geo/boundaries?crs=wgs84"' in page
    assert "vendor/leaflet-1.9.4/leaflet.js" in page and "linli/map.js" in page
    # CSP: no inline script or style anywhere on the page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert " style=" not in page and "<style" not in page
    # The grid list beside the map opens the same cards.
    assert f'data-map-card="{drawn.grid_a.public_id}"' in page
    assert f'data-map-card="{drawn.other_grid.public_id}"' not in page
    assert 'href="/territory/map/import/"' in page


def test_map_page_without_tiles_and_without_import_rights(drawn, client):
    client.force_login(drawn.grid_worker_a)
    page = client.get("/territory/map/").content.decode()
    assert 'data-tile-url=""' in page
    assert "/territory/map/import/" not in page


def test_grid_card_has_code_kind_counts_and_an_empty_people_section(drawn, client):
    client.force_login(drawn.grid_worker_a)
    response = client.get(f"/territory/map/card/{drawn.grid_a.public_id}/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    card = response.content.decode()
    assert "<html" not in card  # the fragment only
    assert drawn.grid_a.code in card and drawn.grid_a.name in card and "Grid" in card
    assert re.search(r'data-testid="grid-card-buildings">\s*1\s*<', card)
    assert re.search(r'data-testid="grid-card-dwellings">\s*2\s*<', card)
    # The people section is there; nobody has been appointed in this world (its content:
    # territory/tests/test_responsibility.py).
    assert 'data-section="responsibilities" data-testid="grid-card-people"' in card
    assert "No one is responsible here yet." in card
    # Without htmx the same card is a whole page.
    assert "<html" in client.get(f"/territory/map/card/{drawn.grid_a.public_id}/").content.decode()


def test_grid_card_outside_ones_area_is_not_found(drawn, client):
    client.force_login(drawn.grid_worker_b)
    assert client.get(f"/territory/map/card/{drawn.grid_a.public_id}/").status_code == 404


def test_export_is_scoped_and_downloadable(drawn, client):
    client.force_login(drawn.secretary)
    response = client.get("/territory/map/export/?crs=bd09")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and "bd09" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["coordinate_system"] == "bd09"
    assert _codes(data) == {drawn.community.code, drawn.grid_a.code, drawn.grid_b.code}


def test_map_nav_link(drawn, client):
    client.force_login(drawn.grid_worker_a)
    page = client.get("/territory/").content.decode()
    assert 'data-testid="nav-map"' in page


@pytest.mark.django_db
def test_demo_territory_has_valid_non_overlapping_outlines():
    from linli.accounts.models import User
    from linli.territory.demo import build_territory

    admin = User.objects.create_superuser(username="admin", password="x-unused-9")
    street = build_territory(admin)
    grids = Node.objects.filter(kind="grid", path__startswith=street.path)
    dedicated = Node.objects.filter(kind="dedicated_grid", path__startswith=street.path)
    assert Boundary.objects.filter(node__in=grids).count() == 20
    assert Boundary.objects.filter(node__in=dedicated).count() == 5
    # Re-validating the stored outlines finds nothing wrong, and the grids of each
    # community are numbered as their codes are: 001 north-west … 004 south-east.
    exported = geojson.feature_collection(
        Boundary.objects.select_related("node", "node__parent").filter(node__path__startswith=street.path)
    )
    report = geojson.validate_collection(exported, crs="wgs84", actor=admin)
    assert report.ok and report.warning_count == 0, report.as_dict()
    for f in report.features:
        if f.kind == "grid":
            assert f.suggested_number == int(f.code[-3:])
    # Every dedicated grid is found from a point at its centre.
    for node in dedicated:
        centre = geojson.from_geojson(node.boundary.geometry).centroid
        assert locate_point(centre.x, centre.y) == node
