"""Writes on places that are not homes (shops, units, schools ...) and their contacts.

A place with a location gets its grid from it (locate_point, the same index appeals and
visits use); without one, the grid chosen by the user. Whoever writes needs the
territory grant for it on that grid: add to create, change to edit, delete to retire.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.core.fields import fill_blind_indexes
from linli.core.identity import normalise_phone
from linli.core.scoping import ensure_in_scope
from linli.territory import coords
from linli.territory.choices import GRID_KINDS
from linli.territory.models import Node, Place, PlaceContact, PlaceKind, SmallShopKind

# --- unified social credit code (统一社会信用代码, GB 32100-2015) --------------------------

# The 31 characters the code uses: digits and capitals without I, O, Z, S, V.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# Weight of position i (from 0) is 3^i mod 31.
CREDIT_CODE_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def credit_code_check_character(first17: str) -> str:
    total = sum(CREDIT_CODE_CHARS.index(c) * w for c, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalise_credit_code(value: str | None, *, field: str = "credit_code") -> str:
    """The code in capitals without spaces, or "" when none is given. Raises ValidationFailed.

    Like citizen IDs, a wrong check character is reported without saying what it should be.
    """
    text = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or "")).upper()
    if not text:
        return ""
    if len(text) != 18:
        raise ValidationFailed(
            _("A unified social credit code has 18 characters; got %(n)d.") % {"n": len(text)},
            code="credit_code_length",
            field=field,
        )
    if any(c not in CREDIT_CODE_CHARS for c in text):
        raise ValidationFailed(
            _("A unified social credit code uses digits and capital letters other than I, O, S, V and Z."),
            code="credit_code_characters",
            field=field,
        )
    if not text[2:8].isdigit():
        raise ValidationFailed(
            _("Characters 3 to 8 of a unified social credit code are the division code: digits only."),
            code="credit_code_division",
            field=field,
        )
    if text[17] != credit_code_check_character(text[:17]):
        raise ValidationFailed(
            _("This unified social credit code is not valid: check it for a typing mistake."),
            code="credit_code_check",
            field=field,
        )
    return text


def text(value: str | None, limit: int | None = None, *, one_line: bool = True) -> str:
    """Trimmed text without NUL characters (PostgreSQL cannot store them; JSON bodies can
    carry them past the middleware that refuses them in forms and query strings)."""
    value = (value or "").replace("\x00", "")
    value = " ".join(value.split()) if one_line else value.strip()
    return value[:limit] if limit else value


# --- location and grid ----------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    lng: float  # WGS-84
    lat: float
    crs: str  # as entered


def read_location(lng: float | None, lat: float | None, crs: str | None) -> Location | None:
    """Check a location as entered and convert it to WGS-84; None when none is given."""
    if lng is None and lat is None:
        return None
    if lng is None or lat is None:
        raise ValidationFailed(_("Give both longitude and latitude, or neither."), field="lng")
    try:
        crs = coords.normalise_crs(crs)
    except ValueError:
        raise ValidationFailed(
            _("Unknown coordinate system %(crs)s; use wgs84, gcj02 or bd09.") % {"crs": crs}, field="crs"
        ) from None
    if not (-180 <= lng <= 180 and -90 <= lat <= 90) or bool(coords.out_of_china(lng, lat)):
        if -90 <= lng <= 90 and not coords.out_of_china(lat, lng):
            message = _("The location lies outside China: longitude and latitude look swapped.")
        elif not (-180 <= lng <= 180 and -90 <= lat <= 90):
            message = _("Longitude or latitude is out of range.")
        else:
            message = _("The location lies outside China.")
        raise ValidationFailed(message, code="outside_china", field="lng")
    wgs_lng, wgs_lat = coords.to_wgs84(lng, lat, crs)
    return Location(float(wgs_lng), float(wgs_lat), crs)


def grid_of(node: Node | None) -> Node | None:
    """The grid (ordinary or dedicated) a node lies in: itself or an ancestor."""
    if node is None:
        return None
    if node.kind in GRID_KINDS:
        return node
    return (
        Node.objects.filter(pk__in=node.ancestor_ids(), kind__in=GRID_KINDS, retired_at__isnull=True)
        .order_by("-depth")
        .first()
    )


def _place_grid(actor: User, location: Location | None, chosen: Node | None, action: str) -> Node:
    from linli.territory.geo_services import locate_point

    grid = None
    if location is not None:
        # Unscoped: the system places the record; whether the actor may put it there is
        # checked right after, with an answer that names no place outside their area.
        grid = grid_of(locate_point(location.lng, location.lat))
        if grid is not None and not _may(actor, "view", grid):
            raise ValidationFailed(
                _("The location lies outside your area."), code="outside_area", field="lng"
            )
    if grid is None:
        grid = chosen
    if grid is None:
        raise ValidationFailed(
            _("Choose the grid: no location was given, or it lies in no grid."),
            code="grid_required",
            field="grid",
        )
    if grid.kind not in GRID_KINDS:
        raise ValidationFailed(_("A place belongs to a grid or a dedicated grid."), field="grid")
    if grid.retired_at is not None:
        raise ValidationFailed(_("This grid has been retired."), field="grid")
    if not _may(actor, action, grid):
        raise PermissionDenied(_("You may not record places in %(grid)s.") % {"grid": grid.name})
    return grid


def _may(actor: User, action: str, node: Node) -> bool:
    return actor.is_superuser or actor.grants.allows("territory", action, node.path)


# --- places ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ContactData:
    name: str
    role: str = ""
    phone: str = ""


def _clean_fields(
    *, kind: str, name: str, small_shop_kind: str, credit_code: str, old_registration_number: str
) -> dict:
    if kind not in PlaceKind.values:
        raise ValidationFailed(_("Unknown kind of place."), field="kind")
    name = text(name)
    if not name:
        raise ValidationFailed(_("A name is required."), field="name")
    small_shop_kind = small_shop_kind or ""
    if small_shop_kind and small_shop_kind not in SmallShopKind.values:
        raise ValidationFailed(_("Unknown kind of “five small” shop."), field="small_shop_kind")
    if small_shop_kind and kind != PlaceKind.STREET_SHOP:
        raise ValidationFailed(_("Only a street shop can be a “five small” shop."), field="small_shop_kind")
    return {
        "kind": kind,
        "name": name[:200],
        "small_shop_kind": small_shop_kind,
        "credit_code": normalise_credit_code(credit_code),
        "old_registration_number": text(old_registration_number, 40),
    }


def _contact(place: Place, data: ContactData) -> PlaceContact:
    name = text(data.name)
    if not name:
        raise ValidationFailed(_("A contact needs a name."), field="contact_name")
    phone = normalise_phone(data.phone, field="contact_phone") if (data.phone or "").strip() else ""
    contact = PlaceContact(place=place, name=name[:50], role=text(data.role, 50), phone=phone)
    fill_blind_indexes(contact)
    return contact


def _audit_values(place: Place) -> dict:
    return {
        "kind": place.kind,
        "name": place.name,
        "grid": place.grid.code,
        "small_shop_kind": place.small_shop_kind,
        "credit_code": place.credit_code,
        "address": place.address,
        "located": place.has_location,
    }


@transaction.atomic
def place_create(
    *,
    actor: User,
    kind: str,
    name: str,
    grid: Node | None = None,
    small_shop_kind: str = "",
    credit_code: str = "",
    old_registration_number: str = "",
    address: str = "",
    lng: float | None = None,
    lat: float | None = None,
    crs: str = coords.WGS84,
    note: str = "",
    contacts: Sequence[ContactData] = (),
    request=None,
) -> Place:
    fields = _clean_fields(
        kind=kind,
        name=name,
        small_shop_kind=small_shop_kind,
        credit_code=credit_code,
        old_registration_number=old_registration_number,
    )
    location = read_location(lng, lat, crs)
    place = Place(
        grid=_place_grid(actor, location, grid, "add"),
        address=text(address, 255),
        note=text(note, one_line=False),
        created_by=actor if actor.is_authenticated else None,
        **fields,
    )
    if location is not None:
        place.lng, place.lat, place.location_crs = location.lng, location.lat, location.crs
    place.save()
    rows = [_contact(place, c) for c in contacts]
    PlaceContact.objects.bulk_create(rows)
    ensure_in_scope(place, actor, "add")
    audit.record(
        actor=actor,
        action="territory.place.create",
        target=place,
        after={**_audit_values(place), "contacts": [c.name for c in rows]},
        request=request,
    )
    return place


@transaction.atomic
def place_update(
    *,
    actor: User,
    place: Place,
    kind: str,
    name: str,
    grid: Node | None,
    small_shop_kind: str = "",
    credit_code: str = "",
    old_registration_number: str = "",
    address: str = "",
    lng: float | None = None,
    lat: float | None = None,
    crs: str = coords.WGS84,
    note: str = "",
    request=None,
) -> Place:
    """Replace the place's fields. A new location may move it to another grid, which needs
    the right to add places there as well as to change them here."""
    place = Place.objects.select_for_update().select_related("grid").get(pk=place.pk)
    if place.retired_at is not None:
        raise ValidationFailed(_("This place has been retired."))
    if not _may(actor, "change", place.grid):
        raise PermissionDenied
    before = _audit_values(place)
    fields = _clean_fields(
        kind=kind,
        name=name,
        small_shop_kind=small_shop_kind,
        credit_code=credit_code,
        old_registration_number=old_registration_number,
    )
    location = read_location(lng, lat, crs)
    new_grid = _place_grid(actor, location, grid or place.grid, "change")
    if new_grid.pk != place.grid_id and not _may(actor, "add", new_grid):
        raise PermissionDenied
    for key, value in fields.items():
        setattr(place, key, value)
    place.grid = new_grid
    place.address = text(address, 255)
    place.note = text(note, one_line=False)
    if location is None:
        place.lng = place.lat = None
        place.location_crs = ""
    else:
        place.lng, place.lat, place.location_crs = location.lng, location.lat, location.crs
    place.save()
    ensure_in_scope(place, actor, "change")
    after = _audit_values(place)
    audit.record(
        actor=actor,
        action="territory.place.update",
        target=place,
        before={k: v for k, v in before.items() if after[k] != v},
        after={k: v for k, v in after.items() if before[k] != v},
        request=request,
    )
    return place


@transaction.atomic
def place_retire(*, actor: User, place: Place, reason: str = "", request=None) -> Place:
    """Retire a place that closed or moved away: it stays for history and leaves the lists."""
    grid = Node.objects.get(pk=place.grid_id)
    if not _may(actor, "delete", grid):
        raise PermissionDenied
    now = timezone.now()
    if not Place.objects.filter(pk=place.pk, retired_at__isnull=True).update(retired_at=now):
        raise Conflict(_("This place has already been retired."))
    place.retired_at = now
    audit.record(actor=actor, action="territory.place.retire", target=place, reason=reason, request=request)
    return place


@transaction.atomic
def place_contact_add(*, actor: User, place: Place, contact: ContactData, request=None) -> PlaceContact:
    place = Place.objects.select_related("grid").get(pk=place.pk)
    if place.retired_at is not None:
        raise ValidationFailed(_("This place has been retired."))
    if not _may(actor, "change", place.grid):
        raise PermissionDenied
    row = _contact(place, contact)
    row.save()
    audit.record(
        actor=actor,
        action="territory.place.contact_add",
        target=place,
        after={"contact": row.name, "role": row.role},
        request=request,
    )
    return row


@transaction.atomic
def place_contact_remove(*, actor: User, contact: PlaceContact, request=None) -> None:
    place = Place.objects.select_related("grid").get(pk=contact.place_id)
    if not _may(actor, "change", place.grid):
        raise PermissionDenied
    if not PlaceContact.objects.filter(pk=contact.pk).delete()[0]:
        raise Conflict(_("This contact has already been removed."))
    audit.record(
        actor=actor,
        action="territory.place.contact_remove",
        target=place,
        before={"contact": contact.name, "role": contact.role},
        request=request,
    )
