"""Rating links: the reporter of a closed appeal gets a link to rate it.

The link carries a signed token (django.core.signing, salted for this purpose) naming the
appeal and which close it was sent for (`close_count`). It is accepted only while that
appeal is closed with that same close count, within LINLI_APPEAL_RATING_DAYS:
- it works once: a rating moves the appeal out of CLOSED (rated, or back to handling);
- after rework and a new close, the old link names an old close and is refused;
- it names its own appeal only: the signature covers the appeal's public id.
"""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

from linli.appeals.choices import Status
from linli.appeals.models import Appeal

SALT = "linli.appeals.rating"


def make_token(appeal: Appeal) -> str:
    return signing.dumps({"a": str(appeal.public_id), "c": appeal.close_count}, salt=SALT, compress=True)


def rating_path(appeal: Appeal) -> str:
    return reverse("appeals_public:rate", args=[make_token(appeal)])


def rating_url(appeal: Appeal) -> str:
    return f"{settings.LINLI_PUBLIC_URL}{rating_path(appeal)}"


def appeal_for_token(token: str) -> Appeal | None:
    """The appeal this token may still rate, or None (bad signature, expired, used, stale)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=settings.LINLI_APPEAL_RATING_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    appeal = (
        Appeal.objects.select_related("node", "category", "handler_node", "grid")
        .filter(public_id=payload.get("a"))
        .first()
    )
    if appeal is None or appeal.status != Status.CLOSED or appeal.close_count != payload.get("c"):
        return None
    return appeal
