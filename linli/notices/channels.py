"""Where notifications go besides the in-app inbox (always written): the channels named in
LINLI_NOTIFY_CHANNELS.

- console: one log line per message (demo mode; phone numbers masked);
- sms: the SMS gateway at LINLI_SMS_URL, POST {"phone": ..., "text": ...} as JSON with
  "Authorization: Bearer LINLI_SMS_TOKEN" (the shape most gateways' HTTP adapters take);
  only texts to residents go this way;
- wecom: a WeCom (企业微信) group robot at LINLI_WECOM_WEBHOOK_URL, POST
  {"msgtype": "text", "text": {"content": ...}}; only supervision alerts go there
  (STAFF_GROUP_KINDS), so the street's work group sees what is late without being flooded.

A channel raises on failure; the task that called it is then retried with backoff
(linli/core/tasks.py). Nothing here runs inside a request's transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from django.conf import settings

from linli.core.masking import mask_phone

logger = logging.getLogger("linli.notify")

TIMEOUT_SECONDS = 10
STAFF_GROUP_KINDS = {"appeal.warning", "appeal.overdue", "appeal.escalated", "appeal.response_overdue"}


class DeliveryFailed(Exception):
    pass


@dataclass(frozen=True)
class StaffMessage:
    kind: str
    recipient: str  # the account's display name
    title: str
    body: str
    url: str


@dataclass(frozen=True)
class Text:
    phone: str
    text: str


def enabled() -> list[str]:
    return list(getattr(settings, "LINLI_NOTIFY_CHANNELS", []))


def external_enabled() -> bool:
    return bool(enabled())


def _absolute(url: str) -> str:
    return f"{settings.LINLI_PUBLIC_URL}{url}" if url.startswith("/") else url


def _post(url: str, payload: dict, headers: dict | None = None) -> None:
    try:
        response = requests.post(url, json=payload, headers=headers or {}, timeout=TIMEOUT_SECONDS)
    except requests.RequestException as exc:
        raise DeliveryFailed(f"{url.split('?')[0]}: {type(exc).__name__}") from None
    if response.status_code >= 400:
        raise DeliveryFailed(f"{url.split('?')[0]} answered {response.status_code}")
    # WeCom answers 200 with {"errcode": non-zero} on a refusal.
    if "application/json" in response.headers.get("Content-Type", ""):
        try:
            body = response.json()
        except ValueError:
            body = {}
        if isinstance(body, dict) and body.get("errcode") not in (None, 0):
            raise DeliveryFailed(f"{url.split('?')[0]} refused: errcode {body.get('errcode')}")


def send_staff(message: StaffMessage) -> list[str]:
    """Deliver a staff notification to the external channels; return those used."""
    used = []
    for channel in enabled():
        if channel == "console":
            logger.info(
                "notify %s [%s] %s %s", message.recipient, message.kind, message.title, _absolute(message.url)
            )
            used.append(channel)
        elif channel == "wecom" and message.kind in STAFF_GROUP_KINDS:
            content = f"{message.title}\n{message.body}\n{_absolute(message.url)}".strip()
            _post(settings.LINLI_WECOM_WEBHOOK_URL, {"msgtype": "text", "text": {"content": content}})
            used.append(channel)
    return used


def send_text(message: Text) -> list[str]:
    """Send a text message to a phone (a resident without an account)."""
    used = []
    for channel in enabled():
        if channel == "console":
            logger.info("text %s: %s", mask_phone(message.phone), message.text)
            used.append(channel)
        elif channel == "sms":
            headers = (
                {"Authorization": f"Bearer {settings.LINLI_SMS_TOKEN}"} if settings.LINLI_SMS_TOKEN else {}
            )
            _post(settings.LINLI_SMS_URL, {"phone": message.phone, "text": message.text}, headers)
            used.append(channel)
    return used
