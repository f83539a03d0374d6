"""Every write of the appeal loop. Pages, the API, the hotline webhook and import, Open311
and the supervision scan all call these functions: keyword-only arguments, one
transaction each, the workflow's check before (workflow.check: 409 for "not now", 403 for
"not you"), the status change through workflow.change (conditional update), an audit
row, the notifications written in the same transaction and sent after commit.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.appeals import deadlines, routing, workflow
from linli.appeals.choices import (
    OPEN_STATUSES,
    Alert,
    ExtensionState,
    LimitUnit,
    PhotoKind,
    Rating,
    RatingChannel,
    Source,
    Status,
    Urgency,
)
from linli.appeals.models import Appeal, AppealExtension, AppealPhoto, AppealTransition, Category
from linli.appeals.routing import HandlerChoice
from linli.appeals.tasks import text_reporters
from linli.core import audit, identity
from linli.core.errors import Conflict, OutOfScope, PermissionDenied, ValidationFailed
from linli.core.fields import fill_blind_indexes
from linli.core.scoping import ensure_in_scope
from linli.core.tasks import enqueue_on_commit
from linli.notices.services import notify
from linli.territory import coords
from linli.territory.geo_services import locate_point
from linli.territory.models import Node

MAX_TITLE = 120
MAX_TEXT = 5000
MAX_PHOTO_BYTES = 10 * 1024 * 1024
PHOTO_TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}
MAX_PHOTOS = 9


# --- small helpers ---------------------------------------------------------------------------


def _text(value: str | None, limit: int = MAX_TEXT) -> str:
    text = unicodedata.normalize("NFKC", value or "").replace("\x00", "").strip()
    return text[:limit]


def _required(value: str | None, field: str, message: str, limit: int = MAX_TEXT) -> str:
    text = _text(value, limit)
    if not text:
        raise ValidationFailed(message, code=f"{field}_required", field=field)
    return text


def _require_grant(actor: User, action: str, path: str) -> None:
    """Before a write: out of the actor's view is 404, visible but not allowed 403."""
    if actor.is_superuser or actor.grants.allows("appeal", action, path):
        return
    if actor.grants.allows("appeal", "view", path):
        raise PermissionDenied
    raise OutOfScope


def _audit(
    actor,
    action: str,
    appeal: Appeal,
    *,
    after: dict | None = None,
    reason: str = "",
    request=None,
    who: str = "system",
):
    """`who` names the actor when there is no account: the system (scan), a rating link."""
    audit.record(
        actor=actor,
        action=f"appeal.{action}",
        target=appeal,
        target_repr=f"{appeal.reference} {appeal.title}"[:200],
        after=after,
        reason=reason[:500],
        request=request,
        actor_username="" if actor is not None else who,
    )


def _url(appeal: Appeal) -> str:
    from django.urls import reverse

    return reverse("appeals:detail", args=[appeal.public_id])


def _notify_handler(appeal: Appeal, *, kind: str, title: str, body: str = "", actor=None) -> None:
    notify(
        users=routing.handler_recipients(appeal),
        kind=kind,
        title=title,
        body=body,
        url=_url(appeal),
        exclude=actor,
    )


def _notify_supervisors(
    appeal: Appeal, path: str | None, *, kind: str, title: str, body: str = "", actor=None
):
    if path:
        notify(
            users=routing.supervisors_of(path),
            kind=kind,
            title=title,
            body=body,
            url=_url(appeal),
            exclude=actor,
        )


def _save_photos(
    appeal: Appeal, photos: Sequence[UploadedFile], kind: str, actor, transition=None
) -> list[AppealPhoto]:
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(
            _("At most %(n)d photos at a time.") % {"n": MAX_PHOTOS}, code="too_many_photos", field="photos"
        )
    saved = []
    for upload in photos:
        content_type = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
        if content_type not in PHOTO_TYPES:
            raise ValidationFailed(
                _("A photo must be a JPEG, PNG, WebP or HEIC image."), code="photo_type", field="photos"
            )
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationFailed(_("A photo may be at most 10 MB."), code="photo_size", field="photos")
        head = upload.read(16)
        upload.seek(0)
        if not _looks_like_image(head, content_type):
            raise ValidationFailed(
                _("This file is not the image it claims to be."), code="photo_type", field="photos"
            )
        photo = AppealPhoto(
            appeal=appeal, kind=kind, content_type=content_type, uploaded_by=actor, transition=transition
        )
        photo.file.save(f"photo.{PHOTO_TYPES[content_type]}", upload, save=False)
        photo.save()
        saved.append(photo)
    return saved


