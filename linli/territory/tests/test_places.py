"""Places that are not homes: licence numbers, grids from locations, scope, contacts,
pages, API and map markers."""

import json

import pytest
from django.db import connection

from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.models import AuditEntry
from linli.territory import coords, selectors
from linli.territory.models import Place, PlaceContact, PlaceKind, SmallShopKind
from linli.territory.places_services import (
    ContactData,
    credit_code_check_character,
    normalise_credit_code,
    place_contact_add,
    place_contact_remove,
    place_create,
    place_retire,
    place_update,
)
from linli.territory.tests.geo_fixtures import IN_GRID_A, IN_GRID_B, IN_OTHER_GRID, OUTSIDE, world_boundaries
from linli.territory.tests.places_fixtures import PLACE_A_NAME, PLACE_A_PHONE, VALID_CREDIT_CODE, place_a

# --- the unified social credit code (GB 32100-2015) --------------------------------------

# Published codes of well-known companies: their check characters must come out right.
KNOWN_CODES = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T", "9111000071093123XX"]


@pytest.mark.parametrize("code", KNOWN_CODES)
def test_known_credit_codes_pass(code):
    assert credit_code_check_character(code[:17]) == code[17]
    assert normalise_credit_code(code) == code


def test_credit_code_is_normalised():
    assert normalise_credit_code(" 9135 0100-m000100y43 ") == "91350100M000100Y43"
    assert normalise_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert normalise_credit_code("") == ""


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("91350100M000100Y44", "credit_code_check"),  # one character off
        ("91350100M000100Y4", "credit_code_length"),
        ("410105600123456", "credit_code_length"),  # an old 15-digit registration number
        ("91350100M00010OY43", "credit_code_characters"),  # the letter O is never used
        ("913501I0M000100Y43", "credit_code_characters"),
        ("91A50100M000100Y43", "credit_code_division"),
    ],
)
def test_bad_credit_codes_are_refused(value, code):
    with pytest.raises(ValidationFailed) as raised:
        normalise_credit_code(value)
    assert raised.value.code == code and raised.value.field == "credit_code"


def test_a_wrong_check_character_is_not_revealed():
    with pytest.raises(ValidationFailed) as raised:
        normalise_credit_code("91350100M000100Y44")
    assert "3" not in str(raised.value.message)


# --- grid from the location ---------------------------------------------------------------


@pytest.mark.django_db
def test_place_gets_its_grid_from_its_location(world):
    world_boundaries(world)
    # The location wins over the grid chosen in the form.
    place = place_create(
        actor=world.secretary,
        kind=PlaceKind.BANK,
        name="建设银行",
        grid=world.grid_a,
        lng=IN_GRID_B[0],
        lat=IN_GRID_B[1],
    )
    assert place.grid == world.grid_b
    assert (place.lng, place.lat, place.location_crs) == (IN_GRID_B[0], IN_GRID_B[1], "wgs84")


@pytest.mark.django_db
def test_location_in_gcj02_is_converted_and_located(world):
    world_boundaries(world)
    gcj_lng, gcj_lat = coords.from_wgs84(IN_GRID_A[0], IN_GRID_A[1], coords.GCJ02)
    place = place_create(
        actor=world.secretary,
        kind=PlaceKind.SCHOOL,
        name="实验小学",
        lng=float(gcj_lng),
        lat=float(gcj_lat),
        crs="GCJ-02",
    )
    assert place.grid == world.grid_a and place.location_crs == "gcj02"
    assert coords.haversine_m(place.lng, place.lat, *IN_GRID_A) < 1


@pytest.mark.django_db
def test_location_outside_every_grid_needs_a_chosen_grid(world):
    world_boundaries(world)
    with pytest.raises(ValidationFailed) as raised:
        place_create(
            actor=world.secretary, kind=PlaceKind.MARKET, name="市场", lng=OUTSIDE[0], lat=OUTSIDE[1]
        )
    assert raised.value.field == "grid"
    place = place_create(
        actor=world.secretary,
        kind=PlaceKind.MARKET,
        name="市场",
        grid=world.grid_b,
        lng=OUTSIDE[0],
        lat=OUTSIDE[1],
    )
    assert place.grid == world.grid_b


