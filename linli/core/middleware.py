from django.conf import settings
from django.utils import translation

SUPPORTED = {code for code, _ in settings.LANGUAGES}


def preferred_language(request) -> str:
    """The user's saved choice, else the language cookie, else Chinese.

    The browser's Accept-Language is deliberately ignored: Chinese is the interface
    language of this product; English is chosen, never guessed.
    """
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in SUPPORTED:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if cookie in SUPPORTED:
        return cookie
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class DomainErrorMiddleware:
    """A PermissionDenied or OutOfScope raised by a service during a page request becomes
    the 403 or 404 page; views only handle the errors a user can fix (ValidationFailed)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
        from django.http import Http404

        from linli.core.errors import OutOfScope, PermissionDenied

        if isinstance(exception, OutOfScope):
            raise Http404 from exception
        if isinstance(exception, PermissionDenied):
            raise DjangoPermissionDenied from exception
        return None


class RejectNulMiddleware:
    """A NUL character in a query string or a form is never meant: PostgreSQL cannot even
    store it, so it would surface as a 500 deep in a query. Refuse it at the door: 422 in the
    API (like any invalid input), the 400 page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _has_nul(request):
            if request.path.startswith("/api/"):
                from django.http import JsonResponse
                from django.utils.translation import gettext as _

                return JsonResponse(
                    {"code": "validation_error", "message": _("The request is not valid.")}, status=422
                )
            from linli.core.views import bad_request

            return bad_request(request)
        return self.get_response(request)


def _has_nul(request) -> bool:
    if "%00" in request.META.get("QUERY_STRING", "") or "\x00" in request.META.get("QUERY_STRING", ""):
        return True
    content_type = request.META.get("CONTENT_TYPE", "")
    # CsrfViewMiddleware parses these forms anyway; JSON bodies are left to the schemas.
    if request.method == "POST" and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return any("\x00" in value for values in request.POST.lists() for value in values[1])
    return False
