import functools

from django.conf import settings

from linli.core.selectors import can_view_audit


def linli(request):
    user = getattr(request, "user", None)
    places = []
    if user is not None and user.is_authenticated:
        places = user.place_labels()
    return {
        "LINLI_DEMO": settings.LINLI_DEMO,
        "user_places": places,
        # A callable: the template calls it only where the nav link is drawn.
        "can_view_audit": functools.partial(can_view_audit, user),
    }
