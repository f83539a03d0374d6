"""The appeals API, under /api/v1/appeals/: the same services, workflow and scoping as the
pages. A transition out of order, or one somebody else got to first, is 409 with a
{code, message} body; the caller's own lack of right is 403; an appeal outside the caller's
area is 404."""

import datetime
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from linli.accounts.schemas import ErrorOut
from linli.appeals import duplicates, hotline, measures, routing, selectors, services
from linli.appeals.models import Appeal, Category
from linli.appeals.schemas import (
    AppealDetailOut,
    AppealIn,
    AppealOut,
    CategoryOut,
    CloseIn,
    DecideIn,
    ExtensionIn,
    ExtensionOut,
    HandlerOptionOut,
    HotlineIn,
    MergeIn,
    NoteIn,
    PostponeIn,
    RateIn,
    ReasonIn,
    SimilarOut,
    StudyIn,
)
from linli.core.errors import PermissionDenied, ValidationFailed
from linli.core.pagination import Pagination
from linli.core.scoping import get_scoped_or_404
from linli.registry.models import Resident
from linli.territory.models import Node

router = Router(tags=["appeals"])
WRITE_ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
DETAIL_SELECT = (*selectors.LIST_SELECT, "handler_department__node", "merged_into")


def _appeal(request, appeal_id: UUID, action: str = "view") -> Appeal:
    return get_scoped_or_404(
        Appeal.objects.select_related(*DETAIL_SELECT),
        request.user,
        action,
        request=request,
        public_id=appeal_id,
    )


def _detail(request, appeal: Appeal) -> Appeal:
    return _appeal(request, appeal.public_id)


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, active=True).first()
    if category is None:
        raise ValidationFailed(_("Unknown category."), code="category_invalid", field="category")
    return category


class AppealQuery(Schema):
    status: str = ""
    category: str = ""
    place_id: UUID | None = None
    source: str = ""
    alert: str = ""
    q: str = ""
    mine: bool = False


@router.get(
    "/",
    response={200: list[AppealOut], 404: ErrorOut, 422: ErrorOut},
    summary="Appeals the caller may see, newest first",
)
@paginate(Pagination)
def list_appeals(request, filters: Query[AppealQuery]):
    node = None
    if filters.place_id:
        node = get_scoped_or_404(Node, request.user, request=request, public_id=filters.place_id)
    return selectors.appeal_search(
        user=request.user,
        filters=selectors.AppealFilter(
            status=filters.status,
            category=_category(filters.category) if filters.category else None,
            node=node,
            source=filters.source,
            alert=filters.alert,
            q=filters.q,
            mine=filters.mine,
        ),
    )


@router.post(
    "/",
    response={201: AppealDetailOut, 200: AppealDetailOut, **WRITE_ERRORS},
    summary="Register an appeal (接办); the same source and reference twice is one appeal (200)",
)
def register_appeal(request, payload: AppealIn):
    node = (
        get_scoped_or_404(Node, request.user, request=request, public_id=payload.place_id)
        if payload.place_id
        else None
    )
    resident = None
    if payload.reporter_resident_id:
        resident = get_scoped_or_404(
            Resident, request.user, request=request, public_id=payload.reporter_resident_id
        )
    appeal, created = services.appeal_register(
        actor=request.user,
        source=payload.source,
        source_ref=payload.source_ref,
        title=payload.title,
        description=payload.description,
        category=_category(payload.category),
        urgency=payload.urgency,
        node=node,
        lng=payload.lng,
        lat=payload.lat,
        crs=payload.crs,
        address=payload.address,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        reporter_resident=resident,
        request=request,
    )
    return Status(201 if created else 200, _detail(request, appeal))


@router.post(
    "/hotline",
    response={201: AppealDetailOut, 200: AppealDetailOut, **WRITE_ERRORS},
    summary="12345 hotline webhook: one ticket; the same ticket number twice is one appeal (200)",
)
def hotline_ticket(request, payload: HotlineIn):
    appeal, created = hotline.intake_ticket(
        actor=request.user, ticket=hotline.Ticket(**payload.dict()), request=request
    )
    return Status(201 if created else 200, _detail(request, appeal))


