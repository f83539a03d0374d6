from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from linli.territory import selectors as territory_selectors

ERROR_TEXT = {
    400: ("Bad request", "The request could not be understood."),
    403: ("Forbidden", "You do not have permission to see this page."),
    404: ("Not found", "This page does not exist, or it is outside your area."),
    500: ("Server error", "Something went wrong on our side. The error has been logged."),
}


def _error(request, status: int):
    title, text = ERROR_TEXT[status]
    if request.path.startswith("/api/"):
        code = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}[status]
        return JsonResponse({"code": code, "message": _(text)}, status=status)
    return render(
        request, "error.html", {"status": status, "title": _(title), "text": _(text)}, status=status
    )


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def server_error(request):
    return _error(request, 500)


@login_required
def home(request):
    places = territory_selectors.top_nodes(user=request.user)
    return render(request, "home.html", {"places": places})
