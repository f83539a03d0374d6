"""Every read of the registry a user triggers: scoped querysets, search, statistics."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from linli.accounts.models import RoleAssignment, User
from linli.accounts.roles import Role
from linli.core.crypto import blind_index
from linli.core.errors import ValidationFailed
from linli.core.scoping import path_prefix_condition
from linli.registry.choices import (
    AGE_BANDS,
    AgeBand,
    ArchiveReason,
    Ethnicity,
    PartyRelation,
    PopulationType,
    Relation,
    ResidentStatus,
    Separation,
    Sex,
    TagKind,
    birth_date_range,
)
from linli.registry.models import TAG_EVENTS, Household, Resident, ResidentEvent, ResidentTag
from linli.territory.choices import NodeKind
from linli.territory.models import Node

# Kinds of place that make up an address, from the compound down.
ADDRESS_KINDS = {NodeKind.COMPOUND, NodeKind.BUILDING, NodeKind.UNIT, NodeKind.DWELLING}
RESULT_LIMIT = 50


# --- permissions -----------------------------------------------------------------------------


def _allows(user: User, kind: str, action: str, path: str) -> bool:
    return user.is_superuser or user.grants.allows(kind, action, path)


def may_view_tags(user: User, path: str) -> bool:
    return _allows(user, "resident_tag", "view", path)


def may_set_tags(user: User, path: str) -> bool:
    return _allows(user, "resident_tag", "add", path)


def may_change_resident(user: User, path: str) -> bool:
    return _allows(user, "resident", "change", path)


def may_add_resident(user: User, path: str) -> bool:
    return _allows(user, "resident", "add", path)


def may_add_household_somewhere(user: User) -> bool:
    return user.is_superuser or bool(user.grants.paths("household", "add"))


def may_use_registry(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or bool(user.grants.paths("resident", "view")))


def _under_paths(user: User, kind: str, action: str, lookup: str) -> Q | None:
    """A filter for rows under the user's grant paths; None: no restriction (superuser)."""
    if user.is_superuser:
        return None
    paths = user.grants.paths(kind, action)
    if not paths:
        return Q(pk__in=[])
    return path_prefix_condition(lookup, paths)


def under(lookup: str, node: Node) -> Q:
    """Rows placed under `node` (through the path lookup `lookup`), index-friendly."""
    return path_prefix_condition(lookup, [node.path])


# --- addresses -------------------------------------------------------------------------------


def address_label(node: Node) -> str:
    """ "金城花园 2号楼 1单元 301室": the dwelling's place from its compound down."""
    parts = []
    current: Node | None = node
    while current is not None and current.kind in ADDRESS_KINDS:
        parts.append(current.name)
        current = current.parent
    return " ".join(reversed(parts))


ADDRESS_SELECT = "node__parent__parent__parent"


def full_address(node: Node) -> str:
    """ "财工街社区 财工街第2网格 金桥花园 2号楼 1单元 301室": from the community down, for
    the timeline of moves, where two dwellings may share their short address."""
    ids = node.ancestor_ids()
    names = dict(
        Node.objects.filter(pk__in=ids)
        .exclude(kind__in=[NodeKind.DISTRICT, NodeKind.STREET])
        .values_list("pk", "name")
    )
    return " ".join(names[i] for i in ids if i in names)


# --- residents -------------------------------------------------------------------------------


def residents_visible(*, user: User, status: str | None = ResidentStatus.ACTIVE) -> QuerySet[Resident]:
    qs = Resident.objects.restrict(user, "view").select_related(ADDRESS_SELECT, "household")
    if status:
        qs = qs.filter(status=status)
    return qs


@dataclass
class SearchParams:
    q: str = ""
    tag: str = ""
    grid: Node | None = None
    age_band: str = ""
    population_type: str = ""
    status: str = ResidentStatus.ACTIVE  # "" for all


_ID_RE = re.compile(r"\d{17}[\dX]|\d{15}")
_MOBILE_RE = re.compile(r"(?:\+?86)?1[3-9]\d{9}")
_LANDLINE_RE = re.compile(r"0\d{2,3}-?\d{7,8}")
_LAST4_RE = re.compile(r"\d{3}[\dX]")
_ADDRESS_RE = re.compile(r"(?:(\d+)号楼)?(?:(\d+)单元)?(\d+)?(?:室|号)?")
_RUN_RE = re.compile(r"\d[\dX-]*|[a-z]+|[^\x00-\x7f]+")