def _looks_like_image(head: bytes, content_type: str) -> bool:
    # The photos are served back to browsers: a file that is not the image it claims to be
    # (an HTML page labelled image/png) must not get in.
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if content_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return head[4:8] == b"ftyp"  # HEIC


# --- intake (接办) -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    node: Node
    lng: float | None
    lat: float | None
    crs: str


def resolve_place(
    *, actor: User | None, node: Node | None, lng: float | None, lat: float | None, crs: str | None
) -> Place:
    """Where the appeal is: an explicit dwelling/building/grid wins (it is the most precise);
    a point is placed by `locate` (in the actor's area). Coordinates are kept in WGS-84."""
    wgs_lng = wgs_lat = None
    crs_key = ""
    if lng is not None or lat is not None:
        if lng is None or lat is None:
            raise ValidationFailed(
                _("Give both longitude and latitude."), code="point_incomplete", field="lat"
            )
        try:
            crs_key = coords.normalise_crs(crs)
        except ValueError:
            raise ValidationFailed(_("Unknown coordinate system."), code="crs_invalid", field="crs") from None
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationFailed(
                _("These coordinates are not on Earth."), code="point_invalid", field="lat"
            )
        wgs_lng, wgs_lat = (float(v) for v in coords.to_wgs84(lng, lat, crs_key))
    if node is None and wgs_lng is not None:
        node = locate_point(wgs_lng, wgs_lat, coords.WGS84, user=actor)
        if node is None:
            raise ValidationFailed(
                _("This point lies outside every grid you can see; choose the place instead."),
                code="not_located",
                field="lat",
            )
    if node is None:
        raise ValidationFailed(
            _("Give the place: a point on the map, or the grid, building or dwelling."),
            code="place_required",
            field="node",
        )
    if node.retired_at is not None:
        raise ValidationFailed(_("This place is retired."), code="place_retired", field="node")
    return Place(node=node, lng=wgs_lng, lat=wgs_lat, crs=crs_key)


@transaction.atomic
def appeal_register(
    *,
    actor: User,
    source: str,
    title: str,
    description: str = "",
    category: Category | None = None,
    urgency: str = Urgency.NORMAL,
    node: Node | None = None,
    lng: float | None = None,
    lat: float | None = None,
    crs: str | None = None,
    address: str = "",
    reporter_name: str = "",
    reporter_phone: str = "",
    reporter_resident=None,
    source_ref: str = "",
    photos: Sequence[UploadedFile] = (),
    registered_at: datetime.datetime | None = None,
    request=None,
) -> tuple[Appeal, bool]:
    """Register an appeal (接办). Returns (appeal, created): an appeal that carries the same
    (source, source_ref) as an existing one is that appeal, not a new one."""
    if source not in Source.values:
        raise ValidationFailed(_("Unknown source."), code="source_invalid", field="source")
    source_ref = _text(source_ref, 64)
    if source_ref:
        existing = _existing(source, source_ref, actor)
        if existing is not None:
            return existing, False
    title = _required(title, "title", _("Give the appeal a short title."), MAX_TITLE)
    description = _text(description)
    if urgency not in Urgency.values:
        raise ValidationFailed(_("Unknown urgency."), code="urgency_invalid", field="urgency")
    if category is not None and not category.active:
        raise ValidationFailed(
            _("This category is no longer used."), code="category_inactive", field="category"
        )
    place = resolve_place(actor=actor, node=node, lng=lng, lat=lat, crs=crs)
    _require_grant(actor, "add", place.node.path)
    phone = ""
    if reporter_phone and reporter_phone.strip():
        phone = identity.normalise_phone(reporter_phone, field="reporter_phone")
    if reporter_resident is not None:
        reporter_name = reporter_name or reporter_resident.name
        phone = phone or (reporter_resident.phone or "")
    now = timezone.now()
    start = registered_at or now
    appeal = Appeal(
        source=source,
        source_ref=source_ref,
        category=category,
        urgency=urgency,
        title=title,
        description=description,
        address=_text(address, 200),
        lng=place.lng,
        lat=place.lat,
        crs=place.crs,
        node=place.node,
        grid=routing.grid_of(place.node),
        reporter_resident=reporter_resident,
        reporter_name=_text(reporter_name, 50),
        reporter_phone=phone,
        created_by=actor,
        registered_at=start,
        **deadlines.intake_dues(category=category, urgency=urgency, start=start),
    )
    fill_blind_indexes(appeal)
    if source_ref:
        try:
            with transaction.atomic():
                appeal.save()
        except IntegrityError:
            # Someone registered the same ticket at the same moment: theirs is the appeal.
            existing = _existing(source, source_ref, actor)
            if existing is None:
                raise
            return existing, False
    else:
        appeal.save()
    transition = AppealTransition.objects.create(
        appeal=appeal,
        action="register",
        from_status="",
        to_status=Status.REGISTERED,
        actor=actor,
        actor_name=str(actor)[:150],
        note=Source(source).label,
        data={"source_ref": source_ref} if source_ref else {},
        created_at=now,
    )
    _save_photos(appeal, photos, PhotoKind.BEFORE, actor, transition)
    ensure_in_scope(appeal, actor, "add")
    _audit(actor, "register", appeal, after={"source": source, "node": place.node.code}, request=request)
    default = routing.default_handler(appeal)
    if default is not None:
        notify(
            users=routing.people_at(default.node.path),
            kind="appeal.new",
            title=_("New appeal: %(t)s") % {"t": title},
            url=_url(appeal),
            exclude=actor,
        )
    return appeal, True