@router.get("/categories", response=list[CategoryOut], summary="The category tree")
def list_categories(request):
    return list(selectors.categories())


@router.get("/supervision", response=list[AppealOut], summary="Open appeals that are late or nearly so")
@paginate(Pagination)
def list_supervision(request):
    return selectors.supervision(user=request.user)


class MeasuresQuery(Schema):
    place_id: UUID
    start: datetime.date | None = None
    end: datetime.date | None = None


@router.get(
    "/measures",
    response={200: dict, 403: ErrorOut, 404: ErrorOut},
    summary="Measures of a grid, community or street over a period (formulas: linli/appeals/measures.py)",
)
def appeal_measures(request, filters: Query[MeasuresQuery]):
    node = get_scoped_or_404(Node, request.user, request=request, public_id=filters.place_id)
    if not (request.user.is_superuser or request.user.grants.allows("appeal", "view", node.path)):
        raise PermissionDenied
    start, end = measures.period(filters.start, filters.end)
    return {
        "place": {"id": str(node.public_id), "code": node.code, "name": node.name, "kind": node.kind},
        "start": start.isoformat(),
        "end": end.isoformat(),
        "overall": measures.measures(node, start, end).as_dict(),
        "units": [
            {"id": str(u.public_id), "code": u.code, "name": u.name, **m.as_dict()}
            for u, m in measures.measures_by_unit(node, start, end)
        ],
        "grids": [
            {"id": str(g.public_id), "code": g.code, "name": g.name, **m.as_dict()}
            for g, m in measures.measures_by_grid(node, start, end)
        ],
    }


@router.get("/{appeal_id}", response={200: AppealDetailOut, 404: ErrorOut})
def get_appeal(request, appeal_id: UUID):
    return _appeal(request, appeal_id)


@router.get(
    "/{appeal_id}/handlers",
    response={200: list[HandlerOptionOut], 404: ErrorOut},
    summary="Who the caller may route it to",
)
def list_handlers(request, appeal_id: UUID):
    appeal = _appeal(request, appeal_id)
    return [
        {"key": o.key, "kind": o.kind, "label": o.label}
        for o in routing.handler_options(request.user, appeal)
    ]


@router.get(
    "/{appeal_id}/similar",
    response={200: list[SimilarOut], 404: ErrorOut},
    summary="Similar open appeals nearby",
)
def list_similar(request, appeal_id: UUID):
    return duplicates.similar_for(appeal=_appeal(request, appeal_id), user=request.user)


# --- transitions ------------------------------------------------------------------------------


