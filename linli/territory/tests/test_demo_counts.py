"""The demo data of seeds 001 (禹城市市中街道) and 003 (俭学街社区) reproduce the reports'
figures, and the territory pages show them."""

import re

import pytest

from linli.accounts.models import RoleAssignment, User
from linli.territory import geojson
from linli.territory.demo_jianxuejie import build_jianxuejie
from linli.territory.demo_yucheng import build_yucheng
from linli.territory.geo_services import locate_point
from linli.territory.models import Boundary, Duty, Employment, Node, Place, PlaceKind, Responsibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return User.objects.create_superuser(username="admin", password="x-unused-9")


def _stat(page: str, testid: str) -> int:
    match = re.search(rf'data-testid="{testid}"[^>]*><b>(\d+)</b>', page)
    assert match, f"no {testid} on the page"
    return int(match.group(1))


def test_yucheng_reproduces_seed_001(admin, client):
    street = build_yucheng(admin)
    under = Node.objects.filter(path__startswith=street.path)
    assert under.filter(kind="community").count() == 10
    assert under.filter(kind="grid").count() == 154
    assert under.filter(kind="dedicated_grid").count() == 133
    current = Responsibility.objects.filter(node__path__startswith=street.path, ended_at__isnull=True)
    assert current.filter(duty=Duty.GRID_WORKER, employment=Employment.FULL_TIME).count() == 301
    # One grid chief in every grid, and history where a chief was replaced.
    assert current.filter(duty=Duty.GRID_CHIEF).count() == 287
    assert current.filter(duty=Duty.GRID_CHIEF).values("node").distinct().count() == 287
    assert (
        Responsibility.objects.filter(node__path__startswith=street.path, ended_at__isnull=False).count()
        == 20
    )
    # The workers with accounts hold the grid worker role on their grid, through the service.
    linked = current.filter(user__isnull=False)
    assert linked.count() == 3
    for row in linked:
        assert RoleAssignment.objects.filter(
            user=row.user, role="grid_worker", node=row.node, ended_at__isnull=True
        ).exists()

    client.force_login(admin)
    page = client.get(f"/territory/{street.public_id}/").content.decode()
    assert _stat(page, "stat-communities") == 10
    assert _stat(page, "stat-grids") == 154
    assert _stat(page, "stat-dedicated-grids") == 133
    assert _stat(page, "stat-grid-workers-full-time") == 301


def test_yucheng_outlines_validate_and_number_west_to_east(admin):
    street = build_yucheng(admin)
    boundaries = Boundary.objects.select_related("node", "node__parent").filter(
        node__path__startswith=street.path
    )
    assert boundaries.count() == 1 + 10 + 154 + 133
    report = geojson.validate_collection(geojson.feature_collection(boundaries), crs="wgs84", actor=admin)
    assert report.ok and report.warning_count == 0, report.as_dict()
    for feature in report.features:
        if feature.kind == "grid":
            assert feature.suggested_number == int(feature.code[-3:]), feature.code
    # A point at a dedicated grid's centre is placed in it, not in the grid around it.
    for node in Node.objects.filter(path__startswith=street.path, kind="dedicated_grid")[:20]:
        centre = geojson.from_geojson(node.boundary.geometry).centroid
        assert locate_point(centre.x, centre.y) == node


def test_jianxuejie_reproduces_seed_003(admin, client):
    community = build_jianxuejie(admin)
    under = Node.objects.filter(path__startswith=community.path)
    assert under.filter(kind="compound").count() == 20
    places = Place.objects.filter(grid__path__startswith=community.path)
    assert places.filter(kind=PlaceKind.CO_BUILDING_UNIT).count() == 7
    assert places.filter(kind=PlaceKind.OFFICE_BUILDING).count() == 3
    shops = places.filter(kind=PlaceKind.STREET_SHOP)
    assert shops.count() == 160
    assert shops.exclude(small_shop_kind="").count() == 104
    # Shops were placed by their location: along the two streets' dedicated grids; the
    # office buildings in theirs.
    assert set(shops.values_list("grid__code", flat=True)) == {"410105002003005", "410105002003006"}
    assert set(places.filter(kind=PlaceKind.OFFICE_BUILDING).values_list("grid__code", flat=True)) == {
        "410105002003007"
    }
    assert places.filter(lng__isnull=True).count() == 0

    client.force_login(admin)
    page = client.get(f"/territory/{community.public_id}/").content.decode()
    assert _stat(page, "stat-compounds") == 20
    assert _stat(page, "stat-place-co_building_unit") == 7
    assert _stat(page, "stat-place-office_building") == 3
    assert _stat(page, "stat-place-street_shop") == 160
    assert _stat(page, "stat-small-shops") == 104
