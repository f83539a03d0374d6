"""The door-to-door census (issue 5, item 4): for a building, every dwelling with its state;
a visit records what the worker found; progress per grid and community.

A dwelling's state is its latest visit; no visit is "not visited".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core import audit
from linli.core.errors import ValidationFailed
from linli.registry.models import CensusState, CensusVisit
from linli.registry.services import _require
from linli.territory.choices import NodeKind
from linli.territory.models import Node

NOT_VISITED = "not_visited"
MAX_NOTE = 500


@transaction.atomic
def census_record(*, actor: User, dwelling: Node, state: str, note: str = "", request=None) -> CensusVisit:
    _require(actor, "household", "change", dwelling.path)
    if dwelling.kind != NodeKind.DWELLING:
        raise ValidationFailed(_("A census visit is to a dwelling."), code="dwelling_kind", field="dwelling")
    if state not in CensusState.values:
        raise ValidationFailed(_("Choose what you found."), code="state_invalid", field="state")
    # Control characters (a NUL cannot even be stored by PostgreSQL) are typing accidents.
    note = " ".join("".join(ch if ch.isprintable() else " " for ch in note or "").split())[:MAX_NOTE]
    visit = CensusVisit.objects.create(dwelling=dwelling, state=state, note=note, visited_by=actor)
    audit.record(
        actor=actor, action="registry.census.visit", target=visit, after={"state": state}, request=request
    )
    return visit


def _latest_state():
    return Subquery(
        CensusVisit.objects.filter(dwelling=OuterRef("pk")).order_by("-visited_at", "-pk").values("state")[:1]
    )


@dataclass
class DwellingRow:
    dwelling: Node
    unit: str
    state: str
    households: int


def building_census(*, user: User, building: Node) -> list[DwellingRow]:
    dwellings = (
        Node.objects.restrict(user, "view")
        .filter(path__startswith=building.path, kind=NodeKind.DWELLING, retired_at__isnull=True)
        .select_related("parent")
        .annotate(census_state=_latest_state(), n_households=Count("households"))
        .order_by("path")
    )
    return [
        DwellingRow(
            dwelling=d,
            unit=d.parent.name if d.parent and d.parent.kind == NodeKind.UNIT else "",
            state=d.census_state or NOT_VISITED,
            households=d.n_households,
        )
        for d in dwellings
    ]


@dataclass
class Progress:
    node: Node
    total: int
    by_state: dict[str, int]

    @property
    def visited(self) -> int:
        return sum(self.by_state.values())

    @property
    def percent(self) -> int:
        return int(100 * self.visited / self.total) if self.total else 0


def census_progress(*, user: User, node: Node) -> list[Progress]:
    """The node itself first, then each child (grids of a community, communities of a
    street, buildings of a grid or compound)."""
    children = list(
        Node.objects.restrict(user, "view")
        .filter(parent=node, retired_at__isnull=True)
        .exclude(kind__in=[NodeKind.DWELLING, NodeKind.UNIT])
        .order_by("path")
    )
    return [_progress(user, n) for n in [node, *children]]


def _progress(user: User, node: Node) -> Progress:
    dwellings = Node.objects.restrict(user, "view").filter(
        path__startswith=node.path, kind=NodeKind.DWELLING, retired_at__isnull=True
    )
    states = dwellings.annotate(census_state=_latest_state()).values_list("census_state", flat=True)
    by_state: dict[str, int] = {}
    total = 0
    for state in states:
        total += 1
        if state:
            by_state[state] = by_state.get(state, 0) + 1
    return Progress(node=node, total=total, by_state=by_state)


def state_labels() -> dict[str, str]:
    return {NOT_VISITED: _("Not visited"), **{s.value: str(s.label) for s in CensusState}}
