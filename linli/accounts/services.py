"""Writes on accounts: tokens, language, disabling. Each leaves an audit row."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from linli.accounts.models import ApiToken, User, hash_token
from linli.core import audit

TOKEN_PREFIX = "lnl_"  # noqa: S105 - a visible prefix, not a secret


@transaction.atomic
def token_issue(*, user: User, request=None) -> tuple[str, datetime]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=settings.LINLI_TOKEN_DAYS)
    token = ApiToken.objects.create(
        user=user, key_hash=hash_token(raw), prefix=raw[:12], expires_at=expires_at
    )
    audit.record(actor=user, action="auth.token_issued", target=token, request=request)
    return raw, expires_at


def token_user(raw: str) -> User | None:
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(raw)).first()
    if token is None:
        return None
    # Touch last_used_at at most once a minute: not a write per request.
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def token_revoke(*, actor: User, token: ApiToken, request=None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(actor=actor, action="auth.token_revoked", target=token, request=request)


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    User.objects.filter(pk=user.pk).update(language=language)
    user.language = language


@transaction.atomic
def user_end_sessions(*, user: User) -> None:
    """End every session and token of the user at once."""
    User.objects.filter(pk=user.pk).update(session_epoch=F("session_epoch") + 1)
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    # Database sessions carry the user id inside their encoded data; the epoch check in
    # SessionTimeoutMiddleware ends them on their next request, this removes what it can now.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
