from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from ninja import Router
from ninja.security import HttpBearer

from linli.accounts import services
from linli.accounts.schemas import ErrorOut, TokenIn, TokenOut
from linli.accounts.views import lockout_response

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
    response={200: TokenOut, 401: ErrorOut, 423: ErrorOut},
    summary="Exchange username and password (and OTP) for a bearer token",
)
def issue_token(request, payload: TokenIn):
    user = authenticate(request, username=payload.username, password=payload.password)
    if getattr(request, "axes_locked_out", False):
        return lockout_response(request)
    if user is None or not user.is_active:
        return 401, {"code": "invalid_credentials", "message": _("Wrong username or password.")}
    token, expires_at = services.token_issue(user=user, request=request)
    return 200, {"token": token, "expires_at": expires_at}
