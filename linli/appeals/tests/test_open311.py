"""Open311 GeoReport v2: services from the categories, requests filed with an api_key and
placed by locate, idempotent, followed through the loop with Linli's status in status_notes,
anonymised in the public list."""

import json

import pytest

from linli.accounts.services import token_issue
from linli.appeals import services
from linli.appeals.choices import Rating, Source, Status
from linli.appeals.models import Appeal
from linli.appeals.tests.helpers import option
from linli.territory.tests.geo_fixtures import IN_GRID_A, IN_GRID_B, world_boundaries

pytestmark = pytest.mark.django_db


@pytest.fixture
def key(world):
    raw, _ = token_issue(user=world.secretary)
    return raw


def post(client, data, **headers):
    return client.post("/open311/v2/requests.json", data, **headers)


def test_services(client):
    services_ = client.get("/open311/v2/services.json").json()
    lights = next(s for s in services_ if s["service_code"] == "stair_lights")
    assert (
        lights["service_name"] == "楼道照明" and lights["type"] == "realtime" and lights["metadata"] is False
    )
    assert next(s for s in services_ if s["service_code"] == "elevator")["group"] == "物业管理"
    assert client.get("/open311/v2/services/stair_lights.json").json() == {
        "service_code": "stair_lights",
        "attributes": [],
    }
    response = client.get("/open311/v2/services/nothing.json")
    assert response.status_code == 404 and response.json()[0]["code"] == 404


def test_post_needs_a_key_and_a_known_service(world, client, key):
    world_boundaries(world)
    point = {"lat": IN_GRID_A[1], "long": IN_GRID_A[0]}
    response = post(client, {"service_code": "stair_lights", **point})
    assert response.status_code == 403 and response.json()[0]["code"] == 403
    response = post(client, {"api_key": key, "service_code": "nope", **point})
    assert response.status_code == 400
    response = post(client, {"api_key": key, "service_code": "stair_lights", "lat": 1, "long": 1})
    assert response.status_code == 400  # outside every grid
    assert Appeal.objects.count() == 0


def test_file_follow_and_close(world, client, key):
    world_boundaries(world)
    data = {
        "api_key": key,
        "service_code": "stair_lights",
        "lat": IN_GRID_A[1],
        "long": IN_GRID_A[0],
        "description": "2号楼楼道灯坏了",
        "first_name": "大爷",
        "last_name": "翟",
        "phone": "13800000031",
        "attribute[client_request_id]": "app-0001",
    }
    response = post(client, data)
    assert response.status_code == 201
    (created,) = response.json()
    request_id = created["service_request_id"]
    assert "service_notice" in created
    appeal = Appeal.objects.get(public_id=request_id)
    assert (
        appeal.source == Source.OPEN311 and appeal.grid == world.grid_a and appeal.reporter_name == "翟 大爷"
    )
    # The same client request again: the same appeal.
    again = post(client, data)
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == request_id
    assert Appeal.objects.count() == 1

    (shown,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert shown["status"] == "open" and "registered" in shown["status_notes"]
    assert "翟" not in json.dumps(shown, ensure_ascii=False) and "13800000031" not in json.dumps(shown)
    assert shown["lat"] == round(IN_GRID_A[1], 3)

    appeal = services.appeal_study(
        actor=world.secretary,
        appeal=appeal,
        category=appeal.category,
        urgency="normal",
        handler=option(world.secretary, appeal, "grid"),
        assign=True,
    )
    (shown,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert (
        shown["status"] == "open"
        and "assigned" in shown["status_notes"]
        and "第一网格" in shown["status_notes"]
    )
    appeal = services.appeal_accept(actor=world.grid_worker_a, appeal=appeal)
    appeal = services.appeal_close(actor=world.grid_worker_a, appeal=appeal, result="已修")
    (shown,) = client.get(f"/open311/v2/requests/{request_id}.json").json()
    assert shown["status"] == "closed" and "closed" in shown["status_notes"]
    services.appeal_rate(appeal=appeal, rating=Rating.SATISFIED, close_count=1)
    listed = client.get("/open311/v2/requests.json", {"status": "closed"}).json()
    assert [r["service_request_id"] for r in listed] == [request_id]
    assert client.get("/open311/v2/requests.json", {"status": "open"}).json() == []


def test_json_body_and_idempotency_header(world, client, key):
    world_boundaries(world)
    body = {"api_key": key, "service_code": "parking", "lat": IN_GRID_B[1], "long": IN_GRID_B[0]}
    first = client.post(
        "/open311/v2/requests.json",
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    second = client.post(
        "/open311/v2/requests.json",
        json.dumps(body),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert (first.status_code, second.status_code) == (201, 200)
    assert Appeal.objects.get().grid == world.grid_b


def test_the_key_holders_area_limits_where_it_may_file(world, client):
    world_boundaries(world)
    raw, _ = token_issue(user=world.grid_worker_b)
    response = post(
        client, {"api_key": raw, "service_code": "parking", "lat": IN_GRID_A[1], "long": IN_GRID_A[0]}
    )
    assert response.status_code == 400 and Appeal.objects.count() == 0


def test_public_list_leaves_out_private_categories(world, client, key):
    world_boundaries(world)
    post(client, {"api_key": key, "service_code": "assistance", "lat": IN_GRID_A[1], "long": IN_GRID_A[0]})
    post(client, {"api_key": key, "service_code": "noise", "lat": IN_GRID_A[1], "long": IN_GRID_A[0]})
    listed = client.get("/open311/v2/requests.json").json()
    assert [r["service_code"] for r in listed] == ["noise"]
    private = Appeal.objects.get(category__code="assistance")
    assert client.get(f"/open311/v2/requests/{private.public_id}.json").status_code == 404
    assert client.get("/open311/v2/requests/not-a-uuid.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert Status.MERGED not in [r["status"] for r in listed]
