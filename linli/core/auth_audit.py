"""Audit rows for authentication: auth.login, auth.logout, auth.login_failed, auth.lockout.

Connected in CoreConfig.ready(). These rows have no territory (empty node_path); the audit
page shows them to the people whose area holds the account (core/selectors.py). So the
actor of a failed login or a lockout is the account the attempt named, when it exists:
a secretary sees someone trying passwords on a grid worker's account.

The password is never read. A username that names no account is stored shortened,
because it is often a password typed into the wrong box.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from linli.core import audit


def _mask_unknown(username: str) -> str:
    keep = 2 if len(username) > 4 else 1
    return username[:keep] + "***"


def _named_account(username: str | None):
    """(account or None, the name to store) for a username typed at a login."""
    username = (username or "").strip()[:150]
    if not username:
        return None, ""
    user_model = get_user_model()
    account = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    if account is not None:
        return account, account.get_username()
    return None, _mask_unknown(username)


def on_logged_in(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, action="auth.login", request=request)


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None:  # logging out without a session: nothing happened
        return
    audit.record(actor=user, action="auth.logout", request=request)


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # `credentials` is already cleansed by Django; only the username is taken from it.
    account, name = _named_account((credentials or {}).get("username"))
    audit.record(actor=account, actor_username=name, action="auth.login_failed", request=request)


def on_locked_out(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    account, name = _named_account(username)
    audit.record(actor=account, actor_username=name, action="auth.lockout", request=request, ip=ip_address)


def connect() -> None:
    user_logged_in.connect(on_logged_in, dispatch_uid="linli.audit.login")
    user_logged_out.connect(on_logged_out, dispatch_uid="linli.audit.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="linli.audit.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="linli.audit.lockout")
