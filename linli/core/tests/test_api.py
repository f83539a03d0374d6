"""The API: token authentication, JSON errors everywhere, OpenAPI document."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linli.accounts.models import ApiToken, hash_token
from linli.test import PASSWORD

pytestmark = pytest.mark.django_db


def token_for(client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_token_is_issued_and_stored_hashed(client, world):
    raw = token_for(client, "grid_a")
    assert raw.startswith("lnl_")
    stored = ApiToken.objects.get(user=world.grid_worker_a)
    assert stored.key_hash == hash_token(raw)
    assert raw not in stored.key_hash and stored.prefix == raw[:12]
    assert stored.expires_at > timezone.now() + timedelta(days=29)


def test_wrong_password_is_401_json(client, world):
    response = client.post(
        "/api/v1/auth/token", {"username": "grid_a", "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


def test_bearer_token_authenticates_and_scopes(client, world):
    raw = token_for(client, "grid_a")
    response = client.get("/api/v1/territory/nodes?limit=500", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200
    codes = {item["code"] for item in response.json()["items"]}
    assert world.grid_a.code in codes and world.dwelling_a.code in codes
    assert world.grid_b.code not in codes and world.community.code not in codes


def test_expired_and_revoked_tokens_are_refused(client, world):
    raw = token_for(client, "grid_a")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/territory/nodes", **auth).status_code == 401
    ApiToken.objects.update(expires_at=timezone.now() + timedelta(days=1), revoked_at=timezone.now())
    response = client.get("/api/v1/territory/nodes", **auth)
    assert response.status_code == 401 and response.json()["code"] == "unauthorized"


def test_validation_errors_are_json_with_code_and_message(client, world):
    raw = token_for(client, "secretary")
    response = client.post(
        "/api/v1/territory/nodes",
        {"kind": "grid"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error" and body["message"]


def test_domain_errors_are_json(client, world):
    raw = token_for(client, "secretary")
    payload = {"kind": "grid", "code": "123", "name": "x", "parent_id": str(world.community.public_id)}
    response = client.post(
        "/api/v1/territory/nodes",
        payload,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert "15 digits" in response.json()["message"]


def test_out_of_scope_is_the_same_404_as_missing(client, world):
    raw = token_for(client, "grid_a")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    other = client.get(f"/api/v1/territory/nodes/{world.grid_b.public_id}", **auth)
    missing = client.get("/api/v1/territory/nodes/00000000-0000-0000-0000-000000000000", **auth)
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json()


def test_openapi_document_lists_the_operations(client):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/api/v1/auth/token" in doc["paths"]
    assert "/api/v1/territory/nodes" in doc["paths"]


def test_an_offset_beyond_the_bound_is_a_validation_error_not_a_crash(client, world):
    raw = token_for(client, "secretary")
    response = client.get(
        "/api/v1/territory/nodes?offset=99999999999999999999", HTTP_AUTHORIZATION=f"Bearer {raw}"
    )
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
