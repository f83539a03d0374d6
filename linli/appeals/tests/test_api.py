"""The API: the same loop over JSON; 409 for out of order, 403 not yours, 404 not in your
area; hotline intake idempotent on the ticket number."""

import datetime
import json

import pytest
from django.utils import timezone

from linli.accounts.services import token_issue
from linli.appeals.choices import Status
from linli.appeals.models import Appeal
from linli.appeals.tests.helpers import assigned, register

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client):
    def call(user, method, url, body=None):
        raw, _ = token_issue(user=user)
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if method == "get":
            return client.get(url, **kwargs)
        return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **kwargs)

    return call


def test_register_and_walk_the_loop(world, api):
    response = api(
        world.grid_worker_a,
        "post",
        "/api/v1/appeals/",
        {
            "title": "路灯不亮",
            "category": "stair_lights",
            "place_id": str(world.dwelling_a.public_id),
            "reporter_phone": "13800000009",
            "source": "visit",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "registered" and body["reporter_phone"] == "138****0009"
    assert body["allowed_actions"] == ["study", "cancel"]
    appeal_id = body["id"]
    handlers = api(world.grid_worker_a, "get", f"/api/v1/appeals/{appeal_id}/handlers").json()
    key = next(h["key"] for h in handlers if h["kind"] == "grid")
    body = api(
        world.grid_worker_a, "post", f"/api/v1/appeals/{appeal_id}/study", {"handler": key, "assign": True}
    ).json()
    assert body["status"] == "assigned" and body["handler"]["kind"] == "grid"
    response = api(world.grid_worker_a, "post", f"/api/v1/appeals/{appeal_id}/close", {"result": "x"})
    assert response.status_code == 409 and response.json()["code"] == "transition_not_allowed"
    assert (
        api(world.grid_worker_a, "post", f"/api/v1/appeals/{appeal_id}/accept").json()["status"] == "handling"
    )
    body = api(world.grid_worker_a, "post", f"/api/v1/appeals/{appeal_id}/close", {"result": "已修好"}).json()
    assert body["status"] == "closed" and body["clock"]["state"] == "done"
    body = api(
        world.secretary, "post", f"/api/v1/appeals/{appeal_id}/rate", {"rating": "dissatisfied"}
    ).json()
    assert body["status"] == "handling" and body["rework_count"] == 1
    assert [t["action"] for t in body["transitions"]] == [
        "register",
        "study",
        "assign",
        "accept",
        "close",
        "rate",
    ]


def test_same_reference_twice_is_200_with_the_same_appeal(world, api):
    payload = {
        "title": "重复",
        "place_id": str(world.dwelling_a.public_id),
        "source": "wechat",
        "source_ref": "wx-88",
    }
    first = api(world.grid_worker_a, "post", "/api/v1/appeals/", payload)
    second = api(world.grid_worker_a, "post", "/api/v1/appeals/", payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and Appeal.objects.count() == 1


def jinxingyuan(world):
    """金星苑 2号楼 4单元 401室 in grid A (a compound name that is unique in the world)."""
    from linli.territory.choices import NodeKind
    from linli.territory.services import node_create

    compound = node_create(
        actor=world.root, kind="compound", code=f"{world.grid_a.code}05", name="金星苑", parent=world.grid_a
    )
    building = node_create(
        actor=world.root, kind=NodeKind.BUILDING, code=f"{compound.code}002", name="2号楼", parent=compound
    )
    node_create(
        actor=world.root, kind=NodeKind.BUILDING, code=f"{compound.code}012", name="12号楼", parent=compound
    )
    unit = node_create(
        actor=world.root, kind=NodeKind.UNIT, code=f"{building.code}04", name="4单元", parent=building
    )
    return node_create(
        actor=world.root, kind=NodeKind.DWELLING, code=f"{unit.code}0401", name="401室", parent=unit
    )


def test_hotline_webhook_is_idempotent_and_places_by_address(world, api):
    dwelling = jinxingyuan(world)
    received = (timezone.now() - datetime.timedelta(days=3)).replace(microsecond=0)
    payload = {
        "ticket": "SD12345-20260312-0007",
        "title": "1号楼101漏水",
        "description": "楼上漏水到101",
        "category": "漏水渗水",
        "urgency": "紧急",
        "address": "双山街道金星苑小区2号楼4单元401",
        "reporter_phone": "13800000010",
        "received_at": received.isoformat(),
    }
    first = api(world.secretary, "post", "/api/v1/appeals/hotline", payload)
    assert first.status_code == 201, first.content
    body = first.json()
    assert body["source"] == "hotline" and body["source_ref"] == payload["ticket"]
    assert body["place"]["code"] == dwelling.code
    assert body["urgency"] == "urgent" and body["category"] == "leak"
    assert datetime.datetime.fromisoformat(body["registered_at"]) == received  # the hotline's clock
    again = api(world.secretary, "post", "/api/v1/appeals/hotline", payload)
    assert again.status_code == 200 and again.json()["id"] == body["id"]


def test_not_yours_is_403_not_in_your_area_is_404(world, api):
    appeal = assigned(world)
    response = api(world.grid_worker_a, "post", f"/api/v1/appeals/{appeal.public_id}/urge", {"note": "快"})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = api(world.grid_worker_b, "post", f"/api/v1/appeals/{appeal.public_id}/accept")
    assert response.status_code == 404
    assert api(world.grid_worker_b, "get", f"/api/v1/appeals/{appeal.public_id}").status_code == 404


def test_list_is_scoped(world, api):
    register(world, title="甲的诉求")
    register(world, title="乙的诉求", actor=world.grid_worker_b, node=world.dwelling_b)
    titles = [
        a["title"] for a in api(world.grid_worker_a, "get", "/api/v1/appeals/?status=open").json()["items"]
    ]
    assert titles == ["甲的诉求"]
    titles = {a["title"] for a in api(world.secretary, "get", "/api/v1/appeals/").json()["items"]}
    assert titles == {"甲的诉求", "乙的诉求"}


def test_categories(world, api):
    codes = {c["code"] for c in api(world.outsider, "get", "/api/v1/appeals/categories").json()}
    assert {
        "sanitation",
        "property",
        "fire_lane",
        "stair_lights",
        "parking",
        "noise",
        "neighbour_dispute",
    } <= codes
    assert Status.CLOSED == "closed"


def test_hotline_time_from_long_ago_is_refused(world, api):
    payload = {
        "ticket": "T-OLD",
        "title": "旧工单",
        "place_code": world.dwelling_a.code,
        "received_at": "2001-01-01T00:00:00+08:00",
    }
    response = api(world.secretary, "post", "/api/v1/appeals/hotline", payload)
    assert response.status_code == 422 and response.json()["field"] == "received_at"


def test_measures_period_out_of_range_is_422(world, api):
    url = f"/api/v1/appeals/measures?place_id={world.community.public_id}&start=0001-01-01&end=9999-12-31"
    assert api(world.secretary, "get", url).status_code == 422


@pytest.mark.parametrize("url", ["/api/v1/appeals/", "/api/v1/appeals/supervision"])
def test_a_huge_offset_is_422_not_500(world, api, url):
    assert api(world.street_officer, "get", f"{url}?offset=99999999999999999999").status_code == 422