@router.post(
    "/{appeal_id}/study",
    response={200: AppealDetailOut, **WRITE_ERRORS},
    summary="研办: classify and decide the handler",
)
def study_appeal(request, appeal_id: UUID, payload: StudyIn):
    appeal = _appeal(request, appeal_id)
    handler = routing.find_option(request.user, appeal, payload.handler)
    if handler is None:
        raise ValidationFailed(_("Choose a handler from the list."), code="handler_invalid", field="handler")
    appeal = services.appeal_study(
        actor=request.user,
        appeal=appeal,
        category=_category(payload.category),
        urgency=payload.urgency,
        handler=handler,
        note=payload.note,
        assign=payload.assign,
        request=request,
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/assign",
    response={200: AppealDetailOut, **WRITE_ERRORS},
    summary="交办: send to the handler",
)
def assign_appeal(request, appeal_id: UUID, payload: NoteIn):
    appeal = services.appeal_assign(
        actor=request.user, appeal=_appeal(request, appeal_id), note=payload.note, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/accept",
    response={200: AppealDetailOut, **WRITE_ERRORS},
    summary="签收: the handler takes it on",
)
def accept_appeal(request, appeal_id: UUID, payload: NoteIn):
    appeal = services.appeal_accept(
        actor=request.user, appeal=_appeal(request, appeal_id), note=payload.note, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/progress", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="A progress note"
)
def progress_appeal(request, appeal_id: UUID, payload: NoteIn):
    appeal = services.appeal_progress(
        actor=request.user, appeal=_appeal(request, appeal_id), note=payload.note, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/close", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="办结: close with a result"
)
def close_appeal(request, appeal_id: UUID, payload: CloseIn):
    appeal = services.appeal_close(
        actor=request.user,
        appeal=_appeal(request, appeal_id),
        result=payload.result,
        published=payload.published,
        request=request,
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/rate",
    response={200: AppealDetailOut, **WRITE_ERRORS},
    summary="回访: record the reporter's rating",
)
def rate_appeal(request, appeal_id: UUID, payload: RateIn):
    appeal = services.appeal_rate(
        actor=request.user,
        appeal=_appeal(request, appeal_id),
        rating=payload.rating,
        comment=payload.comment,
        request=request,
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/return", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="退回: wrongly routed"
)
def return_appeal(request, appeal_id: UUID, payload: ReasonIn):
    appeal = services.appeal_return(
        actor=request.user, appeal=_appeal(request, appeal_id), reason=payload.reason, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/escalate", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="Escalate one level up"
)
def escalate_appeal(request, appeal_id: UUID, payload: NoteIn):
    appeal = services.appeal_escalate(
        actor=request.user, appeal=_appeal(request, appeal_id), note=payload.note, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/extension",
    response={201: ExtensionOut, **WRITE_ERRORS},
    summary="Ask for more time (decided one level up)",
)
def request_extension(request, appeal_id: UUID, payload: ExtensionIn):
    extension = services.appeal_request_extension(
        actor=request.user,
        appeal=_appeal(request, appeal_id),
        amount=payload.amount,
        unit=payload.unit,
        reason=payload.reason,
        request=request,
    )
    return Status(201, extension)


@router.post(
    "/{appeal_id}/extension/decide",
    response={200: ExtensionOut, **WRITE_ERRORS},
    summary="Approve or refuse more time",
)
def decide_extension(request, appeal_id: UUID, payload: DecideIn):
    return services.appeal_decide_extension(
        actor=request.user,
        appeal=_appeal(request, appeal_id),
        approve=payload.approve,
        note=payload.note,
        request=request,
    )


@router.post(
    "/{appeal_id}/postpone",
    response={200: AppealDetailOut, **WRITE_ERRORS},
    summary="缓办: stop the clock until a date",
)
def postpone_appeal(request, appeal_id: UUID, payload: PostponeIn):
    appeal = services.appeal_postpone(
        actor=request.user,
        appeal=_appeal(request, appeal_id),
        until=payload.until,
        reason=payload.reason,
        request=request,
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/resume",
    response={200: AppealDetailOut, **WRITE_ERRORS},
    summary="Resume a postponed appeal",
)
def resume_appeal(request, appeal_id: UUID, payload: NoteIn):
    appeal = services.appeal_resume(
        actor=request.user, appeal=_appeal(request, appeal_id), note=payload.note, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/cancel", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="Cancel, with a reason"
)
def cancel_appeal(request, appeal_id: UUID, payload: ReasonIn):
    appeal = services.appeal_cancel(
        actor=request.user, appeal=_appeal(request, appeal_id), reason=payload.reason, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/urge", response={200: AppealDetailOut, **WRITE_ERRORS}, summary="督办/催办 with a note"
)
def urge_appeal(request, appeal_id: UUID, payload: NoteIn):
    appeal = services.appeal_urge(
        actor=request.user, appeal=_appeal(request, appeal_id), note=payload.note, request=request
    )
    return _detail(request, appeal)


@router.post(
    "/{appeal_id}/merge",
    response={200: AppealDetailOut, **WRITE_ERRORS},
    summary="Merge this appeal into another open one",
)
def merge_appeal(request, appeal_id: UUID, payload: MergeIn):
    appeal = _appeal(request, appeal_id)
    into = _appeal(request, payload.into)
    survivor = services.appeal_merge(
        actor=request.user, appeal=appeal, into=into, note=payload.note, request=request
    )
    return _detail(request, survivor)
