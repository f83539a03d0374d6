"""The generic scoping test: every URL pattern and every API operation, every persona.

Out of scope gives a 404 or a list without the record; in scope 200; anonymous a login
redirect (pages) or 401 (API). A route missing from scoping_cases.py fails the test.
"""

import json

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from linli.core.tests.scoping_cases import API_CASES, EXCLUDED_PREFIXES, PAGE_CASES, PUBLIC_ROUTES, Case


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, ns)
        elif isinstance(entry, URLPattern):
            yield route, f"{namespace}{entry.name}" if entry.name else route


def all_routes() -> dict[str, str]:
    routes = {}
    for route, name in _walk(get_resolver().url_patterns):
        if route.startswith(EXCLUDED_PREFIXES) or route.startswith("^static"):
            continue
        routes[name] = route
    return routes


def test_every_route_is_covered():
    missing = sorted(
        f"{name} ({route})"
        for name, route in all_routes().items()
        if name not in PAGE_CASES and name not in API_CASES and name not in PUBLIC_ROUTES
    )
    assert not missing, "routes without a scoping case (add them to scoping_cases.py): " + ", ".join(missing)


def test_cases_name_existing_routes():
    names = set(all_routes())
    stale = sorted(set(PAGE_CASES) | set(API_CASES) | set(PUBLIC_ROUTES) - names)
    stale = [name for name in stale if name not in names]
    assert not stale, f"scoping cases for routes that no longer exist: {stale}"


def _request(client, case: Case, world, **extra):
    """One request; a write is rolled back afterwards, so every persona's identical write
    meets the same data and succeeds or fails for the same reason."""
    if case.method == "get":
        return _send(client, case, world, **extra)
    with transaction.atomic():
        response = _send(client, case, world, **extra)
        transaction.set_rollback(True)
    return response


def _send(client, case: Case, world, **extra):
    url = case.url(world)
    data = case.data(world) if case.data else None
    if case.method == "get":
        return client.get(url, **extra)
    if url.startswith("/api/"):
        return getattr(client, case.method)(
            url, json.dumps(data or {}), content_type="application/json", **extra
        )
    return getattr(client, case.method)(url, data or {}, **extra)


def _token(client, user) -> dict:
    from linli.accounts.services import token_issue

    raw, _ = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(PAGE_CASES))
def test_page_scoping(name, client, world):
    case = PAGE_CASES[name]
    anonymous = _request(client, case, world)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"], name
    for persona in case.allowed:
        client.force_login(world.personas()[persona])
        response = _request(client, case, world)
        assert response.status_code == case.ok_status, f"{name}: {persona} got {response.status_code}"
        if case.marker and case.ok_status == 200:
            assert case.marker(world) in response.content.decode(), f"{name}: {persona} does not see it"
        client.logout()
    for persona in case.denied:
        client.force_login(world.personas()[persona])
        response = _request(client, case, world)
        _assert_denied(name, persona, case, world, response)
        client.logout()
    for persona in case.forbidden:
        client.force_login(world.personas()[persona])
        assert _request(client, case, world).status_code == 403, f"{name}: {persona} was not refused"
        client.logout()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(API_CASES))
def test_api_scoping(name, client, world):
    case = API_CASES[name]
    anonymous = _request(client, case, world)
    assert anonymous.status_code == 401, f"{name}: anonymous got {anonymous.status_code}"
    for persona in case.allowed:
        response = _request(client, case, world, **_token(client, world.personas()[persona]))
        assert response.status_code == case.ok_status, (
            f"{name}: {persona} got {response.status_code} {response.content[:200]}"
        )
        if case.marker:
            assert case.marker(world) in response.content.decode(), f"{name}: {persona} does not see it"
    for persona in case.denied:
        response = _request(client, case, world, **_token(client, world.personas()[persona]))
        _assert_denied(name, persona, case, world, response)
    for persona in case.forbidden:
        response = _request(client, case, world, **_token(client, world.personas()[persona]))
        assert response.status_code == 403, f"{name}: {persona} was not refused ({response.status_code})"


def _assert_denied(name, persona, case, world, response):
    if response.status_code == 404:
        return
    assert response.status_code == 200 and case.method == "get", (
        f"{name}: {persona} got {response.status_code}, expected 404"
    )
    assert case.marker is not None, f"{name}: {persona} got 200 for a route with nothing to hide"
    assert case.marker(world) not in response.content.decode(), (
        f"{name}: {persona} sees a record outside their area"
    )
