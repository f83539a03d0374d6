"""The geometry API under /api/v1/geo/: boundaries (map and export), locate, import."""

from typing import Annotated, Any, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Body, Field, Query, Router, Schema, Status

from linli.accounts.schemas import ErrorOut
from linli.core.errors import ValidationFailed
from linli.core.scoping import get_scoped_or_404
from linli.territory import coords, geo_services, geojson
from linli.territory.models import Node

router = Router(tags=["geo"])

MAX_BATCH = 10_000
Longitude = Annotated[float, Field(ge=-180, le=180)]
Latitude = Annotated[float, Field(ge=-90, le=90)]
# The keys of coords.CRS_CHOICES, as the OpenAPI document lists them.
Crs = Literal["wgs84", "gcj02", "bd09"]


def _crs(value: str | None) -> str:
    try:
        return coords.normalise_crs(value)
    except ValueError:
        raise ValidationFailed(
            _("Unknown coordinate system %(crs)s; use wgs84, gcj02 or bd09.") % {"crs": value},
            code="unknown_crs",
            field="crs",
        ) from None


class NodeBrief(Schema):
    id: UUID
    code: str
    name: str
    kind: str
    dedicated_kind: str

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id


class BoundariesFilter(Schema):
    crs: Crs = coords.WGS84
    root: UUID | None = None
    kind: list[str] = Field(default_factory=list)


@router.get(
    "/boundaries",
    response={200: dict[str, Any], 404: ErrorOut, 422: ErrorOut},
    summary="The boundaries the caller may see, as a GeoJSON FeatureCollection",
)
def geo_boundaries(request, filters: Query[BoundariesFilter]):
    crs = _crs(filters.crs)
    root = None
    if filters.root:
        root = get_scoped_or_404(Node, request.user, request=request, public_id=filters.root)
    boundaries = geo_services.boundaries_visible(user=request.user, root=root, kinds=filters.kind)
    return geojson.feature_collection(boundaries, crs)


class LocateOut(Schema):
    lng: float
    lat: float
    crs: str
    node: NodeBrief | None


@router.get(
    "/locate",
    response={200: LocateOut, 422: ErrorOut},
    summary="The deepest place (in the caller's area) whose boundary contains a point",
)
def geo_locate(
    request,
    lng: float = Query(..., ge=-180, le=180),
    lat: float = Query(..., ge=-90, le=90),
    crs: Crs = coords.WGS84,
):
    crs = _crs(crs)
    node = geo_services.locate_point(lng, lat, crs, user=request.user)
    return {"lng": lng, "lat": lat, "crs": crs, "node": node}


class LocateBatchIn(Schema):
    crs: Crs = coords.WGS84
    points: list[tuple[Longitude, Latitude]] = Field(..., max_length=MAX_BATCH, description="[[lng, lat], …]")


class LocateBatchOut(Schema):
    crs: str
    codes: list[str | None] = Field(description="per point, in order: the code of its place, or null")
    nodes: dict[str, NodeBrief] = Field(description="the places named in `codes`, by code")


@router.post(
    "/locate",
    response={200: LocateBatchOut, 422: ErrorOut},
    summary="locate for up to 10,000 points at once",
)
def geo_locate_batch(request, payload: LocateBatchIn):
    crs = _crs(payload.crs)
    nodes = geo_services.locate_points(payload.points, crs, user=request.user)
    return {
        "crs": crs,
        "codes": [n.code if n is not None else None for n in nodes],
        "nodes": {n.code: n for n in nodes if n is not None},
    }


@router.post(
    "/import",
    response={200: dict[str, Any], 403: ErrorOut, 422: dict[str, Any]},
    summary="Import (or with dry_run only check) a GeoJSON FeatureCollection of boundaries",
    description=(
        "Properties per feature: code, name, kind, parent_code (dedicated_kind for dedicated "
        "grids). `crs` declares the file's coordinate system (wgs84, gcj02, bd09); boundaries "
        "are stored in WGS-84. Nothing is written when any feature has an error: the 422 "
        "answer lists {code, message} per feature with its index and code."
    ),
)
def geo_import(
    request,
    collection: Body[dict[str, Any]],
    crs: Crs = coords.WGS84,
    dry_run: bool = False,
):
    crs = _crs(crs)
    report = geo_services.boundaries_import(
        actor=request.user, data=collection, crs=crs, dry_run=dry_run, request=request
    )
    body = report.as_dict()
    if not report.ok:
        return Status(
            422,
            {
                "code": "geojson_invalid",
                "message": _("The file has %(n)d problem(s); nothing was imported.")
                % {"n": report.error_count},
                **body,
            },
        )
    return body
