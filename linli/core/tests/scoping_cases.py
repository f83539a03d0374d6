"""What every URL and API operation must do for each persona (see test_scoping_routes.py).

Each route names an object placed in grid A, so that:
- personas whose area contains grid A see it (`marker` appears in the response),
- personas whose area does not contain it get a 404, or a list without the marker,
- anonymous visitors are sent to the login page (pages) or get 401 (API).

A new route without an entry here makes the test fail: add it when you add the route.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

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
}

PAGE_CASES: dict[str, Case] = {
    "home": Case(url=lambda w: "/", marker=None, denied=[]),
    "territory:index": Case(url=lambda w: "/territory/", marker=None, denied=[]),
    "territory:node": Case(url=lambda w: f"/territory/{w.grid_a.public_id}/", marker=lambda w: w.grid_a.code),
    "territory:add_child": Case(
        url=lambda w: f"/territory/{w.grid_a.public_id}/add/",
        method="post",
        data=lambda w: {"kind": "compound", "code": f"{w.grid_a.code}07", "name": "新小区"},
        # Grid workers may see their grid but not add places to it.
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
}

API_CASES: dict[str, Case] = {
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
    "api:rename_node": Case(
        url=lambda w: f"/api/v1/territory/nodes/{w.grid_a.public_id}",
        method="patch",
        data=lambda w: {"name": "改名网格"},
        allowed=["street_officer", "secretary"],
    ),
}

# Routes outside the product's own scoping (Django's admin is for superusers only and
# enforces that itself).
EXCLUDED_PREFIXES = ("admin/",)
