"""Scoping cases of the places and responsibilities routes, merged into
linli/core/tests/scoping_cases.py (the generic test explains the fields).

The place and the grid chief live in grid A (places_fixtures.py). Writes need the
territory grant one level up for responsibilities (the community for a grid) and on the
grid for places: the street officer and the secretary act, grid A's worker sees but is
refused (403), everyone else does not find the record (404)."""

from linli.territory.tests.places_fixtures import CHIEF_A_NAME, PLACE_A_NAME, chief_a, place_a

WRITERS = ["street_officer", "secretary"]


def places_cases(Case):  # noqa: N803 - the Case class of scoping_cases.py
    def contact(w):
        return place_a(w).contacts.first()

    pages = {
        "territory:places": Case(
            url=lambda w: place_a(w) and "/territory/places/", marker=lambda w: PLACE_A_NAME
        ),
        # Recording a place needs the add grant somewhere: the others are refused the form.
        "territory:place_create": Case(
            url=lambda w: "/territory/places/new/",
            method="post",
            data=lambda w: {
                "kind": "street_shop",
                "name": "新开的店",
                "grid": str(w.grid_a.public_id),
                "crs": "wgs84",
            },
            allowed=WRITERS,
            denied=[],
            forbidden=["grid_worker_a", "grid_worker_b", "outsider"],
            ok_status=302,
        ),
        "territory:place": Case(
            url=lambda w: f"/territory/places/{place_a(w).public_id}/", marker=lambda w: PLACE_A_NAME
        ),
        "territory:place_edit": Case(
            url=lambda w: f"/territory/places/{place_a(w).public_id}/edit/",
            method="post",
            data=lambda w: {
                "kind": "street_shop",
                "name": "王记烩面馆",
                "grid": str(w.grid_a.public_id),
                "crs": "wgs84",
            },
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=302,
        ),
        "territory:place_retire": Case(
            url=lambda w: f"/territory/places/{place_a(w).public_id}/retire/",
            method="post",
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=302,
        ),
        "territory:place_contact_add": Case(
            url=lambda w: f"/territory/places/{place_a(w).public_id}/contacts/",
            method="post",
            data=lambda w: {"contact_name": "张店长", "contact_phone": "13800002222"},
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=302,
        ),
        "territory:place_contact_remove": Case(
            url=lambda w: f"/territory/places/contacts/{contact(w).public_id}/remove/",
            method="post",
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=302,
        ),
        "territory:responsibility_history": Case(
            url=lambda w: f"/territory/{chief_a(w).node.public_id}/responsibilities/",
            marker=lambda w: CHIEF_A_NAME,
        ),
        "territory:responsibility_appoint": Case(
            url=lambda w: f"/territory/{w.grid_a.public_id}/responsibilities/appoint/",
            method="post",
            data=lambda w: {"duty": "grid_worker", "person_name": "钱兼职", "employment": "part_time"},
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=302,
        ),
        "territory:responsibility_end": Case(
            url=lambda w: f"/territory/responsibilities/{chief_a(w).public_id}/end/",
            method="post",
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=302,
        ),
        # 包片 is assigned on the community's page: grid workers do not see the community.
        "territory:area_lead_assign": Case(
            url=lambda w: f"/territory/{w.community.public_id}/area-leads/",
            method="post",
            data=lambda w: {"grids": [str(w.grid_a.public_id)], "person_name": "孙委员"},
            allowed=WRITERS,
            denied=["grid_worker_a", "grid_worker_b", "outsider"],
            ok_status=302,
        ),
    }
    api = {
        "api:list_places": Case(
            url=lambda w: place_a(w) and "/api/v1/places?limit=500",
            marker=lambda w: str(place_a(w).public_id),
        ),
        "api:create_place": Case(
            url=lambda w: "/api/v1/places",
            method="post",
            data=lambda w: {"kind": "bank", "name": "API银行", "grid_id": str(w.grid_a.public_id)},
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=201,
        ),
        "api:place_markers": Case(
            url=lambda w: place_a(w) and "/api/v1/places/geojson", marker=lambda w: str(place_a(w).public_id)
        ),
        "api:get_place": Case(
            url=lambda w: f"/api/v1/places/{place_a(w).public_id}", marker=lambda w: str(place_a(w).public_id)
        ),
        "api:update_place": Case(
            url=lambda w: f"/api/v1/places/{place_a(w).public_id}",
            method="patch",
            data=lambda w: {"address": "文化路3号"},
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
        ),
        "api:retire_place": Case(
            url=lambda w: f"/api/v1/places/{place_a(w).public_id}/retire",
            method="post",
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
        ),
        "api:add_place_contact": Case(
            url=lambda w: f"/api/v1/places/{place_a(w).public_id}/contacts",
            method="post",
            data=lambda w: {"name": "张店长", "phone": "13800002222"},
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=201,
        ),
        "api:remove_place_contact": Case(
            url=lambda w: f"/api/v1/places/{place_a(w).public_id}/contacts/{contact(w).public_id}",
            method="delete",
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=204,
        ),
        "api:list_responsibilities": Case(
            url=lambda w: chief_a(w) and "/api/v1/responsibilities?limit=500",
            marker=lambda w: str(chief_a(w).public_id),
        ),
        "api:responsible_on_day": Case(
            url=lambda w: f"/api/v1/responsibilities/on?node_id={chief_a(w).node.public_id}",
            marker=lambda w: str(chief_a(w).public_id),
        ),
        "api:appoint_responsibility": Case(
            url=lambda w: "/api/v1/responsibilities",
            method="post",
            data=lambda w: {
                "node_id": str(w.grid_a.public_id),
                "duty": "grid_worker",
                "person_name": "钱兼职",
                "employment": "part_time",
            },
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
            ok_status=201,
        ),
        "api:get_responsibility": Case(
            url=lambda w: f"/api/v1/responsibilities/{chief_a(w).public_id}",
            marker=lambda w: str(chief_a(w).public_id),
        ),
        "api:end_responsibility": Case(
            url=lambda w: f"/api/v1/responsibilities/{chief_a(w).public_id}/end",
            method="post",
            allowed=WRITERS,
            forbidden=["grid_worker_a"],
        ),
    }
    return pages, api
