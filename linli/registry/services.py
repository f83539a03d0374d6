"""Every write of the registry. The pages, the API and (later) the spreadsheet importer call
these functions row by row: keyword-only arguments, one transaction each, the actor's
grants checked before and the record's place re-checked after the write, an audit row with
personal values redacted, and a timeline entry on the resident.

Validation failures raise ValidationFailed naming the first bad field (`exc.field`); the
exception's `errors` attribute maps every bad field to its message, so an importer can
report a whole row at once.
"""

from __future__ import annotations

import datetime
import unicodedata
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import audit, identity
from linli.core.crypto import blind_index
from linli.core.errors import OutOfScope, PermissionDenied, ValidationFailed
from linli.core.fields import fill_blind_indexes
from linli.core.masking import mask_citizen_id, mask_phone
from linli.core.scoping import ensure_in_scope
from linli.registry.choices import (
    TAG_SUBTYPES,
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
from linli.registry.models import EventKind, Household, Resident, ResidentEvent, ResidentTag
from linli.registry.pinyin import name_keys
from linli.territory.choices import NodeKind
from linli.territory.models import Node


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

# Fields a resident_create / resident_update call may set, in the order errors are reported.
PERSON_FIELDS = (
    "name",
    "relation",
    "citizen_id",
    "birth_date",
    "sex",
    "ethnicity",
    "phone",
    "population_type",
    "separation",
    "workplace",
    "moved_in_on",
    "note",
)
PERSONAL = {"citizen_id": mask_citizen_id, "phone": mask_phone}
MAX_NAME = 50
MAX_WORKPLACE = 200


# --- helpers -------------------------------------------------------------------------------


class _Errors:
    def __init__(self) -> None:
        self.items: dict[str, tuple[str, str]] = {}

    def add(self, field: str, message: str, code: str = "invalid") -> None:
        self.items.setdefault(field, (str(message), code))

    def add_from(self, exc: ValidationFailed, field: str) -> None:
        self.add(exc.field or field, str(exc.message), exc.code)

    def raise_if_any(self) -> None:
        if self.items:
            raise invalid(self.items)


def invalid(items: dict[str, tuple[str, str]]) -> ValidationFailed:
    """One ValidationFailed for several fields: the first names `field`, all are in `errors`."""
    field, (message, code) = next(iter(items.items()))
    exc = ValidationFailed(message, code=code, field=field)
    exc.errors = {name: text for name, (text, _code) in items.items()}
    return exc


def _require(actor: User, kind: str, action: str, path: str) -> None:
    """Grant check before a write: a record the actor cannot see at all is a 404 (it does
    not exist for them), one they see but may not touch this way a 403."""
    if actor.is_superuser or actor.grants.allows(kind, action, path):
        return
    if actor.grants.allows(kind, "view", path) or actor.grants.allows("resident", "view", path):
        raise PermissionDenied
    raise OutOfScope


def _actor_name(actor: User) -> str:
    return (actor.full_name or actor.username)[:150]


def _display(field: str, value: Any) -> str:
    if value is None:
        return ""
    if field in PERSONAL:
        return PERSONAL[field](value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _event(
    *,
    resident: Resident,
    kind: str,
    actor: User,
    changes: list[dict[str, str]] | None = None,
    tag: ResidentTag | None = None,
    note: str = "",
) -> ResidentEvent:
    return ResidentEvent.objects.create(
        resident=resident,
        kind=kind,
        actor=actor,
        actor_name=_actor_name(actor),
        changes=changes or [],
        tag=tag,
        note=note,
    )


def _audit_values(values: dict[str, Any]) -> dict[str, Any]:
    # audit.redact() hides citizen_id and phone by key; dates become text.
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in values.items()}


def _today() -> datetime.date:
    return timezone.localdate()


def _clean_text(value: str | None) -> str:
    return " ".join(unicodedata.normalize("NFKC", value or "").split())


def _clean_name(value: str | None) -> str:
    # NFKC turns full-width Latin letters into ASCII; a space inside a Chinese name is a
    # typing accident, a middle dot (阿依·古丽) is part of the name.
    text = _clean_text(value)
    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        text = text.replace(" ", "")
    return text


def _check_date(errors: _Errors, field: str, value: Any, *, label: str) -> datetime.date | None:
    if value in (None, ""):
        return None
    if not isinstance(value, datetime.date):
        errors.add(field, _("%(label)s is not a date.") % {"label": label}, "date_invalid")
        return None
    if value > _today():
        errors.add(field, _("%(label)s lies in the future.") % {"label": label}, "date_future")
    elif value.year < identity.MIN_BIRTH_YEAR:
        errors.add(field, _("%(label)s lies before 1900.") % {"label": label}, "date_too_early")
    return value


def _clean_person(values: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    """Validate and normalise the given person fields (only those present in `values`)."""
    cleaned: dict[str, Any] = {}
    if "name" in values:
        name = _clean_name(values["name"])
        if not name:
            errors.add("name", _("Enter the resident's name."), "name_required")
        elif len(name) > MAX_NAME:
            errors.add("name", _("A name has at most %(n)d characters.") % {"n": MAX_NAME}, "name_length")
        cleaned["name"] = name
    if "relation" in values:
        relation = str(values["relation"] or "").strip()
        if relation not in Relation.values:
            errors.add("relation", _("Choose the relation to the householder."), "relation_invalid")
        cleaned["relation"] = relation
    if "citizen_id" in values:
        raw = values["citizen_id"] or ""
        cleaned["citizen_id"] = ""
        if raw.strip():
            try:
                parsed = identity.parse_citizen_id(raw, field="citizen_id")
            except ValidationFailed as exc:
                errors.add_from(exc, "citizen_id")
            else:
                cleaned["citizen_id"] = parsed.number
                cleaned["_derived"] = parsed
    if "birth_date" in values:
        cleaned["birth_date"] = _check_date(
            errors, "birth_date", values["birth_date"], label=_("The date of birth")
        )
    if "sex" in values:
        sex = (values["sex"] or "").strip().upper()
        if sex and sex not in Sex.values:
            errors.add("sex", _("Choose male or female."), "sex_invalid")
        cleaned["sex"] = sex
    derived = cleaned.pop("_derived", None)
    if derived is not None:
        # The ID decides; a date or sex typed beside it must agree with it.
        if cleaned.get("birth_date") and cleaned["birth_date"] != derived.birth_date:
            errors.add(
                "birth_date",
                _("The date of birth does not match the citizen ID number (%(date)s).")
                % {"date": derived.birth_date.isoformat()},
                "birth_date_mismatch",
            )
        if cleaned.get("sex") and cleaned["sex"] != derived.sex:
            errors.add("sex", _("The sex does not match the citizen ID number."), "sex_mismatch")
        cleaned["birth_date"] = derived.birth_date
        cleaned["sex"] = derived.sex
    if "ethnicity" in values:
        ethnicity = (values["ethnicity"] or "").strip() or Ethnicity.HAN
        if ethnicity not in Ethnicity.values:
            errors.add("ethnicity", _("Choose an ethnic group from the list."), "ethnicity_invalid")
        cleaned["ethnicity"] = ethnicity
    if "phone" in values:
        raw = values["phone"] or ""
        cleaned["phone"] = ""
        if raw.strip():
            try:
                cleaned["phone"] = identity.normalise_phone(raw, field="phone")
            except ValidationFailed as exc:
                errors.add_from(exc, "phone")
    if "population_type" in values:
        if values["population_type"] not in PopulationType.values:
            errors.add("population_type", _("Choose a population type."), "population_type_invalid")
        cleaned["population_type"] = values["population_type"]
    if "separation" in values:
        separation = values["separation"] or ""
        if separation not in Separation.values:
            errors.add("separation", _("Choose where registration and home are."), "separation_invalid")
        cleaned["separation"] = separation
    if "workplace" in values:
        workplace = _clean_text(values["workplace"])
        if len(workplace) > MAX_WORKPLACE:
            errors.add("workplace", _("At most %(n)d characters.") % {"n": MAX_WORKPLACE}, "workplace_length")
        cleaned["workplace"] = workplace
    if "moved_in_on" in values:
        cleaned["moved_in_on"] = _check_date(
            errors, "moved_in_on", values["moved_in_on"], label=_("The moving-in date")
        )
    if "note" in values:
        cleaned["note"] = (values["note"] or "").strip()
    return cleaned


def _check_duplicate_id(errors: _Errors, *, actor: User, number: str, exclude_pk: int | None) -> None:
    if not number or "citizen_id" in errors.items:
        return
    others = Resident.objects.active().filter(citizen_id_index=blind_index(number, "citizen_id"))
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    existing = others.first()
    if existing is None:
        return
    # Name the existing record only to someone who may see it: the number's existence is
    # all an outsider learns.
    if Resident.objects.restrict(actor, "view").filter(pk=existing.pk).exists():
        from linli.registry.selectors import address_label

        message = _("This citizen ID number is already registered: %(name)s, %(address)s.") % {
            "name": existing.name,
            "address": address_label(existing.node),
        }
    else:
        message = _(
            "This citizen ID number is already registered to a resident outside your area; "
            "ask the community that holds the record to move it."
        )
    errors.add("citizen_id", message, "citizen_id_duplicate")


def _set_search_keys(resident: Resident) -> None:
    resident.name_pinyin, resident.name_initials = name_keys(resident.name)
    resident.citizen_id_last4 = (resident.citizen_id or "")[-4:]
    digits = "".join(ch for ch in (resident.phone or "") if ch.isdigit())
    resident.phone_last4 = digits[-4:]
    fill_blind_indexes(resident)


def _save_resident(resident: Resident, **kwargs: Any) -> None:
    # A savepoint: the unique index can still refuse the ID if someone registered the same
    # number in the same instant, and the caller's transaction must survive to report it.
    try:
        with transaction.atomic():
            resident.save(**kwargs)
    except IntegrityError:
        raise ValidationFailed(
            _("This citizen ID number is already registered."),
            code="citizen_id_duplicate",
            field="citizen_id",
        ) from None


def _active_householder(household: Household, exclude_pk: int | None = None) -> Resident | None:
    qs = Resident.objects.active().filter(household=household, relation=Relation.HOUSEHOLDER)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


# --- households ----------------------------------------------------------------------------


@transaction.atomic
def household_create(
    *,
    actor: User,
    dwelling: Node,
    address_kind: str = AddressKind.RESIDENCE,
    number: str = "",
    note: str = "",
    request=None,
) -> Household:
    errors = _Errors()
    if dwelling.kind != NodeKind.DWELLING:
        errors.add(
            "dwelling",
            _("A household lives in a dwelling (a flat or house), not in a %(kind)s.")
            % {"kind": NodeKind(dwelling.kind).label},
            "dwelling_kind",
        )
    elif dwelling.retired_at is not None:
        errors.add("dwelling", _("This dwelling has been retired."), "dwelling_retired")
    if address_kind not in AddressKind.values:
        errors.add("address_kind", _("Choose what kind of address this is."), "address_kind_invalid")
    number = _clean_text(number)
    if len(number) > 32:
        errors.add("number", _("At most %(n)d characters.") % {"n": 32}, "number_length")
    _require(actor, "household", "add", dwelling.path)
    errors.raise_if_any()
    household = Household.objects.create(
        dwelling=dwelling,
        address_kind=address_kind,
        number=number,
        note=(note or "").strip(),
        created_by=actor,
    )
    ensure_in_scope(household, actor, "add")
    audit.record(
        actor=actor,
        action="registry.household.create",
        target=household,
        after={"dwelling": dwelling.code, "address_kind": address_kind, "number": number},
        request=request,
    )
    return household


# --- residents -----------------------------------------------------------------------------


@transaction.atomic
def resident_create(
    *,
    actor: User,
    household: Household,
    name: str,
    relation: str,
    citizen_id: str = "",
    birth_date: datetime.date | None = None,
    sex: str = "",
    ethnicity: str = Ethnicity.HAN,
    phone: str = "",
    population_type: str = PopulationType.REGISTERED,
    separation: str = "",
    workplace: str = "",
    moved_in_on: datetime.date | None = None,
    note: str = "",
    request=None,
) -> Resident:
    _require(actor, "resident", "add", household.dwelling.path)
    errors = _Errors()
    values = _clean_person(
        {
            "name": name,
            "relation": relation,
            "citizen_id": citizen_id,
            "birth_date": birth_date,
            "sex": sex,
            "ethnicity": ethnicity,
            "phone": phone,
            "population_type": population_type,
            "separation": separation,
            "workplace": workplace,
            "moved_in_on": moved_in_on,
            "note": note,
        },
        errors,
    )
    _check_duplicate_id(errors, actor=actor, number=values.get("citizen_id", ""), exclude_pk=None)
    if values.get("relation") == Relation.HOUSEHOLDER:
        current = _active_householder(household)
        if current is not None:
            errors.add(
                "relation",
                _("This household already has a householder: %(name)s.") % {"name": current.name},
                "householder_exists",
            )
    errors.raise_if_any()
    resident = Resident(household=household, node=household.dwelling, **values)
    _set_search_keys(resident)
    _save_resident(resident)
    if resident.relation == Relation.HOUSEHOLDER:
        Household.objects.filter(pk=household.pk).update(householder=resident)
        household.householder = resident
    ensure_in_scope(resident, actor, "add")
    shown = {f: values[f] for f in PERSON_FIELDS if values.get(f) not in (None, "")}
    _event(
        resident=resident,
        kind=EventKind.CREATED,
        actor=actor,
        changes=[{"field": f, "old": "", "new": _display(f, v)} for f, v in shown.items()],
    )
    audit.record(
        actor=actor,
        action="registry.resident.create",
        target=resident,
        after=_audit_values(shown),
        request=request,
    )
    return resident


def _locked(resident: Resident) -> Resident:
    # Re-read under a row lock (PostgreSQL; SQLite's IMMEDIATE transaction already
    # serialises writers): two edits at once must not each diff against a stale copy.
    return Resident.objects.select_for_update().select_related("node", "household").get(pk=resident.pk)


def _ensure_active(resident: Resident) -> None:
    if resident.status != ResidentStatus.ACTIVE:
        raise ValidationFailed(
            _("This record is archived; it is kept as history and cannot be changed."),
            code="archived",
            field="status",
        )


@transaction.atomic
def resident_update(
    *,
    actor: User,
    resident: Resident,
    name: str = UNSET,
    relation: str = UNSET,
    citizen_id: str = UNSET,
    birth_date: datetime.date | None = UNSET,
    sex: str = UNSET,
    ethnicity: str = UNSET,
    phone: str = UNSET,
    population_type: str = UNSET,
    separation: str = UNSET,
    workplace: str = UNSET,
    moved_in_on: datetime.date | None = UNSET,
    note: str = UNSET,
    request=None,
) -> Resident:
    """Change the given fields (the others stay); a timeline entry lists old → new."""
    _require(actor, "resident", "change", resident.scope_path())
    resident = _locked(resident)
    _require(actor, "resident", "change", resident.scope_path())
    _ensure_active(resident)
    given = {
        key: value
        for key, value in {
            "name": name,
            "relation": relation,
            "citizen_id": citizen_id,
            "birth_date": birth_date,
            "sex": sex,
            "ethnicity": ethnicity,
            "phone": phone,
            "population_type": population_type,
            "separation": separation,
            "workplace": workplace,
            "moved_in_on": moved_in_on,
            "note": note,
        }.items()
        if value is not UNSET
    }
    errors = _Errors()
    values = _clean_person(given, errors)
    if "citizen_id" in values and values["citizen_id"] != resident.citizen_id:
        _check_duplicate_id(errors, actor=actor, number=values["citizen_id"], exclude_pk=resident.pk)
    if values.get("relation") == Relation.HOUSEHOLDER and resident.relation != Relation.HOUSEHOLDER:
        current = _active_householder(resident.household, exclude_pk=resident.pk)
        if current is not None:
            errors.add(
                "relation",
                _("This household already has a householder: %(name)s.") % {"name": current.name},
                "householder_exists",
            )
    errors.raise_if_any()
    changed = [f for f in PERSON_FIELDS if f in values and values[f] != getattr(resident, f)]
    if not changed:
        return resident
    before = {f: getattr(resident, f) for f in changed}
    for field in changed:
        setattr(resident, field, values[field])
    _set_search_keys(resident)
    _save_resident(resident)
    if "relation" in changed:
        household = resident.household
        if resident.relation == Relation.HOUSEHOLDER:
            Household.objects.filter(pk=household.pk).update(householder=resident)
        elif household.householder_id == resident.pk:
            Household.objects.filter(pk=household.pk).update(householder=None)
    ensure_in_scope(resident, actor, "change")
    _event(
        resident=resident,
        kind=EventKind.UPDATED,
        actor=actor,
        changes=[
            {"field": f, "old": _display(f, before[f]), "new": _display(f, getattr(resident, f))}
            for f in changed
        ],
    )
    audit.record(
        actor=actor,
        action="registry.resident.update",
        target=resident,
        before=_audit_values(before),
        after=_audit_values({f: getattr(resident, f) for f in changed}),
        request=request,
    )
    return resident


@transaction.atomic
def resident_move(
    *,
    actor: User,
    resident: Resident,
    to_household: Household | None = None,
    to_dwelling: Node | None = None,
    relation: str | None = None,
    moved_in_on: datetime.date | None = None,
    address_kind: str = AddressKind.RESIDENCE,
    note: str = "",
    request=None,
) -> Resident:
    """Move a resident into another household, or into a dwelling as a new household of
    their own (as its householder unless `relation` says otherwise). The old address stays
    in the timeline."""
    from linli.registry.selectors import full_address

    _require(actor, "resident", "change", resident.scope_path())
    resident = _locked(resident)
    _ensure_active(resident)
    errors = _Errors()
    if (to_household is None) == (to_dwelling is None):
        errors.add("to_household", _("Choose either a household or a dwelling to move to."), "move_target")
        errors.raise_if_any()
    target_path = to_household.dwelling.path if to_household is not None else to_dwelling.path
    _require(actor, "resident", "add", target_path)
    if to_dwelling is not None:
        _require(actor, "household", "add", to_dwelling.path)
    if to_household is not None and to_household.pk == resident.household_id:
        errors.add("to_household", _("The resident already belongs to this household."), "move_same")
    relation = relation or (Relation.HOUSEHOLDER if to_dwelling is not None else "")
    if relation not in Relation.values:
        errors.add("relation", _("Choose the relation to the new householder."), "relation_invalid")
    elif relation == Relation.HOUSEHOLDER and to_household is not None:
        current = _active_householder(to_household)
        if current is not None:
            errors.add(
                "relation",
                _("This household already has a householder: %(name)s.") % {"name": current.name},
                "householder_exists",
            )
    moved_in_on = _check_date(errors, "moved_in_on", moved_in_on, label=_("The moving-in date")) or _today()
    errors.raise_if_any()
    if to_household is None:
        to_household = household_create(
            actor=actor, dwelling=to_dwelling, address_kind=address_kind, request=request
        )
    old_household = resident.household
    before = {
        "household": old_household.pk,
        "address": full_address(resident.node),
        "relation": resident.relation,
        "moved_in_on": resident.moved_in_on,
    }
    if old_household.householder_id == resident.pk:
        Household.objects.filter(pk=old_household.pk).update(householder=None)
    resident.household = to_household
    resident.node = to_household.dwelling
    resident.relation = relation
    resident.moved_in_on = moved_in_on
    resident.save(update_fields=["household", "node", "relation", "moved_in_on", "updated_at"])
    if relation == Relation.HOUSEHOLDER:
        Household.objects.filter(pk=to_household.pk).update(householder=resident)
    ensure_in_scope(resident, actor, "add")
    after = {
        "household": to_household.pk,
        "address": full_address(resident.node),
        "relation": relation,
        "moved_in_on": moved_in_on,
    }
    _event(
        resident=resident,
        kind=EventKind.MOVED,
        actor=actor,
        changes=[
            {"field": f, "old": _display(f, before[f]), "new": _display(f, after[f])}
            for f in ("address", "relation", "moved_in_on")
            if before[f] != after[f]
        ],
        note=(note or "").strip(),
    )
    audit.record(
        actor=actor,
        action="registry.resident.move",
        target=resident,
        before=_audit_values(before),
        after=_audit_values(after),
        reason=(note or "").strip(),
        request=request,
    )
    return resident


@transaction.atomic
def resident_archive(
    *,
    actor: User,
    resident: Resident,
    reason: str,
    on: datetime.date | None = None,
    note: str = "",
    request=None,
) -> Resident:
    """Archive a resident who moved away, died or moved out. Nothing is deleted: the record,
    its tags (ended on that date) and its timeline stay, readable as history."""
    _require(actor, "resident", "change", resident.scope_path())
    resident = _locked(resident)
    _ensure_active(resident)
    errors = _Errors()
    if reason not in ArchiveReason.values:
        errors.add("reason", _("Choose why the record is archived."), "archive_reason_invalid")
    on = _check_date(errors, "on", on, label=_("The date")) or _today()
    errors.raise_if_any()
    resident.status = ResidentStatus.ARCHIVED
    resident.archive_reason = reason
    resident.archived_on = on
    resident.archive_note = (note or "").strip()
    resident.save(update_fields=["status", "archive_reason", "archived_on", "archive_note", "updated_at"])
    if resident.household.householder_id == resident.pk:
        Household.objects.filter(pk=resident.household_id).update(householder=None)
    today = _today()
    ended = 0
    for tag in resident.tags.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today)):
        tag.ended_on = max(on, tag.started_on or on)
        tag.ended_by = actor
        tag.save(update_fields=["ended_on", "ended_by"])
        ended += 1
    ensure_in_scope(resident, actor, "change")
    _event(
        resident=resident,
        kind=EventKind.ARCHIVED,
        actor=actor,
        changes=[
            {"field": "status", "old": ResidentStatus.ACTIVE, "new": ResidentStatus.ARCHIVED},
            {"field": "archive_reason", "old": "", "new": reason},
            {"field": "archived_on", "old": "", "new": on.isoformat()},
        ],
        note=resident.archive_note,
    )
    audit.record(
        actor=actor,
        action="registry.resident.archive",
        target=resident,
        before={"status": ResidentStatus.ACTIVE},
        after={
            "status": ResidentStatus.ARCHIVED,
            "archive_reason": reason,
            "archived_on": on.isoformat(),
            "tags_ended": ended,
        },
        reason=resident.archive_note,
        request=request,
    )
    return resident