def _normalise_query(q: str) -> str:
    # NFKC: full-width digits and letters; upper-case only the X of an ID number.
    text = unicodedata.normalize("NFKC", q or "").strip().lower()
    return re.sub(r"(?<=\d)x\b", "X", text)


def is_sensitive_query(q: str) -> bool:
    """Would this query search by a citizen ID or phone number? Those must not travel in a
    URL: the API refuses them in a query string and the pages search by POST."""
    for token in _normalise_query(q).split():
        for run in _RUN_RE.findall(token):
            digits = run.replace("-", "")
            if _ID_RE.fullmatch(run) or _MOBILE_RE.fullmatch(digits) or _LANDLINE_RE.fullmatch(run):
                return True
            if len(digits) >= 7 and digits.isdigit():
                return True
    return False


def _address_condition(token: str, node: str = "node__") -> Q | None:
    """ "2号楼4单元301", "3号楼", "1单元" -> a filter on the dwelling (`node` is the lookup
    prefix that reaches it) and its unit and building; None if the token is no address."""
    match = _ADDRESS_RE.fullmatch(token)
    if not match or not (match.group(1) or match.group(2)):
        return None
    building, unit, room = match.groups()
    condition = Q()
    if room:
        condition &= Q(**{f"{node}name__startswith": room})
    if unit:
        condition &= Q(**{f"{node}parent__name": f"{unit}单元"})
        if building:
            condition &= Q(**{f"{node}parent__parent__name": f"{building}号楼"})
    elif building:
        condition &= Q(**{f"{node}parent__name": f"{building}号楼"}) | Q(
            **{f"{node}parent__parent__name": f"{building}号楼"}
        )
    return condition


def _token_condition(run: str) -> Q:
    digits = run.replace("-", "")
    if _ID_RE.fullmatch(run):
        return Q(citizen_id_index=blind_index(run, "citizen_id"))
    if _MOBILE_RE.fullmatch(digits) or _LANDLINE_RE.fullmatch(run):
        return Q(phone_index=blind_index(run, "phone"))
    if _LAST4_RE.fullmatch(run):
        # Four characters: the end of an ID or a phone number, or a room number.
        return Q(citizen_id_last4=run) | Q(phone_last4=run) | Q(node__name__startswith=run)
    if digits.isdigit():
        return Q(node__name__startswith=digits) | Q(node__code__contains=digits)
    if run.isascii():
        return Q(name_pinyin__contains=run) | Q(name_initials__contains=run)
    return (
        Q(name__contains=run)
        | Q(node__name__contains=run)
        | Q(node__parent__name__contains=run)
        | Q(node__parent__parent__name__contains=run)
        | Q(node__parent__parent__parent__name__contains=run)
    )


def query_condition(q: str) -> Q:
    """Every word of the query must match: a name (characters, full pinyin, initials), an
    exact ID or phone number (through the blind index), the last four characters of the ID
    or phone, or the address (compound, building, unit or room; "2号楼4单元301")."""
    condition = Q()
    for token in _normalise_query(q).split():
        address = _address_condition(token)
        if address is not None:
            condition &= address
            continue
        for run in _RUN_RE.findall(token):
            condition &= _token_condition(run)
    return condition


def _current_tags(today: datetime.date) -> Q:
    return Q(ended_on__isnull=True) | Q(ended_on__gt=today)


def resident_search(*, user: User, params: SearchParams) -> QuerySet[Resident]:
    qs = residents_visible(user=user, status=params.status or None)
    if params.q:
        qs = qs.filter(query_condition(params.q))
    if params.grid is not None:
        qs = qs.filter(under("node__path", params.grid))
    if params.population_type:
        if params.population_type not in PopulationType.values:
            raise ValidationFailed(field="population_type")
        qs = qs.filter(population_type=params.population_type)
    if params.age_band:
        if params.age_band not in AGE_BANDS:
            raise ValidationFailed(field="age_band")
        earliest, latest = birth_date_range(params.age_band, timezone.localdate())
        qs = qs.filter(birth_date__lte=latest)
        if earliest is not None:
            qs = qs.filter(birth_date__gt=earliest)
    if params.tag:
        if params.tag not in TagKind.values:
            raise ValidationFailed(field="tag")
        # Only tags the user may see can select people: otherwise the filter itself would
        # tell a building head who is on minimum subsistence.
        tags = ResidentTag.objects.restrict(user, "view").filter(
            _current_tags(timezone.localdate()),
            resident=OuterRef("pk"),
            kind_index=blind_index(params.tag, "tag_kind"),
        )
        qs = qs.filter(Exists(tags))
    return qs


