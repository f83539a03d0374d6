"""Writes on accounts: tokens, language, administration, passwords, two-factor.

Each administrative write checks the rules in selectors.py (can_grant, can_manage) itself,
whatever the form or schema offered, and leaves an audit row. Passwords and OTP secrets
never reach the audit log.
"""

import secrets
from datetime import datetime, timedelta

import django.contrib.auth.password_validation as django_password_validation
from django.conf import settings
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import match_token
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from linli.accounts import selectors
from linli.accounts.models import ApiToken, RoleAssignment, User, hash_token
from linli.accounts.roles import Role
from linli.core import audit
from linli.core.errors import Conflict, OutOfScope, PermissionDenied, ValidationFailed
from linli.territory.models import Node

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


# --- administration -------------------------------------------------------------------


def _home_path(user: User) -> str:
    """The node path an account's audit rows are filed under: its first active role, so
    that whoever may read the audit of that place sees them."""
    first = (
        RoleAssignment.objects.filter(user=user, ended_at__isnull=True)
        .order_by("node__path")
        .values_list("node__path", flat=True)
        .first()
    )
    return first or ""


def _validate_password(password: str, user: User) -> None:
    try:
        django_password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password") from None


def _ensure_administrable(actor: User, user: User) -> None:
    if not selectors.users_administrable(user=actor).filter(pk=user.pk).exists():
        raise OutOfScope


def _ensure_grantable(actor: User, role: str, node: Node) -> None:
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), field="role")
    if node.retired_at is not None:
        raise ValidationFailed(_("This place has been retired."), field="node")
    if not selectors.can_grant(actor=actor, role=role, node=node):
        raise PermissionDenied(
            _("You may not grant the role %(role)s at %(node)s.")
            % {"role": Role(role).label, "node": node.name},
            field="role",
        )


def _ensure_manageable(actor: User, user: User) -> None:
    _ensure_administrable(actor, user)
    if actor.pk == user.pk:
        raise PermissionDenied(_("You cannot do this to your own account."))
    if not selectors.can_manage(actor=actor, user=user):
        raise PermissionDenied(_("This account holds a role beyond what you may grant."))


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    password: str,
    role: str,
    node: Node,
    request=None,
) -> User:
    _ensure_grantable(actor, role, node)
    username = username.strip()
    full_name = full_name.strip()
    if not username:
        raise ValidationFailed(_("A username is required."), field="username")
    try:
        UnicodeUsernameValidator()(username)
    except ValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="username") from None
    # Case-insensitively unique: "Zhang" and "zhang" would be two people to the database
    # and one person to everyone else.
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed(_("This username is already taken."), field="username")
    _validate_password(password, User(username=username, full_name=full_name))
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password, full_name=full_name)
    except IntegrityError:
        raise ValidationFailed(_("This username is already taken."), field="username") from None
    # The administrator knows this password: under the strict policy the new user must
    # choose their own at the first login.
    User.objects.filter(pk=user.pk).update(password_changed_at=None)
    user.password_changed_at = None
    RoleAssignment.objects.create(user=user, role=role, node=node, created_by=actor)
    audit.record(
        actor=actor,
        action="accounts.user.create",
        target=user,
        node_path=node.path,
        after={"username": username, "full_name": full_name, "role": role, "node": node.code},
        request=request,
    )
    return user


@transaction.atomic
def role_grant(*, actor: User, user: User, role: str, node: Node, request=None) -> RoleAssignment:
    _ensure_administrable(actor, user)
    if actor.pk == user.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot change your own roles."))
    _ensure_grantable(actor, role, node)
    if RoleAssignment.objects.filter(user=user, role=role, node=node, ended_at__isnull=True).exists():
        raise ValidationFailed(_("The account already holds this role here."), field="role")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(user=user, role=role, node=node, created_by=actor)
    except IntegrityError:
        raise ValidationFailed(_("The account already holds this role here."), field="role") from None
    audit.record(
        actor=actor,
        action="accounts.role.grant",
        target=user,
        node_path=node.path,
        after={"role": role, "node": node.code},
        request=request,
    )
    return assignment


