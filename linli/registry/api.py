"""The registry's API, under /api/v1/registry/: the same services, scoping and masking as
the pages. Citizen ID and phone searches go in a POST body (/residents/search), never in a
query string."""

from datetime import date, datetime
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from linli.accounts.schemas import ErrorOut
from linli.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from linli.core.pagination import Pagination
from linli.core.reveal import may_reveal, reveal_field
from linli.core.scoping import get_scoped_or_404
from linli.registry import selectors, services
from linli.registry.models import Household, Resident, ResidentTag
from linli.registry.schemas import (
    ArchiveIn,
    EventOut,
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdOut,
    MoveIn,
    ResidentIn,
    ResidentOut,
    ResidentPatch,
    RevealIn,
    RevealOut,
    SearchIn,
    SearchOut,
    StatsOut,
    TagEndIn,
    TagIn,
    TagOut,
)
from linli.territory.choices import NodeKind
from linli.territory.models import Node

router = Router(tags=["registry"])

REVEALABLE = {"citizen_id", "phone"}
RESIDENT_SELECT = (selectors.ADDRESS_SELECT, "household")
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def _resident(request, resident_id: UUID, action: str = "view") -> Resident:
    return get_scoped_or_404(
        Resident.objects.select_related(*RESIDENT_SELECT),
        request.user,
        action,
        request=request,
        public_id=resident_id,
    )


def _node(request, node_id: UUID, kind: str | None = None) -> Node:
    qs = Node.objects.all() if kind is None else Node.objects.filter(kind=kind)
    return get_scoped_or_404(qs, request.user, request=request, public_id=node_id)


# --- households ------------------------------------------------------------------------------


class HouseholdFilter(Schema):
    dwelling_id: UUID | None = None


@router.get(
    "/households", response={200: list[HouseholdOut], 404: ErrorOut}, summary="Households the caller may see"
)
@paginate(Pagination)
def list_households(request, filters: Query[HouseholdFilter]):
    qs = Household.objects.restrict(request.user, "view").select_related(
        "dwelling__parent__parent__parent", "householder"
    )
    if filters.dwelling_id:
        qs = qs.filter(dwelling=_node(request, filters.dwelling_id, NodeKind.DWELLING))
    return qs


@router.post("/households", response={201: HouseholdOut, **WRITE_ERRORS})
def create_household(request, payload: HouseholdIn):
    dwelling = _node(request, payload.dwelling_id)
    household = services.household_create(
        actor=request.user,
        dwelling=dwelling,
        address_kind=payload.address_kind,
        number=payload.number,
        note=payload.note,
        request=request,
    )
    return Status(201, household)


@router.get("/households/{household_id}", response={200: HouseholdDetailOut, 404: ErrorOut})
def get_household(request, household_id: UUID):
    household = get_scoped_or_404(
        Household.objects.select_related("dwelling__parent__parent__parent", "householder"),
        request.user,
        request=request,
        public_id=household_id,
    )
    household.visible_members = selectors.household_members(
        user=request.user, household=household
    ).select_related(*RESIDENT_SELECT)
    return household


# --- residents -------------------------------------------------------------------------------


class ResidentFilter(Schema):
    q: str = ""
    tag: str = ""
    grid_id: UUID | None = None
    age_band: str = ""
    population_type: str = ""
    status: str = "active"


def _params(request, data) -> selectors.SearchParams:
    grid = _node(request, data.grid_id) if data.grid_id else None
    if data.status not in ("active", "archived", "all"):
        raise ValidationFailed(_("status is one of: active, archived, all."), field="status")
    if data.tag and not (request.user.is_superuser or request.user.grants.paths("resident_tag", "view")):
        raise PermissionDenied
    return selectors.SearchParams(
        q=data.q,
        tag=data.tag,
        grid=grid,
        age_band=data.age_band,
        population_type=data.population_type,
        status="" if data.status == "all" else data.status,
    )


