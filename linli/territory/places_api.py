"""The API of places (/api/v1/places) and responsibilities (/api/v1/responsibilities).

Same services as the pages; phones leave the API masked. Locations are WGS-84 in and out
unless `crs` says otherwise (the map asks for its tiles' system).
"""

import datetime
from typing import Any, Literal
from uuid import UUID

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from linli.accounts import selectors as account_selectors
from linli.accounts.schemas import ErrorOut
from linli.core.errors import ValidationFailed
from linli.core.masking import mask_phone
from linli.core.pagination import Pagination
from linli.core.scoping import get_scoped_or_404
from linli.territory import coords, places_services, responsibility_services, selectors
from linli.territory.models import Duty, Node, Place, PlaceContact, PlaceKind, Responsibility

places_router = Router(tags=["places"])
responsibilities_router = Router(tags=["responsibilities"])

Crs = Literal["wgs84", "gcj02", "bd09"]


class NodeRef(Schema):
    id: UUID
    code: str
    name: str
    kind: str

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id


class ContactOut(Schema):
    id: UUID
    name: str
    role: str
    phone: str = Field(description="masked")

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_phone(obj) -> str:
        return mask_phone(obj.phone)


class ContactIn(Schema):
    name: str = Field(..., max_length=50)
    role: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)


class PlaceOut(Schema):
    id: UUID
    kind: str
    kind_label: str
    small_shop_kind: str
    name: str
    credit_code: str
    old_registration_number: str
    address: str
    lng: float | None = Field(description="WGS-84")
    lat: float | None = Field(description="WGS-84")
    location_crs: str
    grid: NodeRef
    note: str
    contacts: list[ContactOut]
    created_at: datetime.datetime
    retired_at: datetime.datetime | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_contacts(obj) -> list:
        return list(obj.contacts.all())


class PlaceIn(Schema):
    kind: str = Field(..., description=", ".join(PlaceKind.values))
    name: str = Field(..., max_length=200)
    small_shop_kind: str = Field(
        "", description="“五小” shops: restaurant, shop, hotel, entertainment, hair_salon"
    )
    credit_code: str = Field("", max_length=30, description="统一社会信用代码, 18 characters, checked")
    old_registration_number: str = Field("", max_length=40)
    address: str = Field("", max_length=255)
    # Not bounded here: the service says when longitude and latitude look swapped.
    lng: float | None = None
    lat: float | None = None
    crs: Crs = coords.WGS84
    grid_id: UUID | None = Field(None, description="used when no location is given or it lies in no grid")
    note: str = ""
    contacts: list[ContactIn] = Field(default_factory=list, max_length=20)


class PlacePatch(Schema):
    kind: str | None = None
    name: str | None = Field(None, max_length=200)
    small_shop_kind: str | None = None
    credit_code: str | None = Field(None, max_length=30)
    old_registration_number: str | None = Field(None, max_length=40)
    address: str | None = Field(None, max_length=255)
    # Not bounded here: the service says when longitude and latitude look swapped.
    lng: float | None = None
    lat: float | None = None
    crs: Crs | None = None
    grid_id: UUID | None = None
    note: str | None = None


class PlaceFilter(Schema):
    kind: str | None = None
    node_id: UUID | None = Field(None, description="a community or grid: places inside it")
    small_shop: bool | None = None
    q: str = ""
    include_retired: bool = False


class RetireIn(Schema):
    reason: str = Field("", max_length=500)


def _place(request, place_id: UUID, action: str = "view") -> Place:
    return get_scoped_or_404(
        Place.objects.select_related("grid"), request.user, action, request=request, public_id=place_id
    )


def _grid(request, grid_id: UUID | None) -> Node | None:
    if grid_id is None:
        return None
    return get_scoped_or_404(Node, request.user, request=request, public_id=grid_id)


@places_router.get("", response={200: list[PlaceOut], 404: ErrorOut}, summary="Places the caller may see")
@paginate(Pagination)
def list_places(request, filters: Query[PlaceFilter]):
    node = _grid(request, filters.node_id)
    return (
        selectors.places_visible(
            user=request.user,
            kind=filters.kind,
            node=node,
            small_shop=filters.small_shop,
            q=filters.q,
            include_retired=filters.include_retired,
        )
        .prefetch_related("contacts")
        .order_by("kind", "name", "pk")
    )


