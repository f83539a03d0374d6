"""Households, residents, their tags and the timeline of every change.

Personal data: the citizen ID and phone are encrypted at rest with a blind index for
equality search (linli.core.fields); tags are sensitive too, so their kind, subtype and
evidence are encrypted and filtered through blind indexes. What stays in plain text is what
the masked display shows anyway (the last four characters) and what the registry cannot
work without (name and its pinyin, birth date, the dwelling).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from linli.core.fields import BlindIndexField, EncryptedTextField
from linli.core.scoping import ScopedModel, ScopedQuerySet
from linli.registry.choices import (
    AddressKind,
    ArchiveReason,
    Ethnicity,
    PopulationType,
    Relation,
    ResidentStatus,
    Separation,
    Sex,
    TagKind,
)


class Household(ScopedModel):
    """A household (户) living in, or registered at, one dwelling."""

    record_kind = "household"
    scope_path_lookup = "dwelling__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    dwelling = models.ForeignKey(
        "territory.Node", on_delete=models.PROTECT, related_name="households", verbose_name=_("dwelling")
    )
    address_kind = models.CharField(
        _("this address is the"), max_length=12, choices=AddressKind.choices, default=AddressKind.RESIDENCE
    )
    number = models.CharField(_("household register number"), max_length=32, blank=True)
    householder = models.ForeignKey(
        "Resident",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("householder"),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["dwelling__path", "pk"]

    def __str__(self) -> str:
        return f"{self.dwelling.name} #{self.pk}"


class ResidentQuerySet(ScopedQuerySet):
    def active(self):
        return self.filter(status=ResidentStatus.ACTIVE)


class Resident(ScopedModel):
    record_kind = "resident"
    # `node` repeats household.dwelling so that scoping and address search need one join,
    # not two; the services keep them equal (resident_create, resident_move).
    scope_path_lookup = "node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    node = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="residents")
    relation = models.CharField(_("relation to the householder"), max_length=2, choices=Relation.choices)
    name = models.CharField(_("full name"), max_length=50, db_index=True)
    # Space-separated variants (see registry/pinyin.py), lower-case: "zengguofan", "zgf".
    name_pinyin = models.CharField(max_length=200, blank=True, editable=False)
    name_initials = models.CharField(max_length=60, blank=True, editable=False)

    citizen_id = EncryptedTextField(_("citizen ID number"), blank=True)
    citizen_id_index = BlindIndexField(source="citizen_id", purpose="citizen_id")
    # The last four characters: shown by the masked form anyway, searchable with a name.
    citizen_id_last4 = models.CharField(max_length=4, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True, db_index=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(
        _("ethnic group"), max_length=2, choices=Ethnicity.choices, default=Ethnicity.HAN
    )

    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone")
    phone_last4 = models.CharField(max_length=4, blank=True, db_index=True, editable=False)

    population_type = models.CharField(
        _("population type"),
        max_length=12,
        choices=PopulationType.choices,
        default=PopulationType.REGISTERED,
        db_index=True,
    )
    separation = models.CharField(
        _("registration and home apart"), max_length=8, choices=Separation.choices, blank=True, default=""
    )
    workplace = models.CharField(_("workplace or school"), max_length=200, blank=True)
    moved_in_on = models.DateField(_("moved in on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    status = models.CharField(
        _("status"), max_length=10, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE
    )
    archive_reason = models.CharField(
        _("archive reason"), max_length=12, choices=ArchiveReason.choices, blank=True
    )
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    archive_note = models.TextField(_("archive note"), blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["node__path", "household_id", "relation", "pk"]
        constraints = [
            # One active person per ID number; archived records of the same person stay as
            # history (someone who moved away and came back).
            models.UniqueConstraint(
                fields=["citizen_id_index"],
                condition=Q(status="active", citizen_id_index__isnull=False),
                name="registry_one_active_resident_per_citizen_id",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "node"]),
            models.Index(fields=["status", "population_type"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == ResidentStatus.ACTIVE


class ResidentTag(ScopedModel):
    """A group that needs attention (独居老人, 低保, 党员 ...), with dates and evidence.

    The kind, its subtype (e.g. 直管 / 住社区 for party members) and the evidence are
    encrypted: a copy of the database does not tell who is on minimum subsistence. Counting
    and filtering go through the blind indexes of kind and subtype.
    """

    record_kind = "resident_tag"
    scope_path_lookup = "resident__node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="tags")
    kind = EncryptedTextField(_("tag"))
    kind_index = BlindIndexField(source="kind", purpose="tag_kind")
    subtype = EncryptedTextField(_("subtype"), blank=True, default="")
    subtype_index = BlindIndexField(source="subtype", purpose="tag_subtype")
    started_on = models.DateField(_("start date"), null=True, blank=True)
    ended_on = models.DateField(_("end date"), null=True, blank=True, db_index=True)
    evidence = EncryptedTextField(_("evidence"), blank=True, default="")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["kind_index", "ended_on"])]

    def __str__(self) -> str:
        # Never the kind: this string reaches the audit log.
        return f"tag #{self.pk}"

    def is_current(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.ended_on is None or self.ended_on > today

    def kind_label(self) -> str:
        try:
            return str(TagKind(self.kind).label)
        except ValueError:
            return self.kind


class EventKind(models.TextChoices):
    CREATED = "created", _("Registered")
    UPDATED = "updated", _("Changed")
    MOVED = "moved", _("Moved")
    ARCHIVED = "archived", _("Taken off the register")
    TAG_SET = "tag_set", _("Tag set")
    TAG_ENDED = "tag_ended", _("Tag ended")


TAG_EVENTS = {EventKind.TAG_SET, EventKind.TAG_ENDED}


class ResidentEvent(ScopedModel):
    """One entry of a resident's timeline: who changed what, when, old → new.

    Personal values (ID, phone) are stored masked; tag events carry no tag kind in clear
    (the kind is read from the encrypted tag) and are shown only to those who may see tags.
    """

    record_kind = "resident"
    scope_path_lookup = "resident__node__path"

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    # [{"field": name, "old": text, "new": text}], display values, personal ones masked.
    changes = models.JSONField(default=list, blank=True)
    tag = models.ForeignKey(ResidentTag, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Checked, not started")
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


ImportStatus.FINISHED = (ImportStatus.DONE, ImportStatus.CANCELLED, ImportStatus.FAILED)


class ImportJob(ScopedModel):
    """A spreadsheet of residents being imported (registry/importing.py).

    `last_row` is the Excel row number of the last row whose effects are committed; it is
    saved in the same transaction as those rows, so a resumed job neither skips nor repeats
    a row. `outcomes` holds one entry per processed row: {"row", "result", "errors", "changes"}.
    """

    record_kind = "resident"
    scope_path_lookup = "root__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    root = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="registry-imports/")
    filename = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    last_row = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    outcomes = models.JSONField(default=list, blank=True)
    cancel_requested = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"import #{self.pk} {self.filename}"

    @property
    def percent(self) -> int:
        return int(100 * self.processed / self.total) if self.total else (100 if self.is_finished else 0)

    @property
    def is_finished(self) -> bool:
        return self.status in ImportStatus.FINISHED


class CensusState(models.TextChoices):
    """The door-to-door census (入户摸底): what the worker found at a dwelling. "Not
    visited" is the absence of a visit."""

    VERIFIED = "verified", _("Verified")  # 已核实
    CHANGED = "changed", _("Changed")  # 有变化
    VACANT = "vacant", _("Vacant")  # 空置
    REFUSED = "refused", _("Refused")  # 拒绝
    NOBODY_HOME = "nobody_home", _("Nobody home")  # 无人在家


class CensusVisit(ScopedModel):
    """One visit to a dwelling; the latest visit is the dwelling's census state. Visits are
    kept: a "nobody home" followed by "verified" is the history of the round."""

    record_kind = "household"
    scope_path_lookup = "dwelling__path"

    dwelling = models.ForeignKey("territory.Node", on_delete=models.PROTECT, related_name="census_visits")
    state = models.CharField(_("state"), max_length=12, choices=CensusState.choices)
    note = models.TextField(_("note"), blank=True)
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visited_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        indexes = [models.Index(fields=["dwelling", "-visited_at"])]

    def __str__(self) -> str:
        return f"{self.get_state_display()} {self.visited_at:%Y-%m-%d}"