def _existing(source: str, source_ref: str, actor: User) -> Appeal | None:
    found = Appeal.objects.filter(source=source, source_ref=source_ref).select_related("node").first()
    if found is None:
        return None
    if not (actor.is_superuser or actor.grants.allows("appeal", "view", found.node.path)):
        # The same ticket number, registered by someone else in another area.
        raise Conflict(_("This reference is already registered."), code="duplicate_reference")
    return found


# --- the loop ------------------------------------------------------------------------------------


def _load(appeal: Appeal, actor: User | None = None) -> Appeal:
    """The row as it is now (the caller's copy may be minutes old: a page). With an actor,
    only if the actor may see it: out of view is a 404, whatever the action."""
    queryset = Appeal.objects if actor is None else Appeal.objects.restrict(actor, "view")
    try:
        return queryset.select_related(
            "node", "grid", "category", "handler_node", "handler_department__node", "handler_user"
        ).get(pk=appeal.pk)
    except Appeal.DoesNotExist:
        raise OutOfScope from None


@transaction.atomic
def appeal_study(
    *,
    actor: User,
    appeal: Appeal,
    category: Category | None,
    urgency: str,
    handler: HandlerChoice,
    note: str = "",
    assign: bool = False,
    request=None,
) -> Appeal:
    """研办: classify, set urgency, decide the handler; with `assign`, also 交办 at once."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "study", actor)
    if urgency not in Urgency.values:
        raise ValidationFailed(_("Unknown urgency."), code="urgency_invalid", field="urgency")
    if category is not None and not category.active:
        raise ValidationFailed(
            _("This category is no longer used."), code="category_inactive", field="category"
        )
    if handler is None or handler.key not in {o.key for o in routing.handler_options(actor, appeal)}:
        raise ValidationFailed(_("Choose a handler from the list."), code="handler_invalid", field="handler")
    updates = {"category": category, "urgency": urgency, **handler.fields()}
    if (category, urgency) != (appeal.category, appeal.urgency):
        # The limits follow the new category and urgency, counted from registration.
        updates.update(deadlines.intake_dues(category=category, urgency=urgency, start=appeal.registered_at))
    workflow.change(
        appeal,
        action="study",
        actor=actor,
        updates=updates,
        note=_text(note),
        data={"handler": handler.label, "category": category.name if category else ""},
    )
    _audit(actor, "study", appeal, after={"handler": handler.label, "urgency": urgency}, request=request)
    if assign:
        return _assign(actor=actor, appeal=appeal, note="", request=request)
    return appeal


@transaction.atomic
def appeal_assign(*, actor: User, appeal: Appeal, note: str = "", request=None) -> Appeal:
    """交办: send the appeal to the handler decided at study."""
    appeal = _load(appeal, actor)
    return _assign(actor=actor, appeal=appeal, note=note, request=request)


def _assign(*, actor: User, appeal: Appeal, note: str, request) -> Appeal:
    workflow.check(appeal, "assign", actor)
    workflow.change(
        appeal,
        action="assign",
        actor=actor,
        updates={"assigned_at": timezone.now()},
        note=_text(note),
        data={"handler": appeal.handler_label()},
    )
    _audit(actor, "assign", appeal, after={"handler": appeal.handler_label()}, request=request)
    _notify_handler(
        appeal, kind="appeal.assigned", title=_("Assigned to you: %(t)s") % {"t": appeal.title}, actor=actor
    )
    return appeal


def _response_updates(appeal: Appeal, now: datetime.datetime) -> dict:
    if appeal.responded_at is not None:
        return {}
    return {
        "responded_at": now,
        "response_hours": deadlines.working_hours(appeal.registered_at, now),
        "response_overdue": bool(appeal.response_due_at and now > appeal.response_due_at),
    }


@transaction.atomic
def appeal_accept(*, actor: User, appeal: Appeal, note: str = "", request=None) -> Appeal:
    """签收: the handler takes the appeal on (the response)."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "accept", actor)
    workflow.change(
        appeal,
        action="accept",
        actor=actor,
        updates=_response_updates(appeal, timezone.now()),
        note=_text(note),
    )
    _audit(actor, "accept", appeal, request=request)
    return appeal


