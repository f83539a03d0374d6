import json

from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts.services import token_issue
from linli.test import PASSWORD


def code_for(device: TOTPDevice) -> str:
    """The code the authenticator app would show now."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def confirmed_device(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def allow_code_reuse(device: TOTPDevice) -> None:
    """A device refuses a code it already accepted (replay protection); tests that log in
    twice within one 30-second step forget the last one."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)


def bearer(user) -> dict:
    raw, _ = token_issue(user=user)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post_json(client: Client, url: str, data: dict | None = None, **extra):
    return client.post(url, json.dumps(data or {}), content_type="application/json", **extra)


def password_login(client: Client, username: str, password: str = PASSWORD, **data):
    return client.post("/accounts/login/", {"username": username, "password": password, **data})