@router.get(
    "/residents",
    response={200: list[ResidentOut], 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Residents the caller may see; q searches names, pinyin and addresses",
    description="A citizen ID or phone number must not be sent in a URL: search for those with POST /residents/search.",
)
@paginate(Pagination)
def list_residents(request, filters: Query[ResidentFilter]):
    if selectors.is_sensitive_query(filters.q):
        raise ValidationFailed(
            _(
                "Search by ID or phone number with POST /residents/search: such numbers must not be put in a URL."
            ),
            code="sensitive_query",
            field="q",
        )
    return selectors.resident_search(user=request.user, params=_params(request, filters))


@router.post("/residents/search", response={200: SearchOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut})
def search_residents(request, payload: SearchIn):
    qs = selectors.resident_search(user=request.user, params=_params(request, payload))
    return {"count": qs.count(), "items": list(qs[payload.offset : payload.offset + payload.limit])}


@router.post("/residents", response={201: ResidentOut, **WRITE_ERRORS})
def create_resident(request, payload: ResidentIn):
    household = get_scoped_or_404(
        Household.objects.select_related("dwelling"),
        request.user,
        request=request,
        public_id=payload.household_id,
    )
    data = payload.dict(exclude={"household_id"})
    resident = services.resident_create(actor=request.user, household=household, request=request, **data)
    return Status(201, _resident(request, resident.public_id))


@router.get("/residents/{resident_id}", response={200: ResidentOut, 404: ErrorOut})
def get_resident(request, resident_id: UUID):
    return _resident(request, resident_id)


@router.patch("/residents/{resident_id}", response={200: ResidentOut, **WRITE_ERRORS})
def update_resident(request, resident_id: UUID, payload: ResidentPatch):
    resident = _resident(request, resident_id)
    changes = payload.dict(exclude_unset=True)
    services.resident_update(actor=request.user, resident=resident, request=request, **changes)
    return _resident(request, resident_id)


@router.post("/residents/{resident_id}/move", response={200: ResidentOut, **WRITE_ERRORS})
def move_resident(request, resident_id: UUID, payload: MoveIn):
    resident = _resident(request, resident_id)
    household = (
        get_scoped_or_404(
            Household.objects.select_related("dwelling"),
            request.user,
            request=request,
            public_id=payload.household_id,
        )
        if payload.household_id
        else None
    )
    dwelling = _node(request, payload.dwelling_id) if payload.dwelling_id else None
    services.resident_move(
        actor=request.user,
        resident=resident,
        to_household=household,
        to_dwelling=dwelling,
        relation=payload.relation,
        moved_in_on=payload.moved_in_on,
        note=payload.note,
        request=request,
    )
    return _resident(request, resident_id)


@router.post("/residents/{resident_id}/archive", response={200: ResidentOut, **WRITE_ERRORS})
def archive_resident(request, resident_id: UUID, payload: ArchiveIn):
    resident = _resident(request, resident_id)
    services.resident_archive(
        actor=request.user,
        resident=resident,
        reason=payload.reason,
        on=payload.on,
        note=payload.note,
        request=request,
    )
    return _resident(request, resident_id)


@router.get("/residents/{resident_id}/timeline", response={200: list[EventOut], 404: ErrorOut})
def resident_timeline(request, resident_id: UUID):
    resident = _resident(request, resident_id)
    return selectors.resident_timeline(user=request.user, resident=resident)


@router.get("/residents/{resident_id}/tags", response={200: list[TagOut], 403: ErrorOut, 404: ErrorOut})
def list_resident_tags(request, resident_id: UUID):
    resident = _resident(request, resident_id)
    if not selectors.may_view_tags(request.user, resident.scope_path()):
        raise PermissionDenied
    return selectors.resident_tags(user=request.user, resident=resident)


@router.post("/residents/{resident_id}/tags", response={201: TagOut, **WRITE_ERRORS})
def set_tag(request, resident_id: UUID, payload: TagIn):
    resident = _resident(request, resident_id)
    tag = services.tag_set(actor=request.user, resident=resident, request=request, **payload.dict())
    return Status(201, tag)


@router.post("/tags/{tag_id}/end", response={200: TagOut, **WRITE_ERRORS})
def end_tag(request, tag_id: UUID, payload: TagEndIn):
    tag = get_scoped_or_404(
        ResidentTag.objects.select_related("resident__node"), request.user, request=request, public_id=tag_id
    )
    return services.tag_end(
        actor=request.user, tag=tag, ended_on=payload.ended_on, note=payload.note, request=request
    )


@router.post(
    "/residents/{resident_id}/reveal",
    response={200: RevealOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The full citizen ID or phone number, with a reason; logged",
)
def reveal_resident_field(request, resident_id: UUID, payload: RevealIn):
    resident = _resident(request, resident_id)
    if not may_reveal(request.user, resident):
        raise PermissionDenied
    if payload.field not in REVEALABLE:
        raise ValidationFailed(_("Only citizen_id and phone can be revealed."), field="field")
    value = reveal_field(
        actor=request.user, obj=resident, field=payload.field, reason=payload.reason, request=request
    )
    return {"field": payload.field, "value": value}


# --- statistics ------------------------------------------------------------------------------


class StatsFilter(Schema):
    node_id: UUID | None = None
    on: date | None = None


@router.get(
    "/stats",
    response={200: list[StatsOut], 404: ErrorOut, 422: ErrorOut},
    summary="Registry counts per place",
)
def registry_stats(request, filters: Query[StatsFilter]):
    """With node_id: that place and the places one level under it. Without: the caller's
    highest places."""
    if filters.on is not None and not date(1900, 1, 1) <= filters.on <= date(2999, 12, 31):
        # Age bands count back up to 80 years from this day: year 1 would underflow.
        raise ValidationFailed(_("Choose a date between 1900 and 2999."), code="date_range", field="on")
    if filters.node_id:
        node = _node(request, filters.node_id)
        if not selectors.may_view_stats(request.user, node):
            raise OutOfScope
        nodes = [node, *selectors.stats_child_nodes(user=request.user, node=node)]
    else:
        nodes = list(selectors.stats_nodes(user=request.user))
    return [selectors.registry_stats(user=request.user, node=n, today=filters.on) for n in nodes]


# --- door-to-door census and imports ----------------------------------------------------------


class CensusVisitIn(Schema):
    state: str
    note: str = ""


class CensusVisitOut(Schema):
    dwelling_id: UUID
    state: str
    note: str
    visited_at: datetime


class CensusProgressOut(Schema):
    node_id: UUID
    code: str
    name: str
    dwellings: int
    visited: int
    by_state: dict[str, int]


class ImportJobOut(Schema):
    id: UUID
    filename: str
    place_code: str
    status: str
    total: int
    processed: int
    last_row: int
    counts: dict[str, int]
    cancel_requested: bool


@router.post("/census/dwellings/{node_id}", response={201: CensusVisitOut, **WRITE_ERRORS})
def census_visit(request, node_id: UUID, payload: CensusVisitIn):
    from linli.registry.census import census_record

    dwelling = _node(request, node_id, NodeKind.DWELLING)
    visit = census_record(
        actor=request.user, dwelling=dwelling, state=payload.state, note=payload.note, request=request
    )
    return Status(
        201,
        {
            "dwelling_id": dwelling.public_id,
            "state": visit.state,
            "note": visit.note,
            "visited_at": visit.visited_at,
        },
    )


@router.get("/census/progress/{node_id}", response={200: list[CensusProgressOut], 404: ErrorOut})
def census_progress(request, node_id: UUID):
    from linli.registry.census import census_progress as progress

    node = _node(request, node_id)
    return [
        {
            "node_id": p.node.public_id,
            "code": p.node.code,
            "name": p.node.name,
            "dwellings": p.total,
            "visited": p.visited,
            "by_state": p.by_state,
        }
        for p in progress(user=request.user, node=node)
    ]


@router.get("/imports/{job_id}", response={200: ImportJobOut, 404: ErrorOut})
def get_import(request, job_id: UUID):
    from linli.registry.models import ImportJob

    job = get_scoped_or_404(
        ImportJob.objects.select_related("root"), request.user, request=request, public_id=job_id
    )
    return {
        "id": job.public_id,
        "filename": job.filename,
        "place_code": job.root.code,
        "status": job.status,
        "total": job.total,
        "processed": job.processed,
        "last_row": job.last_row,
        "counts": job.counts,
        "cancel_requested": job.cancel_requested,
    }
