import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url

SESSION_SEEN = "linli_seen"
SESSION_STARTED = "linli_started"
SESSION_EPOCH = "linli_epoch"


class SessionTimeoutMiddleware:
    """Ends a session after LINLI_SESSION_IDLE_MINUTES without a request, after
    SESSION_COOKIE_AGE in total whatever the activity, or when the account's session epoch
    moved on (disabled, password changed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and hasattr(request, "session"):
            session = request.session
            now = int(time.time())
            started = session.setdefault(SESSION_STARTED, now)
            seen = session.get(SESSION_SEEN, now)
            epoch = session.setdefault(SESSION_EPOCH, user.session_epoch)
            expired = (
                now - seen > settings.LINLI_SESSION_IDLE_MINUTES * 60
                or now - started > settings.SESSION_COOKIE_AGE
                or epoch != user.session_epoch
                or not user.is_active
            )
            if expired:
                logout(request)
                if request.path.startswith("/api/") or request.htmx:
                    return self.get_response(request)
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
            # Write the session at most once a minute, not on every request.
            if now - seen >= 60 or SESSION_SEEN not in session:
                session[SESSION_SEEN] = now
        return self.get_response(request)


# Pages a signed-in user may always reach: logging in and out, the language, no data.
GATE_OPEN = {
    "accounts:login",
    "accounts:login_verify",
    "accounts:logout",
    "accounts:language",
    "api:issue_token",
    "healthz",
    "readyz",
}
# The pages that lift the gate; not for a session that skipped the two-factor code.
GATE_LIFTING = {"accounts:two_factor", "accounts:password_change"}


def gate_step(request) -> str | None:
    """The page a signed-in user must visit before any other, or None.

    - A session that holds no OTP verification although the account has a confirmed
      device skipped the second step (the admin site's own login, for one): it ends.
    - LINLI_REQUIRE_2FA: an administrator without a device sets one up first.
    - The strict password policy: an expired password is changed first.
    """
    from linli.accounts import selectors
    from linli.accounts.password_validation import password_expired

    user = request.user
    verified = getattr(user, "is_verified", None)
    if not (verified and verified()):
        if selectors.has_two_factor(user):
            return "accounts:login"
        if selectors.two_factor_required(user):
            return "accounts:two_factor"
    if password_expired(user):
        return "accounts:password_change"
    return None


class AccountGateMiddleware:
    """Holds a signed-in user on the two-factor set-up or password change page until done
    (see gate_step). Runs after OTPMiddleware. Bearer-token API calls are not held here:
    the token endpoint refuses such accounts a token in the first place."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http import JsonResponse
        from django.urls import reverse
        from django.utils.http import urlencode
        from django.utils.translation import gettext as _
        from django_htmx.http import HttpResponseClientRedirect

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in GATE_OPEN:
            return None
        api = request.path.startswith("/api/")
        if api and "HTTP_AUTHORIZATION" in request.META:
            return None
        step = gate_step(request)
        if step is None or (step != "accounts:login" and view_name in GATE_LIFTING):
            return None
        if step == "accounts:login":
            logout(request)
        if api:
            messages = {
                "accounts:login": ("otp_required", _("Log in again with your two-factor code.")),
                "accounts:two_factor": ("otp_setup_required", _("Set up two-factor authentication first.")),
                "accounts:password_change": (
                    "password_expired",
                    _("Your password has expired. Change it first."),
                ),
            }
            code, message = messages[step]
            return JsonResponse({"code": code, "message": message}, status=403)
        url = f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(url)
        return redirect(url)