@pytest.mark.django_db
def test_location_in_someone_elses_area_is_refused(world):
    world_boundaries(world)
    with pytest.raises(ValidationFailed) as raised:
        place_create(
            actor=world.secretary,
            kind=PlaceKind.BANK,
            name="别处",
            lng=IN_OTHER_GRID[0],
            lat=IN_OTHER_GRID[1],
        )
    assert raised.value.code == "outside_area"
    assert not Place.objects.exists()


@pytest.mark.django_db
def test_swapped_coordinates_are_named(world):
    with pytest.raises(ValidationFailed) as raised:
        place_create(
            actor=world.secretary, kind=PlaceKind.BANK, name="反了", grid=world.grid_a, lng=36.71, lat=117.505
        )
    assert "swapped" in str(raised.value.message)


@pytest.mark.django_db
def test_kind_rules(world):
    with pytest.raises(ValidationFailed) as raised:
        place_create(
            actor=world.secretary,
            kind=PlaceKind.BANK,
            name="五小银行",
            grid=world.grid_a,
            small_shop_kind=SmallShopKind.SHOP,
        )
    assert raised.value.field == "small_shop_kind"
    with pytest.raises(ValidationFailed):
        place_create(actor=world.secretary, kind="castle", name="城堡", grid=world.grid_a)
    with pytest.raises(ValidationFailed):
        place_create(actor=world.secretary, kind=PlaceKind.BANK, name="楼里", grid=world.building_a)
    # An old registration number is kept as written.
    old = place_create(
        actor=world.secretary,
        kind=PlaceKind.STREET_SHOP,
        name="老店",
        grid=world.grid_a,
        old_registration_number=" 410105600123456 ",
    )
    assert old.old_registration_number == "410105600123456" and old.credit_code == ""


# --- scope, permissions, history --------------------------------------------------------


@pytest.mark.django_db
def test_who_may_record_and_see_places(world):
    with pytest.raises(PermissionDenied):
        place_create(actor=world.grid_worker_a, kind=PlaceKind.BANK, name="网格员记的", grid=world.grid_a)
    place = place_a(world)
    assert place in selectors.places_visible(user=world.grid_worker_a)
    assert place in selectors.places_visible(user=world.street_officer)
    assert place not in selectors.places_visible(user=world.grid_worker_b)
    assert not selectors.places_visible(user=world.outsider).exists()
    assert place in selectors.places_visible(
        user=world.secretary, node=world.community, kind=PlaceKind.STREET_SHOP
    )
    assert place not in selectors.places_visible(user=world.secretary, node=world.grid_b)
    assert place in selectors.places_visible(user=world.secretary, small_shop=True)
    assert place not in selectors.places_visible(user=world.secretary, small_shop=False)
    assert place in selectors.places_visible(user=world.secretary, q="烩面")
    assert place in selectors.places_visible(user=world.secretary, q=VALID_CREDIT_CODE.lower())


@pytest.mark.django_db
def test_update_moves_with_the_location_and_retire_keeps_it(world):
    world_boundaries(world)
    place = place_a(world)
    assert place.grid == world.grid_a
    moved = place_update(
        actor=world.secretary,
        place=place,
        kind=PlaceKind.STREET_SHOP,
        name=PLACE_A_NAME,
        grid=world.grid_a,
        lng=IN_GRID_B[0],
        lat=IN_GRID_B[1],
    )
    assert moved.grid == world.grid_b
    entry = AuditEntry.objects.filter(action="territory.place.update").get()
    assert entry.changes["after"]["grid"] == world.grid_b.code
    with pytest.raises(PermissionDenied):
        place_update(actor=world.grid_worker_b, place=moved, kind=PlaceKind.BANK, name="x", grid=None)
    place_retire(actor=world.secretary, place=moved, reason="关门")
    assert Place.objects.get(pk=place.pk).retired_at is not None
    assert not selectors.places_visible(user=world.secretary).exists()
    assert selectors.place_counts(node=world.community)["total"] == 0


