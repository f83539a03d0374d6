"""Masked in every output: pages, fragments, API; the full values only from the reveal."""

import json

import pytest

from linli.core.masking import mask_citizen_id, mask_phone
from linli.registry import services
from linli.registry.tests.helpers import resident

pytestmark = pytest.mark.django_db

PHONE = "13890476521"


@pytest.fixture
def person(world):
    p = resident(world, name="赵秀兰", phone=PHONE)
    services.resident_update(actor=world.root, resident=p, phone="13890476522")
    services.resident_update(actor=world.root, resident=p, phone=PHONE)
    return p


def _assert_masked(body: str, person):
    assert person.citizen_id not in body
    assert person.citizen_id[3:14] not in body  # the hidden middle
    assert PHONE not in body and "13890476522" not in body
    assert PHONE[:7] not in body  # prefix and hidden digits together


def test_pages_show_masked_values_only(world, person, login):
    client = login(world.secretary)  # a role that may reveal still sees masks by default
    urls = [
        "/registry/",
        f"/registry/residents/{person.public_id}/",
        f"/registry/residents/{person.public_id}/edit/",
        f"/registry/residents/{person.public_id}/move/",
        f"/registry/residents/{person.public_id}/archive/",
        f"/registry/households/{person.household.public_id}/",
        f"/registry/dwellings/{world.dwelling_a.public_id}/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_masked(response.content.decode(), person)
    detail = client.get(urls[1]).content.decode()
    assert mask_citizen_id(person.citizen_id) in detail and mask_phone(PHONE) in detail
    # The timeline shows the phone changes masked.
    assert "138****6522" in detail
    search = client.post("/registry/search/", {"q": person.citizen_id})
    _assert_masked(search.content.decode(), person)
    assert "赵秀兰" in search.content.decode()


def test_api_shows_masked_values_only(world, person, login):
    client = login(world.secretary)
    responses = [
        client.get("/api/v1/registry/residents?limit=500"),
        client.get(f"/api/v1/registry/residents/{person.public_id}"),
        client.get(f"/api/v1/registry/residents/{person.public_id}/timeline"),
        client.get(f"/api/v1/registry/households/{person.household.public_id}"),
        client.post(
            "/api/v1/registry/residents/search", json.dumps({"q": PHONE}), content_type="application/json"
        ),
        client.patch(
            f"/api/v1/registry/residents/{person.public_id}",
            json.dumps({"workplace": "学校"}),
            content_type="application/json",
        ),
    ]
    for response in responses:
        assert response.status_code == 200
        _assert_masked(response.content.decode(), person)
    one = responses[1].json()
    assert one["citizen_id_masked"] == mask_citizen_id(person.citizen_id)
    assert one["phone_masked"] == "138****6521"
    assert "citizen_id" not in one and "phone" not in one
    assert responses[4].json()["count"] == 1


def test_api_create_answers_masked(world, login):
    from linli.registry.tests.helpers import household, new_citizen_id

    client = login(world.grid_worker_a)
    number = new_citizen_id()
    hh = household(world)
    response = client.post(
        "/api/v1/registry/residents",
        json.dumps(
            {
                "household_id": str(hh.public_id),
                "name": "钱多多",
                "relation": "02",
                "citizen_id": number,
                "phone": PHONE,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 201
    assert number not in response.content.decode() and PHONE not in response.content.decode()
    bad = client.post(
        "/api/v1/registry/residents",
        json.dumps(
            {
                "household_id": str(hh.public_id),
                "name": "",
                "relation": "10",
                "citizen_id": "123",
                "phone": "1",
            }
        ),
        content_type="application/json",
    )
    assert bad.status_code == 422
    body = bad.json()
    assert (body["code"], body["field"]) == ("name_required", "name")
    assert {e["loc"][0] for e in body["errors"]} == {"name", "citizen_id", "phone"}