@transaction.atomic
def appeal_progress(
    *,
    actor: User,
    appeal: Appeal,
    note: str,
    photos: Sequence[UploadedFile] = (),
    kind: str = PhotoKind.PROGRESS,
    request=None,
) -> Appeal:
    """A progress note (and photos) while handling; the first one counts as the response."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "progress", actor)
    note = _text(note)
    if not note and not photos:
        raise ValidationFailed(_("Write what was done, or add a photo."), code="note_required", field="note")
    if kind not in PhotoKind.values:
        kind = PhotoKind.PROGRESS
    transition = workflow.change(
        appeal, action="progress", actor=actor, updates=_response_updates(appeal, timezone.now()), note=note
    )
    _save_photos(appeal, photos, kind, actor, transition)
    _audit(actor, "progress", appeal, request=request)
    return appeal


@transaction.atomic
def appeal_close(
    *,
    actor: User,
    appeal: Appeal,
    result: str,
    photos: Sequence[UploadedFile] = (),
    published: bool | None = None,
    request=None,
) -> Appeal:
    """办结: close with a result (and photos after); every reporter gets a rating link."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "close", actor)
    result = _required(result, "result", _("Write the result: what was done and how it ended."))
    now = timezone.now()
    updates = {
        **_response_updates(appeal, now),
        "result": result,
        "closed_at": now,
        "close_count": appeal.close_count + 1,
        "handle_hours": deadlines.working_hours(appeal.registered_at, now),
        "closed_on_time": appeal.handle_due_at is None or now <= appeal.handle_due_at,
        # Shown on the public board unless said otherwise; private categories never are.
        "published": (appeal.category is None or appeal.category.public)
        if published is None
        else bool(published),
        "rating": "",
        "rating_comment": "",
        "rating_channel": "",
    }
    transition = workflow.change(appeal, action="close", actor=actor, updates=updates, note=result)
    _save_photos(appeal, photos, PhotoKind.AFTER, actor, transition)
    _audit(actor, "close", appeal, after={"on_time": updates["closed_on_time"]}, request=request)
    _tell_reporters(appeal, "closed")
    return appeal


def _tell_reporters(appeal: Appeal, purpose: str) -> None:
    """Text every reporter (this appeal's and those merged into it), after commit."""
    reporters = [appeal.pk, *appeal.merged_appeals.values_list("pk", flat=True)]
    for reporter_pk in reporters:
        enqueue_on_commit(text_reporters, str(appeal.public_id), reporter_pk, purpose, appeal.close_count)


