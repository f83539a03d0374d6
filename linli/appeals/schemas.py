import datetime
from uuid import UUID

from ninja import Field, Schema

from linli.appeals import selectors, workflow
from linli.appeals.choices import LimitUnit, Rating, Source, Urgency
from linli.core.masking import mask_phone


class PlaceOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    kind: str


class HandlerOut(Schema):
    kind: str
    label: str


class ClockOut(Schema):
    state: str
    label: str
    due_at: datetime.datetime | None
    left_hours: float | None


class AppealOut(Schema):
    id: UUID
    reference: str
    status: str
    status_label: str
    source: str
    source_ref: str
    category: str | None
    category_name: str | None
    urgency: str
    title: str
    description: str
    address: str
    lng: float | None
    lat: float | None
    place: PlaceOut
    grid: str | None
    handler: HandlerOut | None
    registered_at: datetime.datetime
    response_due_at: datetime.datetime | None
    handle_due_at: datetime.datetime | None
    responded_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    alert: str
    clock: ClockOut
    reporter_name: str
    reporter_phone: str = Field(description="Masked; reveal it on the page with a reason.")
    return_count: int
    rework_count: int
    urge_count: int
    escalation_count: int
    result: str
    rating: str
    rating_comment: str
    merged_into: UUID | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_category(obj) -> str | None:
        return obj.category.code if obj.category_id else None

    @staticmethod
    def resolve_category_name(obj) -> str | None:
        return obj.category.name if obj.category_id else None

    @staticmethod
    def resolve_place(obj):
        return obj.node

    @staticmethod
    def resolve_grid(obj) -> str | None:
        return obj.grid.code if obj.grid_id else None

    @staticmethod
    def resolve_handler(obj):
        if not obj.handler_kind:
            return None
        return {"kind": obj.handler_kind, "label": obj.handler_label()}

    @staticmethod
    def resolve_clock(obj):
        return selectors.clock(obj).__dict__

    @staticmethod
    def resolve_reporter_phone(obj) -> str:
        return mask_phone(obj.reporter_phone)

    @staticmethod
    def resolve_merged_into(obj) -> UUID | None:
        return obj.merged_into.public_id if obj.merged_into_id else None


class TransitionOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str
    note: str
    data: dict
    created_at: datetime.datetime

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_name


class PhotoOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        from django.urls import reverse

        return reverse("appeals:photo", args=[obj.public_id])


class AppealDetailOut(AppealOut):
    transitions: list[TransitionOut]
    photos: list[PhotoOut]
    allowed_actions: list[str] = Field(description="What the caller may do now; anything else is refused.")

    @staticmethod
    def resolve_transitions(obj):
        return selectors.timeline(appeal=obj)

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())

    @staticmethod
    def resolve_allowed_actions(obj, context) -> list[str]:
        return workflow.allowed_actions(obj, context["request"].user)


class AppealIn(Schema):
    source: Source = Source.WINDOW
    source_ref: str = Field(
        "", max_length=64, description="The channel's own number; the same one twice is one appeal."
    )
    title: str = Field(..., max_length=120)
    description: str = Field("", max_length=5000)
    category: str | None = Field(None, description="A category code (GET /appeals/categories).")
    urgency: Urgency = Urgency.NORMAL
    place_id: UUID | None = Field(None, description="The grid, building or dwelling; or give lng/lat.")
    lng: float | None = None
    lat: float | None = None
    crs: str = Field("wgs84", description="wgs84, gcj02 or bd09")
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=30)
    reporter_resident_id: UUID | None = Field(None, description="A resident of the registry, when known.")


class HotlineIn(Schema):
    ticket: str = Field(..., max_length=64, description="The hotline's ticket number (工单编号).")
    title: str = Field("", max_length=120)
    description: str = Field("", max_length=5000)
    category: str = Field("", description="A category code or name.")
    urgency: str = Field("", description="一般/紧急/特急 or normal/urgent/critical")
    address: str = Field("", max_length=200)
    place_code: str = Field("", max_length=32, description="A territory code, when the hotline knows it.")
    lng: float | None = None
    lat: float | None = None
    crs: str = "wgs84"
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=30)
    received_at: datetime.datetime | None = None


class HandlerOptionOut(Schema):
    key: str
    kind: str
    label: str


class StudyIn(Schema):
    category: str | None = None
    urgency: Urgency = Urgency.NORMAL
    handler: str = Field(..., description="A key from GET /appeals/{id}/handlers.")
    note: str = ""
    assign: bool = False


class NoteIn(Schema):
    note: str = ""


class ReasonIn(Schema):
    reason: str


class CloseIn(Schema):
    result: str
    published: bool = True


class RateIn(Schema):
    rating: Rating
    comment: str = Field("", max_length=500)


class ExtensionIn(Schema):
    amount: int = Field(..., ge=1, le=60)
    unit: LimitUnit = LimitUnit.DAYS
    reason: str


class ExtensionOut(Schema):
    id: UUID = Field(alias="public_id")
    amount: int
    unit: str
    reason: str
    state: str
    decision_note: str


class DecideIn(Schema):
    approve: bool
    note: str = ""


class PostponeIn(Schema):
    until: datetime.date
    reason: str


class MergeIn(Schema):
    into: UUID
    note: str = ""


class SimilarOut(Schema):
    id: UUID
    title: str
    status: str
    percent: int
    same_building: bool

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.appeal.public_id

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.appeal.title

    @staticmethod
    def resolve_status(obj) -> str:
        return obj.appeal.status


class CategoryOut(Schema):
    code: str
    name: str
    parent: str | None
    description: str

    @staticmethod
    def resolve_parent(obj) -> str | None:
        return obj.parent.code if obj.parent_id else None
