"""Grid A's worker sees nothing of grid B: lists, search, pages and API; a grid-B record
fetched by its id is a 404 and leaves a scope.denied row. Building heads see their building
without tags."""

import json

import pytest

from linli.core.models import AuditEntry
from linli.registry import services
from linli.registry.choices import TagKind
from linli.registry.tests.helpers import household, new_citizen_id, resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_grids(world):
    a = resident(world, name="甲网格人", phone="13811112222")
    b = resident(world, household_=household(world, world.dwelling_b), name="乙网格人", phone="13933334444")
    services.tag_set(actor=world.root, resident=b, kind=TagKind.SUBSISTENCE, evidence="低保证")
    services.tag_set(actor=world.root, resident=a, kind=TagKind.DISABLED, evidence="残疾证")
    return a, b


def test_lists_and_search_of_grid_a_hold_nothing_of_grid_b(world, two_grids, login):
    a, b = two_grids
    client = login(world.grid_worker_a)
    pages = [
        client.get("/registry/"),
        client.get("/registry/", {"status": "all"}),
        client.post("/registry/search/", {"q": "网格人"}),
        client.post("/registry/search/", {"q": b.citizen_id}),
        client.post("/registry/search/", {"q": "13933334444"}),
        client.get(f"/registry/stats/{world.grid_a.public_id}/"),
    ]
    for response in pages:
        assert response.status_code == 200
        html = response.content.decode()
        assert "乙网格人" not in html and str(b.public_id) not in html
    assert "甲网格人" in pages[0].content.decode()
    api = [
        client.get("/api/v1/registry/residents?limit=500"),
        client.get("/api/v1/registry/households?limit=500"),
        client.post(
            "/api/v1/registry/residents/search",
            json.dumps({"q": b.citizen_id}),
            content_type="application/json",
        ),
        client.post(
            "/api/v1/registry/residents/search",
            json.dumps({"q": "乙网格人"}),
            content_type="application/json",
        ),
        client.get("/api/v1/registry/stats"),
    ]
    for response in api:
        assert response.status_code == 200
        body = response.content.decode()
        assert str(b.public_id) not in body and str(b.household.public_id) not in body
        assert world.dwelling_b.code not in body
    assert str(a.public_id) in api[0].content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/registry/residents/{b}/",
        "/registry/residents/{b}/edit/",
        "/registry/residents/{b}/move/",
        "/registry/residents/{b}/archive/",
        "/registry/households/{h}/",
        "/registry/households/{h}/add/",
        "/api/v1/registry/residents/{b}",
        "/api/v1/registry/residents/{b}/timeline",
        "/api/v1/registry/residents/{b}/tags",
        "/api/v1/registry/households/{h}",
    ],
)
def test_grid_b_record_by_url_is_404_and_audited(world, two_grids, login, path):
    _, b = two_grids
    client = login(world.grid_worker_a)
    before = AuditEntry.objects.filter(action="scope.denied").count()
    response = client.get(path.format(b=b.public_id, h=b.household.public_id))
    assert response.status_code == 404
    denied = AuditEntry.objects.filter(action="scope.denied").order_by("-pk")
    assert denied.count() == before + 1
    assert denied[0].actor == world.grid_worker_a


def test_writes_to_grid_b_are_404_and_change_nothing(world, two_grids, login):
    _, b = two_grids
    client = login(world.grid_worker_a)
    responses = [
        client.post(f"/registry/residents/{b.public_id}/edit/", {"name": "改了"}),
        client.post(f"/registry/residents/{b.public_id}/archive/", {"reason": "deceased"}),
        client.post(f"/registry/residents/{b.public_id}/tags/", {"kind": "veteran"}),
        client.post(f"/registry/households/{b.household.public_id}/add/", {"name": "x", "relation": "10"}),
        client.post("/registry/households/new/", {"dwelling": str(world.dwelling_b.public_id)}),
        client.patch(
            f"/api/v1/registry/residents/{b.public_id}",
            json.dumps({"name": "改了"}),
            content_type="application/json",
        ),
        client.post(
            "/api/v1/registry/residents",
            json.dumps(
                {
                    "household_id": str(b.household.public_id),
                    "name": "x",
                    "relation": "10",
                    "citizen_id": new_citizen_id(),
                }
            ),
            content_type="application/json",
        ),
        client.post(
            "/api/v1/registry/households",
            json.dumps({"dwelling_id": str(world.dwelling_b.public_id)}),
            content_type="application/json",
        ),
    ]
    assert [r.status_code for r in responses] == [404] * len(responses)
    b.refresh_from_db()
    assert b.name == "乙网格人" and b.is_active
    assert b.household.members.count() == 1
    assert world.dwelling_b.households.count() == 1


def test_building_head_sees_their_building_masked_and_without_tags(world, two_grids, login):
    a, b = two_grids
    client = login(world.building_head)
    page = client.get(f"/registry/residents/{a.public_id}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "甲网格人" in html
    assert 'data-testid="tags"' not in html and "残疾" not in html and "disability" not in html
    assert "Tag set" not in html  # tag events are left out of the timeline too
    assert a.citizen_id not in html and "13811112222" not in html
    assert 'data-testid="reveal-citizen_id"' not in html
    assert client.get(f"/registry/residents/{b.public_id}/").status_code == 404
    assert client.get(f"/api/v1/registry/residents/{a.public_id}/tags").status_code == 403
    timeline = client.get(f"/api/v1/registry/residents/{a.public_id}/timeline").json()
    assert [e["kind"] for e in timeline] == ["created"]
    listing = client.get("/registry/").content.decode()
    assert 'name="tag"' not in listing  # no tag filter offered
    assert client.get(f"/registry/residents/{a.public_id}/edit/").status_code == 403
    assert client.post(f"/registry/residents/{a.public_id}/tags/", {"kind": "veteran"}).status_code == 404
    stats = client.get(f"/api/v1/registry/stats?node_id={world.building_a.public_id}").json()[0]
    assert stats["tags"] is None and stats["party_members"] is None
    assert stats["residents"] == 1


def test_grid_worker_sees_tags_in_their_grid(world, two_grids, login):
    a, _ = two_grids
    client = login(world.grid_worker_a)
    html = client.get(f"/registry/residents/{a.public_id}/").content.decode()
    assert 'data-testid="tags"' in html and "Person with a disability" in html and "残疾证" in html
    tags = client.get(f"/api/v1/registry/residents/{a.public_id}/tags").json()
    assert [t["kind"] for t in tags] == ["disabled"]
