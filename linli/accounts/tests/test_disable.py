"""Disabling an account ends its sessions and API tokens at once."""

import pytest
from django.test import Client

from linli.accounts import services
from linli.accounts.models import ApiToken, User
from linli.accounts.tests.helpers import bearer, post_json
from linli.core.errors import Conflict, PermissionDenied
from linli.core.models import AuditEntry


def test_disable_ends_sessions_and_tokens(world, login):
    worker = Client()
    worker.force_login(world.grid_worker_a)
    assert worker.get("/").status_code == 200
    auth = bearer(world.grid_worker_a)
    assert Client().get("/api/v1/territory/nodes", **auth).status_code == 200

    admin = login(world.secretary)
    response = admin.post(
        f"/accounts/manage/{world.grid_worker_a.public_id}/disable/", {"reason": "left the job"}
    )
    assert response.status_code == 302

    next_page = worker.get("/")
    assert next_page.status_code == 302 and next_page["Location"].startswith("/accounts/login/")
    api = Client().get("/api/v1/territory/nodes", **auth)
    assert api.status_code == 401
    assert not ApiToken.objects.usable().filter(user=world.grid_worker_a).exists()
    entry = AuditEntry.objects.get(action="accounts.user.disable")
    assert entry.reason == "left the job" and entry.actor == world.secretary


def test_sessions_and_tokens_stay_ended_after_enabling_again(world):
    """The account being inactive already keeps it out; what disabling must also do is end
    the sessions and tokens, so that enabling the account does not bring them back."""
    worker = Client()
    worker.force_login(world.grid_worker_a)
    worker.get("/")
    auth = bearer(world.grid_worker_a)
    services.user_disable(actor=world.secretary, user=world.grid_worker_a)
    services.user_enable(actor=world.secretary, user=world.grid_worker_a)
    response = worker.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Client().get("/api/v1/territory/nodes", **auth).status_code == 401
    assert not ApiToken.objects.filter(user=world.grid_worker_a, revoked_at__isnull=True).exists()


def test_session_left_over_is_ended_by_the_epoch(world):
    """Even a session the cleanup could not find (another session engine, a race) ends on
    its next request: its epoch is behind the account's."""
    worker = Client()
    worker.force_login(world.grid_worker_a)
    worker.get("/")
    services.user_end_sessions(user=world.grid_worker_a)
    # Put the ended session back, as if it had been missed.
    worker.force_login(User.objects.get(pk=world.grid_worker_a.pk))
    session = worker.session
    session["linli_epoch"] = 0
    session.save()
    response = worker.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_disabled_account_cannot_get_a_token(world, client, password):
    services.user_disable(actor=world.secretary, user=world.grid_worker_a)
    response = post_json(client, "/api/v1/auth/token", {"username": "grid_a", "password": password})
    assert response.status_code == 401


def test_enable_again(world, client, password):
    services.user_disable(actor=world.secretary, user=world.grid_worker_a)
    with pytest.raises(Conflict):
        services.user_disable(actor=world.secretary, user=world.grid_worker_a)
    response = post_json(
        client, f"/api/v1/accounts/users/{world.grid_worker_a.public_id}/enable", **bearer(world.secretary)
    )
    assert response.status_code == 200 and response.json()["is_active"] is True
    response = post_json(client, "/api/v1/auth/token", {"username": "grid_a", "password": password})
    assert response.status_code == 200


def test_api_disable(world, client):
    auth = bearer(world.grid_worker_a)
    response = post_json(
        client,
        f"/api/v1/accounts/users/{world.grid_worker_a.public_id}/disable",
        {"reason": "moved away"},
        **bearer(world.secretary),
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    assert client.get("/api/v1/territory/nodes", **auth).status_code == 401


def test_nobody_disables_themselves(world):
    with pytest.raises(PermissionDenied):
        services.user_disable(actor=world.secretary, user=world.secretary)


def test_secretary_cannot_disable_an_account_with_a_higher_role_in_the_community(world):
    # The street officer also acts in grid A: in the secretary's area, but beyond them.
    from linli.accounts.models import RoleAssignment
    from linli.accounts.roles import Role

    RoleAssignment.objects.create(user=world.street_officer, role=Role.VOLUNTEER, node=world.grid_a)
    with pytest.raises(PermissionDenied):
        services.user_disable(actor=world.secretary, user=world.street_officer)
    assert User.objects.get(pk=world.street_officer.pk).is_active


def test_superuser_accounts_are_managed_by_superusers_only(world):
    from linli.accounts.models import RoleAssignment
    from linli.accounts.roles import Role

    RoleAssignment.objects.create(user=world.root, role=Role.VOLUNTEER, node=world.grid_a)
    with pytest.raises(PermissionDenied):
        services.user_disable(actor=world.secretary, user=world.root)


def test_disable_body_is_optional(world, client):
    response = client.post(
        f"/api/v1/accounts/users/{world.grid_worker_a.public_id}/disable",
        b"",
        content_type="application/json",
        **bearer(world.secretary),
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