@pytest.mark.django_db
def test_contacts_encrypted_at_rest_and_audited_without_phone(world):
    place = place_a(world)
    contact = place.contacts.get()
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM territory_placecontact WHERE id = %s", [contact.pk])
        assert PLACE_A_PHONE not in cursor.fetchone()[0]
    extra = place_contact_add(
        actor=world.secretary, place=place, contact=ContactData("李会计", "会计", "0531-88886666")
    )
    assert extra.phone == "0531-88886666"
    with pytest.raises(ValidationFailed):
        place_contact_add(actor=world.secretary, place=place, contact=ContactData("错号", "", "123"))
    place_contact_remove(actor=world.secretary, contact=extra)
    assert list(PlaceContact.objects.filter(place=place)) == [contact]
    for entry in AuditEntry.objects.filter(action__startswith="territory.place"):
        assert PLACE_A_PHONE not in json.dumps(entry.changes, ensure_ascii=False)


@pytest.mark.django_db
def test_counts_by_kind(world):
    place_a(world)
    place_create(actor=world.secretary, kind=PlaceKind.OFFICE_BUILDING, name="大厦", grid=world.grid_b)
    counts = selectors.place_counts(node=world.community)
    assert counts[PlaceKind.STREET_SHOP] == 1 and counts[PlaceKind.OFFICE_BUILDING] == 1
    assert counts["small_shops"] == 1 and counts["total"] == 2
    assert selectors.place_counts(node=world.grid_b)["total"] == 1


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_filters_and_masks(world, client):
    place_a(world)
    place_create(actor=world.secretary, kind=PlaceKind.BANK, name="工商银行", grid=world.grid_b)
    client.force_login(world.secretary)
    page = client.get("/territory/places/").content.decode()
    assert PLACE_A_NAME in page and "工商银行" in page
    page = client.get("/territory/places/?kind=bank").content.decode()
    assert PLACE_A_NAME not in page and "工商银行" in page
    page = client.get(
        f"/territory/places/?node={world.grid_a.public_id}", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert PLACE_A_NAME in page and "工商银行" not in page and "<html" not in page
    detail = client.get(f"/territory/places/{place_a(world).public_id}/").content.decode()
    assert "139****5678" in detail and PLACE_A_PHONE not in detail
    assert VALID_CREDIT_CODE in detail


@pytest.mark.django_db
def test_create_page_with_a_contact(world, client):
    world_boundaries(world)
    client.force_login(world.secretary)
    assert client.get(f"/territory/places/new/?grid={world.grid_a.public_id}").status_code == 200
    response = client.post(
        "/territory/places/new/",
        {
            "kind": "street_shop",
            "small_shop_kind": "hair_salon",
            "name": "时尚理发",
            "credit_code": "91350100M000100Y44",
            "lng": str(IN_GRID_B[0]),
            "lat": str(IN_GRID_B[1]),
            "crs": "wgs84",
            "contact_name": "刘师傅",
            "contact_phone": "13700001234",
        },
    )
    assert response.status_code == 422 and "typing mistake" in response.content.decode()
    response = client.post(
        "/territory/places/new/",
        {
            "kind": "street_shop",
            "small_shop_kind": "hair_salon",
            "name": "时尚理发",
            "credit_code": VALID_CREDIT_CODE,
            "lng": str(IN_GRID_B[0]),
            "lat": str(IN_GRID_B[1]),
            "crs": "wgs84",
            "contact_name": "刘师傅",
            "contact_phone": "13700001234",
        },
    )
    assert response.status_code == 302
    place = Place.objects.get(name="时尚理发")
    assert place.grid == world.grid_b and place.contacts.get().name == "刘师傅"
    # The edit form shows the location back as it was entered.
    page = client.get(f"/territory/places/{place.public_id}/edit/").content.decode()
    assert str(IN_GRID_B[0]) in page


@pytest.mark.django_db
def test_node_page_shows_place_stats(world, client):
    place_a(world)
    client.force_login(world.secretary)
    page = client.get(f"/territory/{world.community.public_id}/").content.decode()
    assert 'data-testid="stat-place-street_shop"' in page and 'data-testid="stat-small-shops"' in page
    page = client.get(f"/territory/{world.grid_a.public_id}/").content.decode()
    assert 'data-testid="add-place"' in page
    client.force_login(world.grid_worker_a)
    page = client.get(f"/territory/{world.grid_a.public_id}/").content.decode()
    assert 'data-testid="add-place"' not in page


# --- API and the map ------------------------------------------------------------------------


def _auth(user):
    from linli.accounts.services import token_issue

    raw, _ = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
def test_api_create_patch_and_contacts(world, client):
    world_boundaries(world)
    auth = _auth(world.secretary)
    body = {
        "kind": "street_shop",
        "small_shop_kind": "restaurant",
        "name": "API饺子馆",
        "lng": IN_GRID_A[0],
        "lat": IN_GRID_A[1],
        "contacts": [{"name": "马店主", "phone": "13600001234"}],
    }
    response = client.post("/api/v1/places", json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["grid"]["code"] == world.grid_a.code and data["contacts"][0]["phone"] == "136****1234"
    bad = client.post(
        "/api/v1/places",
        json.dumps({**body, "credit_code": "91350100M000100Y44"}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422 and bad.json()["field"] == "credit_code"
    patched = client.patch(
        f"/api/v1/places/{data['id']}",
        json.dumps({"lng": IN_GRID_B[0], "lat": IN_GRID_B[1], "address": "俭学街9号"}),
        content_type="application/json",
        **auth,
    )
    assert patched.status_code == 200 and patched.json()["grid"]["code"] == world.grid_b.code
    assert patched.json()["name"] == "API饺子馆" and patched.json()["address"] == "俭学街9号"
    contact = data["contacts"][0]["id"]
    removed = client.delete(f"/api/v1/places/{data['id']}/contacts/{contact}", **auth)
    assert removed.status_code == 204
    # Seen by grid B's worker now, not by grid A's.
    assert client.get(f"/api/v1/places/{data['id']}", **_auth(world.grid_worker_b)).status_code == 200
    assert client.get(f"/api/v1/places/{data['id']}", **_auth(world.grid_worker_a)).status_code == 404


@pytest.mark.django_db
def test_markers_are_scoped_and_in_the_requested_crs(world, client):
    world_boundaries(world)
    place = place_a(world)
    hidden = place_create(
        actor=world.street_officer,
        kind=PlaceKind.BANK,
        name="东山银行",
        lng=IN_OTHER_GRID[0],
        lat=IN_OTHER_GRID[1],
    )
    data = client.get("/api/v1/places/geojson?crs=gcj02", **_auth(world.secretary)).json()
    assert [f["id"] for f in data["features"]] == [str(place.public_id)]
    lng, lat = data["features"][0]["geometry"]["coordinates"]
    assert coords.haversine_m(lng, lat, *coords.from_wgs84(place.lng, place.lat, "gcj02")) < 0.1
    ids = {
        f["id"]
        for f in client.get("/api/v1/places/geojson", **_auth(world.street_officer)).json()["features"]
    }
    assert ids == {str(place.public_id), str(hidden.public_id)}


@pytest.mark.django_db
def test_map_page_links_the_markers(world, client):
    world_boundaries(world)
    client.force_login(world.secretary)
    page = client.get("/territory/map/").content.decode()
    assert 'data-places-url="/api/v1/places/geojson?crs=wgs84"' in page
    assert "data-place-url=" in page


@pytest.mark.django_db
def test_nul_characters_in_a_json_body_are_dropped(world, client):
    # PostgreSQL cannot store NUL; the JSON body passes the middleware that refuses it in
    # forms and query strings.
    body = {"kind": "bank", "name": "银\u0000行", "grid_id": str(world.grid_a.public_id), "note": "a\u0000b"}
    response = client.post(
        "/api/v1/places", json.dumps(body), content_type="application/json", **_auth(world.secretary)
    )
    assert response.status_code == 201, response.content
    place = Place.objects.get(public_id=response.json()["id"])
    assert (place.name, place.note) == ("银行", "ab")