def grids_visible(*, user: User) -> QuerySet[Node]:
    return Node.objects.restrict(user, "view").filter(
        kind__in=[NodeKind.GRID, NodeKind.DEDICATED_GRID], retired_at__isnull=True
    )


# --- one resident ----------------------------------------------------------------------------


def resident_tags(*, user: User, resident: Resident) -> list[ResidentTag]:
    return list(
        ResidentTag.objects.restrict(user, "view")
        .filter(resident=resident)
        .select_related("set_by", "ended_by")
    )


def resident_timeline(*, user: User, resident: Resident) -> list[ResidentEvent]:
    events = ResidentEvent.objects.restrict(user, "view").filter(resident=resident).select_related("tag")
    if not may_view_tags(user, resident.scope_path()):
        events = events.exclude(kind__in=TAG_EVENTS)
    return list(events)


CHOICE_FIELDS = {
    "relation": Relation,
    "sex": Sex,
    "ethnicity": Ethnicity,
    "population_type": PopulationType,
    "separation": Separation,
    "status": ResidentStatus,
    "archive_reason": ArchiveReason,
}


def change_display(field: str, value: str) -> str:
    """A timeline value as shown: choice codes become their labels (in the reader's language)."""
    choices = CHOICE_FIELDS.get(field)
    if choices is not None and value:
        try:
            return str(choices(value).label)
        except ValueError:
            return value
    return value


def household_members(*, user: User, household: Household) -> QuerySet[Resident]:
    return (
        Resident.objects.restrict(user, "view")
        .filter(household=household)
        .order_by("status", "relation", "pk")
    )


def households_in_dwelling(*, user: User, dwelling: Node) -> QuerySet[Household]:
    return (
        Household.objects.restrict(user, "view")
        .filter(dwelling=dwelling)
        .select_related("householder")
        .annotate(active_members=Count("members", filter=Q(members__status=ResidentStatus.ACTIVE)))
    )


def dwellings_for_household(*, user: User, q: str = "", limit: int = 30) -> QuerySet[Node]:
    """Dwellings where the user may add a household, matching a name or code fragment."""
    qs = Node.objects.filter(kind=NodeKind.DWELLING, retired_at__isnull=True)
    condition = _under_paths(user, "household", "add", "path")
    if condition is not None:
        qs = qs.filter(condition)
    q = _normalise_query(q)
    address = _address_condition(q.replace(" ", ""), node="") if q else None
    if address is not None:
        qs = qs.filter(address)
    elif q:
        for token in q.split():
            qs = qs.filter(
                Q(name__contains=token)
                | Q(code__contains=token)
                | Q(parent__name__contains=token)
                | Q(parent__parent__name__contains=token)
                | Q(parent__parent__parent__name__contains=token)
            )
    return qs.select_related("parent__parent__parent").order_by("path")[:limit]


def households_for_move(*, user: User, q: str = "", limit: int = 30) -> QuerySet[Household]:
    """Households a resident may be moved into by this user (residents may be added there)."""
    qs = Household.objects.all()
    condition = _under_paths(user, "resident", "add", "dwelling__path")
    if condition is not None:
        qs = qs.filter(condition)
    q = _normalise_query(q)
    for token in q.split():
        qs = qs.filter(
            Q(dwelling__name__contains=token)
            | Q(dwelling__code__contains=token)
            | Q(dwelling__parent__name__contains=token)
            | Q(dwelling__parent__parent__name__contains=token)
            | Q(householder__name__contains=token)
        )
    return qs.select_related("dwelling__parent__parent__parent", "householder").order_by("dwelling__path")[
        :limit
    ]


# --- statistics ------------------------------------------------------------------------------