@transaction.atomic
def appeal_rate(
    *,
    appeal: Appeal,
    rating: str,
    comment: str = "",
    actor: User | None = None,
    close_count: int | None = None,
    request=None,
) -> Appeal:
    """评价. With `actor`: a return visit by staff (回访) records the resident's rating. Without:
    the resident through a rating link (rating.appeal_for_token found the appeal and the
    close it was sent for: `close_count`). 不满意 sends the appeal back to handling (返工)
    with a fresh handling limit."""
    appeal = _load(appeal, actor)
    if rating not in Rating.values:
        raise ValidationFailed(_("Choose a rating."), code="rating_invalid", field="rating")
    if actor is None:
        workflow.check(appeal, "rate", None, as_who=workflow.RESIDENT)
        if close_count is not None and close_count != appeal.close_count:
            raise Conflict(_("This rating link is no longer valid."), code="link_used")
    else:
        workflow.check(appeal, "rate", actor)
    now = timezone.now()
    comment = _text(comment, 500)
    updates = {
        "rating": rating,
        "rating_comment": comment,
        "rating_channel": RatingChannel.VISIT if actor else RatingChannel.LINK,
        "rated_at": now,
    }
    if rating == Rating.DISSATISFIED:
        updates.update(
            rework_count=appeal.rework_count + 1,
            alert=Alert.NONE,
            **deadlines.handling_dues(category=appeal.category, urgency=appeal.urgency, start=now),
        )
        to = Status.HANDLING
    else:
        to = Status.RATED
    workflow.change(
        appeal,
        action="rate",
        actor=actor,
        to=to,
        updates=updates,
        note=comment,
        data={"rating": rating, "channel": updates["rating_channel"]},
        actor_name="" if actor else _("Reporter (rating link)"),
    )
    _audit(actor, "rate", appeal, after={"rating": rating}, request=request, who="rating-link")
    if to == Status.HANDLING:
        _notify_handler(
            appeal,
            kind="appeal.rework",
            title=_("Rework: the reporter is not satisfied with %(t)s") % {"t": appeal.title},
            body=comment,
            actor=actor,
        )
    return appeal


@transaction.atomic
def appeal_return(*, actor: User, appeal: Appeal, reason: str, request=None) -> Appeal:
    """退回: the handler sends back a wrongly routed appeal to be routed again."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "return", actor)
    reason = _required(reason, "reason", _("Say why it is returned."))
    previous = appeal.handler_label()
    assigner = (
        appeal.transitions.filter(action__in=["assign", "escalate"])
        .exclude(actor=None)
        .order_by("-created_at")
        .first()
    )
    workflow.change(
        appeal,
        action="return",
        actor=actor,
        updates={
            "return_count": appeal.return_count + 1,
            "handler_kind": "",
            "handler_node": None,
            "handler_department": None,
            "handler_user": None,
        },
        note=reason,
        data={"from_handler": previous},
    )
    _audit(actor, "return", appeal, reason=reason, request=request)
    if assigner is not None and assigner.actor is not None:
        notify(
            users=[assigner.actor],
            kind="appeal.returned",
            title=_("Returned by %(h)s: %(t)s") % {"h": previous, "t": appeal.title},
            body=reason,
            url=_url(appeal),
            exclude=actor,
        )
    return appeal


@transaction.atomic
def appeal_escalate(*, actor: User | None, appeal: Appeal, note: str = "", request=None) -> Appeal:
    """Escalate one level up the tree. `actor` None: the supervision scan (overdue)."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "escalate", actor, as_who=workflow.SYSTEM if actor is None else None)
    target = routing.next_level(appeal)
    if target is None:
        raise Conflict(_("The street office is the highest level an appeal goes to."), code="top_level")
    previous = appeal.handler_label()
    workflow.change(
        appeal,
        action="escalate",
        actor=actor,
        updates={
            **target.fields(),
            "escalation_count": appeal.escalation_count + 1,
            "assigned_at": timezone.now(),
        },
        note=_text(note),
        data={"from_handler": previous, "to_handler": target.label, "automatic": actor is None},
        actor_name="" if actor else _("Supervision (automatic)"),
    )
    _audit(actor, "escalate", appeal, after={"from": previous, "to": target.label}, request=request)
    _notify_handler(
        appeal,
        kind="appeal.escalated",
        title=_("Escalated to you: %(t)s") % {"t": appeal.title},
        body=_("From %(h)s.") % {"h": previous} + (f" {note}" if note else ""),
        actor=actor,
    )
    return appeal


