"""TOTP two-factor: set-up, the login's second step, the token endpoint, the gate."""

import base64

import pytest
from django.test import Client, override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts import services
from linli.accounts.models import ApiToken, User
from linli.accounts.tests.helpers import (
    allow_code_reuse,
    code_for,
    confirmed_device,
    password_login,
    post_json,
)
from linli.core.models import AuditEntry


def test_setup_page_shows_qr_and_secret_then_confirms(world, login):
    client = login(world.grid_worker_a)
    response = client.get("/accounts/two-factor/")
    assert response.status_code == 200
    body = response.content.decode()
    qr = body.split('data-testid="totp-qr"')[1].split("</div>")[0]
    # Server-side SVG, nothing the Content-Security-Policy would block.
    assert "<svg" in qr and "<script" not in qr and "style=" not in qr
    device = TOTPDevice.objects.get(user=world.grid_worker_a, confirmed=False)
    assert services.two_factor_begin(user=world.grid_worker_a) == device  # stable until confirmed
    secret = base64.b32encode(device.bin_key).decode()
    assert secret in body.replace(" ", "")

    wrong = client.post(
        "/accounts/two-factor/", {"code": "000000" if code_for(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 422
    allow_code_reuse(device)  # forget the throttling delay the wrong code started
    response = client.post("/accounts/two-factor/", {"code": code_for(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEntry.objects.filter(action="accounts.two_factor.enable", actor=world.grid_worker_a).exists()
    # The session that set it up goes on, now verified.
    assert client.get("/").status_code == 200
    assert 'data-testid="two-factor-on"' in client.get("/accounts/two-factor/").content.decode()


def test_turning_two_factor_on_ends_other_sessions_and_tokens(world, login):
    other = Client()
    other.force_login(world.grid_worker_a)
    other.get("/")
    services.token_issue(user=world.grid_worker_a)
    device = services.two_factor_begin(user=world.grid_worker_a)
    assert services.two_factor_confirm(user=world.grid_worker_a, device=device, code=code_for(device))
    response = other.get("/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ApiToken.objects.usable().filter(user=world.grid_worker_a).exists()


def test_login_asks_for_the_code_after_the_password(world, client):
    device = confirmed_device(world.grid_worker_a)
    response = password_login(client, "grid_a", next="/territory/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/verify/"
    # Not logged in yet.
    assert client.get("/").status_code == 302
    page = client.get("/accounts/login/verify/")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in page.content.decode()

    response = client.post("/accounts/login/verify/", {"code": code_for(device)})
    assert response.status_code == 302 and response["Location"] == "/territory/"
    assert client.get("/").status_code == 200


def test_wrong_code_keeps_the_user_out(world, client):
    device = confirmed_device(world.grid_worker_a)
    password_login(client, "grid_a")
    wrong = "123456" if code_for(device) != "123456" else "654321"
    response = client.post("/accounts/login/verify/", {"code": wrong})
    assert response.status_code == 422
    assert "not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_a_used_code_is_refused_the_second_time(world):
    device = confirmed_device(world.grid_worker_a)
    code = code_for(device)
    first, second = Client(), Client()
    password_login(first, "grid_a")
    assert first.post("/accounts/login/verify/", {"code": code}).status_code == 302
    password_login(second, "grid_a")
    assert second.post("/accounts/login/verify/", {"code": code}).status_code == 422


def test_verify_page_without_a_password_step_goes_back_to_login(client):
    response = client.get("/accounts/login/verify/")
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"


def test_session_that_skipped_the_code_is_ended(world, client):
    """The admin site's own login (or any plain login) knows nothing of OTP: such a session
    of an account with a device is logged out and sent to the login page."""
    confirmed_device(world.grid_worker_a)
    client.force_login(world.grid_worker_a)
    response = client.get("/territory/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert client.get("/").status_code == 302


# --- token endpoint ---------------------------------------------------------------------------


def test_token_requires_otp_when_the_user_has_a_device(world, client, password):
    device = confirmed_device(world.grid_worker_a)
    url = "/api/v1/auth/token"
    response = post_json(client, url, {"username": "grid_a", "password": password})
    assert response.status_code == 401 and response.json()["code"] == "otp_required"
    wrong = "000000" if code_for(device) != "000000" else "111111"
    response = post_json(client, url, {"username": "grid_a", "password": password, "otp": wrong})
    assert response.status_code == 401 and response.json()["code"] == "invalid_otp"
    allow_code_reuse(device)
    response = post_json(client, url, {"username": "grid_a", "password": password, "otp": code_for(device)})
    assert response.status_code == 200, response.content
    assert response.json()["token"].startswith("lnl_")


def test_token_without_device_needs_no_otp(world, client, password):
    response = post_json(client, "/api/v1/auth/token", {"username": "grid_a", "password": password})
    assert response.status_code == 200


def test_wrong_password_with_a_device_is_still_invalid_credentials(world, client):
    device = confirmed_device(world.grid_worker_a)
    response = post_json(
        client,
        "/api/v1/auth/token",
        {"username": "grid_a", "password": "nope-nope-nope", "otp": code_for(device)},
    )
    assert response.status_code == 401 and response.json()["code"] == "invalid_credentials"


# --- LINLI_REQUIRE_2FA ---------------------------------------------------------------------------


@override_settings(LINLI_REQUIRE_2FA=True)
def test_administrator_without_device_is_held_on_the_setup_page(world, login):
    client = login(world.secretary)
    response = client.get("/territory/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/?next=%2Fterritory%2F"
    assert client.get("/accounts/manage/").status_code == 302
    api = client.get("/api/v1/territory/nodes")
    assert api.status_code == 403 and api.json()["code"] == "otp_setup_required"
    assert client.get("/accounts/two-factor/").status_code == 200

    device = TOTPDevice.objects.get(user=world.secretary)
    response = client.post(
        "/accounts/two-factor/?next=/territory/", {"code": code_for(device), "next": "/territory/"}
    )
    assert response.status_code == 302 and response["Location"] == "/territory/"
    assert client.get("/").status_code == 200
    assert client.get("/accounts/manage/").status_code == 200


@override_settings(LINLI_REQUIRE_2FA=True)
def test_other_roles_are_not_held(world, login):
    client = login(world.grid_worker_a)
    assert client.get("/").status_code == 200


@override_settings(LINLI_REQUIRE_2FA=True)
def test_token_refused_to_administrator_without_device(world, client, password):
    response = post_json(client, "/api/v1/auth/token", {"username": "secretary", "password": password})
    assert response.status_code == 403 and response.json()["code"] == "otp_setup_required"


@override_settings(LINLI_REQUIRE_2FA=False)
def test_not_required_in_demo(world, login):
    assert login(world.secretary).get("/accounts/manage/").status_code == 200


def test_administrator_resets_a_lost_device(world, login):
    confirmed_device(world.grid_worker_a)
    client = login(world.secretary)
    response = client.post(f"/accounts/manage/{world.grid_worker_a.public_id}/two-factor/reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=world.grid_worker_a).exists()
    assert AuditEntry.objects.filter(action="accounts.two_factor.reset").exists()


@pytest.mark.parametrize("persona", ["grid_worker_b", "building_head"])
def test_reset_is_refused_to_non_administrators(world, login, persona):
    confirmed_device(world.grid_worker_a)
    client = login(getattr(world, persona))
    assert (
        client.post(f"/accounts/manage/{world.grid_worker_a.public_id}/two-factor/reset/").status_code == 403
    )
    assert TOTPDevice.objects.filter(user=world.grid_worker_a).exists()


def test_session_that_skipped_the_code_cannot_change_the_password(world, client, password):
    confirmed_device(world.grid_worker_a)
    client.force_login(world.grid_worker_a)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": password,
            "new_password1": "Fresh-meadow-8812",
            "new_password2": "Fresh-meadow-8812",
        },
    )
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert User.objects.get(pk=world.grid_worker_a.pk).check_password(password)
