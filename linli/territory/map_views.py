"""The map page, a grid's card, and the boundary import and export pages."""

import json
import uuid

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from linli.core.scoping import get_scoped_or_404
from linli.territory import coords, geo_services, geojson, selectors
from linli.territory.choices import DedicatedKind, NodeKind
from linli.territory.models import Node

# The card URL the script fills in: this id is replaced by the clicked grid's id.
_PLACEHOLDER_ID = uuid.UUID(int=0)
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CRS_FORM_CHOICES = [(key, coords.CRS_LABELS[key]) for key in coords.CRS_CHOICES]


@login_required
def map_page(request):
    grids = (
        geo_services.boundaries_visible(user=request.user, kinds=[NodeKind.GRID, NodeKind.DEDICATED_GRID])
        .select_related(None)
        .select_related("node")
        .order_by("node__code")
    )
    tile_crs = settings.LINLI_TILE_CRS if settings.LINLI_TILE_URL else coords.WGS84
    context = {
        "boundaries_url": f"{reverse('api:geo_boundaries')}?crs={tile_crs}",
        "places_url": f"{reverse('api:place_markers')}?crs={tile_crs}",
        "place_url": reverse("territory:place", args=[_PLACEHOLDER_ID]),
        "card_url": reverse("territory:map_card", args=[_PLACEHOLDER_ID]),
        "placeholder_id": str(_PLACEHOLDER_ID),
        "tile_url": settings.LINLI_TILE_URL,
        "grids": [b.node for b in grids],
        "dedicated_kinds": DedicatedKind.choices,
        "can_import": geojson.may_import(request.user),
    }
    return render(request, "territory/map.html", context)


@login_required
def map_card(request, node_id):
    node = get_scoped_or_404(
        Node.objects.select_related("parent"), request.user, request=request, public_id=node_id
    )
    counts = selectors.subtree_counts(node=node)
    context = {
        "node": node,
        "buildings": counts[NodeKind.BUILDING],
        "dwellings": counts[NodeKind.DWELLING],
        # The people responsible now, and the places recorded in it (places_views.py).
        "people": selectors.people_now(user=request.user, node=node),
        "places": selectors.place_counts(node=node)["total"],
        # RelatedObjectDoesNotExist is an AttributeError: None when the node has no outline.
        "boundary": getattr(node, "boundary", None),
    }
    template = "territory/map_card.html#card" if request.htmx else "territory/map_card.html"
    return render(request, template, context)


class BoundaryImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("GeoJSON file"))
    crs = forms.ChoiceField(
        label=gettext_lazy("Coordinate system of the file"), choices=CRS_FORM_CHOICES, initial=coords.WGS84
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)d MB.") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        try:
            return json.loads(upload.read().decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            raise forms.ValidationError(_("The file is not valid JSON (UTF-8).")) from None


@login_required
@require_http_methods(["GET", "POST"])
def map_import(request):
    if not geojson.may_import(request.user):
        raise PermissionDenied
    report = None
    status = 200
    if request.method == "POST":
        form = BoundaryImportForm(request.POST, request.FILES)
        if form.is_valid():
            report = geo_services.boundaries_import(
                actor=request.user,
                data=form.cleaned_data["file"],
                crs=form.cleaned_data["crs"],
                dry_run=request.POST.get("action") != "import",
                request=request,
            )
            status = 200 if report.ok else 422
        else:
            status = 422
    else:
        form = BoundaryImportForm()
    return render(request, "territory/map_import.html", {"form": form, "report": report}, status=status)


@login_required
def map_export(request):
    try:
        crs = coords.normalise_crs(request.GET.get("crs"))
    except ValueError:
        crs = coords.WGS84
    collection = geojson.feature_collection(geo_services.boundaries_visible(user=request.user), crs)
    response = HttpResponse(
        json.dumps(collection, ensure_ascii=False), content_type="application/geo+json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="linli-boundaries-{crs}.geojson"'
    return response
