from django.conf import settings


def linli(request):
    user = getattr(request, "user", None)
    places = []
    if user is not None and user.is_authenticated:
        places = user.place_labels()
    return {"LINLI_DEMO": settings.LINLI_DEMO, "user_places": places}