def stats_nodes(*, user: User) -> QuerySet[Node]:
    """The highest places whose registry the user may see."""
    if user.is_superuser:
        return Node.objects.filter(parent__isnull=True, retired_at__isnull=True)
    return Node.objects.filter(path__in=user.grants.paths("resident", "view"), retired_at__isnull=True)


def may_view_stats(user: User, node: Node) -> bool:
    return _allows(user, "resident", "view", node.path)


@dataclass
class Stats:
    node: Node
    households: int
    residents: int
    by_population_type: dict[str, int]
    separated: int
    by_age_band: dict[str, int]
    age_unknown: int
    building_heads: int
    # None when the user may not see tags here.
    tags: dict[str, int] | None
    party_direct: int | None
    party_resident: int | None

    @property
    def party_members(self) -> int | None:
        return None if self.tags is None else self.tags.get(TagKind.PARTY_MEMBER, 0)


def registry_stats(*, user: User, node: Node, today: datetime.date | None = None) -> Stats:
    """Counts of the active registry under a node. The caller has checked may_view_stats."""
    today = today or timezone.localdate()
    residents = Resident.objects.active().filter(under("node__path", node))
    aggregates: dict[str, Count] = {
        "residents": Count("pk"),
        "households": Count("household", distinct=True),
        "separated": Count("pk", filter=~Q(separation="")),
        "age_unknown": Count("pk", filter=Q(birth_date__isnull=True)),
    }
    for value in PopulationType.values:
        aggregates[f"type_{value}"] = Count("pk", filter=Q(population_type=value))
    for band in AgeBand.values:
        earliest, latest = birth_date_range(band, today)
        condition = Q(birth_date__lte=latest)
        if earliest is not None:
            condition &= Q(birth_date__gt=earliest)
        aggregates[f"band_{band}"] = Count("pk", filter=condition)
    row = residents.aggregate(**aggregates)
    heads = (
        RoleAssignment.objects.filter(
            under("node__path", node),
            role=Role.BUILDING_HEAD,
            ended_at__isnull=True,
            node__retired_at__isnull=True,
            user__is_active=True,
        )
        .values("user_id")
        .distinct()
        .count()
    )
    tags = party_direct = party_resident = None
    if may_view_tags(user, node.path):
        current = ResidentTag.objects.filter(
            _current_tags(today),
            under("resident__node__path", node),
            resident__status=ResidentStatus.ACTIVE,
        )
        by_index = {blind_index(kind, "tag_kind"): kind for kind in TagKind.values}
        tags = dict.fromkeys(TagKind.values, 0)
        for item in current.values("kind_index").annotate(n=Count("resident", distinct=True)):
            if item["kind_index"] in by_index:
                tags[by_index[item["kind_index"]]] = item["n"]
        party = current.filter(kind_index=blind_index(TagKind.PARTY_MEMBER, "tag_kind"))
        subtypes = dict(
            party.values("subtype_index")
            .annotate(n=Count("resident", distinct=True))
            .values_list("subtype_index", "n")
        )
        party_direct = subtypes.get(blind_index(PartyRelation.DIRECT, "tag_subtype"), 0)
        party_resident = subtypes.get(blind_index(PartyRelation.RESIDENT, "tag_subtype"), 0)
    return Stats(
        node=node,
        households=row["households"],
        residents=row["residents"],
        by_population_type={value: row[f"type_{value}"] for value in PopulationType.values},
        separated=row["separated"],
        by_age_band={band: row[f"band_{band}"] for band in AgeBand.values},
        age_unknown=row["age_unknown"],
        building_heads=heads,
        tags=tags,
        party_direct=party_direct,
        party_resident=party_resident,
    )


def stats_child_nodes(*, user: User, node: Node) -> list[Node]:
    """The streets, communities or grids one level under the node that the user may count."""
    children = Node.objects.restrict(user, "view").filter(
        parent=node,
        retired_at__isnull=True,
        kind__in=[NodeKind.STREET, NodeKind.COMMUNITY, NodeKind.GRID, NodeKind.DEDICATED_GRID],
    )
    return [child for child in children if may_view_stats(user, child)]


def stats_children(*, user: User, node: Node) -> list[Stats]:
    return [registry_stats(user=user, node=child) for child in stats_child_nodes(user=user, node=node)]