@transaction.atomic
def role_end(*, actor: User, assignment: RoleAssignment, request=None) -> RoleAssignment:
    user = User.objects.select_for_update().get(pk=assignment.user_id)
    _ensure_administrable(actor, user)
    if actor.pk == user.pk and not actor.is_superuser:
        raise PermissionDenied(_("You cannot change your own roles."))
    node = assignment.node
    if not selectors.can_grant(actor=actor, role=assignment.role, node=node):
        raise PermissionDenied(_("You may only end roles you could grant."))
    others = RoleAssignment.objects.filter(user=user, ended_at__isnull=True).exclude(pk=assignment.pk)
    if not others.exists():
        # An account without a role would drop out of every area, with nobody left to
        # manage it: disable it instead.
        raise ValidationFailed(
            _("This is the account's last role. Grant another role first, or disable the account.")
        )
    now = timezone.now()
    if not RoleAssignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(ended_at=now):
        raise Conflict(_("This role has already been ended."))
    assignment.ended_at = now
    audit.record(
        actor=actor,
        action="accounts.role.end",
        target=user,
        node_path=node.path,
        before={"role": assignment.role, "node": node.code},
        request=request,
    )
    return assignment


@transaction.atomic
def user_disable(*, actor: User, user: User, reason: str = "", request=None) -> User:
    _ensure_manageable(actor, user)
    if not User.objects.filter(pk=user.pk, is_active=True).update(is_active=False):
        raise Conflict(_("This account is already disabled."))
    user.is_active = False
    user_end_sessions(user=user)
    audit.record(
        actor=actor,
        action="accounts.user.disable",
        target=user,
        node_path=_home_path(user),
        reason=reason,
        request=request,
    )
    return user


@transaction.atomic
def user_enable(*, actor: User, user: User, reason: str = "", request=None) -> User:
    _ensure_manageable(actor, user)
    if not User.objects.filter(pk=user.pk, is_active=False).update(is_active=True):
        raise Conflict(_("This account is already enabled."))
    user.is_active = True
    audit.record(
        actor=actor,
        action="accounts.user.enable",
        target=user,
        node_path=_home_path(user),
        reason=reason,
        request=request,
    )
    return user


# --- passwords ------------------------------------------------------------------------


@transaction.atomic
def user_set_password(*, actor: User, user: User, password: str, request=None) -> User:
    """The owner changes their password, or an administrator resets it. Either way every
    session and token of the account ends; the view keeps the owner's current session."""
    own = actor.pk == user.pk
    if not own:
        _ensure_manageable(actor, user)
    _validate_password(password, user)
    if own and user.check_password(password):
        raise ValidationFailed(_("Choose a password different from the current one."), field="password")
    user.set_password(password)
    if not own:
        # Known to the administrator: under the strict policy, expired at once.
        user.password_changed_at = None
    user.save(update_fields=["password", "password_changed_at"])
    user_end_sessions(user=user)
    user.refresh_from_db(fields=["session_epoch"])
    audit.record(
        actor=actor,
        action="accounts.password.change" if own else "accounts.password.reset",
        target=user,
        node_path=_home_path(user),
        request=request,
    )
    return user


# --- two-factor -----------------------------------------------------------------------


def two_factor_begin(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device whose secret the setup page shows; the same one until
    it is confirmed, so that reloading the page does not invalidate a scanned code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Linli", confirmed=False)
    return device


def two_factor_confirm(*, user: User, device: TOTPDevice, code: str, request=None) -> bool:
    """Confirm the device with a code from the app. Not one transaction with the check: a
    failed check must keep its throttling count."""
    if device.user_id != user.pk or device.confirmed:
        raise ValidationFailed(_("Start the set-up again."))
    if not device.verify_token(code.replace(" ", "")):
        return False
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        # Sessions and tokens obtained with the password alone end now.
        user_end_sessions(user=user)
        user.refresh_from_db(fields=["session_epoch"])
        audit.record(
            actor=user,
            action="accounts.two_factor.enable",
            target=user,
            node_path=_home_path(user),
            request=request,
        )
    return True


def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The confirmed device that accepts the code, or None. Each device refuses a code it
    has already accepted, and slows down after failures (django-otp's throttling)."""
    code = (code or "").replace(" ", "")
    if not code:
        return None
    return match_token(user, code)


@transaction.atomic
def two_factor_reset(*, actor: User, user: User, request=None) -> None:
    """For a lost phone: remove the account's devices and end its sessions. If the role
    requires two-factor, the next login leads to the set-up page again."""
    _ensure_manageable(actor, user)
    TOTPDevice.objects.filter(user=user).delete()
    user_end_sessions(user=user)
    audit.record(
        actor=actor,
        action="accounts.two_factor.reset",
        target=user,
        node_path=_home_path(user),
        request=request,
    )
