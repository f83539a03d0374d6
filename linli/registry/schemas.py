"""API shapes of the registry. Personal values leave only masked (`*_masked`); the full
value has its own endpoint (POST /residents/{id}/reveal) with a reason and an audit row."""

from datetime import date, datetime
from uuid import UUID

from ninja import Schema
from pydantic import Field

from linli.core.masking import mask_citizen_id, mask_phone
from linli.registry.choices import AddressKind, Ethnicity, PopulationType


class HouseholdIn(Schema):
    dwelling_id: UUID
    address_kind: str = AddressKind.RESIDENCE
    number: str = ""
    note: str = ""


class HouseholdOut(Schema):
    id: UUID
    dwelling_id: UUID
    dwelling_code: str
    address: str
    address_kind: str
    number: str
    householder_id: UUID | None
    householder_name: str | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_dwelling_id(obj) -> UUID:
        return obj.dwelling.public_id

    @staticmethod
    def resolve_dwelling_code(obj) -> str:
        return obj.dwelling.code

    @staticmethod
    def resolve_address(obj) -> str:
        from linli.registry.selectors import address_label

        return address_label(obj.dwelling)

    @staticmethod
    def resolve_householder_id(obj) -> UUID | None:
        return obj.householder.public_id if obj.householder_id else None

    @staticmethod
    def resolve_householder_name(obj) -> str | None:
        return obj.householder.name if obj.householder_id else None


class ResidentOut(Schema):
    id: UUID
    household_id: UUID
    dwelling_id: UUID
    address: str
    name: str
    relation: str
    citizen_id_masked: str
    birth_date: date | None
    sex: str
    ethnicity: str
    phone_masked: str
    population_type: str
    separation: str
    workplace: str
    moved_in_on: date | None
    status: str
    archive_reason: str
    archived_on: date | None

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_household_id(obj) -> UUID:
        return obj.household.public_id

    @staticmethod
    def resolve_dwelling_id(obj) -> UUID:
        return obj.node.public_id

    @staticmethod
    def resolve_address(obj) -> str:
        from linli.registry.selectors import address_label

        return address_label(obj.node)

    @staticmethod
    def resolve_citizen_id_masked(obj) -> str:
        return mask_citizen_id(obj.citizen_id)

    @staticmethod
    def resolve_phone_masked(obj) -> str:
        return mask_phone(obj.phone)


class HouseholdDetailOut(HouseholdOut):
    members: list[ResidentOut]

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.visible_members)


class ResidentIn(Schema):
    household_id: UUID
    name: str
    relation: str
    citizen_id: str = ""
    birth_date: date | None = None
    sex: str = ""
    ethnicity: str = Ethnicity.HAN
    phone: str = ""
    population_type: str = PopulationType.REGISTERED
    separation: str = ""
    workplace: str = ""
    moved_in_on: date | None = None
    note: str = ""


class ResidentPatch(Schema):
    """Only the fields sent are changed; send "" to clear the ID number or phone."""

    name: str | None = None
    relation: str | None = None
    citizen_id: str | None = None
    birth_date: date | None = None
    sex: str | None = None
    ethnicity: str | None = None
    phone: str | None = None
    population_type: str | None = None
    separation: str | None = None
    workplace: str | None = None
    moved_in_on: date | None = None
    note: str | None = None


class SearchIn(Schema):
    """Search by POST: the query may be a citizen ID or phone number, which must not travel
    in a URL."""

    q: str = Field("", max_length=100)
    tag: str = ""
    grid_id: UUID | None = None
    age_band: str = ""
    population_type: str = ""
    status: str = "active"
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


class SearchOut(Schema):
    count: int
    items: list[ResidentOut]


class MoveIn(Schema):
    household_id: UUID | None = None
    dwelling_id: UUID | None = None
    relation: str | None = None
    moved_in_on: date | None = None
    note: str = ""


class ArchiveIn(Schema):
    reason: str
    on: date | None = None
    note: str = ""


class TagIn(Schema):
    kind: str
    subtype: str = ""
    started_on: date | None = None
    ended_on: date | None = None
    evidence: str = ""


class TagOut(Schema):
    id: UUID
    kind: str
    subtype: str
    started_on: date | None
    ended_on: date | None
    evidence: str
    current: bool

    @staticmethod
    def resolve_id(obj) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_current(obj) -> bool:
        return obj.is_current()


class TagEndIn(Schema):
    ended_on: date | None = None
    note: str = ""


class RevealIn(Schema):
    field: str
    reason: str


class RevealOut(Schema):
    field: str
    value: str


class ChangeOut(Schema):
    field: str
    old: str
    new: str


class EventOut(Schema):
    at: datetime
    kind: str
    actor: str
    changes: list[ChangeOut]
    tag_kind: str | None
    note: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_name

    @staticmethod
    def resolve_changes(obj) -> list[dict]:
        return [
            {"field": str(c.get("field", "")), "old": str(c.get("old", "")), "new": str(c.get("new", ""))}
            for c in obj.changes
            if isinstance(c, dict)
        ]

    @staticmethod
    def resolve_tag_kind(obj) -> str | None:
        return obj.tag.kind if obj.tag_id else None


class StatsOut(Schema):
    node_id: UUID
    node_code: str
    node_name: str
    households: int
    residents: int
    by_population_type: dict[str, int]
    separated: int
    by_age_band: dict[str, int]
    age_unknown: int
    building_heads: int
    tags: dict[str, int] | None
    party_members: int | None
    party_direct: int | None
    party_resident: int | None

    @staticmethod
    def resolve_node_id(obj) -> UUID:
        return obj.node.public_id

    @staticmethod
    def resolve_node_code(obj) -> str:
        return obj.node.code

    @staticmethod
    def resolve_node_name(obj) -> str:
        return obj.node.name