@transaction.atomic
def appeal_request_extension(
    *, actor: User, appeal: Appeal, amount: int, unit: str, reason: str, request=None
) -> AppealExtension:
    appeal = _load(appeal, actor)
    workflow.check(appeal, "request_extension", actor)
    if unit not in LimitUnit.values or not isinstance(amount, int) or not 1 <= amount <= 60:
        raise ValidationFailed(
            _("Ask for 1 to 60 working days or hours."), code="amount_invalid", field="amount"
        )
    reason = _required(reason, "reason", _("Say why more time is needed."))
    if appeal.extensions.filter(state=ExtensionState.PENDING).exists():
        raise Conflict(
            _("A request for more time is already waiting for a decision."), code="extension_pending"
        )
    extension = AppealExtension.objects.create(
        appeal=appeal, amount=amount, unit=unit, reason=reason, requested_by=actor
    )
    workflow.change(
        appeal,
        action="request_extension",
        actor=actor,
        note=reason,
        data={"amount": amount, "unit": unit},
    )
    _audit(
        actor,
        "request_extension",
        appeal,
        after={"amount": amount, "unit": unit},
        reason=reason,
        request=request,
    )
    _notify_supervisors(
        appeal,
        workflow.upper_path(appeal),
        kind="appeal.extension",
        title=_("More time requested: %(t)s") % {"t": appeal.title},
        body=reason,
        actor=actor,
    )
    return extension


@transaction.atomic
def appeal_decide_extension(
    *, actor: User, appeal: Appeal, approve: bool, note: str = "", request=None
) -> AppealExtension:
    """One level up decides; approval moves the handling due date by the time asked."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "decide_extension", actor)
    extension = appeal.extensions.filter(state=ExtensionState.PENDING).first()
    if extension is None:
        raise Conflict(_("There is no request for more time to decide."), code="no_extension")
    if extension.requested_by_id == actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("Someone else must decide on your own request."), code="own_request")
    now = timezone.now()
    note = _text(note, 500)
    won = AppealExtension.objects.filter(pk=extension.pk, state=ExtensionState.PENDING).update(
        state=ExtensionState.APPROVED if approve else ExtensionState.REJECTED,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
    )
    if won != 1:
        raise Conflict(code="concurrent_change")
    updates = {}
    if approve and appeal.handle_due_at is not None:
        updates = deadlines.extended_dues(
            due=appeal.handle_due_at, now=now, amount=extension.amount, unit=extension.unit
        )
        updates["alert"] = Alert.NONE
    workflow.change(
        appeal,
        action="decide_extension",
        actor=actor,
        updates=updates,
        note=note,
        data={"approved": approve, "amount": extension.amount, "unit": extension.unit},
    )
    _audit(actor, "decide_extension", appeal, after={"approved": approve}, request=request)
    _notify_handler(
        appeal,
        kind="appeal.extension_decided",
        title=(_("More time approved: %(t)s") if approve else _("More time refused: %(t)s"))
        % {"t": appeal.title},
        body=note,
        actor=actor,
    )
    extension.refresh_from_db()
    return extension


@transaction.atomic
def appeal_postpone(
    *, actor: User, appeal: Appeal, reason: str, until: datetime.date, request=None
) -> Appeal:
    """缓办: stop the handling clock until a date (approved one level up, like extensions)."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "postpone", actor)
    reason = _required(reason, "reason", _("Say why it is postponed."))
    if not isinstance(until, datetime.date) or until <= timezone.localdate():
        raise ValidationFailed(_("Postpone until a day after today."), code="until_invalid", field="until")
    now = timezone.now()
    left = deadlines.remaining(due=appeal.handle_due_at, now=now) if appeal.handle_due_at else None
    workflow.change(
        appeal,
        action="postpone",
        actor=actor,
        updates={"postponed_until": until, "paused_remaining": left},
        note=reason,
        data={"until": until.isoformat()},
    )
    _audit(actor, "postpone", appeal, reason=reason, request=request)
    _notify_handler(
        appeal,
        kind="appeal.postponed",
        title=_("Postponed: %(t)s") % {"t": appeal.title},
        body=reason,
        actor=actor,
    )
    return appeal


