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
