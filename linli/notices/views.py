"""The bell: the user's own notifications. Nothing here is scoped by territory: a user only
ever sees the rows addressed to them."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from linli.notices import selectors, services

LIMIT = 100


@login_required
@require_GET
def inbox(request):
    rows = list(selectors.inbox(user=request.user)[:LIMIT])
    return render(request, "notices/inbox.html", {"notifications": rows})


@login_required
@require_POST
def mark_read(request):
    """Mark one (public_id given) or all read; then follow the notification's link."""
    public_id = request.POST.get("id") or None
    try:
        services.mark_read(user=request.user, public_id=public_id)
    except Exception:  # noqa: BLE001 - a malformed id marks nothing
        public_id = None
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("notices:inbox")