@transaction.atomic
def appeal_resume(*, actor: User | None, appeal: Appeal, note: str = "", request=None) -> Appeal:
    """Back to handling after 缓办, with the working time that was left on the clock."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "resume", actor, as_who=workflow.SYSTEM if actor is None else None)
    now = timezone.now()
    updates: dict = {"postponed_until": None, "paused_remaining": None, "alert": Alert.NONE}
    if appeal.paused_remaining is not None:
        updates.update(deadlines.resumed_dues(left=appeal.paused_remaining, now=now))
    workflow.change(appeal, action="resume", actor=actor, updates=updates, note=_text(note))
    _audit(actor, "resume", appeal, request=request)
    return appeal


@transaction.atomic
def appeal_cancel(*, actor: User, appeal: Appeal, reason: str, request=None) -> Appeal:
    appeal = _load(appeal, actor)
    workflow.check(appeal, "cancel", actor)
    reason = _required(reason, "reason", _("Say why it is cancelled."))
    workflow.change(appeal, action="cancel", actor=actor, note=reason)
    _audit(actor, "cancel", appeal, reason=reason, request=request)
    return appeal


@transaction.atomic
def appeal_urge(*, actor: User, appeal: Appeal, note: str, request=None) -> Appeal:
    """督办/催办: a supervisor presses the handler, with a note."""
    appeal = _load(appeal, actor)
    workflow.check(appeal, "urge", actor)
    note = _required(note, "note", _("Write what you ask of the handler."), 1000)
    workflow.change(
        appeal, action="urge", actor=actor, updates={"urge_count": appeal.urge_count + 1}, note=note
    )
    _audit(actor, "urge", appeal, request=request)
    recipients = (
        routing.handler_recipients(appeal)
        if appeal.handler_kind
        else routing.supervisors_of(appeal.node.path)
    )
    notify(
        users=recipients,
        kind="appeal.urged",
        title=_("Urged: %(t)s") % {"t": appeal.title},
        body=note,
        url=_url(appeal),
        exclude=actor,
    )
    return appeal


@transaction.atomic
def appeal_merge(*, actor: User, appeal: Appeal, into: Appeal, note: str = "", request=None) -> Appeal:
    """Merge a duplicate into another open appeal: it stops, its reporter becomes one of
    the other's reporters (told when it closes), and what was merged into it follows."""
    appeal, into = _load(appeal, actor), _load(into, actor)
    if appeal.pk == into.pk:
        raise ValidationFailed(_("An appeal cannot be merged into itself."), code="merge_self", field="into")
    workflow.check(appeal, "merge", actor)
    _require_grant(actor, "change", into.node.path)
    if into.status not in OPEN_STATUSES:
        raise Conflict(_("Merge only into an appeal that is still open."), code="merge_target_closed")
    note = _text(note)
    workflow.change(
        appeal,
        action="merge",
        actor=actor,
        updates={"merged_into": into},
        note=note,
        data={"into": str(into.public_id), "into_title": into.title},
    )
    Appeal.objects.filter(merged_into=appeal).update(merged_into=into)
    # The surviving appeal's row changes too (its version), so a concurrent close of it
    # and this merge cannot both pass unnoticed.
    workflow.change(
        into,
        action="edit",
        actor=actor,
        note=_("Merged in: %(t)s") % {"t": appeal.title},
        data={"merged": str(appeal.public_id)},
    )
    _audit(actor, "merge", appeal, after={"into": str(into.public_id)}, request=request)
    return into


@transaction.atomic
def appeal_set_published(*, actor: User, appeal: Appeal, published: bool, request=None) -> Appeal:
    """Show or hide a closed appeal on the public board."""
    appeal = _load(appeal, actor)
    _require_grant(actor, "change", appeal.node.path)
    Appeal.objects.filter(pk=appeal.pk).update(published=bool(published))
    appeal.published = bool(published)
    _audit(actor, "publish" if published else "unpublish", appeal, request=request)
    return appeal


def reporters_of(appeal: Appeal) -> Iterable[Appeal]:
    """The appeals whose reporters this appeal answers to: itself and those merged into it."""
    return [appeal, *appeal.merged_appeals.all()]
