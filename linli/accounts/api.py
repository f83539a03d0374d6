from uuid import UUID

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_login_failed
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import HttpBearer

from linli.accounts import selectors, services
from linli.accounts.password_validation import password_expired
from linli.accounts.schemas import (
    AccountIn,
    AccountOut,
    ErrorOut,
    GrantIn,
    ReasonIn,
    RoleOut,
    TokenIn,
    TokenOut,
)
from linli.accounts.views import lockout_response
from linli.core.errors import OutOfScope
from linli.core.pagination import Pagination

router = Router(tags=["auth"])


class BearerAuth(HttpBearer):
    def authenticate(self, request, token):
        user = services.token_user(token)
        if user is not None:
            request.user = user
        return user


@router.post(
    "/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 423: ErrorOut},
    summary="Exchange username and password (and OTP) for a bearer token",
)
def issue_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if user is None or not user.is_active:
        return Status(401, {"code": "invalid_credentials", "message": _("Wrong username or password.")})
    if selectors.has_two_factor(user):
        if not payload.otp:
            return Status(
                401,
                {
                    "code": "otp_required",
                    "message": _("Send the code from your authenticator app as otp."),
                },
            )
        if services.two_factor_verify(user=user, code=payload.otp) is None:
            # Counts towards the lockout like a wrong password (AxesMiddleware turns the
            # attempt that reaches the limit into 423).
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            return Status(401, {"code": "invalid_otp", "message": _("The code is not correct.")})
    elif selectors.two_factor_required(user):
        return Status(
            403,
            {
                "code": "otp_setup_required",
                "message": _("Set up two-factor authentication on the website before using the API."),
            },
        )
    if password_expired(user):
        return Status(
            403,
            {
                "code": "password_expired",
                "message": _("Your password has expired. Change it on the website first."),
            },
        )
    token, expires_at = services.token_issue(user=user, request=request)
    return Status(200, {"token": token, "expires_at": expires_at})


# --- account administration: /api/v1/accounts/ ------------------------------------------

admin_router = Router(tags=["accounts"])
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class AccountFilter(Schema):
    q: str = ""
    status: str = ""


def _node(request, node_id: UUID):
    node = selectors.administrable_nodes(user=request.user).filter(public_id=node_id).first()
    if node is None:
        raise OutOfScope
    return node


def _account(request, user_id: UUID):
    return selectors.user_administrable_or_404(actor=request.user, public_id=user_id, request=request)


@admin_router.get("/users", response=list[AccountOut], summary="Accounts in the caller's area")
@paginate(Pagination)
def list_accounts(request, filters: Query[AccountFilter]):
    return selectors.users_for_listing(user=request.user, q=filters.q.strip(), status=filters.status)


@admin_router.get("/users/{user_id}", response={200: AccountOut, 404: ErrorOut})
def get_account(request, user_id: UUID):
    return _account(request, user_id)


@admin_router.post(
    "/users", response={201: AccountOut, **WRITE_ERRORS}, summary="Create an account with its first role"
)
def create_account(request, payload: AccountIn):
    node = _node(request, payload.node_id)
    user = services.user_create(
        actor=request.user,
        username=payload.username,
        full_name=payload.full_name,
        password=payload.password,
        role=payload.role,
        node=node,
        request=request,
    )
    return Status(201, _account(request, user.public_id))


@admin_router.post("/users/{user_id}/roles", response={201: RoleOut, **WRITE_ERRORS}, summary="Grant a role")
def grant_role(request, user_id: UUID, payload: GrantIn):
    user = _account(request, user_id)
    node = _node(request, payload.node_id)
    assignment = services.role_grant(
        actor=request.user, user=user, role=payload.role, node=node, request=request
    )
    return Status(201, assignment)


@admin_router.post(
    "/users/{user_id}/roles/{role_id}/end", response={200: RoleOut, **WRITE_ERRORS}, summary="End a role"
)
def end_role(request, user_id: UUID, role_id: UUID):
    user = _account(request, user_id)
    assignment = selectors.assignment_or_404(actor=request.user, user=user, public_id=role_id)
    return Status(200, services.role_end(actor=request.user, assignment=assignment, request=request))


@admin_router.post(
    "/users/{user_id}/disable",
    response={200: AccountOut, **WRITE_ERRORS},
    summary="Disable an account: ends its sessions and tokens at once",
)
def disable_account(request, user_id: UUID, payload: ReasonIn | None = None):
    user = _account(request, user_id)
    reason = payload.reason if payload else ""
    services.user_disable(actor=request.user, user=user, reason=reason, request=request)
    return Status(200, _account(request, user_id))


@admin_router.post(
    "/users/{user_id}/enable", response={200: AccountOut, **WRITE_ERRORS}, summary="Enable an account"
)
def enable_account(request, user_id: UUID, payload: ReasonIn | None = None):
    user = _account(request, user_id)
    reason = payload.reason if payload else ""
    services.user_enable(actor=request.user, user=user, reason=reason, request=request)
    return Status(200, _account(request, user_id))