@places_router.post("", response={201: PlaceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def create_place(request, payload: PlaceIn):
    """The grid comes from the location when it lies in a grid, else from `grid_id`."""
    place = places_services.place_create(
        actor=request.user,
        kind=payload.kind,
        name=payload.name,
        grid=_grid(request, payload.grid_id),
        small_shop_kind=payload.small_shop_kind,
        credit_code=payload.credit_code,
        old_registration_number=payload.old_registration_number,
        address=payload.address,
        lng=payload.lng,
        lat=payload.lat,
        crs=payload.crs,
        note=payload.note,
        contacts=[places_services.ContactData(c.name, c.role, c.phone) for c in payload.contacts],
        request=request,
    )
    return Status(201, place)


class MarkersFilter(Schema):
    crs: Crs = coords.WGS84
    node_id: UUID | None = None
    kind: str | None = None


@places_router.get(
    "/geojson",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="Located places the caller may see, as GeoJSON points (the map's markers)",
)
def place_markers(request, filters: Query[MarkersFilter]):
    node = _grid(request, filters.node_id)
    rows = (
        selectors.places_visible(user=request.user, kind=filters.kind, node=node)
        .filter(lng__isnull=False)
        .select_related(None)
        .order_by("pk")
        .values_list("public_id", "name", "kind", "small_shop_kind", "lng", "lat")
    )
    labels = dict(PlaceKind.choices)
    features = []
    for public_id, name, kind, small_shop_kind, lng, lat in rows:
        if filters.crs != coords.WGS84:
            lng, lat = (float(v) for v in coords.from_wgs84(lng, lat, filters.crs))
        features.append(
            {
                "type": "Feature",
                "id": str(public_id),
                "properties": {
                    "name": name,
                    "kind": kind,
                    "kind_label": str(labels.get(kind, kind)),
                    "small_shop": bool(small_shop_kind),
                },
                "geometry": {"type": "Point", "coordinates": [round(lng, 7), round(lat, 7)]},
            }
        )
    return {"type": "FeatureCollection", "coordinate_system": filters.crs, "features": features}


@places_router.get("/{place_id}", response={200: PlaceOut, 404: ErrorOut})
def get_place(request, place_id: UUID):
    return _place(request, place_id)


@places_router.patch("/{place_id}", response={200: PlaceOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def update_place(request, place_id: UUID, payload: PlacePatch):
    """Change the fields given; a location (lng and lat, with crs) may move the place to
    another grid. Send lng and lat as null to remove the location."""
    place = _place(request, place_id)
    given = payload.model_dump(exclude_unset=True)
    current = {
        "kind": place.kind,
        "name": place.name,
        "small_shop_kind": place.small_shop_kind,
        "credit_code": place.credit_code,
        "old_registration_number": place.old_registration_number,
        "address": place.address,
        "lng": place.lng,
        "lat": place.lat,
        "crs": coords.WGS84,
        "note": place.note,
    }
    if ("lng" in given) != ("lat" in given):
        raise ValidationFailed(_("Give both longitude and latitude, or neither."), field="lng")
    if "lng" in given:
        current["crs"] = given.get("crs") or coords.WGS84
    values = {**current, **{k: v for k, v in given.items() if k in current and k != "crs"}}
    if values["kind"] is None or values["name"] is None:
        raise ValidationFailed(_("Kind and name cannot be empty."), field="name")
    grid = _grid(request, payload.grid_id) if "grid_id" in given else place.grid
    return places_services.place_update(
        actor=request.user,
        place=place,
        grid=grid,
        request=request,
        **{k: ("" if v is None and k not in ("lng", "lat") else v) for k, v in values.items()},
    )


@places_router.post(
    "/{place_id}/retire", response={200: PlaceOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def retire_place(request, place_id: UUID, payload: RetireIn):
    place = _place(request, place_id)
    return places_services.place_retire(
        actor=request.user, place=place, reason=payload.reason, request=request
    )


@places_router.post(
    "/{place_id}/contacts", response={201: ContactOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}
)
def add_place_contact(request, place_id: UUID, payload: ContactIn):
    place = _place(request, place_id)
    contact = places_services.place_contact_add(
        actor=request.user,
        place=place,
        contact=places_services.ContactData(payload.name, payload.role, payload.phone),
        request=request,
    )
    return Status(201, contact)


@places_router.delete(
    "/{place_id}/contacts/{contact_id}", response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
)
def remove_place_contact(request, place_id: UUID, contact_id: UUID):
    place = _place(request, place_id)
    contact = get_scoped_or_404(
        PlaceContact.objects.filter(place=place), request.user, request=request, public_id=contact_id
    )
    places_services.place_contact_remove(actor=request.user, contact=contact, request=request)
    return Status(204, None)


# --- responsibilities -----------------------------------------------------------------


class ResponsibilityOut(Schema):
    id: UUID
    node: NodeRef
    duty: str
    duty_label: str
    employment: str
    person_name: str
    phone: str = Field(description="masked")
    account_id: UUID | None
    org_kind: str
    org_name: str
    started_on: datetime.date
    ended_on: datetime.date | None = Field(description="the first day without the duty")
    end_reason: str
    current: bool

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_duty_label(obj) -> str:
        return str(obj.get_duty_display())

    @staticmethod
    def resolve_phone(obj) -> str:
        return mask_phone(obj.phone)

    @staticmethod
    def resolve_account_id(obj) -> UUID | None:
        return obj.user.public_id if obj.user_id else None

    @staticmethod
    def resolve_current(obj) -> bool:
        return obj.ended_at is None


class AppointOut(ResponsibilityOut):
    role_kept: list[str] = Field(
        default_factory=list,
        description="names of succeeded holders whose account keeps its role (it was their only one)",
    )

    @staticmethod
    def resolve_role_kept(obj) -> list[str]:
        return [r.person_name for r in getattr(obj, "succeeded_role_kept", [])]


class ResponsibilityIn(Schema):
    node_id: UUID
    duty: str = Field(..., description=", ".join(Duty.values))
    account_id: UUID | None = Field(None, description="an account the caller administers")
    person_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=30)
    employment: str = Field("", description="full_time or part_time (grid workers)")
    org_kind: str = Field("", description="branch or group (party organisations)")
    org_name: str = Field("", max_length=100)
    started_on: datetime.date | None = None


class ResponsibilityEndIn(Schema):
    ended_on: datetime.date | None = Field(None, description="the first day without the duty; default today")
    reason: str = Field("", max_length=200)


class EndOut(ResponsibilityOut):
    role_kept: bool = Field(False, description="the account keeps its role (it was its only one)")

    @staticmethod
    def resolve_role_kept(obj) -> bool:
        return bool(getattr(obj, "role_kept", False))


class ResponsibilityFilter(Schema):
    node_id: UUID | None = None
    duty: str | None = None
    status: Literal["current", "ended", "all"] = "current"
    on: datetime.date | None = Field(None, description="only the terms held on this day")


@responsibilities_router.get(
    "", response={200: list[ResponsibilityOut], 404: ErrorOut}, summary="Responsibilities the caller may see"
)
@paginate(Pagination)
def list_responsibilities(request, filters: Query[ResponsibilityFilter]):
    node = _grid(request, filters.node_id)
    return selectors.responsibilities_visible(
        user=request.user, node=node, duty=filters.duty, status=filters.status, on=filters.on
    ).order_by("node__code", "duty", "-started_on", "pk")


@responsibilities_router.get(
    "/on",
    response={200: list[ResponsibilityOut], 404: ErrorOut},
    summary="Who was responsible for a place on a day, with the places above it",
)
def responsible_on_day(request, node_id: UUID, on: datetime.date | None = None):
    node = _grid(request, node_id)
    return selectors.responsible_on(node, on or timezone.localdate(), user=request.user, with_ancestors=True)


@responsibilities_router.post(
    "", response={201: AppointOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
)
def appoint_responsibility(request, payload: ResponsibilityIn):
    """Appoint someone. A grid chief (building head, party organisation, member in charge)
    is one at a time: the current holder's term ends the day the new one begins."""
    node = _grid(request, payload.node_id)
    user = None
    if payload.account_id is not None:
        user = get_object_or_404(
            account_selectors.users_administrable(user=request.user), public_id=payload.account_id
        )
    row = responsibility_services.responsibility_appoint(
        actor=request.user,
        node=node,
        duty=payload.duty,
        user=user,
        person_name=payload.person_name,
        phone=payload.phone,
        employment=payload.employment,
        org_kind=payload.org_kind,
        org_name=payload.org_name,
        started_on=payload.started_on,
        request=request,
    )
    return Status(201, row)


@responsibilities_router.get("/{responsibility_id}", response={200: ResponsibilityOut, 404: ErrorOut})
def get_responsibility(request, responsibility_id: UUID):
    return get_scoped_or_404(
        Responsibility.objects.select_related("node", "user"),
        request.user,
        request=request,
        public_id=responsibility_id,
    )


@responsibilities_router.post(
    "/{responsibility_id}/end",
    response={200: EndOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def end_responsibility(request, responsibility_id: UUID, payload: ResponsibilityEndIn):
    row = get_scoped_or_404(
        Responsibility.objects.select_related("node", "user"),
        request.user,
        request=request,
        public_id=responsibility_id,
    )
    return responsibility_services.responsibility_end(
        actor=request.user,
        responsibility=row,
        ended_on=payload.ended_on,
        reason=payload.reason,
        request=request,
    )
