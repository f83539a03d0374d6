"""What every URL and API operation must do for each persona (see test_scoping_routes.py).

Each route names an object placed in grid A, so that:
- personas whose area contains grid A see it (`marker` appears in the response),
- personas whose area does not contain it get a 404, or a list without the marker,
- anonymous visitors are sent to the login page (pages) or get 401 (API).

A new route without an entry here makes the test fail: add it when you add the route.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile

from linli.accounts.tests.scoping_fixtures import (
    ADMINS,
    NON_ADMINS,
    SCOPE_PASSWORD,
    extra_role,
    worker_disabled,
    worker_enabled,
)
from linli.registry.tests.helpers import (
    IMPORT_A_FILENAME,
    RESIDENT_A_ID,
    RESIDENT_A_MASKED_ID,
    RESIDENT_A_NAME,
    fresh_resident_a,
    fresh_tag_a,
    import_job_a,
    new_citizen_id,
    resident_a,
)
from linli.territory.tests.geo_fixtures import IN_GRID_A, world_boundaries
from linli.test import World

# Personas whose area contains grid A, and those whose area does not.
SEES_GRID_A = ["street_officer", "secretary", "grid_worker_a"]
BLIND_TO_GRID_A = ["grid_worker_b", "outsider"]


@dataclass
class Case:
    url: Callable[[World], str]
    marker: Callable[[World], str] | None = None
    method: str = "get"
    data: Callable[[World], dict] | None = None
    allowed: list[str] = field(default_factory=lambda: SEES_GRID_A)
    denied: list[str] = field(default_factory=lambda: BLIND_TO_GRID_A)
    # Personas who may see the record but not do this to it: 403, not 404.
    forbidden: list[str] = field(default_factory=list)
    ok_status: int = 200


# Routes that are the same for everyone (no territory data behind them), with the reason.
PUBLIC_ROUTES = {
    "healthz": "process liveness, no data",
    "readyz": "readiness, no data",
    "accounts:login": "the login page itself",
    "accounts:logout": "ends the caller's own session",
    "accounts:language": "sets the caller's own interface language",
    "api:openapi-json": "the API description, no data",
    "api:openapi-view": "the API documentation page, no data",
    "api:issue_token": "login for API clients",
    "api:api-root": "the API's root, lists nothing",
    "accounts:login_verify": "the second step of the caller's own login",
    "accounts:password_change": "changes the caller's own password",
    "accounts:two_factor": "sets up the caller's own two-factor device",
}

PAGE_CASES: dict[str, Case] = {
    # Account administration (the account of grid A's worker): the administrators of its
    # area act; everyone without an administering role is refused the section (403).
    # Accounts outside an administrator's area are 404: linli/accounts/tests.
    "accounts:manage": Case(
        url=lambda w: "/accounts/manage/",
        marker=lambda w: w.grid_worker_a.username,
        allowed=ADMINS,
        denied=[],
        forbidden=NON_ADMINS,
    ),
    "accounts:manage_create": Case(
        url=lambda w: "/accounts/manage/new/",
        method="post",
        data=lambda w: {
            "username": "scope_page",
            "password": SCOPE_PASSWORD,
            "role": "grid_worker",
            "node": w.grid_a.pk,
        },
        allowed=["secretary"],
        denied=[],
        forbidden=NON_ADMINS,
        ok_status=302,
    ),
    "accounts:manage_detail": Case(
        url=lambda w: f"/accounts/manage/{w.grid_worker_a.public_id}/",
        marker=lambda w: w.grid_a.code,
        allowed=ADMINS,
        denied=[],
        forbidden=NON_ADMINS,
    ),
    "accounts:manage_grant": Case(
        url=lambda w: f"/accounts/manage/{w.grid_worker_a.public_id}/grant/",
        method="post",
        data=lambda w: {"role": "volunteer", "node": w.grid_b.pk},
        allowed=["secretary"],
        denied=[],
        forbidden=NON_ADMINS,
        ok_status=302,
    ),
    "accounts:manage_end_role": Case(
        url=lambda w: f"/accounts/manage/{w.grid_worker_a.public_id}/roles/{extra_role(w).public_id}/end/",
        method="post",
        allowed=ADMINS,
        denied=[],
        forbidden=NON_ADMINS,
        ok_status=302,
    ),
    "accounts:manage_disable": Case(
        url=lambda w: f"/accounts/manage/{worker_enabled(w).grid_worker_a.public_id}/disable/",
        method="post",
        allowed=ADMINS,
        denied=[],
        forbidden=NON_ADMINS,
        ok_status=302,
    ),
    "accounts:manage_enable": Case(
        url=lambda w: f"/accounts/manage/{worker_disabled(w).grid_worker_a.public_id}/enable/",
        method="post",
        allowed=ADMINS,
        denied=[],
        # grid_worker_a is the disabled account here, so not a persona that can ask.
        forbidden=["grid_worker_b", "outsider"],
        ok_status=302,
    ),
    "accounts:manage_reset_password": Case(
        url=lambda w: f"/accounts/manage/{w.grid_worker_a.public_id}/password/",
        method="post",
        data=lambda w: {"new_password1": SCOPE_PASSWORD, "new_password2": SCOPE_PASSWORD},
        allowed=ADMINS,
        denied=[],
        # grid_worker_a's password was just reset: the persona's stale login no longer holds.
        forbidden=["grid_worker_b", "outsider"],
        ok_status=302,
    ),
    "accounts:manage_reset_two_factor": Case(
        url=lambda w: f"/accounts/manage/{w.grid_worker_a.public_id}/two-factor/reset/",
        method="post",
        allowed=ADMINS,
        denied=[],
        forbidden=NON_ADMINS,
        ok_status=302,
    ),
    "home": Case(url=lambda w: "/", marker=None, denied=[]),
    "territory:index": Case(url=lambda w: "/territory/", marker=None, denied=[]),
    "territory:node": Case(url=lambda w: f"/territory/{w.grid_a.public_id}/", marker=lambda w: w.grid_a.code),
    # The import form holds no data; what an import may touch is checked row by row.
    "territory:tree_import": Case(url=lambda w: "/territory/import/", denied=[]),
    "territory:tree_import_template": Case(url=lambda w: "/territory/import/template.xlsx", denied=[]),
    "territory:add_child": Case(
        url=lambda w: f"/territory/{w.grid_a.public_id}/add/",
        method="post",
        data=lambda w: {"kind": "compound", "code": f"{w.grid_a.code}07", "name": "新小区"},
        # Grid workers may see their grid but not add places to it.
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
        ok_status=302,
    ),
    "territory:rename": Case(
        url=lambda w: f"/territory/{w.grid_a.public_id}/rename/",
        method="post",
        data=lambda w: {"name": "一网格"},
        allowed=["street_officer", "secretary"],
        ok_status=302,
    ),
    "territory:move": Case(
        url=lambda w: f"/territory/{w.dwelling_a2.public_id}/move/",
        method="post",
        data=lambda w: {"parent_code": w.building_a.code, "code": f"{w.building_a.code}0102"},
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
        ok_status=302,
    ),
    "territory:retire": Case(
        url=lambda w: f"/territory/{w.dwelling_a2.public_id}/retire/",
        method="post",
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
        ok_status=302,
    ),
    # The audit page exists only for those who may view the audit: 404 for everyone else.
    "audit": Case(
        url=lambda w: "/audit/",
        marker=lambda w: w.grid_a.name,
        allowed=["street_officer", "secretary"],
        denied=["grid_worker_a", "grid_worker_b", "outsider"],
    ),
    # Geometry (territory/map_views.py): the world gets its boundaries first.
    "territory:map": Case(
        url=lambda w: world_boundaries(w) and "/territory/map/", marker=lambda w: w.grid_a.code
    ),
    "territory:map_card": Case(
        url=lambda w: f"/territory/map/card/{world_boundaries(w).grid_a.public_id}/",
        marker=lambda w: w.grid_a.code,
    ),
    "territory:map_export": Case(
        url=lambda w: world_boundaries(w) and "/territory/map/export/", marker=lambda w: w.grid_a.code
    ),
    # Importing boundaries needs the right to change places somewhere: others are refused.
    "territory:map_import": Case(
        url=lambda w: "/territory/map/import/",
        allowed=["street_officer", "secretary"],
        denied=[],
        forbidden=["grid_worker_a", "grid_worker_b", "outsider"],
    ),
    # Registry (linli/registry): resident_a(w) is a resident of grid A with a tag; the
    # fresh_* helpers make a new record per request, so each persona's write meets the
    # same state. Building heads and the tag/reveal rules: linli/registry/tests.
    "registry:residents": Case(
        url=lambda w: resident_a(w) and "/registry/", marker=lambda w: RESIDENT_A_NAME
    ),
    # Search is a POST (an ID number must not be in a URL); it answers 200 with no results
    # outside one's area: the denied side is in registry/tests/test_scoping.py.
    "registry:search": Case(
        url=lambda w: resident_a(w) and "/registry/search/",
        method="post",
        data=lambda w: {"q": RESIDENT_A_NAME},
        marker=lambda w: RESIDENT_A_NAME,
        denied=[],
    ),
    # Redirects to the caller's own place; the counts of grid A: registry:stats_node.
    "registry:stats": Case(url=lambda w: "/registry/stats/", denied=[], ok_status=302),
    "registry:stats_node": Case(
        url=lambda w: resident_a(w) and f"/registry/stats/{w.grid_a.public_id}/",
        marker=lambda w: w.grid_a.code,
    ),
    "registry:household_create": Case(
        url=lambda w: "/registry/households/new/",
        method="post",
        data=lambda w: {"dwelling": str(w.dwelling_a.public_id), "address_kind": "residence"},
        ok_status=302,
    ),
    "registry:household": Case(
        url=lambda w: f"/registry/households/{resident_a(w).household.public_id}/",
        marker=lambda w: RESIDENT_A_NAME,
    ),
    "registry:resident_create": Case(
        url=lambda w: f"/registry/households/{resident_a(w).household.public_id}/add/",
        method="post",
        data=lambda w: {
            "name": "李四",
            "relation": "10",
            "citizen_id": new_citizen_id(),
            "ethnicity": "01",
            "population_type": "registered",
        },
        ok_status=302,
    ),
    "registry:dwelling": Case(
        url=lambda w: resident_a(w) and f"/registry/dwellings/{w.dwelling_a.public_id}/",
        marker=lambda w: RESIDENT_A_NAME,
    ),
    "registry:resident": Case(
        url=lambda w: f"/registry/residents/{resident_a(w).public_id}/", marker=lambda w: RESIDENT_A_NAME
    ),
    "registry:resident_edit": Case(
        url=lambda w: f"/registry/residents/{resident_a(w).public_id}/edit/",
        method="post",
        data=lambda w: {
            "name": RESIDENT_A_NAME,
            "relation": "02",
            "ethnicity": "01",
            "population_type": "registered",
            "workplace": "济宁市第一人民医院",
        },
        ok_status=302,
    ),
    "registry:resident_move": Case(
        url=lambda w: f"/registry/residents/{fresh_resident_a(w).public_id}/move/",
        method="post",
        data=lambda w: {"dwelling": str(w.dwelling_a.public_id)},
        ok_status=302,
    ),
    "registry:resident_archive": Case(
        url=lambda w: f"/registry/residents/{fresh_resident_a(w).public_id}/archive/",
        method="post",
        data=lambda w: {"reason": "moved_out"},
        ok_status=302,
    ),
    # Seeing a full ID number is for street officers and community secretaries.
    "registry:resident_reveal": Case(
        url=lambda w: f"/registry/residents/{resident_a(w).public_id}/reveal/citizen_id/",
        method="post",
        data=lambda w: {"reason": "核对身份信息"},
        marker=lambda w: RESIDENT_A_ID,
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
    ),
    "registry:tag_set": Case(
        url=lambda w: f"/registry/residents/{fresh_resident_a(w).public_id}/tags/",
        method="post",
        data=lambda w: {"kind": "veteran"},
        ok_status=302,
    ),
    "registry:tag_end": Case(
        url=lambda w: f"/registry/tags/{fresh_tag_a(w).public_id}/end/", method="post", ok_status=302
    ),
    # Export needs the "export" grant (not grid workers); the place names the area.
    "registry:export": Case(
        url=lambda w: resident_a(w) and "/registry/export/",
        method="post",
        data=lambda w: {"place": str(w.grid_a.public_id)},
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
    ),
    # Door-to-door census (registry/census.py).
    "registry:census_building": Case(
        url=lambda w: f"/registry/census/buildings/{w.dwelling_a.parent.parent.public_id}/",
        marker=lambda w: str(w.dwelling_a.public_id),
    ),
    "registry:census_visit": Case(
        url=lambda w: f"/registry/census/dwellings/{w.dwelling_a.public_id}/",
        method="post",
        data=lambda w: {"state": "verified"},
        ok_status=302,
    ),
    "registry:census_progress": Case(
        url=lambda w: f"/registry/census/progress/{w.grid_a.public_id}/", marker=lambda w: w.grid_a.code
    ),
    # Spreadsheet import (registry/importing.py): the job belongs to the place it imports into.
    "registry:import": Case(
        url=lambda w: "/registry/import/",
        method="post",
        data=lambda w: {
            "place": str(w.grid_a.public_id),
            "file": SimpleUploadedFile("a.csv", "姓名,住址/房号\n甲,1号楼1单元101\n".encode()),
        },
        ok_status=302,
    ),
    # The template holds no data: the same file for everyone who is logged in.
    "registry:import_template": Case(url=lambda w: "/registry/import/template.xlsx", denied=[]),
    "registry:import_job": Case(
        url=lambda w: f"/registry/import/{import_job_a(w).public_id}/", marker=lambda w: IMPORT_A_FILENAME
    ),
    "registry:import_report": Case(url=lambda w: f"/registry/import/{import_job_a(w).public_id}/report.xlsx"),
    "registry:import_progress": Case(url=lambda w: f"/registry/import/{import_job_a(w).public_id}/progress/"),
    "registry:import_run": Case(
        url=lambda w: f"/registry/import/{import_job_a(w).public_id}/run/", method="post", ok_status=302
    ),
    "registry:import_cancel": Case(
        url=lambda w: f"/registry/import/{import_job_a(w).public_id}/cancel/", method="post", ok_status=302
    ),
}

API_CASES: dict[str, Case] = {
    # Account administration: an account outside the caller's area is a 404, a list
    # without it; the caller's own node menu decides where roles may be bound.
    "api:list_accounts": Case(
        url=lambda w: "/api/v1/accounts/users?limit=500",
        marker=lambda w: str(w.grid_worker_a.public_id),
        allowed=ADMINS,
        denied=NON_ADMINS,
    ),
    "api:get_account": Case(
        url=lambda w: f"/api/v1/accounts/users/{w.grid_worker_a.public_id}",
        marker=lambda w: str(w.grid_worker_a.public_id),
        allowed=ADMINS,
        denied=NON_ADMINS,
    ),
    "api:create_account": Case(
        url=lambda w: "/api/v1/accounts/users",
        method="post",
        data=lambda w: {
            "username": "scope_api",
            "password": SCOPE_PASSWORD,
            "role": "grid_worker",
            "node_id": str(w.grid_a.public_id),
        },
        allowed=["secretary"],
        denied=NON_ADMINS,
        ok_status=201,
    ),
    "api:grant_role": Case(
        url=lambda w: f"/api/v1/accounts/users/{w.grid_worker_a.public_id}/roles",
        method="post",
        data=lambda w: {"role": "volunteer", "node_id": str(w.grid_b.public_id)},
        allowed=["secretary"],
        denied=NON_ADMINS,
        ok_status=201,
    ),
    "api:end_role": Case(
        url=lambda w: (
            f"/api/v1/accounts/users/{w.grid_worker_a.public_id}/roles/{extra_role(w).public_id}/end"
        ),
        method="post",
        allowed=ADMINS,
        denied=NON_ADMINS,
    ),
    "api:disable_account": Case(
        url=lambda w: f"/api/v1/accounts/users/{worker_enabled(w).grid_worker_a.public_id}/disable",
        method="post",
        allowed=ADMINS,
        denied=NON_ADMINS,
    ),
    "api:enable_account": Case(
        url=lambda w: f"/api/v1/accounts/users/{worker_disabled(w).grid_worker_a.public_id}/enable",
        method="post",
        allowed=ADMINS,
        # grid_worker_a is the disabled account here: its token no longer authenticates.
        denied=["grid_worker_b", "outsider"],
    ),
    "api:list_nodes": Case(url=lambda w: "/api/v1/territory/nodes?limit=500", marker=lambda w: w.grid_a.code),
    "api:get_node": Case(
        url=lambda w: f"/api/v1/territory/nodes/{w.grid_a.public_id}", marker=lambda w: w.grid_a.code
    ),
    "api:create_node": Case(
        url=lambda w: "/api/v1/territory/nodes",
        method="post",
        data=lambda w: {
            "kind": "compound",
            "code": f"{w.grid_a.code}08",
            "name": "API小区",
            "parent_id": str(w.grid_a.public_id),
        },
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
        ok_status=201,
    ),
    "api:import_tree": Case(
        url=lambda w: "/api/v1/territory/import",
        method="post",
        data=lambda w: {},
        # Without a file the request is refused the same way for everyone who may log in;
        # the scope of each row is tested in territory/tests/test_tree_import.py.
        ok_status=422,
        denied=[],
    ),
    "api:move_node": Case(
        url=lambda w: f"/api/v1/territory/nodes/{w.dwelling_a2.public_id}/move",
        method="post",
        data=lambda w: {"parent_id": str(w.building_a.public_id), "code": f"{w.building_a.code}0102"},
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
    ),
    "api:retire_node": Case(
        url=lambda w: f"/api/v1/territory/nodes/{w.dwelling_a2.public_id}/retire",
        method="post",
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
    ),
    "api:rename_node": Case(
        url=lambda w: f"/api/v1/territory/nodes/{w.grid_a.public_id}",
        method="patch",
        data=lambda w: {"name": "改名网格"},
        allowed=["street_officer", "secretary"],
    ),
    "api:geo_boundaries": Case(
        url=lambda w: world_boundaries(w) and "/api/v1/geo/boundaries", marker=lambda w: w.grid_a.code
    ),
    # Outside one's area a point is in no place: 200 with "node": null, never grid A.
    "api:geo_locate": Case(
        url=lambda w: world_boundaries(w) and f"/api/v1/geo/locate?lng={IN_GRID_A[0]}&lat={IN_GRID_A[1]}",
        marker=lambda w: w.grid_a.code,
    ),
    # A batch answers 200 for everyone (nulls outside their area): the denied side is in
    # territory/tests/test_geo_locate.py.
    "api:geo_locate_batch": Case(
        url=lambda w: world_boundaries(w) and "/api/v1/geo/locate",
        method="post",
        data=lambda w: {"crs": "wgs84", "points": [list(IN_GRID_A)]},
        denied=[],
    ),
    "api:geo_import": Case(
        url=lambda w: "/api/v1/geo/import?dry_run=true",
        method="post",
        data=lambda w: {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"code": w.grid_a.code},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[117.5, 36.7], [117.51, 36.7], [117.51, 36.72], [117.5, 36.7]]],
                    },
                }
            ],
        },
        allowed=["street_officer", "secretary"],
        denied=[],
        forbidden=["grid_worker_a", "grid_worker_b", "outsider"],
    ),
    # Registry: see the page cases above for the helpers.
    "api:census_visit": Case(
        url=lambda w: f"/api/v1/registry/census/dwellings/{w.dwelling_a.public_id}",
        method="post",
        data=lambda w: {"state": "nobody_home"},
        ok_status=201,
    ),
    "api:census_progress": Case(
        url=lambda w: f"/api/v1/registry/census/progress/{w.grid_a.public_id}", marker=lambda w: w.grid_a.code
    ),
    "api:get_import": Case(
        url=lambda w: f"/api/v1/registry/imports/{import_job_a(w).public_id}", marker=lambda w: w.grid_a.code
    ),
    "api:list_households": Case(
        url=lambda w: resident_a(w) and "/api/v1/registry/households?limit=500",
        marker=lambda w: w.dwelling_a.code,
    ),
    "api:create_household": Case(
        url=lambda w: "/api/v1/registry/households",
        method="post",
        data=lambda w: {"dwelling_id": str(w.dwelling_a.public_id)},
        ok_status=201,
    ),
    "api:get_household": Case(
        url=lambda w: f"/api/v1/registry/households/{resident_a(w).household.public_id}",
        marker=lambda w: str(resident_a(w).public_id),
    ),
    "api:list_residents": Case(
        url=lambda w: resident_a(w) and "/api/v1/registry/residents?limit=500",
        marker=lambda w: str(resident_a(w).public_id),
    ),
    # By POST (the body may hold an ID number); 200 with no match outside one's area: the
    # denied side is in registry/tests/test_scoping.py.
    "api:search_residents": Case(
        url=lambda w: resident_a(w) and "/api/v1/registry/residents/search",
        method="post",
        data=lambda w: {"q": RESIDENT_A_ID},
        marker=lambda w: RESIDENT_A_MASKED_ID,
        denied=[],
    ),
    "api:create_resident": Case(
        url=lambda w: "/api/v1/registry/residents",
        method="post",
        data=lambda w: {
            "household_id": str(resident_a(w).household.public_id),
            "name": "李四",
            "relation": "10",
            "citizen_id": new_citizen_id(),
        },
        ok_status=201,
    ),
    "api:get_resident": Case(
        url=lambda w: f"/api/v1/registry/residents/{resident_a(w).public_id}",
        marker=lambda w: str(resident_a(w).public_id),
    ),
    "api:update_resident": Case(
        url=lambda w: f"/api/v1/registry/residents/{resident_a(w).public_id}",
        method="patch",
        data=lambda w: {"workplace": "济宁学院"},
    ),
    "api:move_resident": Case(
        url=lambda w: f"/api/v1/registry/residents/{fresh_resident_a(w).public_id}/move",
        method="post",
        data=lambda w: {"dwelling_id": str(w.dwelling_a.public_id)},
    ),
    "api:archive_resident": Case(
        url=lambda w: f"/api/v1/registry/residents/{fresh_resident_a(w).public_id}/archive",
        method="post",
        data=lambda w: {"reason": "deceased"},
    ),
    "api:resident_timeline": Case(
        url=lambda w: f"/api/v1/registry/residents/{resident_a(w).public_id}/timeline",
        marker=lambda w: "subsistence",
    ),
    "api:list_resident_tags": Case(
        url=lambda w: f"/api/v1/registry/residents/{resident_a(w).public_id}/tags",
        marker=lambda w: "subsistence",
    ),
    "api:set_tag": Case(
        url=lambda w: f"/api/v1/registry/residents/{fresh_resident_a(w).public_id}/tags",
        method="post",
        data=lambda w: {"kind": "veteran"},
        ok_status=201,
    ),
    "api:end_tag": Case(url=lambda w: f"/api/v1/registry/tags/{fresh_tag_a(w).public_id}/end", method="post"),
    "api:reveal_resident_field": Case(
        url=lambda w: f"/api/v1/registry/residents/{resident_a(w).public_id}/reveal",
        method="post",
        data=lambda w: {"field": "citizen_id", "reason": "核对身份信息"},
        marker=lambda w: RESIDENT_A_ID,
        allowed=["street_officer", "secretary"],
        forbidden=["grid_worker_a"],
    ),
    "api:registry_stats": Case(
        url=lambda w: resident_a(w) and f"/api/v1/registry/stats?node_id={w.grid_a.public_id}",
        marker=lambda w: w.grid_a.code,
    ),
}

# Routes outside the product's own scoping (Django's admin is for superusers only and
# enforces that itself).
EXCLUDED_PREFIXES = ("admin/",)

# Appeals (linli/appeals) describe their routes next to the app; merged here.
from linli.appeals.tests.scoping_cases import appeal_cases  # noqa: E402

_appeal_pages, _appeal_api, _appeal_public = appeal_cases(Case)
PAGE_CASES.update(_appeal_pages)
API_CASES.update(_appeal_api)
PUBLIC_ROUTES.update(_appeal_public)

# Places and responsibilities (linli/territory/places_*.py), described next to their tests.
from linli.territory.tests.places_scoping_cases import places_cases  # noqa: E402

_places_pages, _places_api = places_cases(Case)
PAGE_CASES.update(_places_pages)
API_CASES.update(_places_api)