# --- tags ----------------------------------------------------------------------------------


def _current_tag(resident: Resident, kind: str) -> ResidentTag | None:
    today = _today()
    for tag in resident.tags.filter(kind_index=blind_index(kind, "tag_kind")):
        if tag.is_current(today):
            return tag
    return None


@transaction.atomic
def tag_set(
    *,
    actor: User,
    resident: Resident,
    kind: str,
    subtype: str = "",
    started_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    evidence: str = "",
    request=None,
) -> ResidentTag:
    _require(actor, "resident_tag", "add", resident.scope_path())
    _ensure_active(resident)
    errors = _Errors()
    if kind not in TagKind.values:
        errors.add("kind", _("Choose a tag from the list."), "tag_kind_invalid")
    else:
        choices = TAG_SUBTYPES.get(kind)
        if choices is None and subtype:
            errors.add("subtype", _("This tag has no subtype."), "tag_subtype_invalid")
        elif choices is not None and subtype not in choices.values:
            errors.add(
                "subtype",
                _("Choose the subtype: %(options)s.")
                % {"options": ", ".join(str(label) for label in choices.labels)},
                "tag_subtype_invalid",
            )
        elif _current_tag(resident, kind) is not None:
            errors.add("kind", _("The resident already has this tag."), "tag_exists")
    if started_on is not None and not isinstance(started_on, datetime.date):
        errors.add("started_on", _("Not a date."), "date_invalid")
    started_on = started_on or _today()
    if ended_on is not None and ended_on < started_on:
        errors.add("ended_on", _("The end date lies before the start date."), "date_order")
    evidence = (evidence or "").strip()
    if len(evidence) > 1000:
        errors.add("evidence", _("At most %(n)d characters.") % {"n": 1000}, "evidence_length")
    errors.raise_if_any()
    tag = ResidentTag(
        resident=resident,
        kind=kind,
        subtype=subtype or "",
        started_on=started_on,
        ended_on=ended_on,
        evidence=evidence,
        set_by=actor,
    )
    fill_blind_indexes(tag)
    tag.save()
    ensure_in_scope(tag, actor, "add")
    _event(resident=resident, kind=EventKind.TAG_SET, actor=actor, tag=tag)
    audit.record(
        actor=actor,
        action="registry.tag.set",
        target=tag,
        after={
            "tags": kind,
            "started_on": started_on.isoformat(),
            "ended_on": ended_on and ended_on.isoformat(),
        },
        request=request,
    )
    return tag


@transaction.atomic
def tag_end(
    *,
    actor: User,
    tag: ResidentTag,
    ended_on: datetime.date | None = None,
    note: str = "",
    request=None,
) -> ResidentTag:
    _require(actor, "resident_tag", "change", tag.scope_path())
    tag = ResidentTag.objects.select_for_update().select_related("resident__node").get(pk=tag.pk)
    if not tag.is_current():
        raise ValidationFailed(_("This tag has already ended."), code="tag_ended", field="ended_on")
    ended_on = ended_on or _today()
    if tag.started_on and ended_on < tag.started_on:
        raise ValidationFailed(
            _("The end date lies before the start date."), code="date_order", field="ended_on"
        )
    tag.ended_on = ended_on
    tag.ended_by = actor
    tag.save(update_fields=["ended_on", "ended_by"])
    ensure_in_scope(tag, actor, "change")
    _event(resident=tag.resident, kind=EventKind.TAG_ENDED, actor=actor, tag=tag, note=(note or "").strip())
    audit.record(
        actor=actor,
        action="registry.tag.end",
        target=tag,
        after={"ended_on": ended_on.isoformat()},
        reason=(note or "").strip(),
        request=request,
    )
    return tag
