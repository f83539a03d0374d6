"""The appeal (诉求) and what happens to it: transitions, photos, extension requests."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.appeals.choices import (
    Alert,
    ExtensionState,
    HandlerKind,
    LimitUnit,
    PhotoKind,
    Rating,
    RatingChannel,
    Source,
    Status,
    Urgency,
)
from linli.core.fields import BlindIndexField, EncryptedTextField
from linli.core.scoping import ScopedModel, ScopedQuerySet, path_prefix_condition

# Actions a department liaison may take on an appeal assigned to their department.
LIAISON_ACTIONS = {"view", "change"}


def liaison_department_ids(user) -> list[int]:
    """The departments `user` acts for (cached on the user object, like its grants)."""
    cached = getattr(user, "_appeal_department_ids", None)
    if cached is None:
        from linli.appeals.models.handlers import DepartmentLiaison

        cached = list(
            DepartmentLiaison.objects.filter(user=user, department__active=True).values_list(
                "department_id", flat=True
            )
        )
        user._appeal_department_ids = cached
    return cached


class AppealQuerySet(ScopedQuerySet):
    def restrict(self, user, action: str = "view") -> AppealQuerySet:
        """The territory rule, plus: a department liaison sees (and works on) the appeals
        currently assigned to their department, wherever they are."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        condition = Q(pk__in=[])
        paths = user.grants.paths(self.model.record_kind, action)
        if paths:
            condition = path_prefix_condition(self.model.scope_path_lookup, paths, self.db)
        if action in LIAISON_ACTIONS:
            departments = liaison_department_ids(user)
            if departments:
                condition |= Q(handler_kind=HandlerKind.DEPARTMENT, handler_department_id__in=departments)
        return self.filter(condition)


def _photo_path(instance: AppealPhoto, filename: str) -> str:
    # The uploaded name is dropped: it may carry a person's name; the extension is kept.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    now = timezone.now()
    return f"appeals/{now:%Y/%m}/{instance.public_id}.{suffix[:5]}"


class Appeal(ScopedModel):
    """One appeal, scoped by the place it concerns (`node`: the dwelling, building or grid
    as precisely as known). `grid` is the grid containing it, kept for measures and the
    duplicate search."""

    record_kind = "appeal"
    scope_path_lookup = "node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    # The caller's own number: the hotline ticket, an Open311 client's request id. The same
    # (source, reference) twice is the same appeal.
    source_ref = models.CharField(_("reference"), max_length=64, blank=True)
    category = models.ForeignKey(
        "appeals.Category",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("category"),
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    address = models.CharField(_("address"), max_length=200, blank=True)
    # Stored in WGS-84; `crs` is the system the coordinates were given in.
    lng = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    crs = models.CharField(max_length=8, blank=True)
    node = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="appeals", verbose_name=_("place")
    )
    grid = models.ForeignKey(
        "territory.Node",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("grid"),
    )

    reporter_resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    reporter_name = models.CharField(_("reporter"), max_length=50, blank=True)
    reporter_phone = EncryptedTextField(_("reporter's phone"), blank=True)
    reporter_phone_index = BlindIndexField(source="reporter_phone", purpose="phone")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    handler_kind = models.CharField(_("handler"), max_length=10, choices=HandlerKind.choices, blank=True)
    handler_node = models.ForeignKey(
        "territory.Node", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handler_department = models.ForeignKey(
        "appeals.Department", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    handler_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REGISTERED)
    # Bumped by every transition: the conditional update in workflow.py checks it.
    version = models.PositiveIntegerField(default=0)

    registered_at = models.DateTimeField(_("registered"), default=timezone.now, db_index=True)
    assigned_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    response_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    handle_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The moment the supervision scan warns (a share of the handling limit).
    handle_warn_at = models.DateTimeField(null=True, blank=True, db_index=True)
    alert = models.CharField(max_length=8, choices=Alert.choices, blank=True, default=Alert.NONE)
    response_overdue = models.BooleanField(default=False)
    postponed_until = models.DateField(null=True, blank=True)
    # Working time left on the handling clock when it was stopped (缓办).
    paused_remaining = models.DurationField(null=True, blank=True)

    return_count = models.PositiveSmallIntegerField(default=0)
    rework_count = models.PositiveSmallIntegerField(default=0)
    urge_count = models.PositiveSmallIntegerField(default=0)
    escalation_count = models.PositiveSmallIntegerField(default=0)
    close_count = models.PositiveSmallIntegerField(default=0)

    result = models.TextField(_("result"), blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("comment"), max_length=500, blank=True)
    rating_channel = models.CharField(max_length=5, choices=RatingChannel.choices, blank=True)
    # Working hours from registration to first response / to (last) close, and whether the
    # close met the handling limit: stored so the measures are plain aggregates.
    response_hours = models.FloatField(null=True, blank=True)
    handle_hours = models.FloatField(null=True, blank=True)
    closed_on_time = models.BooleanField(null=True, blank=True)

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_appeals"
    )
    published = models.BooleanField(_("show on the public board"), default=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["-registered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"], condition=~Q(source_ref=""), name="appeal_source_ref_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "handle_due_at"], name="appeal_status_due"),
            models.Index(fields=["grid", "registered_at"], name="appeal_grid_registered"),
            models.Index(fields=["handler_kind", "handler_department"], name="appeal_handler_department"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """A short reference to read out on the phone (not a secret, not an integer id)."""
        return str(self.public_id)[:8].upper()

    def handler_label(self) -> str:
        if self.handler_kind == HandlerKind.DEPARTMENT and self.handler_department_id:
            return str(self.handler_department)
        if self.handler_kind == HandlerKind.PROXY and self.handler_user_id:
            return f"{self.get_handler_kind_display()}: {self.handler_user}"
        if self.handler_node_id:
            return str(self.handler_node)
        return ""


class AppealTransition(ScopedModel):
    """One row per thing that happened to an appeal: who, from, to, note, time."""

    record_kind = "appeal"
    scope_path_lookup = "appeal__node__path"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(max_length=20)
    from_status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Status.choices)
    # None: the system (the supervision scan) or the resident through a rating link.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"


class AppealPhoto(ScopedModel):
    record_kind = "appeal"
    scope_path_lookup = "appeal__node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("kind"), max_length=8, choices=PhotoKind.choices)
    file = models.FileField(upload_to=_photo_path, max_length=200)
    content_type = models.CharField(max_length=40)
    transition = models.ForeignKey(
        AppealTransition, null=True, blank=True, on_delete=models.SET_NULL, related_name="photos"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"


class AppealExtension(ScopedModel):
    """A handler's request for more time, decided one level up."""

    record_kind = "appeal"
    scope_path_lookup = "appeal__node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="extensions")
    amount = models.PositiveSmallIntegerField(_("more time"))
    unit = models.CharField(_("unit"), max_length=5, choices=LimitUnit.choices, default=LimitUnit.DAYS)
    reason = models.TextField(_("reason"))
    state = models.CharField(max_length=8, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"], condition=Q(state="pending"), name="one_pending_extension_per_appeal"
            )
        ]

    def __str__(self) -> str:
        return f"+{self.amount} {self.unit} ({self.state})"
