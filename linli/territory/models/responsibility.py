"""Who is responsible for a place in the tree, and since when.

One row per term: a grid chief appointed on one day and replaced on another is one row
with both dates; nothing is overwritten, so "who was responsible on 3 May" is a query
(selectors.responsible_on). `ended_on` is the first day the person no longer holds the
duty: a successor starts the same day, and a term recorded by mistake can be ended on its
own first day, which leaves it responsible on no day at all.

A person is an account where they have one (`user`) or a name and phone. Holding a
duty with an account usually means holding the matching role on the same node
(responsibility_services.py grants it); `role_assignment` links the two so that ending
the duty ends the role.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from linli.core.fields import BlindIndexField, EncryptedTextField
from linli.core.scoping import ScopedModel
from linli.territory.models.tree import Node


class Duty(models.TextChoices):
    GRID_CHIEF = "grid_chief", _("Grid chief")
    GRID_WORKER = "grid_worker", _("Grid worker")
    BUILDING_HEAD = "building_head", _("Building head")
    PARTY_ORG = "party_org", _("Party branch or group")
    AREA_LEAD = "area_lead", _("Two-committee member in charge")


class Employment(models.TextChoices):
    FULL_TIME = "full_time", _("Full-time")
    PART_TIME = "part_time", _("Part-time")


class PartyOrgKind(models.TextChoices):
    BRANCH = "branch", _("Party branch")
    GROUP = "group", _("Party group")


# Duties one person holds at a time on a node; a new appointment ends the current one.
# Grid workers are many per grid.
SINGLE_HOLDER_DUTIES = (Duty.GRID_CHIEF, Duty.BUILDING_HEAD, Duty.PARTY_ORG, Duty.AREA_LEAD)


class Responsibility(ScopedModel):
    record_kind = "territory"
    scope_path_lookup = "node__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("place")
    )
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    employment = models.CharField(
        _("employment"), max_length=10, choices=Employment.choices, blank=True, default=""
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsibilities",
        verbose_name=_("account"),
    )
    # Kept even with an account: the record still says who it was if the account goes.
    person_name = models.CharField(_("name"), max_length=50)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone")
    # Party organisation of the grid (党组织网格化): its kind and name; the person is its
    # secretary. The party app will own organisations later; this is enough to name them.
    org_kind = models.CharField(
        _("organisation kind"), max_length=8, choices=PartyOrgKind.choices, blank=True, default=""
    )
    org_name = models.CharField(_("organisation name"), max_length=100, blank=True)

    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    appointed_at = models.DateTimeField(auto_now_add=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("reason"), max_length=200, blank=True)
    role_assignment = models.ForeignKey(
        "accounts.RoleAssignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_on", "pk"]
        indexes = [
            models.Index(fields=["node", "duty", "ended_at"]),
            models.Index(fields=["duty", "ended_at"]),
        ]
        constraints = [
            # Exactly one grid chief (building head, party organisation, member in charge)
            # per node at a time, whatever path the write takes.
            models.UniqueConstraint(
                fields=["node", "duty"],
                condition=Q(ended_at__isnull=True, duty__in=SINGLE_HOLDER_DUTIES),
                name="territory_one_current_holder_per_single_duty",
            ),
            models.UniqueConstraint(
                fields=["node", "duty", "user"],
                condition=Q(ended_at__isnull=True, user__isnull=False),
                name="territory_one_current_duty_per_account",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="territory_responsibility_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True, ended_on__isnull=True)
                | Q(ended_at__isnull=False, ended_on__isnull=False),
                name="territory_responsibility_end_complete",
            ),
        ]

    def __str__(self) -> str:
        # Never the phone: this string reaches the audit log.
        return f"{self.get_duty_display()} · {self.person_name}"

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    def holds_on(self, day) -> bool:
        return self.started_on <= day and (self.ended_on is None or day < self.ended_on)
