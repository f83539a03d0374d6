"""Places that are not homes: co-building units, office buildings, schools, shops ...

A place belongs to one grid (ordinary or dedicated) and is scoped through that grid's
path. Its location is stored in WGS-84 like every boundary; `location_crs` remembers the
system it was entered in, so an edit form can show it back the way it was typed.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from linli.core.fields import BlindIndexField, EncryptedTextField
from linli.core.scoping import ScopedModel
from linli.territory.models.tree import Node


class PlaceKind(models.TextChoices):
    CO_BUILDING_UNIT = "co_building_unit", _("Co-building unit")
    OFFICE_BUILDING = "office_building", _("Office building")
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    BANK = "bank", _("Bank")
    HOSPITAL = "hospital", _("Hospital")
    MARKET = "market", _("Market")
    STREET_SHOP = "street_shop", _("Street shop")
    OTHER = "other", _("Other place")


class SmallShopKind(models.TextChoices):
    """The "五小" small shops that inspections single out: empty for any other shop."""

    RESTAURANT = "restaurant", _("Small restaurant")
    SHOP = "shop", _("Small shop")
    HOTEL = "hotel", _("Small hotel")
    ENTERTAINMENT = "entertainment", _("Small entertainment venue")
    HAIR_SALON = "hair_salon", _("Small hair salon")


class Place(ScopedModel):
    record_kind = "territory"
    scope_path_lookup = "grid__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grid = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="places", verbose_name=_("grid"))
    kind = models.CharField(_("kind"), max_length=20, choices=PlaceKind.choices)
    small_shop_kind = models.CharField(
        _("“Five small” shop"), max_length=16, choices=SmallShopKind.choices, blank=True, default=""
    )
    name = models.CharField(_("name"), max_length=200)
    # 统一社会信用代码 (GB 32100-2015), checked by the services; blank when unknown.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True, db_index=True)
    # Registration numbers from before 2015 (15-digit 注册号 and others) are kept as typed:
    # they have no single format to check.
    old_registration_number = models.CharField(_("old registration number"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    lng = models.FloatField(_("longitude (WGS-84)"), null=True, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), null=True, blank=True)
    location_crs = models.CharField(_("coordinate system entered"), max_length=8, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["name", "pk"]
        indexes = [
            models.Index(fields=["grid", "kind"]),
            models.Index(fields=["kind", "small_shop_kind"]),
        ]
        constraints = [
            # A location is both coordinates or neither.
            models.CheckConstraint(
                condition=Q(lng__isnull=True, lat__isnull=True) | Q(lng__isnull=False, lat__isnull=False),
                name="territory_place_location_complete",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def has_location(self) -> bool:
        return self.lng is not None and self.lat is not None


class PlaceContact(ScopedModel):
    """A contact person of a place (the owner, a manager, the unit's liaison)."""

    record_kind = "territory"
    scope_path_lookup = "place__grid__path"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # CASCADE: places are retired, never deleted, so this only fires on a purge.
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=50, blank=True)
    phone = EncryptedTextField(_("phone"), blank=True)
    phone_index = BlindIndexField(source="phone", purpose="phone")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        # Never the phone: this string reaches the audit log.
        return f"{self.name} ({self.place_id})"
