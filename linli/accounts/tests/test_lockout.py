"""django-axes: five wrong passwords lock the account for the cool-off time."""

from datetime import timedelta

from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

from linli.accounts.tests.helpers import confirmed_device, password_login, post_json

TOKEN_URL = "/api/v1/auth/token"


def _cool_off_passes():
    # Rewind the recorded failures instead of waiting 30 minutes.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))


def test_api_lockout_and_cool_off(world, client, password):
    statuses = [
        post_json(client, TOKEN_URL, {"username": "grid_a", "password": f"wrong-{i}"}).status_code
        for i in range(6)
    ]
    assert statuses[:4] == [401] * 4
    assert statuses[-1] == 423
    locked = post_json(client, TOKEN_URL, {"username": "grid_a", "password": password})
    assert locked.status_code == 423
    assert locked.json()["code"] == "locked"
    assert "locked for 30 minutes" in locked.json()["message"]

    _cool_off_passes()
    response = post_json(client, TOKEN_URL, {"username": "grid_a", "password": password})
    assert response.status_code == 200


def test_html_lockout_and_cool_off(world, client, password):
    for i in range(6):
        password_login(client, "grid_a", f"wrong-{i}")
    response = password_login(client, "grid_a", password)
    assert response.status_code == 423
    body = response.content.decode()
    assert "Account locked" in body and "30 minutes" in body
    assert client.get("/").status_code == 302  # not logged in

    _cool_off_passes()
    response = password_login(client, "grid_a", password)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_lockout_from_another_address_still_holds_by_username(world, password):
    for i in range(6):
        post_json(Client(REMOTE_ADDR="10.0.0.1"), TOKEN_URL, {"username": "grid_a", "password": f"wrong-{i}"})
    other_address = Client(REMOTE_ADDR="10.0.0.2")
    assert (
        post_json(other_address, TOKEN_URL, {"username": "grid_a", "password": password}).status_code == 423
    )
    # Another account from that other address is not locked.
    assert (
        post_json(other_address, TOKEN_URL, {"username": "grid_b", "password": password}).status_code == 200
    )


def test_wrong_otp_codes_count_towards_the_lockout(world, client, password):
    confirmed_device(world.grid_worker_a)
    statuses = [
        post_json(
            client, TOKEN_URL, {"username": "grid_a", "password": password, "otp": "000000"}
        ).status_code
        for _ in range(6)
    ]
    assert statuses[-1] == 423
